/*
 * store/db.c — the connection's plumbing: SQLite errors mapped to
 * ja_status, the prepared-statement cache, the busy handler that waits for
 * the write lock until the call's deadline, and the one begin/end pair that
 * every write transaction goes through.
 */
#include "boot.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "sql_embed.h"
#include "store/store.h"

/* --------------------------------------------------------------- errors */

ja_status
ja__store_error(ja__db *d, int rc, const char *what)
{
  const char *msg = d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc);
  d->last_rc = rc;
  switch (rc & 0xFF) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return ja__error_set(JA_EBUSY, "%s '%s': store busy for more than %d ms: %s", what, d->path,
                         d->busy_timeout_ms, msg);
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    return ja__error_set(JA_ECORRUPT, "%s '%s': not a usable queue database: %s", what, d->path,
                         msg);
  case SQLITE_NOMEM:
    return ja__error_set(JA_ENOMEM, "%s '%s': out of memory", what, d->path);
  case SQLITE_CANTOPEN:
  case SQLITE_READONLY:
    return ja__error_set(JA_ECANTCREATE, "%s '%s': %s", what, d->path, msg);
  default:
    return ja__error_set(JA_EIO, "%s '%s': %s", what, d->path, msg);
  }
}

ja_status
ja__store_exec(ja__db *d, const char *sql, const char *what)
{
  int rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? JA_OK : ja__store_error(d, rc, what);
}

/* ----------------------------------------------------------- statements */

/* A cached prepared statement, reset and unbound, ready to use. */
ja_status
ja__store_stmt(ja__db *d, int which, sqlite3_stmt **out)
{
  static const char *const *const text[JA__Q_COUNT] = {
      [JA__Q_INSERT] = &ja__sql_insert_event,
      [JA__Q_DROP_ADD] = &ja__sql_drop_add,
      [JA__Q_DROP_DAY_ADD] = &ja__sql_drop_day_add,
      [JA__Q_DROP_DAY_PRUNE] = &ja__sql_drop_day_prune,
      [JA__Q_PRUNE_EXPIRED] = &ja__sql_prune_expired,
      [JA__Q_QUEUE_COUNT] = &ja__sql_queue_count,
      [JA__Q_PRUNE_OLDEST] = &ja__sql_prune_oldest,
      [JA__Q_CLOCK_READ] = &ja__sql_clock_read,
      [JA__Q_CLOCK_WRITE] = &ja__sql_clock_write,
      [JA__Q_AGE_UNWITNESSED] = &ja__sql_age_unwitnessed,
      [JA__Q_BUSY_GET] = &ja__sql_busy_fold_get,
      [JA__Q_BUSY_SET] = &ja__sql_busy_fold_set,
      [JA__Q_SIGNAL_ADD] = &ja__sql_rollup_signal_add,
      [JA__Q_SESSION_FIND] = &ja__sql_rollup_session_find,
      [JA__Q_SESSION_OPEN] = &ja__sql_rollup_session_open,
      [JA__Q_SESSION_KEY_SET] = &ja__sql_rollup_session_key_set,
      [JA__Q_SESSION_TOUCH] = &ja__sql_rollup_session_touch,
      [JA__Q_FIRST_USE_ADD] = &ja__sql_first_use_add,
      [JA__Q_SESSIONS_AFTER] = &ja__sql_rollup_sessions_after,
      [JA__Q_KEYS_SLICE_END] = &ja__sql_rollup_keys_slice_end,
      [JA__Q_KEYS_SWEEP] = &ja__sql_rollup_keys_sweep,
      [JA__Q_RUN_SIGNALS] = &ja__sql_rollup_run_signals,
      [JA__Q_RUN_FORGET] = &ja__sql_rollup_run_forget,
      [JA__Q_PART_FORGET] = &ja__sql_rollup_part_forget,
      [JA__Q_RUN_DROP] = &ja__sql_rollup_run_drop,
      [JA__Q_DAY_DONE_GET] = &ja__sql_rollup_day_done_get,
      [JA__Q_DAY_ADD] = &ja__sql_rollup_day_add,
      [JA__Q_DAY_NAME_ADD] = &ja__sql_rollup_day_name_add,
      [JA__Q_DAYS_DUE] = &ja__sql_rollup_days_due,
      [JA__Q_DAY_EMITTED] = &ja__sql_rollup_day_emitted,
      [JA__Q_DAY_FORGET] = &ja__sql_rollup_day_forget,
      [JA__Q_DAY_NAMES_FORGET] = &ja__sql_rollup_day_names_forget,
      [JA__Q_CLAIM_SCAN] = &ja__sql_claim_scan,
      [JA__Q_LEASE_EXPIRE] = &ja__sql_lease_expire,
      [JA__Q_BATCH_COUNT] = &ja__sql_batch_count,
      [JA__Q_BATCH_ROWS] = &ja__sql_batch_rows,
      [JA__Q_RECHECK_REWRITE] = &ja__sql_recheck_rewrite,
      [JA__Q_SPAN_REFRESH] = &ja__sql_span_refresh,
      [JA__Q_SPAN_REFILL] = &ja__sql_span_refill,
      [JA__Q_SETTLED_GET] = &ja__sql_settled_get,
      [JA__Q_SETTLED_SET] = &ja__sql_settled_set,
      [JA__Q_MARKS_FROM] = &ja__sql_marks_from,
      [JA__Q_MARK_ADD] = &ja__sql_mark_add,
      [JA__Q_MARK_AT] = &ja__sql_mark_at,
      [JA__Q_MARK_TOP] = &ja__sql_mark_top,
      [JA__Q_EVENT_NEXT] = &ja__sql_event_next,
      [JA__Q_MARK_RETIRE] = &ja__sql_mark_retire,
      [JA__Q_MARK_DROP] = &ja__sql_mark_drop,
      [JA__Q_COUNTS_MOVE] = &ja__sql_counts_move,
      [JA__Q_LEASE_LIST] = &ja__sql_lease_list,
      [JA__Q_LEASE_ADD] = &ja__sql_lease_add,
      [JA__Q_LEASE_DROP] = &ja__sql_lease_drop,
      [JA__Q_LEASE_DONE] = &ja__sql_lease_done,
      [JA__Q_LEASE_PIECE] = &ja__sql_lease_piece,
      [JA__Q_ACK_DELETE_RANGE] = &ja__sql_ack_delete_range,
      [JA__Q_ACK_DELETE] = &ja__sql_ack_delete,
      [JA__Q_UPLOAD_STATE_SET] = &ja__sql_upload_state_set,
      [JA__Q_COUNTS_ADD] = &ja__sql_counts_add,
  };
  *out = NULL; /* set on entry: callers may read it on any path */
  if (!d->q[which]) {
    int rc = sqlite3_prepare_v3(d->db, *text[which], -1, SQLITE_PREPARE_PERSISTENT, &d->q[which],
                                NULL);
    if (rc != SQLITE_OK)
      return ja__store_error(d, rc, "cannot prepare statement for");
  }
  sqlite3_reset(d->q[which]);
  sqlite3_clear_bindings(d->q[which]);
  *out = d->q[which];
  return JA_OK;
}

/* Step a statement that returns no rows. */
ja_status
ja__store_step_done(ja__db *d, sqlite3_stmt *s, const char *what)
{
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, what);
}

ja_status
ja__store_stmt_ints(ja__db *d, int which, const int64_t *v, int n, sqlite3_stmt **out)
{
  ja_status st = ja__store_stmt(d, which, out);
  for (int i = 0; st == JA_OK && i < n; i++)
    sqlite3_bind_int64(*out, i + 1, v[i]);
  return st;
}

ja_status
ja__store_run_ints(ja__db *d, int which, const int64_t *v, int n, const char *what)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt_ints(d, which, v, n, &s);
  return st == JA_OK ? ja__store_step_done(d, s, what) : st;
}

/* --------------------------------------------------------- busy handler */

/* Two writers are the normal case (the backend, the desktop backend,
 * install.sh), and a writer in a loop gives the lock up for only the few
 * microseconds between its COMMIT and its next BEGIN IMMEDIATE. SQLite's
 * default handler sleeps 1, 2, 5 … 100 ms and wakes up to a lock that is
 * taken again: 34 % of a paced capturer's events were busy drops at 250 ms.
 * Short polls catch the gap; growing slowly to 1 ms keeps a long wait
 * cheap (about 1000 wake-ups a second at worst). */
#define BUSY_FIRST_NS 50000  /* 50 µs */
#define BUSY_GROW_NS 25000   /* per earlier try */
#define BUSY_MAX_NS 1000000  /* 1 ms */

int64_t
ja__store_busy_sleep_ns(int count, int64_t left_ns)
{
  if (left_ns <= 0)
    return 0;
  int64_t step = BUSY_FIRST_NS + (int64_t)(count < 0 ? 0 : count) * BUSY_GROW_NS;
  if (step > BUSY_MAX_NS)
    step = BUSY_MAX_NS;
  return step < left_ns ? step : left_ns;
}

/* sqlite3_busy_handler callback: nonzero = try the lock again. */
static int
busy_handler(void *arg, int count)
{
  ja__db *d = arg;
  d->busy_polls++;
  /* No call deadline (a store-level caller): this lock wait gets
   * busy_timeout_ms of its own, from its first busy try. */
  if (count == 0 && d->deadline.at_ns == 0)
    d->wait_until = ja__deadline_in(d->busy_timeout_ms);
  ja__deadline until = d->deadline.at_ns ? d->deadline : d->wait_until;
  int64_t ns = ja__store_busy_sleep_ns(count, until.at_ns - ja__mono_ns());
  if (ns == 0)
    return 0;
  struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
  nanosleep(&ts, NULL); /* EINTR: an early retry, harmless */
  return 1;
}

void
ja__store_busy_install(ja__db *d)
{
  sqlite3_busy_handler(d->db, busy_handler, d);
}

/* --------------------------------------------------------- transactions */

ja_status
ja__store_begin(ja__db *d, int64_t now_ms)
{
  JA_ASSERT(d->db != NULL && !d->in_txn);
  ja_status st = ja__store_exec(d, "BEGIN IMMEDIATE", "cannot write to queue");
  if (st != JA_OK)
    return st;
  d->in_txn = 1;
  d->txn_witnessed = 0; /* write.c: the clock and the prune budget are per transaction */
  d->txn_added = 0;
  if ((st = ja__store_busy_fold(d, now_ms)) != JA_OK ||
      (st = ja__store_pending_fold(d, now_ms)) != JA_OK)
    return ja__store_end(d, st);
  return JA_OK;
}

ja_status
ja__store_end(ja__db *d, ja_status st)
{
  JA_ASSERT(d->in_txn);
  if (st == JA_OK)
    st = ja__store_exec(d, "COMMIT", "cannot commit to queue");
  if (st != JA_OK && !sqlite3_get_autocommit(d->db))
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  d->in_txn = 0;
  /* An age prune that deleted all it found counts only once committed. */
  if (st == JA_OK && d->aged_below_txn > d->aged_below)
    d->aged_below = d->aged_below_txn;
  d->aged_below_txn = 0;
  ja__store_busy_folded(d, st == JA_OK);
  ja__store_pending_folded(d, st == JA_OK);
  return st;
}
