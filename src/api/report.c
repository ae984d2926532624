/*
 * api/report.c — read-only views of a store for people and scripts: the status
 * document (`status`, ja_report_json) and event listings (`show`). Reads an
 * existing queue; never creates one. Only a queue that does not exist reads
 * as empty: one that cannot be read is an error (api/handle.c).
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <string.h>

#include "sql_embed.h"
#include "api/api.h"
#include "filter/drop.h"
#include "home/identity.h"
#include "store/store.h"

static void
add_text_or_null(cJSON *obj, const char *key, sqlite3_stmt *q, int col)
{
  if (sqlite3_column_type(q, col) == SQLITE_NULL)
    cJSON_AddNullToObject(obj, key);
  else
    cJSON_AddStringToObject(obj, key, (const char *)sqlite3_column_text(q, col));
}

static ja_status
query_error(ja_store *s, const char *what)
{
  return ja__store_error(&s->db, sqlite3_errcode(s->db.db), what);
}

/* Fill queue, sent and drops sections from the database. */
static ja_status
fill_from_db(ja_store *s, cJSON *queue, cJSON *sent, cJSON *drops)
{
  sqlite3_stmt *q = NULL;
  ja_status st = JA_OK;
  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_queue, -1, &q, NULL) != SQLITE_OK ||
      sqlite3_step(q) != SQLITE_ROW) {
    st = query_error(s, "cannot read the queue size from");
    goto done;
  }
  cJSON_AddNumberToObject(queue, "pending", (double)sqlite3_column_int64(q, 0));
  cJSON_AddNumberToObject(queue, "leased", (double)sqlite3_column_int64(q, 1));
  add_text_or_null(queue, "oldest", q, 2);
  add_text_or_null(queue, "newest", q, 3);
  sqlite3_finalize(q);

  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_sent, -1, &q, NULL) != SQLITE_OK ||
      sqlite3_step(q) != SQLITE_ROW) {
    st = query_error(s, "cannot read the sent log from");
    goto done;
  }
  cJSON_AddNumberToObject(sent, "count", (double)sqlite3_column_int64(q, 0));
  add_text_or_null(sent, "last", q, 1);
  sqlite3_finalize(q);

  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_drops, -1, &q, NULL) != SQLITE_OK) {
    st = query_error(s, "cannot read the drop counters from");
    goto done;
  }
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *reason = (const char *)sqlite3_column_text(q, 0);
    double n = (double)sqlite3_column_int64(q, 1);
    if (cJSON_GetObjectItemCaseSensitive(drops, reason))
      cJSON_ReplaceItemInObjectCaseSensitive(drops, reason, cJSON_CreateNumber(n));
    else
      cJSON_AddNumberToObject(drops, reason, n); /* a reason from a newer version */
  }
  if (rc != SQLITE_DONE)
    st = query_error(s, "cannot read the drop counters from");
done:
  sqlite3_finalize(q);
  return st;
}

/* What the store did to itself (a corrupt queue moved aside …), newest
 * first. A queue of schema version 1 that a reader could not migrate (a
 * read-only home) has no such table: then there is nothing to show. */
static ja_status
fill_store_events(ja_store *s, cJSON *events)
{
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_store_events, -1, &q, NULL) != SQLITE_OK)
    return (sqlite3_errcode(s->db.db) & 0xFF) == SQLITE_ERROR
               ? JA_OK
               : query_error(s, "cannot read the store events from");
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(events, e);
    add_text_or_null(e, "at", q, 0);
    add_text_or_null(e, "kind", q, 1);
    add_text_or_null(e, "detail", q, 2);
  }
  ja_status st = rc == SQLITE_DONE ? JA_OK : query_error(s, "cannot read the store events from");
  sqlite3_finalize(q);
  return st;
}

ja_status
ja__report_status(ja_store *s, cJSON **out)
{
  *out = NULL;
  cJSON *r = cJSON_CreateObject();
  if (!r)
    return ja__error_set(JA_ENOMEM, "out of memory building the status");
  cJSON_AddStringToObject(r, "version", JA_VERSION_STRING);
  cJSON_AddBoolToObject(r, "enabled", s->cfg.enabled);
  cJSON_AddStringToObject(r, "off_reason", s->cfg.off_reason);
  cJSON_AddStringToObject(r, "home", s->cfg.home);
  cJSON_AddStringToObject(r, "config", s->cfg.config_path);
  cJSON_AddStringToObject(r, "database", s->cfg.db_path);
  cJSON_AddStringToObject(r, "anon_id_path", s->cfg.anon_id_path);
  char anon[37];
  if (ja__identity_get(s->cfg.anon_id_path, 0, anon) == JA_OK)
    cJSON_AddStringToObject(r, "anon_id", anon);
  else
    cJSON_AddNullToObject(r, "anon_id");
  ja__error_clear();
  cJSON *up = cJSON_AddObjectToObject(r, "upload");
  cJSON_AddStringToObject(up, "host", s->cfg.host);
  cJSON_AddBoolToObject(up, "key_set", s->cfg.key[0] != '\0'); /* never the key itself */
  cJSON_AddNumberToObject(up, "flush_at_size", (double)s->cfg.flush_at_size);
  cJSON_AddNumberToObject(up, "flush_interval_seconds", (double)s->cfg.flush_interval_seconds);
  cJSON *queue = cJSON_AddObjectToObject(r, "queue");
  cJSON *sent = cJSON_AddObjectToObject(r, "sent");
  cJSON *drops = cJSON_AddObjectToObject(r, "drops");
  cJSON *events = cJSON_AddArrayToObject(r, "store_events");
  /* Every reason appears, at 0 when it never happened, so scripts can
   * read drops.pii without checking for its presence. */
  for (int d = 1; d < JA__DROP_COUNT; d++)
    cJSON_AddNumberToObject(drops, ja__drop_name((ja__drop)d), 0);

  ja__api_lock(s);
  int present = 0;
  ja_status st = ja__api_open_existing(s, &present);
  cJSON_AddBoolToObject(queue, "exists", present);
  if (st == JA_OK && present)
    st = fill_from_db(s, queue, sent, drops);
  if (st == JA_OK && present)
    st = fill_store_events(s, events);
  ja__api_unlock(s);
  if (st == JA_OK && !present) {
    cJSON_AddNumberToObject(queue, "pending", 0);
    cJSON_AddNumberToObject(queue, "leased", 0);
    cJSON_AddNullToObject(queue, "oldest");
    cJSON_AddNullToObject(queue, "newest");
    cJSON_AddNumberToObject(sent, "count", 0);
    cJSON_AddNullToObject(sent, "last");
  }
  if (st != JA_OK) {
    cJSON_Delete(r);
    return st;
  }
  *out = r;
  return JA_OK;
}

ja_status
ja_report_json(ja_store *s, char **out)
{
  if (!s || !out)
    return ja__error_set(JA_EINVALID, "ja_report_json: NULL argument");
  *out = NULL;
  cJSON *r = NULL;
  ja_status st = ja__report_status(s, &r);
  if (st != JA_OK)
    return st;
  *out = cJSON_PrintUnformatted(r);
  cJSON_Delete(r);
  return *out ? JA_OK : ja__error_set(JA_ENOMEM, "out of memory rendering the status");
}

ja_status
ja__report_show(ja_store *s, int sent, int64_t limit, cJSON **out)
{
  *out = NULL;
  cJSON *arr = cJSON_CreateArray();
  if (!arr)
    return ja__error_set(JA_ENOMEM, "out of memory listing events");
  static const char *const cols_pending[] = {"uuid", "timestamp", "distinct_id", "event",
                                             "properties"};
  static const char *const cols_sent[] = {"uuid", "timestamp", "sent_at", "event", "properties"};
  const char *const *cols = sent ? cols_sent : cols_pending;
  ja__api_lock(s);
  int present = 0;
  ja_status st = ja__api_open_existing(s, &present);
  sqlite3_stmt *q = NULL;
  if (st == JA_OK && present) {
    if (sqlite3_prepare_v2(s->db.db, sent ? ja__sql_show_sent : ja__sql_show_pending, -1, &q,
                           NULL) != SQLITE_OK) {
      st = query_error(s, "cannot list events from");
    } else {
      sqlite3_bind_int64(q, 1, limit);
      int rc;
      while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, row);
        for (int c = 0; c < 4; c++)
          add_text_or_null(row, cols[c], q, c);
        /* Properties are stored as a JSON object: hand out the stored text
         * as it is (re-printing through cJSON would round numbers). */
        const char *props = (const char *)sqlite3_column_text(q, 4);
        cJSON_AddItemToObject(row, cols[4], cJSON_CreateRaw(props ? props : "{}"));
      }
      if (rc != SQLITE_DONE)
        st = query_error(s, "cannot list events from");
    }
  }
  sqlite3_finalize(q);
  ja__api_unlock(s);
  if (st != JA_OK) {
    cJSON_Delete(arr);
    return st;
  }
  *out = arr;
  return JA_OK;
}
