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
/* Open a store at jt_home() with default options, asserting JA_OK. */
ja_store *jt_open(void);
/* Run one SQL query on @p db_path and return the first column of the first
 * row as an integer (asserting success). */
int64_t jt_sql_int(const char *db_path, const char *sql);
/* Same, as a malloc'ed string (NULL for SQL NULL / no row). */
char *jt_sql_text(const char *db_path, const char *sql);
/* "<home>/analytics_queue.db" */
const char *jt_db_path(void);
/* A queue as schema version @p version left it, for migration tests: the
 * home and jt_db_path() made (0700 / 0600) as a store makes them, the
 * new-queue pragmas, every migration up to @p version (asserting the last
 * one is it) and user_version = @p version. Returns the open connection;
 * the caller fills it and closes it. */
sqlite3 *jt_db_at_version(int version);
/* Inflate the one gzip member @p gz (@p len bytes) into @p out, at most
 * @p cap bytes, asserting it ends there; the bytes written. */
size_t jt_gunzip(const void *gz, size_t len, char *out, size_t cap);

#endif
