/*
 * api/handle.c — the public handle: options, ja_store_open/close, the
 * handle's mutex, and opening its queue on first use. The other public
 * entry points are in capture.c, admin.c and report.c; calls that touch the
 * queue or the anon_id take the mutex, so one handle may be shared by
 * threads. The work itself lives in the concern folders.
 */
#include "boot.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "util/fs.h"

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

int
ja__api_may_create(const ja_store *s)
{
  return s->cfg.enabled && !(s->flags & JA_OPEN_NO_CREATE);
}

/* Point s->db.path at the queue inside the home's real path. SQLite's
 * NOFOLLOW (kept: it refuses a symlinked queue) also refuses a symlink in
 * any parent, and homes do sit under symlinks (macOS /tmp and /var, a home
 * directory moved to another disk): so the home is resolved once, here,
 * and the queue's path is built from the result. *missing = 1 when the
 * home does not exist. */
static ja_status
locate_queue(ja_store *s, int *missing)
{
  char real[JA_PATH_MAX];
  ja_status st = ja__dir_resolve(s->cfg.home, real, sizeof real, missing);
  if (st != JA_OK || *missing)
    return st;
  const char *base = strrchr(s->cfg.db_path, '/');
  return ja__path_join(s->db.path, sizeof s->db.path, real, base ? base + 1 : s->cfg.db_path);
}

ja_status
ja__api_ensure_db(ja_store *s)
{
  /* A reader's immutable connection cannot write: open again for that. */
  if (s->db.db && s->db.immutable)
    ja__store_close(&s->db);
  if (s->db.db)
    return JA_OK;
  int create = ja__api_may_create(s);
  ja_status st = JA_OK;
  /* Too long for SQLite: say so before making the directory. */
  if (create && (st = ja__store_path_check(s->cfg.db_path)) == JA_OK)
    st = ja__dir_ensure(s->cfg.home);
  int missing = 0;
  if (st == JA_OK)
    st = locate_queue(s, &missing);
  if (st == JA_OK && missing)
    st = ja__error_set(JA_ECANTCREATE, "queue '%s' does not exist yet", s->cfg.db_path);
  return st == JA_OK ? ja__store_open(&s->db, create) : st;
}

ja_status
ja__api_open_existing(ja_store *s, int *present)
{
  *present = 0;
  /* Immutable means SQLite assumes nobody writes: reopen for each read. */
  if (s->db.db && s->db.immutable)
    ja__store_close(&s->db);
  if (s->db.db) {
    *present = 1;
    return JA_OK;
  }
  /* Only a queue that does not exist is "no queue": an unreadable one, or
   * one in an unreadable home, is an error (status must not say "not
   * created yet" and purge "purged 0 rows" over a file full of events). */
  int missing = 0;
  ja_status st = locate_queue(s, &missing);
  if (st != JA_OK || missing)
    return st;
  return ja__store_open_existing(&s->db, present);
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
  if (ja__api_may_create(s)) {
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

