/*
 * api/report.c — read-only views of a store for people and scripts: the
 * report model (store/report.h) collected from the handle and the queue,
 * ja_report_json, and event listings (`show`). Reads an existing queue;
 * never creates one. Only a queue that does not exist reads as empty: one
 * that cannot be read is an error (api/handle.c).
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <string.h>

#include "sql_embed.h"
#include "api/api.h"
#include "home/identity.h"
#include "store/report.h"
#include "store/store.h"
#include "util/clock.h"

static ja_status
oom(const char *what)
{
  return ja__error_set(JA_ENOMEM, "out of memory %s", what);
}

static ja_status
query_error(ja_store *s, const char *what)
{
  return ja__store_error(&s->db, sqlite3_errcode(s->db.db), what);
}

/* A text column as a JSON string, or null. */
static int
add_text_or_null(cJSON *obj, const char *key, sqlite3_stmt *q, int col)
{
  if (sqlite3_column_type(q, col) == SQLITE_NULL)
    return cJSON_AddNullToObject(obj, key) != NULL;
  /* NULL here is SQLite out of memory: cJSON_AddStringToObject fails too. */
  return cJSON_AddStringToObject(obj, key, (const char *)sqlite3_column_text(q, col)) != NULL;
}

/* The host as shown: without any user info (https://KEY@host would put a
 * secret on screen). */
static void
host_shown(const char *host, char *out, size_t n)
{
  const char *scheme = strstr(host, "://");
  const char *auth = scheme ? scheme + 3 : host;
  size_t alen = strcspn(auth, "/?#");
  const char *at = memchr(auth, '@', alen);
  if (!at) {
    snprintf(out, n, "%s", host);
    return;
  }
  snprintf(out, n, "%.*s%s", (int)(auth - host), host, at + 1);
}

ja_status
ja__report_collect(ja_store *s, ja__report *r)
{
  ja_status st = ja__report_init(r, ja__now_ms());
  if (st != JA_OK)
    return st;
  const ja__config *c = &s->cfg;
  r->version = JA_VERSION_STRING;
  r->enabled = c->enabled;
  r->off_reason = c->off_reason;
  r->home = c->home;
  r->config = c->config_path;
  r->database = c->db_path;
  r->anon_id_path = c->anon_id_path;
  r->nwarnings = c->nwarnings;
  r->nwarnings_kept = c->nwarnings < JA__CONFIG_WARNINGS ? c->nwarnings : JA__CONFIG_WARNINGS;
  for (int i = 0; i < r->nwarnings_kept; i++)
    r->warnings[i] = c->warnings[i];
  r->has_anon_id = ja__identity_get(c->anon_id_path, 0, r->anon_id) == JA_OK;
  ja__error_clear();
  host_shown(c->host, r->host, sizeof r->host);
  r->key_set = c->key[0] != '\0'; /* never the key itself */
  r->flush_at_size = c->flush_at_size;
  r->flush_interval_seconds = c->flush_interval_seconds;

  ja__api_lock(s);
  int present = 0;
  st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present)
    st = ja__store_report(&s->db, r);
  ja__api_unlock(s);
  return st;
}

ja_status
ja_report_json(ja_store *s, char **out)
{
  ja__error_clear();
  if (!s || !out)
    return ja__error_set(JA_EINVALID, "ja_report_json: NULL argument");
  *out = NULL;
  ja__report r;
  cJSON *doc = NULL;
  ja_status st = ja__report_collect(s, &r);
  if (st == JA_OK)
    st = ja__report_json(&r, &doc);
  ja__report_free(&r);
  if (st != JA_OK)
    return st;
  *out = cJSON_PrintUnformatted(doc);
  cJSON_Delete(doc);
  return *out ? JA_OK : oom("rendering the status");
}

ja_status
ja__report_show(ja_store *s, int sent, int64_t limit, cJSON **out)
{
  *out = NULL;
  cJSON *arr = cJSON_CreateArray();
  if (!arr)
    return oom("listing events");
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
        if (!row || !cJSON_AddItemToArray(arr, row)) {
          cJSON_Delete(row);
          break;
        }
        int ok = 1;
        for (int c = 0; c < 4; c++)
          ok &= add_text_or_null(row, cols[c], q, c);
        /* Properties are stored as a JSON object: hand out the stored text
         * as it is (re-printing through cJSON would round numbers). */
        const char *props = (const char *)sqlite3_column_text(q, 4);
        cJSON *raw = cJSON_CreateRaw(props ? props : "{}");
        if (!raw || !cJSON_AddItemToObject(row, cols[4], raw)) {
          cJSON_Delete(raw); /* not added: still ours */
          ok = 0;
        }
        if (!ok)
          break;
      }
      if (rc == SQLITE_ROW)
        st = oom("listing events");
      else if (rc != SQLITE_DONE)
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
