/*
 * store/lease.c — the uploader's side of the queue: claim a batch under a
 * lease (owner + expiry), ack (sent_log + delete exactly the sent uuids),
 * release for a retry, reject (a counted drop), the persisted upload state
 * and sent_log pruning.
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_embed.h"
#include "store/store.h"
#include "util/buf.h"

ja_status
ja__store_upload_tune(ja__db *d)
{
  JA_ASSERT(d->db != NULL);
  return ja__store_exec(d, ja__sql_upload_connection, "cannot set up the uploader's connection to");
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

/* Lease the rows of @p b (read by claim_scan.sql in this transaction) to
 * @p owner until @p lease_until_ms, in one UPDATE over their ids. */
static ja_status
lease_ids(ja__db *d, const char *owner, int64_t lease_until_ms, const ja__lease_batch *b)
{
  ja__buf ids = {0};
  sqlite3_stmt *s;
  ja_status st = ja__buf_append(&ids, "[", 1);
  for (size_t i = 0; st == JA_OK && i < b->n; i++)
    st = ja__buf_printf(&ids, "%s%lld", i ? "," : "", (long long)b->rows[i].id);
  if (st == JA_OK)
    st = ja__buf_append(&ids, "]", 1);
  if (st == JA_OK && (st = ja__store_stmt(d, JA__Q_CLAIM_IDS, &s)) == JA_OK) {
    sqlite3_bind_text(s, 1, ids.ptr, (int)ids.len, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, lease_until_ms);
    st = ja__store_step_done(d, s, "cannot claim events in");
    if (st == JA_OK && (size_t)sqlite3_changes(d->db) != b->n)
      st = ja__error_set(JA_EINTERNAL, "claimed %d of %zu events read under the write lock",
                         sqlite3_changes(d->db), b->n);
    sqlite3_clear_bindings(s); /* the text is freed below */
  }
  ja__buf_free(&ids);
  return st;
}

ja_status
ja__store_claim_rows(ja__db *d, const char *owner, int64_t now_ms, int64_t lease_until_ms,
                     int limit, int64_t max_bytes, int64_t overhead, ja__lease_batch *out)
{
  JA_ASSERT(d->db != NULL);
  ja__store_batch_free(out);
  sqlite3_stmt *s = NULL;
  /* The uploader's connection commits with synchronous NORMAL
   * (upload_connection.sql says why that loses nothing). */
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  /* Read, cut to the byte budget, then lease by id: the write lock is
   * held from BEGIN IMMEDIATE, so nothing read here changes before the
   * UPDATE. The cut is peek_rows's (the first event always goes). */
  if ((st = ja__store_stmt(d, JA__Q_CLAIM_SCAN, &s)) == JA_OK) {
    sqlite3_bind_int64(s, 1, now_ms);
    sqlite3_bind_int(s, 2, limit);
    int64_t bytes = 0;
    int rc;
    while (st == JA_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
      for (int c = 1; c <= 5; c++)
        bytes += sqlite3_column_bytes(s, c);
      bytes += overhead;
      if (out->n > 0 && bytes > max_bytes) {
        rc = SQLITE_DONE;
        break;
      }
      st = batch_push(out, s);
    }
    if (st == JA_OK && rc != SQLITE_DONE)
      st = ja__store_error(d, rc, "cannot claim events in");
    /* Cached: finished before the UPDATE and the COMMIT. */
    sqlite3_reset(s);
  }
  if (st == JA_OK && out->n > 0)
    st = lease_ids(d, owner, lease_until_ms, out);
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

/* The uuids of rows[0..n) as one JSON array of strings, for the set
 * statements below (json_each): one statement per batch instead of one per
 * event — a statement's own cost (its savepoint, its triggers' setup) was
 * most of an event's CPU. Any byte a uuid holds is escaped, so the array
 * is exactly these uuids whatever a hand-edited row contains. */
static ja_status
uuid_array(ja__buf *b, const ja__lease_row *rows, size_t n)
{
  b->len = 0;
  ja_status st = ja__buf_append(b, "[", 1);
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    if (i > 0)
      st = ja__buf_append(b, ",", 1);
    if (st == JA_OK)
      st = ja__buf_append(b, "\"", 1);
    const char *run = rows[i].uuid, *p = run;
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

/* Run cached statement @p which (binds ?1 the uuids of rows[0..n) as a
 * JSON array, ?2 owner, ?3 now when it has one) once; adds its changes to
 * *changed when not NULL. */
static ja_status
each_row(ja__db *d, int which, const char *what, const char *owner, const ja__lease_row *rows,
         size_t n, int64_t now_ms, int64_t *changed)
{
  ja__buf uuids = {0};
  sqlite3_stmt *s;
  ja_status st = uuid_array(&uuids, rows, n);
  if (st == JA_OK && (st = ja__store_stmt(d, which, &s)) == JA_OK) {
    sqlite3_bind_text(s, 1, uuids.ptr, (int)uuids.len, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(s) >= 3)
      sqlite3_bind_int64(s, 3, now_ms);
    if ((st = ja__store_step_done(d, s, what)) == JA_OK && changed)
      *changed += sqlite3_changes(d->db);
    /* The text was bound SQLITE_STATIC: unbind before it is freed. */
    sqlite3_clear_bindings(s);
  }
  ja__buf_free(&uuids);
  return st;
}

ja_status
ja__store_ack(ja__db *d, const char *owner, const ja__lease_row *rows, size_t n, int status,
              int64_t now_ms, int64_t *ndeleted)
{
  JA_ASSERT(d->db != NULL);
  *ndeleted = 0;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  /* Log first: the INSERT reads the row the DELETE then removes, both
   * only while this owner holds it, all in one transaction — a crash
   * leaves either both or neither. */
  st = each_row(d, JA__Q_ACK_LOG, "cannot log sent events in", owner, rows, n, now_ms,
                NULL);
  if (st == JA_OK)
    st = each_row(d, JA__Q_ACK_DELETE, "cannot delete sent events in", owner, rows, n,
                  now_ms, ndeleted);
  if (st == JA_OK)
    st = state_set(d, now_ms, 1, 0, NULL, status);
  if ((st = ja__store_end(d, st)) != JA_OK)
    *ndeleted = 0;
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
  st = each_row(d, JA__Q_RELEASE_ROWS, "cannot release events in", owner, rows, n, now_ms,
                NULL);
  if (st == JA_OK && err_class)
    st = state_set(d, now_ms, 0, next_attempt_ms, err_class, status);
  return ja__store_end(d, st);
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
  st = each_row(d, JA__Q_ACK_DELETE, "cannot drop a rejected event in", owner, row, 1,
                now_ms, &n);
  /* Counted only if it was still ours to drop (another uploader may hold
   * it now, after our lease expired). */
  if (st == JA_OK && n > 0)
    st = ja__store_count_drops(d, why, n, now_ms);
  if (st == JA_OK)
    st = state_set(d, now_ms, 0, 0, "rejected", status);
  return ja__store_end(d, st);
}

ja_status
ja__store_prune_sent(ja__db *d, int64_t before_ms, int64_t max, int64_t now_ms, int64_t *removed)
{
  JA_ASSERT(d->db != NULL);
  *removed = 0;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_prune_sent, -1, &s, NULL);
  if (rc != SQLITE_OK) {
    st = ja__store_error(d, rc, "cannot prune the sent log of");
  } else {
    sqlite3_bind_int64(s, 1, before_ms);
    sqlite3_bind_int64(s, 2, max);
    if ((st = ja__store_step_done(d, s, "cannot prune the sent log of")) == JA_OK)
      *removed = sqlite3_changes(d->db);
  }
  sqlite3_finalize(s);
  if ((st = ja__store_end(d, st)) != JA_OK)
    *removed = 0;
  return st;
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
