/*
 * api/capture.c — ja_capture: filter the event without the handle's lock,
 * then write it (or count its drop) under the lock within one deadline. No
 * call on this path waits without a bound: the handle's lock and SQLite's
 * lock are waited for until the deadline, the -busy file is never locked
 * with a blocking flock, and every file is opened O_NONBLOCK.
 */
#include "boot.h"

#include <stddef.h>
#include <string.h>

#include "api/api.h"
#include "filter/event.h"
#include "home/identity.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/uuid.h"

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
 * busy: counted, and the caller told. An unknown event too: it was to be
 * dropped anyway, but its unknown_event drop cannot be counted in a locked
 * store, so it is counted as what it met. */
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
    if (st == JA_EBUSY)
      drop_busy(s, out);
    return st;
  }
  if (!ev->spec) {
    out->result = JA_RESULT_DROPPED;
    st = ja__store_insert(&s->db, NULL, ev->drops, ja__now_ms());
    if (st == JA_EBUSY)
      drop_busy(s, out);
    return st;
  }
  /* Read on every capture, not cached: another process (reset-id,
   * install.sh) may replace the id, and distinct_id is the id at capture
   * time. It costs one small read next to the commit's fsync. */
  char anon[37];
  int create = ja__api_may_create(s);
  if ((st = ja__identity_get(s->cfg.anon_id_path, create, anon)) != JA_OK)
    return st;
  ja__row row = {.distinct_id = anon, .event = ev->spec->name, .props_json = ev->props_json};
  char uuid[37];
  row.ts_ms = ja__now_ms();
  ja__uuid_v7(row.ts_ms, uuid);
  row.uuid = uuid;
  st = ja__store_insert(&s->db, &row, ev->drops, row.ts_ms);
  if (st == JA_OK) {
    out->result = JA_RESULT_STORED;
    memcpy(out->uuid, uuid, sizeof uuid);
  } else if (st == JA_EBUSY) {
    drop_busy(s, out);
  }
  return st;
}

/* How many bytes of ja_outcome each version has: the library writes only
 * those into the caller's struct, which may come from an older header and
 * be shorter than ours (the ja_options rule, api/handle.c). Appending a
 * field = a new JA_OUTCOME_VERSION and a new row here. */
#define OUTCOME_END(field) (offsetof(ja_outcome, field) + sizeof(((ja_outcome *)0)->field))
static const size_t outcome_size[JA_OUTCOME_VERSION + 1] = {
    [1] = OUTCOME_END(property),
};

static ja_status capture(ja_store *s, const char *event, const char *props_json, ja_outcome *out);

ja_status
ja_capture(ja_store *s, const char *event, const char *props_json, ja_outcome *out)
{
  ja__error_clear();
  size_t n = 0;
  if (out) {
    unsigned int v = out->version; /* first in every version: always readable */
    n = v >= 1 && v <= JA_OUTCOME_VERSION ? outcome_size[v] : 0;
    if (n == 0)
      return ja__error_set(JA_EINVALID, "ja_capture: unknown ja_outcome version %u "
                           "(initialise it with JA_OUTCOME_INIT)", v);
  }
  ja_outcome local;
  memset(&local, 0, sizeof local);
  local.reason = "";
  ja_status st = capture(s, event, props_json, &local);
  if (out) {
    local.version = out->version;
    memcpy(out, &local, n);
  }
  return st;
}

/* ja_capture into a full-size outcome. */
static ja_status
capture(ja_store *s, const char *event, const char *props_json, ja_outcome *out)
{
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
  /* One deadline for every wait of this call (filtering is work, not a
   * wait): another thread of this handle may be waiting out a locked
   * database, and what we spend waiting for it is taken from our own wait
   * for the database (the busy handler reads the same deadline). */
  ja__deadline dl = ja__deadline_in(s->db.busy_timeout_ms);
  if (ja__api_lock_until(s, dl) != 0) {
    st = ja__error_set(JA_EBUSY, "store busy for more than %d ms (another thread of this handle)",
                       s->db.busy_timeout_ms);
    drop_busy(s, out);
  } else {
    st = capture_locked(s, &ev, out);
    ja__api_unlock(s);
  }
  ja__event_free(&ev);
  return st;
}

