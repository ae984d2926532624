/*
 * api/report.c — read-only views of a store for people and scripts: the
 * report model (store/report.h) collected from the handle and the queue,
 * ja_report_json, and event listings (`show`). Reads an existing queue;
 * never creates one. Only a queue that does not exist reads as empty: one
 * that cannot be read is an error (api/handle.c).
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "sql_embed.h"
#include "api/api.h"
#include "home/identity.h"
#include "store/listing.h"
#include "store/report.h"
#include "store/store.h"
#include "util/clock.h"

static ja_status
oom(const char *what)
{
  return ja__error_set(JA_ENOMEM, "out of memory %s", what);
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
ja__report_collect(ja_store *s, unsigned what, ja__report *r)
{
  ja_status st = ja__report_init(r, ja__now_ms());
  if (st != JA_OK)
    return st;
  const ja__config *c = &s->cfg;
  r->version = JA_VERSION_STRING;
  r->mode = ja__config_mode_name(c->mode);
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

  r->has_history = (what & JA__REPORT_HISTORY) != 0; /* empty without a queue */
  ja__api_lock(s);
  int present = 0;
  st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present)
    st = ja__store_report(&s->db, what, r);
  ja__api_unlock(s);
  return st;
}

ja_status
ja_report_json(ja_store *s, char **out)
{
  ja__error_clear();
  if (!out)
    return ja__error_set(JA_EINVALID, "ja_report_json: NULL argument");
  *out = NULL;
  ja_status st = ja__api_usable(s, "ja_report_json");
  if (st != JA_OK)
    return st;
  /* What this handle accepted is in the report: its writer commits it
   * first (a report waits for it at most busy_timeout_ms). */
  ja__writer_flush(s, s->db.busy_timeout_ms);
  ja__error_clear();
  ja__report r;
  cJSON *doc = NULL;
  st = ja__report_collect(s, 0, &r);
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
ja__report_list(ja_store *s, const ja__list_query *q, ja__list *out)
{
  memset(out, 0, sizeof *out);
  ja__api_lock(s);
  int present = 0;
  ja_status st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present)
    st = ja__store_list(&s->db, q, out);
  ja__api_unlock(s);
  return st;
}
