/*
 * support.h — helpers shared by the cmocka tests: throwaway homes, files,
 * environment. Include after <cmocka.h>'s prerequisites (done here).
 */
#ifndef JA_TEST_SUPPORT_H
#define JA_TEST_SUPPORT_H

#include "boot.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

/* A fresh empty directory under $TMPDIR (or /tmp), mode 0700, removed with
 * everything in it when the test program exits. Also sets
 * OPENJARVIS_HOME to "<dir>/home" (not created) and clears DO_NOT_TRACK,
 * OPENJARVIS_LOG_LEVEL and the analytics env overrides. Returns a static
 * buffer valid until the next call. */
const char *jt_fresh_env(void);
/* "<dir>/home" of the last jt_fresh_env(). */
const char *jt_home(void);
/* Write @p content to @p path (mode 0644), asserting success. */
void jt_write_file(const char *path, const char *content);
/* Whole file as a malloc'ed NUL-terminated string (NULL if missing). */
char *jt_read_file(const char *path, size_t *len);
/* 1 if @p needle occurs in the raw bytes of @p path (binary-safe). */
int jt_file_contains(const char *path, const char *needle);
/* How many entries of directory @p dir have a name starting with @p prefix
 * (temp files left behind: "anon_id.tmp."). */
int jt_count_prefix(const char *dir, const char *prefix);
/* Open a store at jt_home() with default options, asserting JA_OK. */
ja_store *jt_open(void);
/* The same with JA_OPEN_SYNC: each capture and signal returns once it is
 * committed (tests that read the queue right after writing it). */
ja_store *jt_open_sync(void);
/* Another connection holding the store's write lock (BEGIN IMMEDIATE on
 * jt_db_path()): a writer stuck in its commit. jt_unlock_store commits and
 * closes it. */
sqlite3 *jt_lock_store(void);
void jt_unlock_store(sqlite3 *db);
/* ja_flush(@p s) with a timeout no test reaches, asserting JA_OK: what the
 * handle accepted is in the queue. */
void jt_flush(ja_store *s);
/* Run one SQL query on @p db_path and return the first column of the first
 * row as an integer (asserting success). */
int64_t jt_sql_int(const char *db_path, const char *sql);
/* Same, as a malloc'ed string (NULL for SQL NULL / no row). */
char *jt_sql_text(const char *db_path, const char *sql);
/* "<home>/analytics_queue.db" */
const char *jt_db_path(void);
/* The drop counters of the store at jt_home() as its status document says
 * (busy drops still waiting in the -busy file included): *busy, and every
 * other reason together in *other. Opens and closes a handle of its own. */
void jt_status_drops(int64_t *busy, int64_t *other);
/* A queue as schema version @p version left it, for migration tests: the
 * home and jt_db_path() made (0700 / 0600) as a store makes them, the
 * new-queue pragmas, every migration up to @p version (asserting the last
 * one is it) and user_version = @p version. Returns the open connection;
 * the caller fills it and closes it. */
sqlite3 *jt_db_at_version(int version);
/* Inflate the one gzip member @p gz (@p len bytes) into @p out, at most
 * @p cap bytes, asserting it ends there; the bytes written. */
size_t jt_gunzip(const void *gz, size_t len, char *out, size_t cap);

/* ------------------------------------------------------------ fault.c */

/* The file calls of SQLite's that the fault layer can fail. */
typedef enum jt_fault_call {
  JT_FAULT_WRITE,  /* xWrite of the queue or its -wal */
  JT_FAULT_SYNC,   /* xSync (the fsync of a commit, a checkpoint) */
  JT_FAULT_READ,   /* xRead */
  JT_FAULT_COUNT
} jt_fault_call;
/* Make the fault layer SQLite's default VFS (once per process, before the
 * store is opened: a connection keeps the VFS it was opened with). */
void jt_fault_install(void);
/* From now on, the @p nth call of @p call on the queue's files (1-based,
 * counted from here) and the @p count - 1 after it (count < 0: all after
 * it) fail with SQLite code @p rc (SQLITE_FULL, SQLITE_IOERR_WRITE,
 * SQLITE_CORRUPT …). */
void jt_fault_arm(jt_fault_call call, int nth, int count, int rc);
/* Stop failing anything. */
void jt_fault_clear(void);
/* Calls of @p call counted since it was armed or cleared. */
int jt_fault_calls(jt_fault_call call);

#endif
