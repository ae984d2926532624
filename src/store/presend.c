/*
 * store/presend.c — what the uploader checks and changes in the queue
 * between claiming a batch and sending it: which of its events are still
 * queued (a purge, the cap or a hand edit may have removed some since the
 * claim), the rows the send-time filters drop or rewrite, and what other
 * upload runs hold when a claim finds nothing free.
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sql_embed.h"
#include "store/store.h"

/* The slow path of ja__store_batch_present: mark rows[0..n) (sorted by
 * id) whose (id, uuid) is still queued and not marked sent. */
static ja_status
present_exact(ja__db *d, const ja__lease_row *rows, size_t n, unsigned char *present)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_BATCH_ROWS, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, rows[0].id);
  sqlite3_bind_int64(s, 2, rows[n - 1].id);
  size_t i = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(s, 0);
    const unsigned char *uuid = sqlite3_column_text(s, 1);
    while (i < n && rows[i].id < id)
      i++;
    if (i < n && rows[i].id == id && uuid && strcmp((const char *)uuid, rows[i].uuid) == 0)
      present[i] = 1;
  }
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, "cannot read the batch in");
}

ja_status
ja__store_batch_present(ja__db *d, const ja__lease_row *rows, size_t n, unsigned char *present,
                        size_t *npresent)
{
  JA_ASSERT(d->db != NULL);
  memset(present, 0, n);
  *npresent = 0;
  if (n == 0)
    return JA_OK;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_BATCH_COUNT, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, rows[0].id);
  sqlite3_bind_int64(s, 2, rows[n - 1].id);
  int rc = sqlite3_step(s);
  int all = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) == (int64_t)n &&
            sqlite3_column_type(s, 1) != SQLITE_NULL &&
            strcmp((const char *)sqlite3_column_text(s, 1), rows[n - 1].uuid) == 0 &&
            sqlite3_column_int(s, 2) == 0; /* none marked sent by another run */
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return ja__store_error(d, rc, "cannot read the batch in");
  if (all)
    memset(present, 1, n);
  else if ((st = present_exact(d, rows, n, present)) != JA_OK)
    return st;
  for (size_t i = 0; i < n; i++)
    *npresent += present[i];
  return JA_OK;
}

/* Inside a transaction: the properties of @p row become @p props; 1 when
 * the row was still there to rewrite. */
static ja_status
rewrite(ja__db *d, const ja__lease_row *row, const char *props, int *done)
{
  *done = 0;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_RECHECK_REWRITE, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, props, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, row->id);
  sqlite3_bind_text(s, 3, row->uuid, -1, SQLITE_STATIC);
  if ((st = ja__store_step_done(d, s, "cannot rewrite an event in")) == JA_OK)
    *done = sqlite3_changes(d->db) == 1;
  sqlite3_clear_bindings(s); /* props is the caller's */
  return st;
}

ja_status
ja__store_settle_filtered(ja__db *d, const char *owner, const ja__lease_row *rows,
                          const ja__drop *drop, const char *const *props,
                          const unsigned (*prop_drops)[JA__DROP_COUNT], size_t n, int64_t now_ms,
                          int64_t dropped[JA__DROP_COUNT], int64_t *removed_props)
{
  JA_ASSERT(d->db != NULL);
  memset(dropped, 0, JA__DROP_COUNT * sizeof *dropped);
  *removed_props = 0;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  ja__lease_row *group = malloc((n ? n : 1) * sizeof *group);
  if (!group)
    st = ja__error_set(JA_ENOMEM, "cannot settle a batch: out of memory");
  /* The rows dropped, one reason at a time: deleted (only while this run
   * still holds them) and counted as what was deleted. */
  for (int r = 1; st == JA_OK && r < JA__DROP_COUNT; r++) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (drop[i] == (ja__drop)r)
        group[k++] = rows[i];
    int64_t gone = 0;
    if (k > 0 && (st = ja__store_take(d, owner, group, k, now_ms, &gone)) == JA_OK && gone > 0)
      st = ja__store_count_drops(d, (ja__drop)r, gone, now_ms);
    dropped[r] = gone;
  }
  /* The rows sent with fewer properties than stored: rewritten, and the
   * properties removed counted, once (the next claim finds them clean). */
  unsigned counts[JA__DROP_COUNT] = {0};
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    if (drop[i] != JA__DROP_NONE || !props[i])
      continue;
    int done = 0;
    if ((st = rewrite(d, &rows[i], props[i], &done)) != JA_OK || !done)
      continue;
    for (int r = 1; r < JA__DROP_COUNT; r++) {
      counts[r] += prop_drops[i][r];
      *removed_props += prop_drops[i][r];
    }
  }
  for (int r = 1; st == JA_OK && r < JA__DROP_COUNT; r++)
    if (counts[r])
      st = ja__store_count_drops(d, (ja__drop)r, counts[r], now_ms);
  free(group);
  if ((st = ja__store_end(d, st)) != JA_OK) {
    memset(dropped, 0, JA__DROP_COUNT * sizeof *dropped);
    *removed_props = 0;
  }
  return st;
}

ja_status
ja__store_reserved(ja__db *d, const char *owner, int64_t now_ms, int64_t *count,
                   int64_t *until_ms)
{
  JA_ASSERT(d->db != NULL);
  *count = *until_ms = 0;
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_reserved_info, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(s, 1, now_ms);
    sqlite3_bind_int64(s, 2, now_ms + JA__LEASE_AHEAD_MAX_MS);
    sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      *count = sqlite3_column_int64(s, 0);
      *until_ms = sqlite3_column_int64(s, 1);
      rc = SQLITE_DONE;
    }
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, "cannot read the leases of");
}

ja_status
ja__store_queue_length(ja__db *d, int64_t *out)
{
  JA_ASSERT(d->db != NULL);
  *out = 0;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_QUEUE_COUNT, &s);
  if (st != JA_OK)
    return st;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? JA_OK : ja__store_error(d, rc, "cannot count events in");
}
