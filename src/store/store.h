/*
 * store/store.h — the SQLite queue: open/create/migrate, composable write
 * transactions, capture inserts with caps and drop counters, busy drops,
 * the uploader's lease/claim/delete, purge.
 */
#ifndef JA_STORE_STORE_H
#define JA_STORE_STORE_H

#include "boot.h"
#include "filter/drop.h"
#include "util/clock.h"

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

/* Prepared statements kept for the life of a connection (hot path). */
enum { JA__Q_INSERT, JA__Q_DROP_ADD, JA__Q_PRUNE_EXPIRED, JA__Q_QUEUE_COUNT, JA__Q_PRUNE_OLDEST,
       JA__Q_COUNT };

/* The SQLite side of a store: one connection and its transaction state. */
typedef struct ja__db {
  sqlite3 *db;               /* NULL until opened */
  sqlite3_stmt *q[JA__Q_COUNT]; /* prepared lazily, finalized at close */
  char path[JA_PATH_MAX];    /* analytics_queue.db */
  int busy_timeout_ms;       /* longest wait for the write lock */
  int64_t max_events;        /* queue cap */
  int64_t max_age_ms;        /* age cap */
  int immutable;             /* a reader's read-only, immutable=1 connection
                                (a home it cannot write): never written, and
                                reopened by each read so it is never stale */
  int in_txn;                /* between ja__store_begin and ja__store_end */
  int busy_fd;               /* -busy file folded into this transaction, or -1 */
  uint64_t busy_mem;         /* in-memory busy drops folded into it */
  _Atomic uint64_t pending_busy; /* busy drops that could not even be noted
                                in the -busy file; counted by the next
                                transaction (atomic: noted without the lock) */
} ja__db;

/* ------------------------------------------------------------ store/db.c */

/* Map an SQLite failure @p rc to a ja_status and record
 * "<what> '<path>': <sqlite3_errmsg>" as the last error. */
ja_status ja__store_error(ja__db *d, int rc, const char *what);
/* Run SQL text that returns no rows; errors through ja__store_error. */
ja_status ja__store_exec(ja__db *d, const char *sql, const char *what);
/* A cached prepared statement (JA__Q_*), reset and unbound. *out is set on
 * entry (NULL on failure). */
ja_status ja__store_stmt(ja__db *d, int which, sqlite3_stmt **out);
/* Step a statement that returns no rows, then reset it. */
ja_status ja__store_step_done(ja__db *d, sqlite3_stmt *s, const char *what);

/* Composable write transactions (the Fossil db_begin/db_end shape): every
 * writer — capture, the uploader's claim/ack/release, rollup, purge — opens
 * one with ja__store_begin (BEGIN IMMEDIATE: JA_EBUSY past the timeout),
 * does any number of writes, and ends it with ja__store_end, which commits
 * when @p st is JA_OK and rolls back otherwise (or when the commit fails),
 * and returns the final status. Busy drops noted since the last
 * transaction are folded into the counters of the next one that commits. */
ja_status ja__store_begin(ja__db *d, int64_t now_ms);
ja_status ja__store_end(ja__db *d, ja_status st);

/* ---------------------------------------------------------- store/open.c */

/* Open the queue at d->path (a resolved path: no symlink in any
 * component) and migrate it. Every file SQLite will open is checked first
 * (ja__file_open_safe: the queue, -wal, -shm): JA_EUNSAFE for a symlink,
 * FIFO, hard link or another user's file. When @p create: a missing queue
 * is built complete in a private temp file and linked into place (racing
 * creators all end up using the first one's), and a corrupt one (or an
 * empty file) is moved aside to "<queue>.corrupt-<UTC time>" (the newest
 * only is kept), replaced, and the move recorded in store_events.
 * JA_ECANTCREATE if missing and !create; JA_ECORRUPT when !create and it
 * is not a database; JA_EVERSION for a newer schema (never touched);
 * JA_ECONFIG when the path is too long for SQLite; JA_EIO when it cannot
 * be read. */
ja_status ja__store_open(ja__db *d, int create);
/* For readers (status, show, purge): open the queue only if it exists.
 * *present = 0 (JA_OK) only when there is no queue file (or it is empty);
 * any other failure is an error. Where the queue cannot be written (a
 * read-only home) it is opened read-only, or immutable when no -wal holds
 * what that would miss (d->immutable = 1). Never creates or moves files. */
ja_status ja__store_open_existing(ja__db *d, int *present);
/* JA_ECONFIG (with message) when SQLite would refuse @p path as too long. */
ja_status ja__store_path_check(const char *path);
void ja__store_close(ja__db *d);

/* --------------------------------------------------------- store/write.c */

/* One event row to insert. */
typedef struct ja__row {
  const char *uuid, *distinct_id, *event, *props_json;
  int64_t ts_ms;
} ja__row;

/* Inside a transaction: insert @p n rows, add @p drops (counts by reason,
 * may be NULL) to the counters at @p now_ms. The building block of capture,
 * rollup (close a session + enqueue its event) and batch capture. */
ja_status ja__store_add(ja__db *d, const ja__row *rows, size_t n,
                        const unsigned drops[JA__DROP_COUNT], int64_t now_ms);
/* Inside a transaction: add @p n drops for reason @p why at @p now_ms. */
ja_status ja__store_count_drops(ja__db *d, ja__drop why, int64_t n, int64_t now_ms);
/* Inside a transaction: apply the age and size caps at @p now_ms, counting
 * what they push out. */
ja_status ja__store_apply_caps(ja__db *d, int64_t now_ms);

/* One transaction: ja__store_add of @p row (if not NULL) and @p drops, then
 * the caps. On SQLITE_BUSY past the timeout: JA_EBUSY (the caller notes the
 * busy drop). */
ja_status ja__store_insert(ja__db *d, const ja__row *row, const unsigned drops[JA__DROP_COUNT],
                           int64_t now_ms);

/* ---------------------------------------------------------- store/busy.c */

/* Note one event dropped because the queue stayed locked: nothing can be
 * written to the database then, so one byte is appended to "<db>-busy"
 * (0600, under flock) and the next transaction that gets in folds the count
 * into the "busy" counter. Works across processes (the CLI runs one capture
 * per process). Never fails: if even that is impossible, it is counted in
 * memory. */
void ja__store_note_busy(ja__db *d);
/* Inside ja__store_begin: take the noted busy drops into the transaction. */
ja_status ja__store_busy_fold(ja__db *d, int64_t now_ms);
/* From ja__store_end: forget (when @p committed) what was folded. */
void ja__store_busy_folded(ja__db *d, int committed);

/* --------------------------------------------------------- store/lease.c */

/* Uploader support. Claim up to @p limit unleased (or lease-expired) events
 * for @p owner until @p lease_until_ms, in one short BEGIN IMMEDIATE. */
ja_status ja__store_claim(ja__db *d, const char *owner, int64_t now_ms, int64_t lease_until_ms,
                          int limit, int *nclaimed);
/* Delete exactly @p uuids (claimed by @p owner) in one transaction. */
ja_status ja__store_delete_uuids(ja__db *d, const char *owner, const char *const *uuids,
                                 size_t n, int64_t now_ms, int64_t *ndeleted);

/* --------------------------------------------------------- store/purge.c */

/* Delete what @p what (JA_PURGE_* bits) names, in one transaction. */
ja_status ja__store_purge(ja__db *d, unsigned what, int64_t now_ms, int64_t *removed);

#endif
