/*
 * store/report.c — the queue's part of the report model (store/report.h):
 * queue size and ends, the sent log, the uploader's state, drop counters,
 * what the store did to itself and the rollup's open state, read in one
 * snapshot. Renders nothing: status, ja_report_json and view do that.
 */
#include "boot.h"

#include <sqlite3.h>
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

/* The drop counters, plus the busy drops noted but not folded yet (in the
 * -busy file, or in this connection's memory), so a user sees them before
 * the next capture folds them. */
static ja_status
read_drops(ja__db *d, ja__report *r)
{
  sqlite3_stmt *q = NULL;
  const char *what = "cannot read the drop counters from";
  ja_status st = prepare(d, ja__sql_report_drops, what, &q, NULL);
  if (st != JA_OK)
    return st;
  int rc;
  while (st == JA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *reason = (const char *)sqlite3_column_text(q, 0);
    st = reason ? drops_set(r, reason, sqlite3_column_int64(q, 1), int_col(q, 2)) : oom();
  }
  if (st == JA_OK && rc != SQLITE_DONE)
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
  sqlite3_finalize(q);
  int64_t waiting = 0;
  if (st == JA_OK && (st = ja__store_busy_waiting(d, &waiting)) == JA_OK)
    r->drops[JA__DROP_BUSY - 1].count += waiting;
  return st;
}

/* What the store did to itself (a corrupt queue moved aside …), newest
 * first. */
static ja_status
read_store_events(ja__db *d, ja__report *r)
{
  sqlite3_stmt *q = NULL;
  int absent = 0;
  const char *what = "cannot read the store events from";
  ja_status st = prepare(d, ja__sql_report_store_events, what, &q, &absent);
  if (st != JA_OK || absent)
    return st;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW && r->nstore_events < JA__REPORT_STORE_EVENTS) {
    ja__report_store_event *e = &r->store_events[r->nstore_events++];
    if (dup_col(q, 0, &e->at) || dup_col(q, 1, &e->kind) || dup_col(q, 2, &e->detail)) {
      st = oom();
      break;
    }
  }
  if (st == JA_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
  sqlite3_finalize(q);
  return st;
}

/* The rollup's open state (absent before schema 5). */
static ja_status
read_rollup(ja__db *d, ja__report *r)
{
  sqlite3_stmt *q = NULL;
  int absent = 0;
  const char *what = "cannot read the rollup state from";
  ja_status st = prepare(d, ja__sql_report_rollup, what, &q, &absent);
  if (st != JA_OK || absent)
    return st;
  if (sqlite3_step(q) == SQLITE_ROW) {
    r->rollup.open_sessions = int_col(q, 0);
    r->rollup.oldest_open_ms = int_col(q, 1);
    r->rollup.latest_open_ms = int_col(q, 2);
    r->rollup.days_waiting = int_col(q, 3);
    r->rollup.days_done = int_col(q, 4);
  } else {
    st = ja__store_error(d, sqlite3_errcode(d->db), what);
  }
  sqlite3_finalize(q);
  return st;
}

ja_status
ja__store_report(ja__db *d, ja__report *r)
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
  memset(r, 0, sizeof *r);
}
