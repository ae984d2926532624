/*
 * store/lease.c — the uploader's side of the queue: claim a batch under a
 * lease (owner + expiry) and delete exactly the uuids that were sent.
 */
#include "boot.h"

#include <sqlite3.h>
#include <string.h>

#include "sql_embed.h"
#include "store/store.h"

ja_status
ja__store_claim(ja__db *d, const char *owner, int64_t now_ms, int64_t lease_until_ms, int limit,
                int *nclaimed)
{
  JA_ASSERT(d->db != NULL);
  *nclaimed = 0;
  sqlite3_stmt *s = NULL;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_claim_batch, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, lease_until_ms);
    sqlite3_bind_int(s, 4, limit);
    rc = sqlite3_step(s);
  }
  sqlite3_finalize(s);
  if (rc == SQLITE_DONE)
    *nclaimed = sqlite3_changes(d->db);
  else
    st = ja__store_error(d, rc, "cannot claim events in");
  if ((st = ja__store_end(d, st)) != JA_OK)
    *nclaimed = 0;
  return st;
}

ja_status
ja__store_delete_uuids(ja__db *d, const char *owner, const char *const *uuids, size_t n,
                       int64_t now_ms, int64_t *ndeleted)
{
  JA_ASSERT(d->db != NULL);
  *ndeleted = 0;
  sqlite3_stmt *s = NULL;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_delete_sent, -1, &s, NULL);
  if (rc != SQLITE_OK)
    st = ja__store_error(d, rc, "cannot delete sent events in");
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    sqlite3_bind_text(s, 1, uuids[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    if ((st = ja__store_step_done(d, s, "cannot delete sent event in")) == JA_OK)
      *ndeleted += sqlite3_changes(d->db);
  }
  sqlite3_finalize(s);
  if ((st = ja__store_end(d, st)) != JA_OK)
    *ndeleted = 0;
  return st;
}

