/*
 * store/lease.c — the uploader's side of the queue: claim a batch under a
 * lease (owner + expiry), ack (mark what the server took as sent, in
 * place: store/sent.c), release for a retry, reject (a counted drop) and
 * the persisted upload state.
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_embed.h"
#include "store/store.h"
#include "util/buf.h"

/* Every trigger the schema holds, and what the uploader's connection does
 * instead when it runs with triggers off: the counters of 001/003/010/014
 * and the spans of 008 per statement (ja__store_counts_add,
 * ja__store_spans_refresh); the others fire on statements the uploader
 * never runs (an insert into events, an update of its columns). A schema
 * with any other trigger keeps them on. */
static const char *const known_triggers[] = {
    "events_counted_in", "events_counted_out",  "events_span_in",  "events_span_out",
    "events_span_change", "events_lease_columns_retired", "sent_counted_in", "sent_counted_out",
};
#define NKNOWN (sizeof known_triggers / sizeof known_triggers[0])

/* Does the schema hold exactly known_triggers (-1: could not read it)? */
static int
triggers_known(ja__db *d)
{
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(d->db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'", -1, &s,
                         NULL) != SQLITE_OK)
    return -1;
  size_t n = 0;
  int ok = 1, rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(s, 0);
    int found = 0;
    for (size_t i = 0; name && i < NKNOWN; i++)
      found |= strcmp(name, known_triggers[i]) == 0;
    ok &= found;
    n++;
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return -1;
  return ok && n == NKNOWN;
}

ja_status
ja__store_upload_tune(ja__db *d)
{
  JA_ASSERT(d->db != NULL && !d->in_txn);
  ja_status st =
      ja__store_exec(d, ja__sql_upload_connection, "cannot set up the uploader's connection to");
  /* Triggers off for this connection only (every other one, the sqlite3
   * CLI included, still runs them): a per-row trigger ran a sub-program
   * for every event acked, and one on sent_log made SQLite copy each
   * batch into a temporary table before logging it (callgrind: ≈ 8.5 k
   * of the 58 k instructions an event cost). The uploader keeps the
   * counters itself, in the same transactions (ja__store_counts_add), so
   * they stay exact. */
  int known = st == JA_OK ? triggers_known(d) : 0;
  if (known < 0)
    return ja__store_error(d, sqlite3_errcode(d->db), "cannot read the schema of");
  int on = 1;
  if (known && sqlite3_db_config(d->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &on) == SQLITE_OK &&
      on == 0)
    d->self_counting = 1;
  return st;
}

void
ja__store_upload_untune(ja__db *d)
{
  if (!d->db || !d->self_counting)
    return;
  int on = 0;
  sqlite3_db_config(d->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, &on);
  d->self_counting = 0;
}

ja_status
ja__store_counts_add(ja__db *d, int64_t events, int64_t sent)
{
  if (!d->self_counting || (events == 0 && sent == 0))
    return JA_OK;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_COUNTS_ADD, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, events);
  sqlite3_bind_int64(s, 2, sent);
  return ja__store_step_done(d, s, "cannot count in");
}

ja_status
ja__store_spans_refresh(ja__db *d, int64_t a, int64_t b)
{
  if (!d->self_counting)
    return JA_OK;
  const int64_t range[2] = {a, b};
  ja_status st = ja__store_run_ints(d, JA__Q_SPAN_REFRESH, range, 2,
                                    "cannot update event spans in");
  if (st == JA_OK)
    st = ja__store_run_ints(d, JA__Q_SPAN_REFILL, range, 2, "cannot update event spans in");
  return st;
}

/* The events a rollup makes, whose times events_span keeps
 * (008_events_made_span.sql, the same four names). */
static int
rollup_made(const char *event)
{
  return strcmp(event, "chat_session_ended") == 0 || strcmp(event, "first_chat_sent") == 0 ||
         strcmp(event, "tool_first_used") == 0 || strcmp(event, "usage_daily_summary") == 0;
}

/* With triggers off, after deleting some of run[0..n) (sorted by id):
 * their spans, if any of them is an event a rollup made (only a deleted
 * row changes a span, and every row deleted is one of the run's). */
static ja_status
run_spans(ja__db *d, const ja__lease_row *const *run, size_t n)
{
  for (size_t i = 0; d->self_counting && i < n; i++)
    if (rollup_made(run[i]->event))
      return ja__store_spans_refresh(d, run[0]->id, run[n - 1]->id);
  return JA_OK;
}

/* --------------------------------------------------------- claimed batches */

void
ja__store_batch_free(ja__lease_batch *b)
{
  for (size_t i = 0; i < b->n; i++)
    free(b->rows[i].uuid);
  free(b->rows);
  b->rows = NULL;
  b->n = b->cap = 0;
}

/* Copy the current result row of @p s into a new element of @p out. */
static ja_status
batch_push(ja__lease_batch *out, sqlite3_stmt *s)
{
  if (out->n == out->cap) {
    size_t cap = out->cap ? out->cap * 2 : 64;
    ja__lease_row *r = realloc(out->rows, cap * sizeof *r);
    if (!r)
      return ja__error_set(JA_ENOMEM, "cannot hold a claimed batch: out of memory");
    out->rows = r;
    out->cap = cap;
  }
  size_t len[5], total = 0;
  const unsigned char *txt[5];
  for (int c = 0; c < 5; c++) {
    txt[c] = sqlite3_column_text(s, c + 1);
    len[c] = (size_t)sqlite3_column_bytes(s, c + 1);
    total += len[c] + 1;
  }
  char *mem = malloc(total);
  if (!mem)
    return ja__error_set(JA_ENOMEM, "cannot hold a claimed event: out of memory");
  char *fields[5], *p = mem;
  for (int c = 0; c < 5; c++) {
    fields[c] = p;
    if (len[c])
      memcpy(p, txt[c], len[c]);
    p[len[c]] = '\0';
    p += len[c] + 1;
  }
  ja__lease_row *r = &out->rows[out->n++];
  r->id = sqlite3_column_int64(s, 0);
  r->uuid = fields[0];
  r->timestamp = fields[1];
  r->distinct_id = fields[2];
  r->event = fields[3];
  r->properties = fields[4];
  return JA_OK;
}

/* ------------------------------------------------------------- leases */

/* One lease row (lease_list.sql). */
typedef struct lease {
  int64_t lo, hi, until_ms;
} lease;

typedef struct lease_set {
  lease *v;
  size_t n, cap;
} lease_set;

/* Read the leases (all of them, or @p owner's), by lo, into @p ls. */
static ja_status
leases_read(ja__db *d, const char *owner, lease_set *ls)
{
  ls->n = 0;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_LEASE_LIST, &s);
  if (st != JA_OK)
    return st;
  if (owner)
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
  int rc;
  while (st == JA_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (ls->n == ls->cap) {
      size_t cap = ls->cap ? ls->cap * 2 : 8;
      lease *v = realloc(ls->v, cap * sizeof *v);
      if (!v) {
        st = ja__error_set(JA_ENOMEM, "cannot read the leases: out of memory");
        break;
      }
      ls->v = v;
      ls->cap = cap;
    }
    lease *l = &ls->v[ls->n++];
    l->lo = sqlite3_column_int64(s, 0);
    l->hi = sqlite3_column_int64(s, 1);
    l->until_ms = sqlite3_column_int64(s, 2);
  }
  if (st == JA_OK && rc != SQLITE_DONE)
    st = ja__store_error(d, rc, "cannot read the leases of");
  sqlite3_reset(s);
  return st;
}

/* Lease events @p lo..@p hi to @p owner until @p until_ms. */
static ja_status
lease_add(ja__db *d, int64_t lo, int64_t hi, const char *owner, int64_t until_ms)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_LEASE_ADD, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, lo);
  sqlite3_bind_int64(s, 2, hi);
  sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, until_ms);
  return ja__store_step_done(d, s, "cannot lease events in");
}

static int
by_lo(const void *a, const void *b)
{
  int64_t x = ((const lease *)a)->lo, y = ((const lease *)b)->lo;
  return (x > y) - (x < y);
}

/* Add the marks from @p settled on to @p ls (as ranges to skip), in lo
 * order with the leases already there. */
static ja_status
skip_marks(ja__db *d, int64_t settled, lease_set *ls)
{
  ja__id_range *m = NULL;
  size_t nm = 0;
  ja_status st = ja__store_marks_from(d, settled, &m, &nm);
  if (st != JA_OK || nm == 0)
    return st;
  if (ls->n + nm > ls->cap) {
    lease *v = realloc(ls->v, (ls->n + nm) * sizeof *v);
    if (!v) {
      free(m);
      return ja__error_set(JA_ENOMEM, "cannot claim events: out of memory");
    }
    ls->v = v;
    ls->cap = ls->n + nm;
  }
  for (size_t i = 0; i < nm; i++)
    ls->v[ls->n++] = (lease){m[i].lo, m[i].hi, 0};
  free(m);
  qsort(ls->v, ls->n, sizeof *ls->v, by_lo);
  return JA_OK;
}

ja_status
ja__store_claim_rows(ja__db *d, const char *owner, int64_t now_ms, int64_t lease_until_ms,
                     int limit, int64_t max_bytes, int64_t overhead, ja__lease_batch *out)
{
  JA_ASSERT(d->db != NULL);
  ja__store_batch_free(out);
  /* The uploader's connection commits with synchronous NORMAL
   * (upload_connection.sql says why that loses nothing). */
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  lease_set live = {0};
  size_t *starts = NULL, nstarts = 0; /* the first row of each run */
  sqlite3_stmt *s = NULL;
  int64_t settled = 0;
  const int64_t window[2] = {now_ms, now_ms + JA__LEASE_AHEAD_MAX_MS};
  if ((st = ja__store_run_ints(d, JA__Q_LEASE_EXPIRE, window, 2,
                               "cannot expire leases in")) == JA_OK)
    st = leases_read(d, NULL, &live);
  /* What is sent stays in place (014_sent_in_place.sql): the scan starts at
   * the settled boundary and skips the few marks above it as it skips
   * other runs' leases. */
  if (st == JA_OK && (st = ja__store_settled(d, &settled)) == JA_OK)
    st = skip_marks(d, settled, &live);
  if (st == JA_OK && limit > 0 && !(starts = malloc(((size_t)live.n + 1) * sizeof *starts)))
    st = ja__error_set(JA_ENOMEM, "cannot claim events: out of memory");
  /* Read the queue oldest first under the write lock (nothing read here
   * changes before the leases are written), skipping each live lease's
   * ids — the scan restarts after its hi — and cutting to the byte budget
   * (peek_rows's cut: the first event always goes). Each run of ids taken
   * between two live leases becomes one lease. */
  int64_t after = settled > 0 ? settled - 1 : INT64_MIN, bytes = 0;
  size_t k = 0;
  int more = limit > 0;
  while (st == JA_OK && more && out->n < (size_t)limit) {
    if ((st = ja__store_stmt(d, JA__Q_CLAIM_SCAN, &s)) != JA_OK)
      break;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int(s, 2, limit - (int)out->n);
    int rc, skipped = 0;
    size_t first = out->n;
    while (st == JA_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
      int64_t id = sqlite3_column_int64(s, 0);
      while (k < live.n && live.v[k].hi < id)
        k++;
      if (k < live.n && live.v[k].lo <= id) {
        after = live.v[k].hi; /* held: go on after this lease */
        skipped = 1;
        break;
      }
      for (int c = 1; c <= 5; c++)
        bytes += sqlite3_column_bytes(s, c);
      bytes += overhead;
      if (out->n > 0 && bytes > max_bytes) {
        more = 0;
        break;
      }
      if ((st = batch_push(out, s)) == JA_OK && out->n == first + 1)
        starts[nstarts++] = first;
    }
    if (st == JA_OK && !skipped && more && rc != SQLITE_DONE)
      st = ja__store_error(d, rc, "cannot claim events in");
    if (!skipped)
      more = 0; /* the end of the queue, the limit or the budget */
    sqlite3_reset(s); /* cached: finished before the leases and the COMMIT */
  }
  for (size_t r = 0; st == JA_OK && r < nstarts; r++) {
    size_t a = starts[r], b = r + 1 < nstarts ? starts[r + 1] : out->n;
    st = lease_add(d, out->rows[a].id, out->rows[b - 1].id, owner, lease_until_ms);
  }
  free(starts);
  free(live.v);
  if ((st = ja__store_end(d, st)) != JA_OK) {
    ja__store_batch_free(out);
    return st;
  }
  return JA_OK;
}

/* ---------------------------------------------------------- upload state */

/* Inside a transaction: record an attempt. */
static ja_status
state_set(ja__db *d, int64_t now_ms, int success, int64_t next_ms, const char *err_class,
          int status)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_UPLOAD_STATE_SET, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, now_ms);
  if (success)
    sqlite3_bind_int64(s, 2, now_ms);
  sqlite3_bind_int64(s, 3, next_ms);
  if (err_class && err_class[0])
    sqlite3_bind_text(s, 4, err_class, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 5, status);
  return ja__store_step_done(d, s, "cannot record the upload state in");
}

ja_status
ja__store_upload_state(ja__db *d, ja__upload_state *out)
{
  JA_ASSERT(d->db != NULL);
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_upload_state_get, -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    out->next_attempt_ms = sqlite3_column_int64(s, 0);
    out->last_attempt_ms = sqlite3_column_int64(s, 1);
    out->last_success_ms = sqlite3_column_int64(s, 2);
    const unsigned char *e = sqlite3_column_text(s, 3);
    snprintf(out->last_error, sizeof out->last_error, "%s", e ? (const char *)e : "");
    out->last_status = sqlite3_column_int(s, 4);
    rc = SQLITE_DONE;
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, "cannot read the upload state of");
}

/* ------------------------------------------------------ ack/release/reject */

/* The uuids of *rows[0..n) as one JSON array of strings, for the set
 * statements by uuid (json_each): one statement per run instead of one per
 * event. Any byte a uuid holds is escaped, so the array is exactly these
 * uuids whatever a hand-edited row contains. */
static ja_status
uuid_array(ja__buf *b, const ja__lease_row *const *rows, size_t n)
{
  b->len = 0;
  ja_status st = ja__buf_append(b, "[", 1);
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    if (i > 0)
      st = ja__buf_append(b, ",", 1);
    if (st == JA_OK)
      st = ja__buf_append(b, "\"", 1);
    const char *run = rows[i]->uuid, *p = run;
    for (; st == JA_OK && *p; p++) {
      unsigned char c = (unsigned char)*p;
      if (c != '"' && c != '\\' && c >= 0x20)
        continue;
      if ((st = ja__buf_append(b, run, (size_t)(p - run))) == JA_OK)
        st = ja__buf_printf(b, "\\u%04x", c);
      run = p + 1;
    }
    if (st == JA_OK)
      st = ja__buf_append(b, run, (size_t)(p - run));
    if (st == JA_OK)
      st = ja__buf_append(b, "\"", 1);
  }
  if (st == JA_OK)
    st = ja__buf_append(b, "]", 1);
  return st;
}

static int
by_id(const void *a, const void *b)
{
  int64_t x = (*(const ja__lease_row *const *)a)->id, y = (*(const ja__lease_row *const *)b)->id;
  return (x > y) - (x < y);
}

/* @p rows[0..n) as pointers sorted by id (NULL with JA_ENOMEM). */
static ja_status
sorted(const ja__lease_row *rows, size_t n, const ja__lease_row ***out)
{
  *out = malloc((n ? n : 1) * sizeof **out);
  if (!*out)
    return ja__error_set(JA_ENOMEM, "cannot hold a batch: out of memory");
  int in_order = 1;
  for (size_t i = 0; i < n; i++) {
    (*out)[i] = &rows[i];
    if (i > 0 && rows[i].id < rows[i - 1].id)
      in_order = 0;
  }
  /* A batch comes claimed in id order; only a split one (400, 413) or a
   * test's hand-made one needs sorting (qsort was 2 % of the uploader). */
  if (!in_order)
    qsort(*out, n, sizeof **out, by_id);
  return JA_OK;
}

/* The lease of @p ls holding @p id, or NULL. */
static const lease *
lease_of(const lease_set *ls, int64_t id)
{
  for (size_t i = 0; i < ls->n; i++)
    if (ls->v[i].lo <= id && id <= ls->v[i].hi)
      return &ls->v[i];
  return NULL;
}

/* Is (@p id, @p uuid) one of run[0..n) (sorted by id)? */
static int
in_run(const ja__lease_row *const *run, size_t n, int64_t id, const unsigned char *uuid)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (run[mid]->id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && run[lo]->id == id && uuid && strcmp(run[lo]->uuid, (const char *)uuid) == 0;
}

/* Inside a transaction: delete the events of run[0..n) — sorted by id,
 * all inside one lease of the caller — and add how many were deleted to
 * *deleted. By id range when the range holds exactly the run's events:
 * the DELETE returns each (id, uuid) it removed and any that is not the
 * run's rolls the run back, which is then deleted by uuid. (A lease's
 * range holds only its own events: the claim leased only free ids, and
 * no id in a range is given to a new event while the range's last event
 * is queued; a range refilled after its events were purged is not, and
 * takes the exact path by uuid.) */
static ja_status
drop_run(ja__db *d, const ja__lease_row *const *run, size_t n, int64_t *deleted)
{
  int64_t a = run[0]->id, b = run[n - 1]->id, got = 0;
  ja_status st = ja__store_exec(d, "SAVEPOINT ja_run", "cannot drop events in");
  if (st != JA_OK)
    return st;
  sqlite3_stmt *s;
  int exact = 1;
  if ((st = ja__store_stmt(d, JA__Q_ACK_DELETE_RANGE, &s)) == JA_OK) {
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      got++;
      if (!in_run(run, n, sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1)))
        exact = 0;
    }
    if (rc != SQLITE_DONE)
      st = ja__store_error(d, rc, "cannot drop events in");
    sqlite3_reset(s);
  }
  if (st == JA_OK && exact) {
    *deleted += got;
    if ((st = ja__store_exec(d, "RELEASE ja_run", "cannot drop events in")) == JA_OK)
      st = run_spans(d, run, n);
    return st;
  }
  ja_status undo = ja__store_exec(d, "ROLLBACK TO ja_run", "cannot drop events in");
  if (undo == JA_OK)
    undo = ja__store_exec(d, "RELEASE ja_run", "cannot drop events in");
  if (st != JA_OK || undo != JA_OK)
    return st != JA_OK ? st : undo;
  /* The exact path: by uuid, still only inside this range. */
  ja__buf uuids = {0};
  st = uuid_array(&uuids, run, n);
  if (st == JA_OK && (st = ja__store_stmt(d, JA__Q_ACK_DELETE, &s)) == JA_OK) {
    sqlite3_bind_text(s, 1, uuids.ptr, (int)uuids.len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, a);
    sqlite3_bind_int64(s, 3, b);
    if ((st = ja__store_step_done(d, s, "cannot drop events in")) == JA_OK)
      *deleted += sqlite3_changes(d->db);
    sqlite3_clear_bindings(s); /* the text is freed below */
  }
  ja__buf_free(&uuids);
  if (st == JA_OK)
    st = run_spans(d, run, n);
  return st;
}

/* Inside a transaction: delete those of rows[0..n) that @p owner still
 * holds, run by run of its leases; *deleted: how many. A lease left with
 * no queued event goes. With triggers off, the queue length takes what
 * was deleted, once. */
static ja_status
take_rows(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n, int64_t *deleted)
{
  int64_t before = *deleted;
  lease_set mine = {0};
  const ja__lease_row **v = NULL;
  sqlite3_stmt *done;
  ja_status st = leases_read(d, owner, &mine);
  if (st == JA_OK)
    st = sorted(rows, n, &v);
  for (size_t i = 0; st == JA_OK && i < n;) {
    const lease *l = lease_of(&mine, v[i]->id);
    if (!l) {
      i++; /* not (or no longer) ours: another uploader's now, or gone */
      continue;
    }
    size_t j = i + 1;
    while (j < n && v[j]->id <= l->hi)
      j++;
    if ((st = drop_run(d, v + i, j - i, deleted)) == JA_OK &&
        (st = ja__store_stmt(d, JA__Q_LEASE_DONE, &done)) == JA_OK) {
      sqlite3_bind_int64(done, 1, l->lo);
      sqlite3_bind_text(done, 2, owner, -1, SQLITE_STATIC);
      st = ja__store_step_done(d, done, "cannot drop events in");
    }
    i = j;
  }
  if (st == JA_OK)
    st = ja__store_counts_add(d, -(*deleted - before), 0);
  free(v);
  free(mine.v);
  return st;
}

static ja_status give_back(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n);

/* Inside a transaction: log @p row, which the server took but the queue no
 * longer holds, from the copy that was sent. */
static ja_status
log_gone(ja__db *d, const ja__lease_row *row, int64_t now_ms)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_ack_log_gone, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(s, 1, row->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, row->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, row->properties, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, row->timestamp, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now_ms);
    rc = sqlite3_step(s);
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, "cannot log sent events in");
}

/* Inside a transaction: mark run[0..k) (sorted by id, still queued as
 * claimed, inside one lease of the acker) sent at @p now_ms. One mark for
 * the run when its id range holds nothing else — checked: the count of
 * events in the range and the uuid of its last —; one mark per event
 * otherwise (a subset of a lease acked: the others stay pending). */
static ja_status
mark_run(ja__db *d, const ja__lease_row *const *run, size_t k, int64_t now_ms)
{
  int64_t a = run[0]->id, b = run[k - 1]->id;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_BATCH_COUNT, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, a);
  sqlite3_bind_int64(s, 2, b);
  int rc = sqlite3_step(s);
  int whole = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) == (int64_t)k &&
              sqlite3_column_type(s, 1) != SQLITE_NULL &&
              strcmp((const char *)sqlite3_column_text(s, 1), run[k - 1]->uuid) == 0 &&
              sqlite3_column_int(s, 2) == 0; /* a mark never overlaps another */
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return ja__store_error(d, rc, "cannot mark events sent in");
  if (whole)
    return ja__store_mark(d, a, b, now_ms);
  for (size_t i = 0; st == JA_OK && i < k; i++)
    st = ja__store_mark(d, run[i]->id, run[i]->id, now_ms);
  return st;
}

/* Inside a transaction: record as sent those of rows[0..n) that @p owner
 * still leases — in place, one mark per run of its leases (store/sent.c),
 * or from the copy sent for those the queue lost meanwhile — and give
 * their leases up; *nsent: how many. Rows outside the owner's leases are
 * another run's now (it sends and records them). */
static ja_status
mark_sent(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n, int64_t now_ms,
          int64_t *nsent)
{
  *nsent = 0;
  lease_set mine = {0};
  const ja__lease_row **v = NULL;
  ja__lease_row *own = malloc((n ? n : 1) * sizeof *own);
  unsigned char *present = malloc(n ? n : 1);
  size_t k = 0, np = 0;
  ja_status st = own && present ? leases_read(d, owner, &mine)
                                : ja__error_set(JA_ENOMEM, "cannot ack a batch: out of memory");
  if (st == JA_OK)
    st = sorted(rows, n, &v);
  for (size_t i = 0; st == JA_OK && i < n; i++)
    if (lease_of(&mine, v[i]->id))
      own[k++] = *v[i];
  if (st == JA_OK && k > 0)
    st = ja__store_batch_present(d, own, k, present, &np);
  /* Gone meanwhile (a purge, the cap, a hand edit): from the copy sent. */
  int64_t logged = 0;
  for (size_t i = 0; st == JA_OK && np < k && i < k; i++)
    if (!present[i] && (st = log_gone(d, &own[i], now_ms)) == JA_OK)
      logged++;
  if (st == JA_OK && logged)
    st = ja__store_counts_add(d, 0, logged);
  /* Still queued: marked in place, one mark per run of a lease. */
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (present[i])
      own[m++] = own[i];
  const ja__lease_row **run = NULL;
  if (st == JA_OK && m > 0)
    st = sorted(own, m, &run);
  for (size_t i = 0; st == JA_OK && i < m;) {
    const lease *l = lease_of(&mine, run[i]->id);
    size_t j = i + 1;
    while (j < m && run[j]->id <= l->hi)
      j++;
    st = mark_run(d, run + i, j - i, now_ms);
    i = j;
  }
  /* Pending → sent, counted whatever the trigger setting (no row went). */
  if (st == JA_OK && m > 0) {
    const int64_t moved = (int64_t)m;
    st = ja__store_run_ints(d, JA__Q_COUNTS_MOVE, &moved, 1, "cannot count in");
  }
  if (st == JA_OK && m > 0)
    st = give_back(d, owner, own, m);
  if (st == JA_OK && m > 0)
    st = ja__store_settle(d);
  if (st == JA_OK)
    *nsent = logged + (int64_t)m;
  free(run);
  free(present);
  free(own);
  free(v);
  free(mine.v);
  return st;
}

ja_status
ja__store_ack(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n, int status,
              int64_t now_ms, int64_t *nsent)
{
  JA_ASSERT(d->db != NULL);
  *nsent = 0;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  /* Marked (or, gone meanwhile, logged) and their leases given up, only
   * while this owner holds them, in one transaction: a crash leaves all
   * of it or none. No event row is copied or deleted. */
  st = mark_sent(d, owner, rows, n, now_ms, nsent);
  if (st == JA_OK)
    st = state_set(d, now_ms, 1, 0, NULL, status);
  if ((st = ja__store_end(d, st)) != JA_OK)
    *nsent = 0;
  return st;
}

/* Inside a transaction: @p owner's leases no longer hold rows[0..n): each
 * lease holding some of them is replaced by the pieces between them that
 * still hold queued events (none: it goes). Rows contiguous in id leave no
 * piece between them to look at. */
static ja_status
give_back(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n)
{
  lease_set mine = {0};
  const ja__lease_row **v = NULL;
  ja_status st = leases_read(d, owner, &mine);
  if (st == JA_OK)
    st = sorted(rows, n, &v);
  for (size_t li = 0; st == JA_OK && li < mine.n; li++) {
    const lease l = mine.v[li];
    size_t i = 0;
    while (i < n && v[i]->id < l.lo)
      i++;
    if (i == n || v[i]->id > l.hi)
      continue; /* none of this lease's */
    sqlite3_stmt *drop;
    if ((st = ja__store_stmt(d, JA__Q_LEASE_DROP, &drop)) != JA_OK)
      break;
    sqlite3_bind_int64(drop, 1, l.lo);
    sqlite3_bind_text(drop, 2, owner, -1, SQLITE_STATIC);
    if ((st = ja__store_step_done(d, drop, "cannot release events in")) != JA_OK)
      break;
    int64_t from = l.lo;
    for (;; i++) {
      int64_t to = (i < n && v[i]->id <= l.hi) ? v[i]->id - 1 : l.hi;
      if (from <= to) {
        sqlite3_stmt *s;
        if ((st = ja__store_stmt(d, JA__Q_LEASE_PIECE, &s)) != JA_OK)
          break;
        sqlite3_bind_int64(s, 1, from);
        sqlite3_bind_int64(s, 2, to);
        int rc = sqlite3_step(s);
        int64_t cnt = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        int64_t plo = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
        int64_t phi = rc == SQLITE_ROW ? sqlite3_column_int64(s, 2) : 0;
        sqlite3_reset(s);
        if (rc != SQLITE_ROW) {
          st = ja__store_error(d, rc, "cannot release events in");
          break;
        }
        if (cnt > 0 && (st = lease_add(d, plo, phi, owner, l.until_ms)) != JA_OK)
          break;
      }
      if (!(i < n && v[i]->id <= l.hi))
        break;
      from = v[i]->id + 1;
    }
  }
  free(v);
  free(mine.v);
  return st;
}

ja_status
ja__store_release(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n,
                  const char *err_class, int status, int64_t now_ms, int64_t next_attempt_ms)
{
  JA_ASSERT(d->db != NULL);
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  st = give_back(d, owner, rows, n);
  if (st == JA_OK && err_class)
    st = state_set(d, now_ms, 0, next_attempt_ms, err_class, status);
  return ja__store_end(d, st);
}

ja_status
ja__store_take(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n, int64_t now_ms,
               int64_t *ndeleted)
{
  JA_ASSERT(d->in_txn);
  *ndeleted = 0;
  (void)now_ms;
  return take_rows(d, owner, rows, n, ndeleted);
}

ja_status
ja__store_reject(ja__db *d, const char *owner, const ja__lease_row *row, ja__drop why,
                 int status, int64_t now_ms)
{
  JA_ASSERT(d->db != NULL);
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  int64_t n = 0;
  st = take_rows(d, owner, row, 1, &n);
  /* Counted only if it was still ours to drop (another uploader may hold
   * it now, after our lease expired). */
  if (st == JA_OK && n > 0)
    st = ja__store_count_drops(d, why, n, now_ms);
  /* No request, no answer: a local drop is no attempt, and must not wipe
   * the last one's time, error or backoff. */
  if (st == JA_OK && status != 0)
    st = state_set(d, now_ms, 0, 0, "rejected", status);
  return ja__store_end(d, st);
}

ja_status
ja__store_peek_rows(ja__db *d, int64_t after_id, int limit, int64_t max_bytes, int64_t overhead,
                    ja__lease_batch *out)
{
  JA_ASSERT(d->db != NULL);
  ja__store_batch_free(out);
  sqlite3_stmt *s = NULL;
  ja_status st = JA_OK;
  int64_t bytes = 0;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_peek_rows, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int(s, 2, limit);
    while (st == JA_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
      for (int c = 1; c <= 5; c++)
        bytes += sqlite3_column_bytes(s, c);
      bytes += overhead;
      if (out->n > 0 && bytes > max_bytes) {
        rc = SQLITE_DONE; /* the same cut as ja__store_claim_rows */
        break;
      }
      st = batch_push(out, s);
    }
  }
  if (st == JA_OK && rc != SQLITE_DONE)
    st = ja__store_error(d, rc, "cannot read events in");
  sqlite3_finalize(s);
  if (st != JA_OK)
    ja__store_batch_free(out);
  return st;
}
