/*
 * store/listing.c — the rows `show` lists (store/listing.h). Queued events
 * newest first by timestamp, without sorting the queue: the events a
 * capture made are read in the order of their timestamp index, those a
 * rollup made (back-dated, so not in id order) span by span, latest span
 * first, and the two lists are merged.
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sql_embed.h"
#include "store/listing.h"

static ja_status
oom(void)
{
  return ja__error_set(JA_ENOMEM, "out of memory listing events");
}

static ja_status
read_error(ja__db *d)
{
  return ja__store_error(d, sqlite3_errcode(d->db), "cannot list events from");
}

static void
row_free(ja__list_row *r)
{
  free(r->uuid);
  free(r->timestamp);
  free(r->distinct_id);
  free(r->sent_at);
  free(r->event);
  free(r->properties);
}

void
ja__list_free(ja__list *l)
{
  for (size_t i = 0; i < l->n; i++)
    row_free(&l->rows[i]);
  free(l->rows);
  l->rows = NULL;
  l->n = 0;
}

/* A copy of text column @p col ("" for NULL: a hand-edited row); -1 when
 * out of memory. */
static int
dup_col(sqlite3_stmt *q, int col, char **out)
{
  const char *t = (const char *)sqlite3_column_text(q, col);
  if (!t && sqlite3_column_type(q, col) != SQLITE_NULL)
    return -1; /* SQLite out of memory */
  *out = strdup(t ? t : "");
  return *out ? 0 : -1;
}

/* Bind a listing's parameters by name (a statement has only some). */
static void
bind(sqlite3_stmt *q, const char *name, int64_t v)
{
  int i = sqlite3_bind_parameter_index(q, name);
  if (i > 0)
    sqlite3_bind_int64(q, i, v);
}

static void
bind_event(sqlite3_stmt *q, const char *event)
{
  int i = sqlite3_bind_parameter_index(q, ":event");
  if (i > 0 && event)
    sqlite3_bind_text(q, i, event, -1, SQLITE_STATIC);
}

/* Append every row of @p q (id, ts_ms, uuid, timestamp, distinct_id or
 * sent_at, event, properties) to @p l. */
static ja_status
append_rows(ja__db *d, sqlite3_stmt *q, int sent, ja__list *l)
{
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    ja__list_row *grown = realloc(l->rows, (l->n + 1) * sizeof *grown);
    if (!grown)
      return oom();
    l->rows = grown;
    ja__list_row *r = &l->rows[l->n];
    memset(r, 0, sizeof *r);
    l->n++;
    r->id = sqlite3_column_int64(q, 0);
    r->ts_ms = sqlite3_column_int64(q, 1);
    if (dup_col(q, 2, &r->uuid) || dup_col(q, 3, &r->timestamp) ||
        dup_col(q, 4, sent ? &r->sent_at : &r->distinct_id) || dup_col(q, 5, &r->event) ||
        dup_col(q, 6, &r->properties))
      return oom();
  }
  return rc == SQLITE_DONE ? JA_OK : read_error(d);
}

/* Newest first: later time, then the later id. */
static int
newer_first(const void *pa, const void *pb)
{
  const ja__list_row *a = pa, *b = pb;
  if (a->ts_ms != b->ts_ms)
    return a->ts_ms > b->ts_ms ? -1 : 1;
  return a->id > b->id ? -1 : a->id < b->id;
}

/* Keep the @p limit newest of @p l, sorted. */
static void
keep_newest(ja__list *l, int64_t limit)
{
  if (l->n > 1) /* qsort of no array is undefined */
    qsort(l->rows, l->n, sizeof *l->rows, newer_first);
  while ((int64_t)l->n > limit)
    row_free(&l->rows[--l->n]);
}

static ja_status
prepare(ja__db *d, const char *sql, const ja__list_query *q, sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(d->db, sql, -1, st, NULL) != SQLITE_OK)
    return read_error(d);
  bind(*st, ":limit", q->limit);
  bind(*st, ":since", q->since_ms);
  bind_event(*st, q->event);
  return JA_OK;
}

/* The events a rollup made, the q->limit newest: span by span, latest
 * span first, until no later span can hold one newer than the newest
 * q->limit found. Without an event filter that is at most q->limit spans
 * (each holds an event at its latest time), whatever the queue holds. */
static ja_status
list_made(ja__db *d, const ja__list_query *q, ja__list *out)
{
  sqlite3_stmt *spans = NULL, *one = NULL;
  ja__list_query sq = *q;
  sq.limit = q->event ? -1 : q->limit;
  ja_status st = prepare(d, ja__sql_show_spans, &sq, &spans);
  if (st == JA_OK)
    st = prepare(d, ja__sql_show_span, q, &one);
  int rc = SQLITE_DONE;
  while (st == JA_OK && (rc = sqlite3_step(spans)) == SQLITE_ROW) {
    int64_t hi = sqlite3_column_int64(spans, 1);
    if ((int64_t)out->n >= q->limit && hi < out->rows[out->n - 1].ts_ms)
      break; /* every event left is older than the newest q->limit found */
    sqlite3_reset(one);
    bind(one, ":span", sqlite3_column_int64(spans, 0));
    if ((st = append_rows(d, one, 0, out)) == JA_OK)
      keep_newest(out, q->limit);
  }
  if (st == JA_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    st = read_error(d);
  sqlite3_finalize(one);
  sqlite3_finalize(spans);
  return st;
}

/* The newest q->limit of two lists each newest first, moved into @p out. */
static ja_status
merge(ja__list *a, ja__list *b, int64_t limit, ja__list *out)
{
  size_t n = a->n + b->n;
  if (n == 0)
    return JA_OK;
  out->rows = malloc(n * sizeof *out->rows);
  if (!out->rows)
    return oom();
  size_t i = 0, j = 0;
  while (i < a->n || j < b->n) {
    int take_a = j >= b->n || (i < a->n && newer_first(&a->rows[i], &b->rows[j]) <= 0);
    out->rows[out->n++] = take_a ? a->rows[i++] : b->rows[j++];
  }
  free(a->rows);
  free(b->rows);
  memset(a, 0, sizeof *a);
  memset(b, 0, sizeof *b);
  while ((int64_t)out->n > limit)
    row_free(&out->rows[--out->n]);
  return JA_OK;
}

ja_status
ja__store_list(ja__db *d, const ja__list_query *q, ja__list *out)
{
  memset(out, 0, sizeof *out);
  ja__list captured = {0}, made = {0};
  sqlite3_stmt *st = NULL;
  /* One read snapshot: a rollup committing meanwhile moves nothing twice. */
  int snap = sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
  /* A queue older than schema 8 that a reader could not migrate (a
   * read-only home) has no spans: then every event is sorted at once. */
  int old = !q->sent && sqlite3_table_column_metadata(d->db, NULL, "events_span", "span", NULL,
                                                      NULL, NULL, NULL, NULL) != SQLITE_OK;
  const char *sql = q->sent ? ja__sql_show_sent : old ? ja__sql_show_any : ja__sql_show_captured;
  ja_status s = prepare(d, sql, q, &st);
  if (s == JA_OK)
    s = append_rows(d, st, q->sent, q->sent || old ? out : &captured);
  sqlite3_finalize(st);
  if (s == JA_OK && !q->sent && !old)
    s = list_made(d, q, &made);
  if (s == JA_OK && !q->sent && !old)
    s = merge(&captured, &made, q->limit, out);
  if (snap)
    sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
  ja__list_free(&captured);
  ja__list_free(&made);
  if (s != JA_OK)
    ja__list_free(out);
  return s;
}
