/*
 * store/sent.c — what left the machine, kept where it is (schema 14,
 * sql/migrations/014_sent_in_place.sql): an ack marks a run of event ids
 * sent (one sent_mark row, whatever its length); queue_stats.settled
 * bounds where pending events start; a later run retires a mark whose 30
 * days are over by deleting its events as one range, then the mark.
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "sql_embed.h"
#include "store/store.h"

/* A settled boundary is moved past at most this many marks per ack: marks
 * above it are only those an upload run made out of order, a handful. */
#define SETTLE_STEPS 64

/* One integer (or none) from cached statement @p which bound to @p v. */
static ja_status
one_int(ja__db *d, int which, const int64_t *v, int n, int64_t *out, int *found,
        const char *what)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt_ints(d, which, v, n, &s);
  if (st != JA_OK)
    return st;
  int rc = sqlite3_step(s);
  *found = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
  *out = *found ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, what);
}

ja_status
ja__store_settled(ja__db *d, int64_t *out)
{
  int found = 0;
  return one_int(d, JA__Q_SETTLED_GET, NULL, 0, out, &found, "cannot read the queue of");
}

ja_status
ja__store_marks_from(ja__db *d, int64_t from, ja__id_range **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_MARKS_FROM, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, from);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 8;
      ja__id_range *v = realloc(*out, cap * sizeof *v);
      if (!v) {
        st = ja__error_set(JA_ENOMEM, "cannot read the sent marks: out of memory");
        break;
      }
      *out = v;
    }
    (*out)[*n].lo = sqlite3_column_int64(s, 0);
    (*out)[(*n)++].hi = sqlite3_column_int64(s, 1);
  }
  if (st == JA_OK && rc != SQLITE_DONE)
    st = ja__store_error(d, rc, "cannot read the sent marks of");
  sqlite3_reset(s);
  if (st != JA_OK) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return st;
}

ja_status
ja__store_mark(ja__db *d, int64_t lo, int64_t hi, int64_t sent_ms)
{
  const int64_t v[3] = {lo, hi, sent_ms};
  return ja__store_run_ints(d, JA__Q_MARK_ADD, v, 3, "cannot mark events sent in");
}

ja_status
ja__store_settle(ja__db *d)
{
  JA_ASSERT(d->in_txn);
  int64_t s0, p, top, id, lo_hi[2];
  int found = 0, has_top = 0;
  ja_status st = ja__store_settled(d, &s0);
  if (st == JA_OK)
    st = one_int(d, JA__Q_MARK_TOP, NULL, 0, &top, &has_top, "cannot read the sent marks of");
  /* From the boundary on, step over every mark holding the next event,
   * until an event no mark holds (pending) or none is left. */
  p = s0;
  for (int i = 0; st == JA_OK && i < SETTLE_STEPS; i++) {
    if ((st = one_int(d, JA__Q_EVENT_NEXT, &p, 1, &id, &found, "cannot read the queue of")) !=
            JA_OK ||
        !found) {
      if (st == JA_OK && has_top && p < top + 1)
        p = top + 1; /* nothing left above: everything up to the top mark is sent */
      break;
    }
    sqlite3_stmt *s;
    if ((st = ja__store_stmt(d, JA__Q_MARK_AT, &s)) != JA_OK)
      break;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    int held = rc == SQLITE_ROW && sqlite3_column_int64(s, 1) >= id;
    lo_hi[1] = held ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      st = ja__store_error(d, rc, "cannot read the sent marks of");
      break;
    }
    if (!held) {
      p = id; /* the first pending event */
      break;
    }
    p = lo_hi[1] + 1;
  }
  if (st != JA_OK)
    return st;
  /* Never above the top mark's hi + 1: that event is in place, so a new
   * event always gets a higher id than the boundary — even once every
   * pending event above it was purged (an id below the boundary would be
   * invisible to every scan of what is pending). No mark: nothing can be
   * mistaken for sent, and 0 bounds nothing. */
  if (!has_top)
    p = 0;
  else if (p > top + 1)
    p = top + 1;
  if (p == s0)
    return JA_OK;
  return ja__store_run_ints(d, JA__Q_SETTLED_SET, &p, 1, "cannot update the queue of");
}

ja_status
ja__store_prune_sent(ja__db *d, int64_t before_ms, int64_t max_rows, int64_t now_ms,
                     int64_t *removed)
{
  JA_ASSERT(d->db != NULL);
  *removed = 0;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  /* The oldest marks first, whole marks, until the step's rows are spent. */
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_marks_expired, -1, &s, NULL);
  if (rc != SQLITE_OK)
    st = ja__store_error(d, rc, "cannot read the sent marks of");
  ja__id_range *v = NULL;
  size_t n = 0, cap = 0;
  if (st == JA_OK) {
    sqlite3_bind_int64(s, 1, before_ms);
    sqlite3_bind_int64(s, 2, 64);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        ja__id_range *g = realloc(v, cap * sizeof *g);
        if (!g) {
          st = ja__error_set(JA_ENOMEM, "cannot retire sent events: out of memory");
          break;
        }
        v = g;
      }
      v[n].lo = sqlite3_column_int64(s, 0);
      v[n++].hi = sqlite3_column_int64(s, 1);
    }
    if (st == JA_OK && rc != SQLITE_DONE)
      st = ja__store_error(d, rc, "cannot read the sent marks of");
  }
  sqlite3_finalize(s);
  int64_t events = 0;
  for (size_t i = 0; st == JA_OK && i < n && events < max_rows; i++) {
    const int64_t range[2] = {v[i].lo, v[i].hi};
    if ((st = ja__store_run_ints(d, JA__Q_MARK_RETIRE, range, 2, "cannot retire sent events in")) !=
        JA_OK)
      break;
    events += sqlite3_changes(d->db);
    /* With triggers off, the spans of the rollup events among them. */
    if ((st = ja__store_spans_refresh(d, v[i].lo, v[i].hi)) == JA_OK)
      st = ja__store_run_ints(d, JA__Q_MARK_DROP, range, 1, "cannot retire sent events in");
  }
  free(v);
  /* With triggers off the uploader counts what the delete trigger would
   * have: retired events leave the sent count. */
  if (st == JA_OK && d->self_counting && events)
    st = ja__store_counts_add(d, 0, -events);
  if (st == JA_OK)
    st = ja__store_settle(d);
  /* The sent log's own rows (sent before schema 14, or logged from the copy
   * sent after a purge): kept as long. */
  int64_t logged = 0;
  if (st == JA_OK && events < max_rows) {
    s = NULL;
    if ((rc = sqlite3_prepare_v2(d->db, ja__sql_prune_sent, -1, &s, NULL)) != SQLITE_OK) {
      st = ja__store_error(d, rc, "cannot prune the sent log of");
    } else {
      sqlite3_bind_int64(s, 1, before_ms);
      sqlite3_bind_int64(s, 2, max_rows - events);
      if ((st = ja__store_step_done(d, s, "cannot prune the sent log of")) == JA_OK)
        logged = sqlite3_changes(d->db);
    }
    sqlite3_finalize(s);
    if (st == JA_OK && d->self_counting && logged)
      st = ja__store_counts_add(d, 0, -logged);
  }
  if ((st = ja__store_end(d, st)) != JA_OK)
    return st;
  *removed = events + logged;
  return JA_OK;
}
