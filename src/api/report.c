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
#include "util/clock.h"

/* Out of memory is checked on every cJSON call: each cJSON_Add* returns
 * NULL when it could not allocate (and frees what it made), and every one
 * accepts a NULL parent, so a builder can go on and test one flag at the
 * end. A document missing a part is never handed out as JA_OK (hardening
 * issue: "report.c ignores cJSON_Add* failures"). */
static int
added(const void *item)
{
  return item != NULL;
}

static int
add_text_or_null(cJSON *obj, const char *key, sqlite3_stmt *q, int col)
{
  if (sqlite3_column_type(q, col) == SQLITE_NULL)
    return added(cJSON_AddNullToObject(obj, key));
  /* NULL here is SQLite out of memory: cJSON_AddStringToObject fails too. */
  return added(cJSON_AddStringToObject(obj, key, (const char *)sqlite3_column_text(q, col)));
}

static ja_status
oom(const char *what)
{
  return ja__error_set(JA_ENOMEM, "out of memory %s", what);
}

/* A ms column as the stored ISO-8601 text (the `timestamp` column holds
 * exactly ja__iso8601_ms(ts_ms)), or null. */
static int
add_iso_or_null(cJSON *obj, const char *key, sqlite3_stmt *q, int col)
{
  if (sqlite3_column_type(q, col) == SQLITE_NULL)
    return added(cJSON_AddNullToObject(obj, key));
  char iso[32];
  ja__iso8601_ms(sqlite3_column_int64(q, col), iso);
  return added(cJSON_AddStringToObject(obj, key, iso));
}

/* A ms value as ISO-8601, or null when 0 (never set). */
static int
add_ms_or_null(cJSON *obj, const char *key, int64_t ms)
{
  if (ms == 0)
    return added(cJSON_AddNullToObject(obj, key));
  char iso[32];
  ja__iso8601_ms(ms, iso);
  return added(cJSON_AddStringToObject(obj, key, iso));
}

/* The uploader's persisted state (006_upload.sql) in the upload section;
 * all null before the first run. */
static int
add_upload_state(cJSON *up, const ja__upload_state *u)
{
  int ok = add_ms_or_null(up, "next_attempt_at", u->next_attempt_ms);
  ok &= add_ms_or_null(up, "last_attempt_at", u->last_attempt_ms);
  ok &= add_ms_or_null(up, "last_success_at", u->last_success_ms);
  ok &= added(u->last_error[0] ? cJSON_AddStringToObject(up, "last_error", u->last_error)
                               : cJSON_AddNullToObject(up, "last_error"));
  ok &= added(u->last_attempt_ms ? cJSON_AddNumberToObject(up, "last_status", u->last_status)
                                 : cJSON_AddNullToObject(up, "last_status"));
  return ok;
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

static ja_status
query_error(ja_store *s, const char *what)
{
  return ja__store_error(&s->db, sqlite3_errcode(s->db.db), what);
}

/* Fill queue, sent and drops sections from the database. Every read is
 * O(1) in the queue size (counters kept by triggers, min/max by index,
 * drop_counts has one row per reason): tests/test_store.c checks the
 * plans and the rows visited. */
static ja_status
fill_from_db(ja_store *s, cJSON *queue, cJSON *sent, cJSON *drops, cJSON *up)
{
  sqlite3_stmt *q = NULL;
  ja_status st = JA_OK;
  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_queue, -1, &q, NULL) != SQLITE_OK ||
      sqlite3_bind_int64(q, 1, ja__now_ms()) != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW) {
    st = query_error(s, "cannot read the queue size from");
    goto done;
  }
  int ok = added(cJSON_AddNumberToObject(queue, "pending", (double)sqlite3_column_int64(q, 0)));
  ok &= added(cJSON_AddNumberToObject(queue, "leased", (double)sqlite3_column_int64(q, 1)));
  ok &= add_iso_or_null(queue, "oldest", q, 2);
  ok &= add_iso_or_null(queue, "newest", q, 3);
  /* How long the oldest event has waited (by this process's clock). */
  if (sqlite3_column_type(q, 2) == SQLITE_NULL) {
    ok &= added(cJSON_AddNullToObject(queue, "oldest_age_seconds"));
  } else {
    int64_t age = (ja__now_ms() - sqlite3_column_int64(q, 2)) / 1000;
    ok &= added(cJSON_AddNumberToObject(queue, "oldest_age_seconds", (double)(age > 0 ? age : 0)));
  }
  sqlite3_finalize(q);
  q = NULL;
  if (!ok) {
    st = oom("building the status");
    goto done;
  }

  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_sent, -1, &q, NULL) != SQLITE_OK ||
      sqlite3_step(q) != SQLITE_ROW) {
    st = query_error(s, "cannot read the sent log from");
    goto done;
  }
  ok = added(cJSON_AddNumberToObject(sent, "count", (double)sqlite3_column_int64(q, 0)));
  ok &= add_text_or_null(sent, "last", q, 1);
  sqlite3_finalize(q);
  q = NULL;
  if (!ok) {
    st = oom("building the status");
    goto done;
  }

  ja__upload_state ustate;
  if ((st = ja__store_upload_state(&s->db, &ustate)) != JA_OK)
    goto done;
  if (!add_upload_state(up, &ustate)) {
    st = oom("building the status");
    goto done;
  }

  if (sqlite3_prepare_v2(s->db.db, ja__sql_report_drops, -1, &q, NULL) != SQLITE_OK) {
    st = query_error(s, "cannot read the drop counters from");
    goto done;
  }
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *reason = (const char *)sqlite3_column_text(q, 0);
    double n = (double)sqlite3_column_int64(q, 1);
    /* Set in place, not cJSON_Replace*: that one leaks its replacement when
     * it cannot copy the key. A NULL reason is SQLite out of memory. */
    cJSON *known = reason ? cJSON_GetObjectItemCaseSensitive(drops, reason) : NULL;
    if (known) {
      cJSON_SetNumberValue(known, n);
    } else if (!cJSON_AddNumberToObject(drops, reason, n)) { /* a reason from a newer version */
      st = oom("building the status");
      goto done;
    }
  }
  if (rc != SQLITE_DONE)
    st = query_error(s, "cannot read the drop counters from");
done:
  sqlite3_finalize(q);
  return st;
}

/* drops.busy: the counter plus the busy drops noted but not folded yet (in
 * the -busy file, or in this handle's memory), so a user sees them before
 * the next capture folds them. */
static ja_status
add_busy_waiting(ja_store *s, cJSON *drops)
{
  int64_t waiting = 0;
  ja_status st = ja__store_busy_waiting(&s->db, &waiting);
  const char *busy = ja__drop_name(JA__DROP_BUSY);
  cJSON *n = cJSON_GetObjectItemCaseSensitive(drops, busy);
  if (st == JA_OK && waiting > 0 && cJSON_IsNumber(n))
    cJSON_SetNumberValue(n, n->valuedouble + (double)waiting);
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
    if (!e || !cJSON_AddItemToArray(events, e)) {
      cJSON_Delete(e);
      sqlite3_finalize(q);
      return oom("building the status");
    }
    int ok = add_text_or_null(e, "at", q, 0);
    ok &= add_text_or_null(e, "kind", q, 1);
    ok &= add_text_or_null(e, "detail", q, 2);
    if (!ok) {
      sqlite3_finalize(q);
      return oom("building the status");
    }
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
    return oom("building the status");
  int ok = added(cJSON_AddStringToObject(r, "version", JA_VERSION_STRING));
  ok &= added(cJSON_AddBoolToObject(r, "enabled", s->cfg.enabled));
  ok &= added(cJSON_AddStringToObject(r, "off_reason", s->cfg.off_reason));
  ok &= added(cJSON_AddStringToObject(r, "home", s->cfg.home));
  ok &= added(cJSON_AddStringToObject(r, "config", s->cfg.config_path));
  ok &= added(cJSON_AddStringToObject(r, "database", s->cfg.db_path));
  ok &= added(cJSON_AddStringToObject(r, "anon_id_path", s->cfg.anon_id_path));
  /* Misspelt keys and tables of config.toml (names only, never values). */
  cJSON *warnings = cJSON_AddArrayToObject(r, "warnings");
  ok &= added(warnings);
  for (int i = 0; i < s->cfg.nwarnings && i < JA__CONFIG_WARNINGS; i++) {
    cJSON *w = cJSON_CreateString(s->cfg.warnings[i]);
    if (!w || !cJSON_AddItemToArray(warnings, w)) {
      cJSON_Delete(w);
      ok = 0;
    }
  }
  if (s->cfg.nwarnings > JA__CONFIG_WARNINGS) {
    char more[64];
    snprintf(more, sizeof more, "… and %d more", s->cfg.nwarnings - JA__CONFIG_WARNINGS);
    cJSON *w = cJSON_CreateString(more);
    if (!w || !cJSON_AddItemToArray(warnings, w)) {
      cJSON_Delete(w);
      ok = 0;
    }
  }
  char anon[37];
  if (ja__identity_get(s->cfg.anon_id_path, 0, anon) == JA_OK)
    ok &= added(cJSON_AddStringToObject(r, "anon_id", anon));
  else
    ok &= added(cJSON_AddNullToObject(r, "anon_id"));
  ja__error_clear();
  cJSON *up = cJSON_AddObjectToObject(r, "upload");
  ok &= added(up);
  char host[sizeof s->cfg.host];
  host_shown(s->cfg.host, host, sizeof host);
  ok &= added(cJSON_AddStringToObject(up, "host", host));
  ok &= added(cJSON_AddBoolToObject(up, "key_set", s->cfg.key[0] != '\0')); /* never the key itself */
  ok &= added(cJSON_AddNumberToObject(up, "flush_at_size", (double)s->cfg.flush_at_size));
  ok &= added(cJSON_AddNumberToObject(up, "flush_interval_seconds",
                                      (double)s->cfg.flush_interval_seconds));
  cJSON *queue = cJSON_AddObjectToObject(r, "queue");
  cJSON *sent = cJSON_AddObjectToObject(r, "sent");
  cJSON *drops = cJSON_AddObjectToObject(r, "drops");
  cJSON *events = cJSON_AddArrayToObject(r, "store_events");
  ok &= added(queue) & added(sent) & added(drops) & added(events);
  /* Every reason appears, at 0 when it never happened, so scripts can
   * read drops.pii without checking for its presence. */
  for (int d = 1; d < JA__DROP_COUNT; d++)
    ok &= added(cJSON_AddNumberToObject(drops, ja__drop_name((ja__drop)d), 0));
  if (!ok) {
    cJSON_Delete(r);
    return oom("building the status");
  }

  ja__api_lock(s);
  int present = 0;
  ja_status st = ja__api_open_existing(s, &present);
  if (st == JA_OK && !added(cJSON_AddBoolToObject(queue, "exists", present)))
    st = oom("building the status");
  if (st == JA_OK && present) {
    /* One read snapshot for the counters and busy_fold, so a fold
     * committing meanwhile is seen whole or not at all (the file, read
     * after the snapshot, only ever holds more). */
    int snap = sqlite3_exec(s->db.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    st = fill_from_db(s, queue, sent, drops, up);
    if (st == JA_OK)
      st = add_busy_waiting(s, drops);
    if (st == JA_OK)
      st = fill_store_events(s, events);
    if (snap)
      sqlite3_exec(s->db.db, "COMMIT", NULL, NULL, NULL);
  }
  ja__api_unlock(s);
  if (st == JA_OK && !present) {
    ok = added(cJSON_AddNumberToObject(queue, "pending", 0));
    ok &= added(cJSON_AddNumberToObject(queue, "leased", 0));
    ok &= added(cJSON_AddNullToObject(queue, "oldest"));
    ok &= added(cJSON_AddNullToObject(queue, "newest"));
    ok &= added(cJSON_AddNullToObject(queue, "oldest_age_seconds"));
    ja__upload_state none;
    memset(&none, 0, sizeof none);
    ok &= add_upload_state(up, &none);
    ok &= added(cJSON_AddNumberToObject(sent, "count", 0));
    ok &= added(cJSON_AddNullToObject(sent, "last"));
    if (!ok)
      st = oom("building the status");
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
  ja__error_clear();
  if (!s || !out)
    return ja__error_set(JA_EINVALID, "ja_report_json: NULL argument");
  *out = NULL;
  cJSON *r = NULL;
  ja_status st = ja__report_status(s, &r);
  if (st != JA_OK)
    return st;
  *out = cJSON_PrintUnformatted(r);
  cJSON_Delete(r);
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
