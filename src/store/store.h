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
enum { JA__Q_INSERT, JA__Q_DROP_ADD, JA__Q_DROP_DAY_ADD, JA__Q_DROP_DAY_PRUNE, JA__Q_PRUNE_EXPIRED, JA__Q_QUEUE_COUNT, JA__Q_PRUNE_OLDEST,
       JA__Q_CLOCK_READ, JA__Q_CLOCK_WRITE, JA__Q_AGE_UNWITNESSED, JA__Q_BUSY_GET, JA__Q_BUSY_SET,
       /* rollup/ */
       JA__Q_SIGNAL_ADD, JA__Q_SESSION_FIND, JA__Q_SESSION_OPEN, JA__Q_SESSION_KEY_SET,
       JA__Q_SESSION_TOUCH, JA__Q_FIRST_USE_ADD, JA__Q_SESSIONS_AFTER, JA__Q_KEYS_SLICE_END,
       JA__Q_KEYS_SWEEP,
       JA__Q_RUN_SIGNALS, JA__Q_RUN_FORGET, JA__Q_PART_FORGET, JA__Q_RUN_DROP, JA__Q_DAY_DONE_GET,
       JA__Q_DAY_ADD, JA__Q_DAY_NAME_ADD, JA__Q_DAYS_DUE, JA__Q_DAY_EMITTED, JA__Q_DAY_FORGET,
       JA__Q_DAY_NAMES_FORGET,
       /* upload/: a few of each per batch */
       JA__Q_CLAIM_SCAN, JA__Q_LEASE_EXPIRE, JA__Q_LEASE_LIST, JA__Q_LEASE_ADD, JA__Q_LEASE_DROP,
       JA__Q_LEASE_DONE, JA__Q_LEASE_PIECE, JA__Q_ACK_DELETE_RANGE, JA__Q_ACK_DELETE,
       JA__Q_UPLOAD_STATE_SET, JA__Q_COUNTS_ADD, JA__Q_BATCH_COUNT, JA__Q_BATCH_ROWS,
       JA__Q_RECHECK_REWRITE, JA__Q_SPAN_REFRESH, JA__Q_SPAN_REFILL,
       /* what was sent, in place (store/sent.c, 014_sent_in_place.sql) */
       JA__Q_SETTLED_GET, JA__Q_SETTLED_SET, JA__Q_MARKS_FROM, JA__Q_MARK_ADD, JA__Q_MARK_AT,
       JA__Q_MARK_TOP, JA__Q_EVENT_NEXT, JA__Q_MARK_RETIRE, JA__Q_MARK_DROP, JA__Q_COUNTS_MOVE,
       JA__Q_COUNT };

/* Pruning is done in steps (a capture must never hold the write lock for
 * long): one write transaction deletes at
 * most the rows it added plus this many, so a queue over its caps (a cap
 * lowered in config.toml, a store filled by another version) converges
 * over later transactions while every one of them stays short. */
#define JA__PRUNE_STEP 100
/* A clock before this (2025-01-01T00:00:00Z, before this library existed)
 * is not set (no RTC, no network time yet): it witnesses nothing. */
#define JA__CLOCK_FLOOR_MS INT64_C(1735689600000)
/* How far behind the store clock a clock may be and still count as sane
 * (two processes reading the same clock a moment apart; monotonic vs wall
 * clock drift). */
#define JA__CLOCK_SKEW_MS INT64_C(600000)
/* The store clock's row is written again once a time in it would move by
 * this much (store/write.c: ja__store_witness), not by every transaction. */
#define JA__CLOCK_WRITE_STEP_MS INT64_C(1000)

/* The SQLite side of a store: one connection and its transaction state. */
typedef struct ja__db {
  sqlite3 *db;               /* NULL until opened */
  sqlite3_stmt *q[JA__Q_COUNT]; /* prepared lazily, finalized at close */
  char path[JA_PATH_MAX];    /* analytics_queue.db */
  int busy_timeout_ms;       /* longest wait for the write lock */
  ja__deadline deadline;     /* the current public call's, read by the busy
                                handler (at_ns 0: none set; then each lock
                                wait gets busy_timeout_ms of its own) */
  ja__deadline wait_until;   /* that own deadline of the current lock wait */
  uint64_t busy_polls;       /* busy-handler calls so far (tests, bench) */
  int64_t max_events;        /* queue cap ([analytics] max_events) */
  int64_t max_age_ms;        /* age cap ([analytics] max_age_days), saturated */
  int immutable;             /* a reader's read-only, immutable=1 connection
                                (a home it cannot write): never written, and
                                reopened by each read so it is never stale */
  int in_txn;                /* between ja__store_begin and ja__store_end */
  int self_counting;         /* the uploader's connection runs with triggers
                                off and keeps the counters and spans per
                                statement (lease.c: ja__store_upload_tune) */
  int txn_witnessed;         /* this transaction ran ja__store_witness */
  int64_t txn_added;         /* rows this transaction added (its prune budget) */
  int64_t witnessed_ms;      /* the store clock, as of this transaction */
  int64_t oldest_age_ms;     /* min(age_ms) when the transaction began (0:
                                none): nothing older, nothing to expire */
  int unaged;                /* an event had age_ms NULL when it began */
  int64_t aged_below;        /* when this connection last committed an age
                                prune that deleted all it found: its cutoff.
                                No pending event was older then, and none a
                                library writer adds is older than its store
                                clock less the skew (far above any cutoff),
                                so the next prune starts there (0: never) */
  int64_t aged_below_txn;    /* the same, set by this transaction's prune,
                                taken at its commit */
  int64_t writer;            /* this process's writer id (0: assign on first write) */
  int64_t drop_days_pruned;  /* the UTC day (ms / 86400000) whose drops-by-day
                                this connection last pruned (0: not yet) */
  int seen_valid;            /* seen_* hold an earlier store clock */
  int64_t seen_ms;           /* the store clock this handle last computed … */
  int64_t seen_mono_ns;      /* … and CLOCK_MONOTONIC at that moment */
  int busy_fd;               /* -busy file folded into this transaction
                                (kept to rotate it after COMMIT), or -1 */
  int64_t busy_size;         /* its size when folded */
  int busy_warned;           /* an unusable -busy file was reported once */
  uint64_t busy_mem;         /* in-memory busy drops folded into it */
  _Atomic uint64_t pending_busy; /* busy drops that could not even be noted
                                in the -busy file; counted by the next
                                transaction (atomic: noted without the lock) */
  _Atomic uint64_t pending[JA__DROP_COUNT]; /* other drops counted in memory
                                (the writer's buffer full, a group the store
                                could not take): folded into the counters by
                                the next transaction that commits */
  uint64_t pending_mem[JA__DROP_COUNT]; /* what this transaction folded of them */
  int last_rc;               /* SQLite result code of the last failure
                                (ja__store_error): tells a full disk from
                                other I/O errors */
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
/* Cached statement @p which (JA__Q_*) in *@p out with integers ?1 … ?n
 * = @p v[0 .. n) bound (the caller steps it and resets it). */
ja_status ja__store_stmt_ints(ja__db *d, int which, const int64_t *v, int n, sqlite3_stmt **out);
/* Run cached statement @p which (JA__Q_*, no rows) with integers ?1 … ?n
 * = @p v[0 .. n). */
ja_status ja__store_run_ints(ja__db *d, int which, const int64_t *v, int n, const char *what);

/* Install the busy handler on a new connection (instead of
 * sqlite3_busy_timeout): it polls in short steps — 50 µs growing by 25 µs a
 * call to 1 ms — until the call's deadline (d->deadline, else
 * busy_timeout_ms from the start of this lock wait), and gives up exactly
 * there. SQLite's own handler sleeps 1–100 ms at a time and so misses the
 * few microseconds between another writer's COMMIT and its next BEGIN. */
void ja__store_busy_install(ja__db *d);
/* The handler's policy, without a clock: how long to sleep before the next
 * try after @p count earlier tries of this lock wait, when @p left_ns remain
 * until the deadline. 0: give up (the deadline has come); never more than
 * @p left_ns, so the last try happens at the deadline. */
int64_t ja__store_busy_sleep_ns(int count, int64_t left_ns);

/* Composable write transactions (the Fossil db_begin/db_end shape): every
 * writer — capture, the uploader's claim/ack/release, rollup, purge — opens
 * one with ja__store_begin (BEGIN IMMEDIATE: JA_EBUSY past the timeout),
 * does any number of writes, and ends it with ja__store_end, which commits
 * when @p st is JA_OK and rolls back otherwise (or when the commit fails),
 * and returns the final status. Busy drops noted since the last
 * transaction are folded into the counters of the next one that commits. */
ja_status ja__store_begin(ja__db *d, int64_t now_ms);
ja_status ja__store_end(ja__db *d, ja_status st);
/* Inside ja__store_begin: take the drops counted in memory into the
 * transaction; from ja__store_end: forget them once it committed. */
ja_status ja__store_pending_fold(ja__db *d, int64_t now_ms);
void ja__store_pending_folded(ja__db *d, int committed);
/* Count @p n drops for @p why in memory (never fails, never waits, any
 * thread): the next transaction that commits adds them to the counters. */
void ja__store_count_later(ja__db *d, ja__drop why, uint64_t n);
/* The drops other than busy counted in memory and not folded yet. */
uint64_t ja__store_pending_count(ja__db *d);
/* The drop reason of a write that failed with @p st: busy, disk_full (the
 * last SQLite failure was SQLITE_FULL), corrupt, else io_error. */
ja__drop ja__store_failure_reason(const ja__db *d, ja_status st);

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
  int64_t age_ms;            /* when the age cap starts counting it (the
                                store received it); 0: ts_ms (a capture).
                                A rollup's events carry an older ts_ms (the
                                session's last activity, the end of a day)
                                and are aged from the rollup instead. */
} ja__row;

/* Inside a transaction: insert @p n rows, add @p drops (counts by reason,
 * may be NULL) to the counters at @p now_ms. The building block of capture,
 * rollup (close a session + enqueue its event) and batch capture. */
ja_status ja__store_add(ja__db *d, const ja__row *rows, size_t n,
                        const unsigned drops[JA__DROP_COUNT], int64_t now_ms);
/* Inside a transaction: queue one filtered event @p ev (filter/event.h)
 * as @p distinct_id under @p uuid at @p ts_ms, aged from @p age_ms (0:
 * ts_ms), and count its drops at @p now_ms; an unknown event (ev->spec
 * NULL) only has its drops counted. The one path by which every event
 * reaches the queue: the writer's groups (capture, batch capture) and a
 * rollup's emission. */
struct ja__event;
ja_status ja__store_event(ja__db *d, const struct ja__event *ev, const char *uuid,
                          const char *distinct_id, int64_t ts_ms, int64_t age_ms,
                          int64_t now_ms);
/* Inside a transaction: add @p n drops for reason @p why at @p now_ms, to
 * the totals and to the UTC day of @p now_ms (drop_day, from schema 13;
 * days older than 90 are forgotten, once a day per connection). */
ja_status ja__store_count_drops(ja__db *d, ja__drop why, int64_t n, int64_t now_ms);
/* Inside a transaction: apply the age cap (against the store clock, never
 * @p now_ms alone) and the size cap, counting what they push out; at most
 * the rows this transaction added + JA__PRUNE_STEP are deleted, and at
 * most 256 free pages given back. */
ja_status ja__store_apply_caps(ja__db *d, int64_t now_ms);
/* Inside a transaction: let @p now_ms witness the store clock (once per
 * transaction; ja__store_add and ja__store_apply_caps call it). The rule,
 * also in docs/design.md (The store clock): it moves forward only to a time
 * two witnesses agree on — the clocks of two different writer processes
 * (the earlier one), or this handle's earlier store clock plus the
 * CLOCK_MONOTONIC time elapsed since; while unknown it starts at the
 * earlier of @p now_ms and the newest event's age. A clock before
 * JA__CLOCK_FLOOR_MS or more than JA__CLOCK_SKEW_MS behind the store clock
 * witnesses nothing; a sane one gives events captured under such a clock
 * (age_ms NULL) its own time as their age. Sets d->witnessed_ms. */
ja_status ja__store_witness(ja__db *d, int64_t now_ms);

/* One transaction: ja__store_add of @p row (if not NULL) and @p drops, then
 * the caps. On SQLITE_BUSY past the timeout: JA_EBUSY (the caller notes the
 * busy drop). */
ja_status ja__store_insert(ja__db *d, const ja__row *row, const unsigned drops[JA__DROP_COUNT],
                           int64_t now_ms);

/* ---------------------------------------------------------- store/busy.c */

/* Note @p n events dropped because the queue stayed locked: nothing can be
 * written to the database then, so one byte each is appended to "<db>-busy"
 * (O_APPEND, 0600, the file rule of ja__file_open_safe, never waiting on a
 * lock) and the next transaction that gets in — in any process — folds the
 * count into the "busy" counter, exactly once (see busy.c). Never fails:
 * when the file cannot be written the drop is held in memory, counted by
 * this handle's next transaction or at ja__store_busy_flush. */
void ja__store_note_busy(ja__db *d, uint64_t n);
/* Inside ja__store_begin: take the noted busy drops into the transaction. */
ja_status ja__store_busy_fold(ja__db *d, int64_t now_ms);
/* From ja__store_end: forget (when @p committed) what was folded, and
 * remove the -busy file if it is fully counted. */
void ja__store_busy_folded(ja__db *d, int committed);
/* Busy drops noted but not folded yet: those waiting in the -busy file plus
 * this connection's in-memory ones. Needs an open database (to read what
 * the file's generation has had counted); reads only. */
ja_status ja__store_busy_waiting(ja__db *d, int64_t *out);
/* Before close: put in-memory busy drops where they survive the process —
 * the -busy file, else (when the database is open) a transaction within
 * d->deadline. Returns how many are still only in memory. */
uint64_t ja__store_busy_flush(ja__db *d);

/* --------------------------------------------------------- store/lease.c */

/* The uploader's side (sql/migrations/006_upload.sql, 009_upload_lease.sql).
 * A claim leases what it takes as id ranges, one upload_lease row per range
 * (no event row is written); an event is held while a live lease's range
 * holds its id. */

/* The longest a lease can be held: the longest run (--deadline, one day)
 * plus the minute a lease outlives its run. A lease expiring later than
 * this from now was saved under a clock far ahead: it counts as expired
 * (claims delete it, status does not count it), or its events would wait
 * until that date. report_queue.sql writes the same number. */
#define JA__LEASE_AHEAD_MAX_MS (INT64_C(86400000) + 60000)

/* The uploader's connection settings (sql/queries/upload_connection.sql),
 * once after opening. */
ja_status ja__store_upload_tune(ja__db *d);
/* The connection as before ja__store_upload_tune's triggers-off (the
 * pragmas stay): at the end of every upload run. */
void ja__store_upload_untune(ja__db *d);
/* One leased event, as stored; the five strings share one allocation. */
typedef struct ja__lease_row {
  int64_t id;                /* capture order */
  char *uuid;                /* the allocation (free this one) */
  char *timestamp, *distinct_id, *event, *properties; /* into it */
} ja__lease_row;

/* A claimed batch, oldest first. */
typedef struct ja__lease_batch {
  ja__lease_row *rows;
  size_t n, cap;
} ja__lease_batch;
void ja__store_batch_free(ja__lease_batch *b);

/* In one short transaction: lease to @p owner until @p lease_until_ms the
 * oldest events nobody holds (leases expired by @p now_ms are deleted
 * first), as one upload_lease row per run of ids between other leases, at
 * most @p limit of them and — counting @p overhead bytes of framing each —
 * at most @p max_bytes (the first is always taken), and return them in
 * @p out (emptied first). */
ja_status ja__store_claim_rows(ja__db *d, const char *owner, int64_t now_ms,
                               int64_t lease_until_ms, int limit, int64_t max_bytes,
                               int64_t overhead, ja__lease_batch *out);
/* Read-only (--dry-run): the next events after id @p after_id, at most
 * @p limit and @p max_bytes as ja__store_claim_rows counts them. */
ja_status ja__store_peek_rows(ja__db *d, int64_t after_id, int limit, int64_t max_bytes,
                              int64_t overhead, ja__lease_batch *out);
/* After a 2xx, in one transaction: record @p rows (those @p owner still
 * holds) as sent at @p now_ms — in place, one sent_mark per run of its
 * leases (store/sent.c), no event row copied or deleted; rows the queue no
 * longer holds (a purge, the cap or a hand edit while they were in flight)
 * are logged to sent_log from the copy sent — and record the success
 * (HTTP @p status) in upload_state. *nsent: the events recorded as sent
 * (an event whose lease was lost to another uploader is not recorded
 * here: that uploader owns it). */
ja_status ja__store_ack(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n,
                        int status, int64_t now_ms, int64_t *nsent);
/* In one transaction: give @p rows back (those @p owner still holds: its
 * leases shrink or split around them, or go), and
 * record an attempt at @p now_ms that failed with @p err_class / @p status
 * (NULL: none; then last_error is left as it is), no attempt before
 * @p next_attempt_ms (0: none). */
ja_status ja__store_release(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n,
                            const char *err_class, int status, int64_t now_ms,
                            int64_t next_attempt_ms);
/* Inside a transaction: delete those of @p rows that @p owner still holds,
 * without logging them as sent; *ndeleted says how many. */
ja_status ja__store_take(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n,
                         int64_t now_ms, int64_t *ndeleted);
/* In one transaction: delete @p row (held by @p owner) without sending it,
 * counted as a drop for @p why. The server's refusal (@p status, an HTTP
 * status) is recorded as a rejected attempt; a local drop (@p status 0: no
 * request was made) leaves the upload state as it is. */
ja_status ja__store_reject(ja__db *d, const char *owner, const ja__lease_row *row, ja__drop why,
                           int status, int64_t now_ms);
/* The uploader's persisted state (zeros / "" where never set). */
typedef struct ja__upload_state {
  int64_t next_attempt_ms, last_attempt_ms, last_success_ms;
  char last_error[32];
  int last_status;
} ja__upload_state;
ja_status ja__store_upload_state(ja__db *d, ja__upload_state *out);


/* ---------------------------------------------------------- store/sent.c */

/* What was sent stays in events, marked (sql/migrations/014_sent_in_place.sql). */

/* A range of event ids, both ends included. */
typedef struct ja__id_range {
  int64_t lo, hi;
} ja__id_range;

/* queue_stats.settled: no pending event has an id below it. */
ja_status ja__store_settled(ja__db *d, int64_t *out);
/* The marks from id @p from on, by id (malloc'ed into *out, *n of them). */
ja_status ja__store_marks_from(ja__db *d, int64_t from, ja__id_range **out, size_t *n);
/* Inside a transaction: events @p lo..@p hi were sent at @p sent_ms. */
ja_status ja__store_mark(ja__db *d, int64_t lo, int64_t hi, int64_t sent_ms);
/* Inside a transaction, after marks were added or removed: move
 * queue_stats.settled up past the marks holding the next events (to the
 * first pending event), never above the highest mark's hi + 1 (0 when no
 * mark is left). */
ja_status ja__store_settle(ja__db *d);
/* In one transaction: retire what left the `sent` view's 30 days — the
 * marks sent before @p before_ms, oldest first, whole marks, their events
 * deleted as one range each, until @p max rows went; then sent_log rows
 * sent before it. *removed: rows deleted (fewer than @p max: done). */
ja_status ja__store_prune_sent(ja__db *d, int64_t before_ms, int64_t max, int64_t now_ms,
                               int64_t *removed);
/* Inside a transaction, with triggers off (d->self_counting): add @p events
 * to the queue length and @p sent to the sent count (what the counter
 * triggers would have done row by row); a no-op with triggers on. */
ja_status ja__store_counts_add(ja__db *d, int64_t events, int64_t sent);

/* Inside a transaction, with triggers off, after events with ids @p a..@p b
 * were deleted: their spans (008_events_made_span.sql) recomputed from
 * what is still queued, what events_span_out would have done; a no-op
 * with triggers on. */
ja_status ja__store_spans_refresh(ja__db *d, int64_t a, int64_t b);

/* ------------------------------------------------------- store/presend.c */

/* Before a request: which of @p rows (sorted by id) are still queued, as
 * they were claimed (same id and uuid) and not marked sent by another run
 * since: present[i] = 1 or 0, *npresent the count. One small count when
 * none is gone; a range read otherwise. */
ja_status ja__store_batch_present(ja__db *d, const ja__lease_row *rows, size_t n,
                                  unsigned char *present, size_t *npresent);
/* In one transaction, what the send-time filters decided for @p rows:
 * those with drop[i] set are deleted (while @p owner holds them) and
 * counted as that reason (dropped[r]: how many); those with props[i] set
 * get those properties (what the filters left of them), and the
 * properties removed (prop_drops[i]) are counted (*removed_props). */
ja_status ja__store_settle_filtered(ja__db *d, const char *owner, const ja__lease_row *rows,
                                    const ja__drop *drop, const char *const *props,
                                    const unsigned (*prop_drops)[JA__DROP_COUNT], size_t n,
                                    int64_t now_ms, int64_t dropped[JA__DROP_COUNT],
                                    int64_t *removed_props);
/* The queue length (queue_stats: pending events). */
ja_status ja__store_queue_length(ja__db *d, int64_t *out);
/* How many queued events live leases of owners other than @p owner hold
 * at @p now_ms, and the latest of their expiries (0: none). */
ja_status ja__store_reserved(ja__db *d, const char *owner, int64_t now_ms, int64_t *count,
                             int64_t *until_ms);

/* --------------------------------------------------------- store/purge.c */

/* Delete what @p what (JA_PURGE_* bits) names, in one transaction. */
ja_status ja__store_purge(ja__db *d, unsigned what, int64_t now_ms, int64_t *removed);

#endif
