/*
 * api/session.c — the public chat-session and rollup entry points
 * (ja_session_inference/tool/error/end, ja_rollup): validate, read the
 * clock once, and hand the writer one signal (checked and hashed here,
 * like a capture: it costs the caller no more) or rollup/ one run under
 * the handle's lock, let go between its transactions. A rollup is not on
 * anyone's hot path and gives each lock wait busy_timeout_ms.
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

/* Record one signal (at_ms 0: now): checked and hashed here, written by
 * the handle's writer in its next group, like a capture. */
static ja_status
record(ja_store *s, ja__signal *sig, const char *fn)
{
  ja_status st = ja__api_usable(s, fn);
  if (st != JA_OK)
    return st;
  ja__deadline dl = ja__deadline_in(s->db.busy_timeout_ms); /* as a capture's */
  int64_t wall = ja__now_ms(); /* a signal's time is checked against it */
  if (sig->at_ms == 0)
    sig->at_ms = wall;
  if ((st = ja__rollup_signal_check(sig, wall)) != JA_OK)
    return st;
  if (!s->cfg.enabled) {
    ja__log_debug(s->cfg.debug, "%s (%s): not recording a session signal",
                  ja__config_mode_name(s->cfg.mode), s->cfg.off_reason);
    return JA_OK;
  }
  if ((st = ja__api_ready(s, dl)) != JA_OK) {
    if (st == JA_EBUSY) /* a signal lost to a locked store is a busy drop */
      ja__store_count_later(&s->db, JA__DROP_BUSY, 1);
    return st;
  }
  ja__job *job = ja__writer_job(0);
  if (!job)
    return ja__error_set(JA_ENOMEM, "%s: out of memory", fn);
  job->is_signal = 1;
  ja__rollup_signal_hash(sig, &job->sig);
  size_t accepted = 0;
  ja__drop why;
  st = ja__writer_put(s, job, dl, &accepted, &why);
  if (st == JA_OK && !accepted)
    ja__store_count_later(&s->db, JA__DROP_QUEUE_FULL, 1);
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
  ja__rollup_report r = {0};
  if (queued)
    *queued = 0;
  ja_status st = ja__api_rollup(s, now_ms, NULL, &r);
  if (queued)
    *queued = r.sessions_emitted + r.days_emitted;
  return st;
}

/* Between two transactions of a rollup, asked before each one: after the
 * first, the handle's lock is given to whoever waits for it — the
 * handle's writer with a group of captures, another thread's report or
 * purge — and taken back after them (the lock hands itself to the oldest
 * waiter: util/lock.h). Held for the whole run, it kept the writer out
 * longer than its busy timeout, and a group of captures was dropped as
 * busy however short each transaction was. Then the caller's stop. */
typedef struct rollup_turns {
  ja_store *s;
  const ja__rollup_stop *stop; /* the caller's, may be NULL */
  int asked;
} rollup_turns;

static int
rollup_between(void *payload)
{
  rollup_turns *t = payload;
  if (t->asked++ > 0) {
    ja__api_unlock(t->s);
    ja__api_lock(t->s);
  }
  return t->stop && t->stop->expired && t->stop->expired(t->stop->payload);
}

ja_status
ja__api_rollup(ja_store *s, int64_t now_ms, const ja__rollup_stop *stop, ja__rollup_report *out)
{
  ja__error_clear();
  ja__rollup_report r = {0};
  if (out)
    *out = r;
  ja_status st = ja__api_usable(s, "ja_rollup");
  if (st != JA_OK)
    return st;
  if (now_ms < 0 || now_ms > JA__ROLLUP_MAX_MS)
    return ja__error_set(JA_EINVALID, "rollup time (now_ms) %lld is not between 1970 and 9999 "
                         "(ms since the Unix epoch; 0: the clock)", (long long)now_ms);
  if (!s->cfg.enabled)
    return JA_OK; /* off or paused: nothing was recorded, nothing to roll up */
  int64_t wall = ja__now_ms();
  if (now_ms == 0)
    now_ms = wall;
  /* The signals this handle buffered are rolled up too: written first
   * (whatever the writer cannot write is counted as dropped). */
  ja__writer_flush(s, s->db.busy_timeout_ms);
  ja__error_clear();
  ja__api_lock(s);
  int present = 0;
  char anon[37] = "";
  st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present &&
      (st = ja__identity_get(s->cfg.anon_id_path, ja__api_may_create(s), anon)) == JA_OK)
    st = ja__rollup_run(&s->db, &(ja__emitter){anon, s->cfg.debug, NULL}, now_ms, wall,
                        &(ja__rollup_stop){rollup_between, &(rollup_turns){s, stop, 0}}, &r);
  ja__api_unlock(s);
  if (out)
    *out = r;
  return st;
}
