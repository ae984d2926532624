/*
 * api/session.c — the public chat-session and rollup entry points
 * (ja_session_inference/tool/error/end, ja_rollup): validate, read the
 * clock once, and hand rollup/ one signal or one run under the handle's
 * lock. A signal waits like a capture (one busy_timeout_ms deadline, a
 * counted busy drop past it); a rollup is not on anyone's hot path and
 * gives each lock wait busy_timeout_ms.
 */
#include "boot.h"

#include <string.h>

#include "api/api.h"
#include "filter/catalog.h"
#include "home/identity.h"
#include "rollup/rollup.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/suggest.h"

ja_status
ja__api_set_platform(ja_store *s, const char *platform)
{
  if (!platform) {
    snprintf(s->platform, sizeof s->platform, "cli");
    return JA_OK;
  }
  ja__suggest sg;
  ja__suggest_start(&sg, platform, strlen(platform));
  for (const ja__enum *const *e = ja__catalog_enums; *e; e++)
    if (strcmp((*e)->name, "PLATFORM") == 0)
      for (const char *const *v = (*e)->values; *v; v++) {
        if (strcmp(*v, platform) == 0) {
          snprintf(s->platform, sizeof s->platform, "%s", *v);
          return JA_OK;
        }
        ja__suggest_offer(&sg, *v);
      }
  /* The value is not repeated (a caller may pass anything); only the
   * nearest valid one, when one is near. */
  return ja__error_set(JA_EINVALID, "platform is not a PLATFORM value (cli macos linux windows "
                       "tauri-macos tauri-linux tauri-windows web)%s%.*s%s",
                       sg.best ? "; did you mean '" : "", sg.best ? (int)sg.best_len : 0,
                       sg.best ? sg.best : "", sg.best ? "'?" : "");
}

/* Record one signal (at_ms 0: now). */
static ja_status
record(ja_store *s, ja__signal *sig, const char *fn)
{
  if (!s)
    return ja__error_set(JA_EINVALID, "%s: store is NULL", fn);
  int64_t wall = ja__now_ms();
  if (sig->at_ms == 0)
    sig->at_ms = wall;
  ja_status st = ja__rollup_signal_check(sig);
  if (st != JA_OK || !s->cfg.enabled) {
    if (st == JA_OK)
      ja__log_debug(s->cfg.debug, "off (%s): not recording a session signal",
                    s->cfg.off_reason);
    return st;
  }
  ja__deadline dl = ja__deadline_in(s->db.busy_timeout_ms);
  if (ja__api_lock_until(s, dl) != 0) {
    ja__store_note_busy(&s->db);
    return ja__error_set(JA_EBUSY, "store busy for more than %d ms (another thread of this "
                         "handle)", s->db.busy_timeout_ms);
  }
  char anon[37] = "";
  if ((st = ja__api_ensure_db(s)) == JA_OK &&
      (st = ja__identity_get(s->cfg.anon_id_path, ja__api_may_create(s), anon)) == JA_OK)
    st = ja__rollup_record(&s->db, sig, &(ja__emitter){anon, s->cfg.debug, NULL}, s->platform,
                           wall);
  if (st == JA_EBUSY)
    ja__store_note_busy(&s->db); /* a signal lost to a locked store is a busy drop */
  ja__api_unlock(s);
  return st;
}

ja_status
ja_session_inference(ja_store *s, const char *session, int64_t tokens_in, int64_t tokens_out,
                     double latency_ms, const char *model, const char *engine, int64_t at_ms)
{
  ja__error_clear();
  ja__signal sig = {.kind = JA__SIG_INFERENCE, .session = session, .at_ms = at_ms,
                    .tokens_in = tokens_in, .tokens_out = tokens_out,
                    .latency_ms = latency_ms, .model = model, .engine = engine};
  return record(s, &sig, "ja_session_inference");
}

ja_status
ja_session_tool(ja_store *s, const char *session, const char *tool, int64_t at_ms)
{
  ja__error_clear();
  ja__signal sig = {.kind = JA__SIG_TOOL, .session = session, .at_ms = at_ms, .tool = tool};
  return record(s, &sig, "ja_session_tool");
}

ja_status
ja_session_error(ja_store *s, const char *session, int64_t at_ms)
{
  ja__error_clear();
  ja__signal sig = {.kind = JA__SIG_ERROR, .session = session, .at_ms = at_ms};
  return record(s, &sig, "ja_session_error");
}

ja_status
ja_session_end(ja_store *s, const char *session, int64_t at_ms)
{
  ja__error_clear();
  ja__signal sig = {.kind = JA__SIG_END, .session = session, .at_ms = at_ms};
  return record(s, &sig, "ja_session_end");
}

ja_status
ja_rollup(ja_store *s, int64_t now_ms, int64_t *queued)
{
  ja__error_clear();
  if (!s)
    return ja__error_set(JA_EINVALID, "ja_rollup: store is NULL");
  if (now_ms < 0 || now_ms > JA__ROLLUP_MAX_MS)
    return ja__error_set(JA_EINVALID, "rollup time (now_ms) %lld is not between 1970 and 9999 "
                         "(ms since the Unix epoch; 0: the clock)", (long long)now_ms);
  if (queued)
    *queued = 0;
  if (!s->cfg.enabled)
    return JA_OK; /* off: nothing was recorded, nothing to roll up */
  int64_t wall = ja__now_ms();
  if (now_ms == 0)
    now_ms = wall;
  ja__api_lock(s);
  int present = 0;
  char anon[37] = "";
  ja__rollup_report r = {0};
  ja_status st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present &&
      (st = ja__identity_get(s->cfg.anon_id_path, ja__api_may_create(s), anon)) == JA_OK)
    st = ja__rollup_run(&s->db, &(ja__emitter){anon, s->cfg.debug, NULL}, now_ms, wall, &r);
  ja__api_unlock(s);
  if (queued)
    *queued = r.sessions_emitted + r.days_emitted;
  return st;
}
