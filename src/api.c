/*
 * api.c — the public entry points of include/jarvis_analytics.h: open and
 * close a store, capture, the anon id, purge. Calls that touch the queue or
 * the anon_id take the handle's mutex, so one handle may be shared by
 * threads; the work itself lives in the concern files (config, event,
 * identity, store).
 */
#include "ja_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BUSY_TIMEOUT_MS 250
#define DEFAULT_MAX_EVENTS 10000
#define DEFAULT_MAX_AGE_DAYS 30

static pthread_once_t g_sodium_once = PTHREAD_ONCE_INIT;
static int g_sodium_ok;
static void sodium_once(void) { g_sodium_ok = sodium_init() >= 0; }

ja_status
ja_options_init(ja_options *opts, unsigned int version)
{
  if (!opts || version != JA_OPTIONS_VERSION)
    return ja__error_set(JA_EINVALID, "ja_options_init: unknown options version %u", version);
  ja_options init = JA_OPTIONS_INIT;
  *opts = init;
  return JA_OK;
}

void
ja__api_lock(ja_store *s)
{
  pthread_mutex_lock(&s->mutex);
}

int
ja__api_lock_timed(ja_store *s, int ms)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  return pthread_mutex_timedlock(&s->mutex, &until) == 0 ? 0 : -1;
}

void
ja__api_unlock(ja_store *s)
{
  pthread_mutex_unlock(&s->mutex);
}

/* Whether this handle may create files: analytics on, no JA_OPEN_NO_CREATE. */
static int
may_create(const ja_store *s)
{
  return s->cfg.enabled && !(s->flags & JA_OPEN_NO_CREATE);
}

ja_status
ja__api_ensure_db(ja_store *s)
{
  if (s->db.db)
    return JA_OK;
  int create = may_create(s);
  if (create) {
    ja_status st = ja__dir_ensure(s->cfg.home);
    if (st != JA_OK)
      return st;
  }
  return ja__store_open(&s->db, create);
}

ja_status
ja__api_open_existing(ja_store *s, int *present)
{
  *present = 0;
  ja_status st = s->db.db ? JA_OK : ja__store_open(&s->db, 0);
  if (st == JA_ECANTCREATE && !s->db.db) {
    ja__error_clear();
    return JA_OK;
  }
  if (st == JA_OK)
    *present = 1;
  return st;
}

ja_status
ja_store_open(ja_store **out, const ja_options *opts)
{
  if (!out)
    return ja__error_set(JA_EINVALID, "ja_store_open: out is NULL");
  *out = NULL;
  ja_options o = JA_OPTIONS_INIT;
  if (opts) {
    if (opts->version != JA_OPTIONS_VERSION)
      return ja__error_set(JA_EINVALID, "ja_store_open: unknown options version %u", opts->version);
    o = *opts;
  }
  if (o.busy_timeout_ms < 0 || o.max_events < 0 || o.max_age_days < 0)
    return ja__error_set(JA_EINVALID, "ja_store_open: negative option");
  pthread_once(&g_sodium_once, sodium_once);
  if (!g_sodium_ok)
    return ja__error_set(JA_EINTERNAL, "libsodium failed to initialise");

  ja_store *s = calloc(1, sizeof *s);
  if (!s)
    return ja__error_set(JA_ENOMEM, "out of memory opening the store");
  pthread_mutex_init(&s->mutex, NULL);
  s->flags = o.flags;
  ja_status st = ja__config_load(&s->cfg, o.home);
  if (st != JA_OK) {
    ja_store_close(s);
    return st;
  }
  snprintf(s->db.path, sizeof s->db.path, "%s", s->cfg.db_path);
  s->db.busy_timeout_ms = o.busy_timeout_ms ? o.busy_timeout_ms : DEFAULT_BUSY_TIMEOUT_MS;
  s->db.max_events = o.max_events ? o.max_events : DEFAULT_MAX_EVENTS;
  s->db.max_age_ms = (int64_t)(o.max_age_days ? o.max_age_days : DEFAULT_MAX_AGE_DAYS) * 86400000;

  /* Fail early when the store cannot be made; when off, touch nothing. */
  if (may_create(s)) {
    st = ja__api_ensure_db(s);
    if (st != JA_OK) {
      ja_store_close(s);
      return st;
    }
  }
  *out = s;
  return JA_OK;
}

void
ja_store_close(ja_store *s)
{
  if (!s)
    return;
  ja__store_close(&s->db);
  pthread_mutex_destroy(&s->mutex);
  free(s);
}

int
ja_store_enabled(const ja_store *s, const char **reason)
{
  if (reason)
    *reason = s ? s->cfg.off_reason : "no store";
  return s ? s->cfg.enabled : 0;
}

/* The one OPENJARVIS_LOG_LEVEL=DEBUG line for an event: its name and the
 * redacted properties, plus how many were dropped and why. Never a dropped
 * value, and never the name of an unknown event (it may be PII itself). */
static void
debug_event(const ja_store *s, const ja__event *ev)
{
  if (!s->cfg.debug)
    return;
  char why[256] = "";
  size_t n = 0;
  for (int r = 1; r < JA__DROP_COUNT && n < sizeof why; r++)
    if (ev->drops[r] && r != JA__DROP_UNKNOWN_EVENT)
      n += (size_t)snprintf(why + n, sizeof why - n, "%s%s %u", n ? ", " : " (dropped: ",
                            ja__drop_name((ja__drop)r), ev->drops[r]);
  if (n && n < sizeof why - 1)
    snprintf(why + n, sizeof why - n, ")");
  if (!ev->spec)
    ja__log_debug(1, "dropped an event (unknown_event)");
  else
    ja__log_debug(1, "%s %s%s", ev->spec->name, ev->props_json, why);
}

/* Dropped because the store (or the handle, held by another thread) stayed
 * busy: counted, and the caller told. */
static ja_status
drop_busy(ja_store *s, ja_outcome *out)
{
  ja__store_note_busy(&s->db);
  out->result = JA_RESULT_DROPPED;
  out->reason = ja__drop_name(JA__DROP_BUSY);
  return JA_EBUSY;
}

/* Store a prepared event. Caller holds the handle's lock. */
static ja_status
capture_locked(ja_store *s, const ja__event *ev, ja_outcome *out)
{
  ja_status st;
  if ((st = ja__api_ensure_db(s)) != JA_OK) {
    if (st == JA_EBUSY && ev->spec)
      drop_busy(s, out);
    return st;
  }
  if (!ev->spec) {
    out->result = JA_RESULT_DROPPED;
    return ja__store_insert(&s->db, NULL, ev->drops);
  }
  /* Read on every capture, not cached: another process (reset-id,
   * install.sh) may replace the id, and distinct_id is the id at capture
   * time. It costs one small read next to the commit's fsync. */
  char anon[37];
  int create = may_create(s);
  if ((st = ja__identity_get(s->cfg.anon_id_path, create, anon)) != JA_OK)
    return st;
  ja__row row = {.distinct_id = anon, .event = ev->spec->name, .props_json = ev->props_json};
  char uuid[37];
  row.ts_ms = ja__now_ms();
  ja__uuid_v7(row.ts_ms, uuid);
  row.uuid = uuid;
  st = ja__store_insert(&s->db, &row, ev->drops);
  if (st == JA_OK) {
    out->result = JA_RESULT_STORED;
    memcpy(out->uuid, uuid, sizeof uuid);
  } else if (st == JA_EBUSY) {
    drop_busy(s, out);
  }
  return st;
}

ja_status
ja_capture(ja_store *s, const char *event, const char *props_json, ja_outcome *out)
{
  ja_outcome local;
  if (!out)
    out = &local;
  memset(out, 0, sizeof *out);
  out->reason = "";
  if (!s)
    return ja__error_set(JA_EINVALID, "ja_capture: store is NULL");
  if (!s->cfg.enabled) {
    out->result = JA_RESULT_DISABLED;
    ja__log_debug(s->cfg.debug, "off (%s): not capturing", s->cfg.off_reason);
    return JA_OK;
  }
  /* Filtering needs no lock: only the write is serialised. */
  ja__event ev;
  ja_status st = ja__event_prepare(event, props_json, &ev);
  if (st != JA_OK)
    return st;
  out->dropped_props = ev.spec ? ev.ndrops : 0;
  out->reason = ja__drop_name(ev.first_reason);
  snprintf(out->property, sizeof out->property, "%s", ev.first_prop);
  debug_event(s, &ev);
  /* Another thread of this handle may be waiting out a locked database:
   * wait for it no longer than we would wait for the database itself. */
  if (ja__api_lock_timed(s, s->db.busy_timeout_ms) != 0) {
    st = ja__error_set(JA_EBUSY, "store busy for more than %d ms (another thread of this handle)",
                       s->db.busy_timeout_ms);
    if (ev.spec)
      drop_busy(s, out);
  } else {
    st = capture_locked(s, &ev, out);
    ja__api_unlock(s);
  }
  ja__event_free(&ev);
  return st;
}

/* anon_id read (or reset): created only when analytics is on and the
 * handle may create files; when off, a reset only removes the file. */
static ja_status
identity_call(ja_store *s, int reset, char out[37])
{
  int create = may_create(s);
  ja__api_lock(s);
  ja_status st = create ? ja__dir_ensure(s->cfg.home) : JA_OK;
  if (st == JA_OK)
    st = reset ? ja__identity_reset(s->cfg.anon_id_path, create)
               : ja__identity_get(s->cfg.anon_id_path, create, out);
  ja__api_unlock(s);
  return st;
}

ja_status
ja_anon_id(ja_store *s, char out[37])
{
  if (!s || !out)
    return ja__error_set(JA_EINVALID, "ja_anon_id: NULL argument");
  return identity_call(s, 0, out);
}

ja_status
ja_reset_id(ja_store *s)
{
  if (!s)
    return ja__error_set(JA_EINVALID, "ja_reset_id: store is NULL");
  return identity_call(s, 1, NULL);
}

ja_status
ja_purge(ja_store *s, unsigned int what, int64_t *removed)
{
  int64_t n = 0;
  if (removed)
    *removed = 0;
  if (!s || what == 0 || (what & ~(unsigned)(JA_PURGE_PENDING | JA_PURGE_SENT | JA_PURGE_DROPS)))
    return ja__error_set(JA_EINVALID, "ja_purge: bad arguments");
  ja__api_lock(s);
  /* Never create a queue just to empty it. */
  int present = 0;
  ja_status st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present)
    st = ja__store_purge(&s->db, what, &n);
  ja__api_unlock(s);
  if (removed)
    *removed = n;
  return st;
}

void
ja_free(void *p)
{
  free(p);
}
