/*
 * store/report.c — the queue's part of the report model (store/report.h):
 * queue size and ends, the sent log, the uploader's state, drop counters,
 * what the store did to itself and the rollup's open state, and for `view`
 * the history (events, sessions and drops by day, open sessions), read in
 * one snapshot. Renders nothing: status, ja_report_json and view do that.
 *
 * Sections: summary · history · entry points
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sql_embed.h"
#include "filter/drop.h"
#include "store/report.h"

static ja_status
oom(void)
{
  return ja__error_set(JA_ENOMEM, "out of memory building the status");
}

/* A copy of text column @p col (NULL for NULL); -1 when out of memory. */
static int
dup_col(sqlite3_stmt *q, int col, char **out)
{
  *out = NULL;
  if (sqlite3_column_type(q, col) == SQLITE_NULL)
    return 0;
  const char *t = (const char *)sqlite3_column_text(q, col);
  if (!t || !(*out = strdup(t)))
    return -1; /* a NULL text of a non-NULL column is SQLite out of memory */
  return 0;
}

static int64_t
int_col(sqlite3_stmt *q, int col)
{
  return sqlite3_column_type(q, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, col);
}

/* Prepare @p sql, or say which part could not be read. *@p absent (when
 * not NULL) is set instead of an error when the tables are missing: a
 * queue of an old schema that a reader could not migrate (a read-only
 * home) has no such table, and then there is nothing to show. */
static ja_status
prepare(ja__db *d, const char *sql, const char *what, sqlite3_stmt **q, int *absent)
{
  *q = NULL;
  if (sqlite3_prepare_v2(d->db, sql, -1, q, NULL) == SQLITE_OK)
    return JA_OK;
  if (absent && (sqlite3_errcode(d->db) & 0xFF) == SQLITE_ERROR) {
    *absent = 1;
    return JA_OK;
  }
  return ja__store_error(d, sqlite3_errcode(d->db), what);
}

/* What each_row does with one row. */
typedef ja_status (*row_fn)(sqlite3_stmt *q, ja__report *r);

/* Run @p sql (?1 = @p bind1 when it has a parameter) and hand every row to
 * @p row, stopping at its first failure. @p absent as for prepare(). */
static ja_status
each_row(ja__db *d, const char *sql, const char *what, int64_t bind1, int *absent, row_fn row,
         ja__report *r)
{
  sqlite3_stmt *q = NULL;
  ja_status st = prepare(d, sql, what, &q, absent);
  if (st != JA_OK || (absent && *absent))
    return st;
  if (sqlite3_bind_parameter_count(q) > 0)
    sqlite3_bind_int64(q, 1, bind1);
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW)
    if ((st = row(q, r)) != JA_OK)
      break;
  if (st == JA_OK && rc != SQLITE_DONE)
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
  sqlite3_finalize(q);
  return st;
}

/* -------------------------------------------------------------- summary */

/* The queue's size and ends, the sent log, the uploader's state. */
static ja_status
read_queue(ja__db *d, ja__report *r)
{
  sqlite3_stmt *q = NULL;
  const char *what = "cannot read the queue size from";
  ja_status st = prepare(d, ja__sql_report_queue, what, &q, NULL);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(q, 1, r->now_ms);
  if (sqlite3_step(q) != SQLITE_ROW) {
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
    sqlite3_finalize(q);
    return st;
  }
  r->pending = sqlite3_column_int64(q, 0);
  r->leased = sqlite3_column_int64(q, 1);
  r->oldest_ms = int_col(q, 2);
  r->newest_ms = int_col(q, 3);
  r->leased_until_ms = int_col(q, 4);
  sqlite3_finalize(q);

  what = "cannot read the sent log from";
  if ((st = prepare(d, ja__sql_report_sent, what, &q, NULL)) != JA_OK)
    return st;
  if (sqlite3_step(q) != SQLITE_ROW)
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
  else if ((r->sent_count = sqlite3_column_int64(q, 0)), dup_col(q, 1, &r->sent_last) != 0)
    st = oom();
  sqlite3_finalize(q);
  if (st != JA_OK)
    return st;
  return ja__store_upload_state(d, &r->upload);
}

/* Set reason @p reason's counter, appending a reason this build does not
 * know (from a newer version). */
static ja_status
drops_set(ja__report *r, const char *reason, int64_t count, int64_t last_ms)
{
  for (size_t i = 0; i < r->ndrops; i++)
    if (strcmp(r->drops[i].reason, reason) == 0) {
      r->drops[i].count = count;
      r->drops[i].last_ms = last_ms;
      return JA_OK;
    }
  ja__report_drop *grown = realloc(r->drops, (r->ndrops + 1) * sizeof *grown);
  if (!grown)
    return oom();
  r->drops = grown;
  ja__report_drop *n = &r->drops[r->ndrops];
  if (!(n->reason = strdup(reason)))
    return oom();
  n->count = count;
  n->last_ms = last_ms;
  r->ndrops++;
  return JA_OK;
}

static ja_status
drop_row(sqlite3_stmt *q, ja__report *r)
{
  const char *reason = (const char *)sqlite3_column_text(q, 0);
  return reason ? drops_set(r, reason, sqlite3_column_int64(q, 1), int_col(q, 2)) : oom();
}

/* The drop counters, plus the drops counted but not folded yet — busy
 * ones in the -busy file, and what this connection holds in memory (its
 * writer's buffer full, a group the store would not take) — so a user
 * sees every drop before the next transaction folds it. */
static ja_status
read_drops(ja__db *d, ja__report *r)
{
  ja_status st = each_row(d, ja__sql_report_drops, "cannot read the drop counters from", 0,
                          NULL, drop_row, r);
  int64_t waiting = 0;
  if (st == JA_OK && (st = ja__store_busy_waiting(d, &waiting)) == JA_OK)
    r->drops[JA__DROP_BUSY - 1].count += waiting;
  for (int k = 1; st == JA_OK && k < JA__DROP_COUNT; k++)
    r->drops[k - 1].count += (int64_t)atomic_load(&d->pending[k]);
  return st;
}

static ja_status
store_event_row(sqlite3_stmt *q, ja__report *r)
{
  if (r->nstore_events == JA__REPORT_STORE_EVENTS)
    return JA_OK;
  ja__report_store_event *e = &r->store_events[r->nstore_events++];
  return dup_col(q, 0, &e->at) || dup_col(q, 1, &e->kind) || dup_col(q, 2, &e->detail) ? oom()
                                                                                       : JA_OK;
}

/* What the store did to itself (a corrupt queue moved aside …), newest
 * first. */
static ja_status
read_store_events(ja__db *d, ja__report *r)
{
  int absent = 0;
  return each_row(d, ja__sql_report_store_events, "cannot read the store events from", 0,
                  &absent, store_event_row, r);
}

static ja_status
rollup_row(sqlite3_stmt *q, ja__report *r)
{
  r->rollup.open_sessions = int_col(q, 0);
  r->rollup.oldest_open_ms = int_col(q, 1);
  r->rollup.latest_open_ms = int_col(q, 2);
  r->rollup.days_waiting = int_col(q, 3);
  r->rollup.days_done = int_col(q, 4);
  return JA_OK;
}

/* The rollup's open state (absent before schema 5). */
static ja_status
read_rollup(ja__db *d, ja__report *r)
{
  int absent = 0;
  return each_row(d, ja__sql_report_rollup, "cannot read the rollup state from", 0, &absent,
                  rollup_row, r);
}

/* ----------------------------------------------------------- history */

/* The day @p day in r->days, added (in order) when missing; NULL when out
 * of memory. */
static ja__report_day *
day_of(ja__report *r, int64_t day)
{
  size_t lo = 0, hi = r->ndays;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r->days[mid].day < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < r->ndays && r->days[lo].day == day)
    return &r->days[lo];
  ja__report_day *grown = realloc(r->days, (r->ndays + 1) * sizeof *grown);
  if (!grown)
    return NULL;
  r->days = grown;
  memmove(&r->days[lo + 1], &r->days[lo], (r->ndays - lo) * sizeof *grown);
  r->ndays++;
  memset(&r->days[lo], 0, sizeof *grown);
  r->days[lo].day = day;
  r->days[lo].latency_p50 = r->days[lo].latency_p95 = -1;
  return &r->days[lo];
}

/* A (day, count) row into the pending or sent count of its day; a day
 * that does not parse (a hand-edited time) is left out. */
static ja_status
day_count(sqlite3_stmt *q, ja__report *r, int sent)
{
  if (sqlite3_column_type(q, 0) == SQLITE_NULL)
    return JA_OK;
  ja__report_day *day = day_of(r, sqlite3_column_int64(q, 0));
  if (!day)
    return oom();
  *(sent ? &day->sent : &day->pending) += sqlite3_column_int64(q, 1);
  return JA_OK;
}

static ja_status
pending_row(sqlite3_stmt *q, ja__report *r)
{
  return day_count(q, r, 0);
}

static ja_status
sent_row(sqlite3_stmt *q, ja__report *r)
{
  return day_count(q, r, 1);
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The median of @p n values (sorted here), -1 for none. */
static double
median(double *v, size_t n)
{
  if (n == 0)
    return -1;
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The closed sessions of each day, from their chat_session_ended events:
 * rows come by day, so each day's latencies are gathered, then reduced
 * to their medians. */
static ja_status
read_day_sessions(ja__db *d, ja__report *r)
{
  sqlite3_stmt *q = NULL;
  const char *what = "cannot read the closed sessions from";
  ja_status st = prepare(d, ja__sql_report_days_sessions, what, &q, NULL);
  double *p50 = NULL, *p95 = NULL;
  size_t n = 0, cap = 0;
  ja__report_day *cur = NULL;
  int rc = SQLITE_DONE;
  while (st == JA_OK) {
    rc = sqlite3_step(q);
    int64_t day = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    if (cur && (rc != SQLITE_ROW || day != cur->day)) {
      cur->latency_p50 = median(p50, n);
      cur->latency_p95 = median(p95, n);
      n = 0;
      cur = NULL;
    }
    if (rc != SQLITE_ROW)
      break;
    if (!cur && !(cur = day_of(r, day))) {
      st = oom();
      break;
    }
    cur->sessions++;
    cur->turns += sqlite3_column_int64(q, 1);
    cur->tokens += sqlite3_column_int64(q, 2);
    if (n == cap) {
      size_t ncap = cap ? 2 * cap : 64;
      double *a = realloc(p50, ncap * sizeof *a);
      if (a)
        p50 = a;
      double *b = a ? realloc(p95, ncap * sizeof *b) : NULL;
      if (b)
        p95 = b;
      if (!a || !b) {
        st = oom();
        break;
      }
      cap = ncap;
    }
    p50[n] = sqlite3_column_double(q, 3);
    p95[n] = sqlite3_column_double(q, 4);
    n++;
  }
  if (st == JA_OK && rc != SQLITE_DONE)
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
  free(p50);
  free(p95);
  sqlite3_finalize(q);
  return st;
}

static ja_status
drop_day_row(sqlite3_stmt *q, ja__report *r)
{
  ja__report_drop_day *grown = realloc(r->drop_days, (r->ndrop_days + 1) * sizeof *grown);
  if (!grown)
    return oom();
  r->drop_days = grown;
  ja__report_drop_day *dd = &r->drop_days[r->ndrop_days++];
  memset(dd, 0, sizeof *dd);
  dd->day = sqlite3_column_int64(q, 0);
  dd->count = sqlite3_column_int64(q, 2);
  return dup_col(q, 1, &dd->reason) != 0 || !dd->reason ? oom() : JA_OK;
}

/* Drops by day: absent before schema 13, which kept only totals. */
static ja_status
read_drop_days(ja__db *d, ja__report *r)
{
  int absent = 0;
  ja_status st = each_row(d, ja__sql_report_drop_days, "cannot read the drops by day from", 0,
                          &absent, drop_day_row, r);
  r->drop_days_kept = !absent;
  return st;
}

static ja_status
session_row(sqlite3_stmt *q, ja__report *r)
{
  if (r->nsessions == JA__REPORT_SESSIONS)
    return JA_OK;
  ja__report_session *se = &r->sessions[r->nsessions++];
  se->first_ms = int_col(q, 1);
  se->last_ms = int_col(q, 2);
  se->ended_ms = int_col(q, 3);
  se->signals = int_col(q, 4);
  se->turns = int_col(q, 5);
  return dup_col(q, 0, &se->session) != 0 ? oom() : JA_OK;
}

/* The open sessions, the latest JA__REPORT_SESSIONS (absent before schema 5). */
static ja_status
read_sessions(ja__db *d, ja__report *r)
{
  if (!(r->sessions = calloc(JA__REPORT_SESSIONS, sizeof *r->sessions)))
    return oom();
  int absent = 0;
  return each_row(d, ja__sql_report_sessions, "cannot read the open sessions from",
                  JA__REPORT_SESSIONS, &absent, session_row, r);
}

/* Everything the summary leaves out (`view`). */
static ja_status
read_history(ja__db *d, ja__report *r)
{
  r->has_history = 1;
  const char *what = "cannot read the history from";
  ja_status st = each_row(d, ja__sql_report_days_pending, what, 0, NULL, pending_row, r);
  if (st == JA_OK)
    st = each_row(d, ja__sql_report_days_sent, what, 0, NULL, sent_row, r);
  if (st == JA_OK)
    st = read_day_sessions(d, r);
  if (st == JA_OK)
    st = read_drop_days(d, r);
  if (st == JA_OK)
    st = read_sessions(d, r);
  if (st == JA_OK && r->ndays > JA__REPORT_DAYS) {
    /* The newest days only: a queue held for a year would make a page
     * nobody reads. */
    size_t cut = r->ndays - JA__REPORT_DAYS;
    r->days_left_out = (int64_t)cut;
    memmove(r->days, r->days + cut, JA__REPORT_DAYS * sizeof *r->days);
    r->ndays = JA__REPORT_DAYS;
  }
  return st;
}

/* --------------------------------------------------------- entry points */

ja_status
ja__report_init(ja__report *r, int64_t now_ms)
{
  memset(r, 0, sizeof *r);
  r->now_ms = now_ms;
  r->drops = calloc(JA__DROP_COUNT - 1, sizeof *r->drops);
  if (!r->drops)
    return oom();
  for (int k = 1; k < JA__DROP_COUNT; k++) {
    if (!(r->drops[r->ndrops].reason = strdup(ja__drop_name((ja__drop)k))))
      return oom();
    r->ndrops++;
  }
  return JA_OK;
}

ja_status
ja__store_report(ja__db *d, unsigned what, ja__report *r)
{
  r->queue_exists = 1;
  /* One read snapshot for every counter and busy_fold, so a transaction
   * committing meanwhile is seen whole or not at all (the -busy file, read
   * after the snapshot began, only ever holds more). */
  int snap = sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
  ja_status st = read_queue(d, r);
  if (st == JA_OK)
    st = read_drops(d, r);
  if (st == JA_OK)
    st = read_store_events(d, r);
  if (st == JA_OK)
    st = read_rollup(d, r);
  if (st == JA_OK && (what & JA__REPORT_HISTORY))
    st = read_history(d, r);
  if (snap)
    sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
  return st;
}

void
ja__report_free(ja__report *r)
{
  for (size_t i = 0; i < r->ndrops; i++)
    free(r->drops[i].reason);
  free(r->drops);
  for (size_t i = 0; i < r->nstore_events; i++) {
    free(r->store_events[i].at);
    free(r->store_events[i].kind);
    free(r->store_events[i].detail);
  }
  free(r->sent_last);
  free(r->days);
  for (size_t i = 0; i < r->ndrop_days; i++)
    free(r->drop_days[i].reason);
  free(r->drop_days);
  for (size_t i = 0; i < r->nsessions; i++)
    free(r->sessions[i].session);
  free(r->sessions);
  memset(r, 0, sizeof *r);
}
