/*
 * api/handle.c — the public handle: options, ja_store_open/close, the
 * handle's lock, and opening its queue on first use. The other public
 * entry points are in capture.c, admin.c and report.c; calls that touch the
 * queue or the anon_id take the lock, so one handle may be shared by
 * threads. The work itself lives in the concern folders.
 */
#include "boot.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "home/identity.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"

#define DEFAULT_BUSY_TIMEOUT_MS 250
#define DAY_MS INT64_C(86400000)

/* How many bytes of ja_options each version has. A caller built against an
 * older header hands in a shorter struct, so only the fields of its version
 * are read (ja_store_open) or written (ja_options_init): copying
 * sizeof(ja_options) would read or write past its end as soon as a field
 * is appended. Appending a field = a new JA_OPTIONS_VERSION and a new row
 * here, ending at the last field that version added. */
#define OPTIONS_END(field) (offsetof(ja_options, field) + sizeof(((ja_options *)0)->field))
static const size_t options_size[JA_OPTIONS_VERSION + 1] = {
    [1] = OPTIONS_END(flags),
    [2] = OPTIONS_END(platform),
    [3] = OPTIONS_END(buffer_max_bytes),
};

/* Bytes of ja_options in @p version, or 0 for a version this library does
 * not know (0, or newer than it). */
static size_t
options_size_of(unsigned int version)
{
  return version >= 1 && version <= JA_OPTIONS_VERSION ? options_size[version] : 0;
}

static pthread_once_t g_sodium_once = PTHREAD_ONCE_INIT;
static int g_sodium_ok;
static void sodium_once(void) { g_sodium_ok = sodium_init() >= 0; }

ja_status
ja_options_init(ja_options *opts, unsigned int version)
{
  ja__error_clear();
  size_t n = options_size_of(version);
  if (!opts || n == 0)
    return ja__error_set(JA_EINVALID, "ja_options_init: unknown options version %u (known: 1..%d)",
                         version, JA_OPTIONS_VERSION);
  ja_options init = JA_OPTIONS_INIT;
  init.version = version;
  memcpy(opts, &init, n);
  return JA_OK;
}

void
ja__api_lock(ja_store *s)
{
  ja__lock_take(&s->lock);
}

int
ja__api_lock_until(ja_store *s, ja__deadline dl)
{
  /* util/lock.c: monotonic (a wall clock set back must not stretch the
   * wait) and first come, first served (a thread capturing in a loop must
   * not starve the others until their deadline). */
  if (ja__lock_take_until(&s->lock, dl) != 0)
    return -1;
  s->db.deadline = dl; /* the same deadline for SQLite's lock (busy handler) */
  return 0;
}

void
ja__api_unlock(ja_store *s)
{
  s->db.deadline.at_ns = 0; /* later callers without a deadline get their own */
  ja__lock_give(&s->lock);
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

void
ja__api_drop_db(ja_store *s)
{
  atomic_store(&s->writable, 0);
  ja__store_close(&s->db);
}

ja_status
ja__api_ready(ja_store *s, ja__deadline dl)
{
  if (atomic_load_explicit(&s->writable, memory_order_acquire))
    return JA_OK;
  /* The first call of a handle, or the first after the writer failed a
   * group: open the queue (it may have been locked at ja_store_open, or
   * be JA_OPEN_NO_CREATE's) and read the anon_id here, so that what
   * cannot be opened or read is this caller's error, as it always was,
   * instead of accepted events that the writer can only count as drops. */
  ja_status st;
  if (ja__api_lock_until(s, dl) != 0) {
    st = ja__error_set(JA_EBUSY, "store busy for more than %d ms (another thread of this handle)",
                       s->db.busy_timeout_ms);
  } else {
    char anon[37];
    /* Another thread's first call may have done it while we waited. */
    if (atomic_load(&s->writable))
      st = JA_OK;
    else if ((st = ja__api_ensure_db(s)) == JA_OK &&
             (st = ja__identity_get(s->cfg.anon_id_path, ja__api_may_create(s), anon)) == JA_OK)
      atomic_store_explicit(&s->writable, 1, memory_order_release);
    ja__api_unlock(s);
  }
  return st;
}

ja_status
ja__api_usable(const ja_store *s, const char *fn)
{
  if (!s)
    return ja__error_set(JA_EINVALID, "%s: store is NULL", fn);
  if (ja__fork_stale(s))
    return ja__error_set(JA_EINVALID, "%s: this store was opened before fork() by the parent "
                         "process; open a new one in the child", fn);
  return JA_OK;
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
  ja__error_clear();
  if (!out)
    return ja__error_set(JA_EINVALID, "ja_store_open: out is NULL");
  *out = NULL;
  ja_options o = JA_OPTIONS_INIT;
  if (opts) {
    /* version comes first in every version, so it can always be read. */
    size_t n = options_size_of(opts->version);
    if (n == 0)
      return ja__error_set(JA_EINVALID, "ja_store_open: unknown options version %u (known: 1..%d)",
                           opts->version, JA_OPTIONS_VERSION);
    memcpy(&o, opts, n); /* fields of later versions keep their defaults */
  }
  /* o.max_events and o.max_age_days are deprecated and ignored: the caps
   * are configuration of the store ([analytics] max_events, max_age_days),
   * so that every process that opens it prunes to the same limits; a
   * per-handle value let one CLI capture truncate an embedder's queue. */
  if (o.busy_timeout_ms < 0)
    return ja__error_set(JA_EINVALID, "busy_timeout_ms is negative");
  if (o.buffer_max_events < 0)
    return ja__error_set(JA_EINVALID, "buffer_max_events is negative");
  if (o.buffer_max_bytes < 0)
    return ja__error_set(JA_EINVALID, "buffer_max_bytes is negative");
  pthread_once(&g_sodium_once, sodium_once);
  if (!g_sodium_ok)
    return ja__error_set(JA_EINTERNAL, "libsodium failed to initialise");

  ja_status st0;
  ja_store *s = calloc(1, sizeof *s);
  if (!s)
    return ja__error_set(JA_ENOMEM, "out of memory opening the store");
  if (ja__lock_init(&s->lock) != 0) {
    free(s);
    return ja__error_set(JA_ENOMEM, "cannot make the store's lock");
  }
  if ((st0 = ja__writer_init(&s->writer, o.buffer_max_events, o.buffer_max_bytes)) != JA_OK) {
    ja__lock_destroy(&s->lock);
    free(s);
    return st0;
  }
  ja__fork_track(s); /* from here on, ja_store_close undoes everything */
  s->flags = o.flags;
  if ((st0 = ja__api_set_platform(s, o.platform)) != JA_OK) {
    ja_store_close(s);
    return st0;
  }
  ja_status st = ja__config_load(&s->cfg, o.home);
  if (st != JA_OK) {
    ja_store_close(s);
    return st;
  }
  snprintf(s->db.path, sizeof s->db.path, "%s", s->cfg.db_path);
  s->db.busy_timeout_ms = o.busy_timeout_ms ? o.busy_timeout_ms : DEFAULT_BUSY_TIMEOUT_MS;
  s->db.max_events = s->cfg.max_events;
  /* Saturate: max_age_days may be as large as the TOML integer allows. */
  s->db.max_age_ms =
      s->cfg.max_age_days > INT64_MAX / DAY_MS ? INT64_MAX : s->cfg.max_age_days * DAY_MS;

  s->db.busy_fd = -1;

  /* Fail early when the store cannot be made; when off, touch nothing. A
   * queue that stays locked (another process is creating or migrating it)
   * is no reason to fail: the first call that needs it opens it, and a
   * capture that still finds it locked is a counted busy drop. */
  if (ja__api_may_create(s)) {
    s->db.deadline = ja__deadline_in(s->db.busy_timeout_ms);
    st = ja__api_ensure_db(s);
    s->db.deadline.at_ns = 0;
    if (st == JA_EBUSY) {
      ja__error_clear();
      st = JA_OK;
    } else if (st == JA_OK) {
      /* An install's anon_id usually exists already: then the first call
       * hands its event to the writer at once (a missing one is created
       * by the first call, as it always was). */
      char anon[37];
      if (ja__identity_get(s->cfg.anon_id_path, 0, anon) == JA_OK)
        atomic_store(&s->writable, 1);
      ja__error_clear();
    }
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
  if (ja__fork_stale(s)) {
    /* A child after fork(): the connection, the thread and the locks are
     * the parent's. Only the memory is ours; the connection is left as
     * it is (closing it here could release what the parent relies on). */
    ja__writer_forget(&s->writer);
    free(s);
    return;
  }
  ja__fork_untrack(s);
  /* Everything accepted is written (or counted) before anything closes. */
  ja__writer_stop(s);
  /* Busy drops still only in memory (the -busy file could not be written)
   * would die with the process: one last try, within one busy timeout. */
  if (atomic_load(&s->db.pending_busy)) {
    s->db.deadline = ja__deadline_in(s->db.busy_timeout_ms);
    uint64_t left = ja__store_busy_flush(&s->db);
    if (left && !s->db.db) {
      int present = 0;
      if (ja__api_open_existing(s, &present) == JA_OK && present)
        left = ja__store_busy_flush(&s->db);
    }
    if (left)
      ja__log_warn("%llu busy drop(s) of '%s' could not be counted: the queue stayed locked "
                   "and '%s-busy' could not be written", (unsigned long long)left,
                   s->db.path, s->db.path);
    ja__error_clear();
  }
  /* The other drops counted only in memory (the writer's last group could
   * not be written): one more try, then say what is lost. */
  uint64_t left = ja__store_pending_count(&s->db);
  if (left && s->db.db && !s->db.immutable) {
    s->db.deadline = ja__deadline_in(s->db.busy_timeout_ms);
    if (ja__store_begin(&s->db, ja__now_ms()) == JA_OK)
      ja__store_end(&s->db, JA_OK);
    left = ja__store_pending_count(&s->db);
    ja__error_clear();
  }
  if (left)
    ja__log_warn("%llu drop(s) of '%s' could not be counted: the queue could not be written",
                 (unsigned long long)left, s->db.path);
  ja__store_close(&s->db);
  ja__lock_destroy(&s->lock);
  free(s);
}

int
ja_store_enabled(const ja_store *s, const char **reason)
{
  if (reason)
    *reason = s ? s->cfg.off_reason : "no store";
  return s ? s->cfg.enabled : 0;
}

