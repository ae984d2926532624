/*
 * api/report_json.c — the report model (store/report.h) as the status
 * document: ja_report_json and `status --json`, and with its history
 * `view --json`. Every key is always present (null when there is
 * nothing), so scripts need no presence checks.
 */
#include "boot.h"

#include <cjson/cJSON.h>

#include "api/api.h"
#include "store/report.h"
#include "util/clock.h"

/* Out of memory is checked on every cJSON call: each cJSON_Add* returns
 * NULL when it could not allocate (and frees what it made), and every one
 * accepts a NULL parent, so a builder can go on and test one flag at the
 * end. A document missing a part is never handed out as JA_OK. */
static int
added(const void *item)
{
  return item != NULL;
}

static int
add_str_or_null(cJSON *obj, const char *key, const char *s)
{
  return added(s ? cJSON_AddStringToObject(obj, key, s) : cJSON_AddNullToObject(obj, key));
}

/* A ms time as ISO-8601 with ms, or null when 0 (never set). */
static int
add_ms_or_null(cJSON *obj, const char *key, int64_t ms)
{
  if (ms == 0)
    return added(cJSON_AddNullToObject(obj, key));
  char iso[32];
  ja__iso8601_ms(ms, iso);
  return added(cJSON_AddStringToObject(obj, key, iso));
}

static int
add_int(cJSON *obj, const char *key, int64_t n)
{
  return added(cJSON_AddNumberToObject(obj, key, (double)n));
}

/* Misspelt keys and tables of config.toml (names only, never values). */
static int
add_warnings(cJSON *doc, const ja__report *r)
{
  cJSON *warnings = cJSON_AddArrayToObject(doc, "warnings");
  int ok = added(warnings);
  for (int i = 0; i < r->nwarnings_kept; i++) {
    cJSON *w = cJSON_CreateString(r->warnings[i]);
    if (!w || !cJSON_AddItemToArray(warnings, w)) {
      cJSON_Delete(w);
      ok = 0;
    }
  }
  if (r->nwarnings > r->nwarnings_kept) {
    char more[64];
    snprintf(more, sizeof more, "… and %d more", r->nwarnings - r->nwarnings_kept);
    cJSON *w = cJSON_CreateString(more);
    if (!w || !cJSON_AddItemToArray(warnings, w)) {
      cJSON_Delete(w);
      ok = 0;
    }
  }
  return ok;
}

/* The upload target (never the key) and the uploader's persisted state
 * (all null before its first run). */
static int
add_upload(cJSON *doc, const ja__report *r)
{
  cJSON *up = cJSON_AddObjectToObject(doc, "upload");
  const ja__upload_state *u = &r->upload;
  int ok = added(up);
  ok &= added(cJSON_AddStringToObject(up, "host", r->host));
  ok &= added(cJSON_AddBoolToObject(up, "key_set", r->key_set));
  ok &= add_int(up, "flush_at_size", r->flush_at_size);
  ok &= add_int(up, "flush_interval_seconds", r->flush_interval_seconds);
  ok &= add_ms_or_null(up, "next_attempt_at", u->next_attempt_ms);
  ok &= add_ms_or_null(up, "last_attempt_at", u->last_attempt_ms);
  ok &= add_ms_or_null(up, "last_success_at", u->last_success_ms);
  ok &= add_str_or_null(up, "last_error", u->last_error[0] ? u->last_error : NULL);
  ok &= added(u->last_attempt_ms ? cJSON_AddNumberToObject(up, "last_status", u->last_status)
                                 : cJSON_AddNullToObject(up, "last_status"));
  return ok;
}

static int
add_queue(cJSON *doc, const ja__report *r)
{
  cJSON *queue = cJSON_AddObjectToObject(doc, "queue");
  int ok = added(queue);
  ok &= added(cJSON_AddBoolToObject(queue, "exists", r->queue_exists));
  ok &= add_int(queue, "pending", r->pending);
  ok &= add_int(queue, "leased", r->leased);
  /* Until when an upload run holds them (null: none). */
  ok &= add_ms_or_null(queue, "leased_until", r->leased_until_ms);
  ok &= add_ms_or_null(queue, "oldest", r->oldest_ms);
  ok &= add_ms_or_null(queue, "newest", r->newest_ms);
  /* How long the oldest event has waited (by this process's clock). */
  if (r->oldest_ms == 0) {
    ok &= added(cJSON_AddNullToObject(queue, "oldest_age_seconds"));
  } else {
    int64_t age = (r->now_ms - r->oldest_ms) / 1000;
    ok &= add_int(queue, "oldest_age_seconds", age > 0 ? age : 0);
  }
  cJSON *sent = cJSON_AddObjectToObject(doc, "sent");
  ok &= added(sent);
  ok &= add_int(sent, "count", r->sent_count);
  ok &= add_str_or_null(sent, "last", r->sent_last);
  return ok;
}

static int
add_drops(cJSON *doc, const ja__report *r)
{
  cJSON *drops = cJSON_AddObjectToObject(doc, "drops");
  int ok = added(drops);
  for (size_t i = 0; i < r->ndrops; i++)
    ok &= add_int(drops, r->drops[i].reason, r->drops[i].count);
  cJSON *events = cJSON_AddArrayToObject(doc, "store_events");
  ok &= added(events);
  for (size_t i = 0; i < r->nstore_events; i++) {
    const ja__report_store_event *e = &r->store_events[i];
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(events, o)) {
      cJSON_Delete(o);
      return 0;
    }
    ok &= add_str_or_null(o, "at", e->at);
    ok &= add_str_or_null(o, "kind", e->kind);
    ok &= add_str_or_null(o, "detail", e->detail);
  }
  return ok;
}

static int
add_rollup(cJSON *doc, const ja__report *r)
{
  cJSON *ro = cJSON_AddObjectToObject(doc, "rollup");
  int ok = added(ro);
  ok &= add_int(ro, "open_sessions", r->rollup.open_sessions);
  ok &= add_ms_or_null(ro, "first_activity", r->rollup.oldest_open_ms);
  ok &= add_ms_or_null(ro, "last_activity", r->rollup.latest_open_ms);
  ok &= add_int(ro, "days_waiting", r->rollup.days_waiting);
  ok &= add_int(ro, "days_done", r->rollup.days_done);
  return ok;
}

/* A UTC day number as "2026-03-01". */
static int
add_day(cJSON *obj, const char *key, int64_t day)
{
  char iso[32];
  ja__iso8601_ms(day * 86400000, iso);
  iso[10] = '\0';
  return added(cJSON_AddStringToObject(obj, key, iso));
}

/* A latency median, or null when the day had no closed session. */
static int
add_ms_value(cJSON *obj, const char *key, double v)
{
  return added(v < 0 ? cJSON_AddNullToObject(obj, key) : cJSON_AddNumberToObject(obj, key, v));
}

/* A new object appended to @p arr (NULL when out of memory). */
static cJSON *
push_object(cJSON *arr)
{
  cJSON *o = cJSON_CreateObject();
  if (o && cJSON_AddItemToArray(arr, o))
    return o;
  cJSON_Delete(o);
  return NULL;
}

/* `view --json`: what the page draws, beyond the status document. */
static int
add_history(cJSON *doc, const ja__report *r)
{
  cJSON *h = cJSON_AddObjectToObject(doc, "history");
  cJSON *days = cJSON_AddArrayToObject(h, "days");
  int ok = added(h) & added(days);
  for (size_t i = 0; ok && i < r->ndays; i++) {
    const ja__report_day *d = &r->days[i];
    cJSON *o = push_object(days);
    ok &= added(o) && add_day(o, "day", d->day);
    ok &= add_int(o, "pending", d->pending) & add_int(o, "sent", d->sent);
    ok &= add_int(o, "sessions", d->sessions) & add_int(o, "turns", d->turns);
    ok &= add_int(o, "tokens", d->tokens);
    ok &= add_ms_value(o, "latency_p50_ms", d->latency_p50);
    ok &= add_ms_value(o, "latency_p95_ms", d->latency_p95);
  }
  ok &= add_int(h, "days_left_out", r->days_left_out);
  if (!r->drop_days_kept) {
    ok &= added(cJSON_AddNullToObject(h, "drops_by_day"));
  } else {
    cJSON *dd = cJSON_AddArrayToObject(h, "drops_by_day");
    ok &= added(dd);
    for (size_t i = 0; ok && i < r->ndrop_days; i++) {
      cJSON *o = push_object(dd);
      ok &= added(o) && add_day(o, "day", r->drop_days[i].day);
      ok &= added(cJSON_AddStringToObject(o, "reason", r->drop_days[i].reason));
      ok &= add_int(o, "count", r->drop_days[i].count);
    }
  }
  cJSON *ss = cJSON_AddArrayToObject(h, "open_sessions");
  ok &= added(ss);
  for (size_t i = 0; ok && i < r->nsessions; i++) {
    const ja__report_session *se = &r->sessions[i];
    cJSON *o = push_object(ss);
    ok &= added(o) && added(cJSON_AddStringToObject(o, "session", se->session));
    ok &= add_ms_or_null(o, "first_activity", se->first_ms);
    ok &= add_ms_or_null(o, "last_activity", se->last_ms);
    ok &= add_ms_or_null(o, "ended", se->ended_ms);
    ok &= add_int(o, "signals", se->signals) & add_int(o, "turns", se->turns);
  }
  return ok;
}

ja_status
ja__report_json(const ja__report *r, cJSON **out)
{
  *out = NULL;
  cJSON *doc = cJSON_CreateObject();
  int ok = added(doc);
  ok &= added(cJSON_AddStringToObject(doc, "version", r->version));
  ok &= added(cJSON_AddStringToObject(doc, "mode", r->mode));
  ok &= added(cJSON_AddBoolToObject(doc, "enabled", r->enabled));
  ok &= added(cJSON_AddStringToObject(doc, "off_reason", r->off_reason));
  ok &= added(cJSON_AddStringToObject(doc, "home", r->home));
  ok &= added(cJSON_AddStringToObject(doc, "config", r->config));
  ok &= added(cJSON_AddStringToObject(doc, "database", r->database));
  ok &= added(cJSON_AddStringToObject(doc, "anon_id_path", r->anon_id_path));
  ok &= add_warnings(doc, r);
  ok &= add_str_or_null(doc, "anon_id", r->has_anon_id ? r->anon_id : NULL);
  ok &= add_upload(doc, r);
  ok &= add_queue(doc, r);
  ok &= add_drops(doc, r);
  ok &= add_rollup(doc, r);
  if (r->has_history)
    ok &= add_history(doc, r);
  if (!ok) {
    cJSON_Delete(doc);
    return ja__error_set(JA_ENOMEM, "out of memory building the status");
  }
  *out = doc;
  return JA_OK;
}
