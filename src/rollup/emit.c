/*
 * rollup/emit.c — how a rollup queues an event: through the same filter
 * as ja_capture (redaction and the catalog, every drop counted), so what
 * aggregation produces can never carry something the catalog forbids.
 */
#include "boot.h"

#include "filter/event.h"
#include "rollup/rollup.h"
#include "util/log.h"
#include "util/uuid.h"

ja_status
ja__rollup_enqueue(ja__db *d, const ja__emitter *e, const char *name, const char *props_json,
                   int64_t ts_ms, int64_t wall_ms)
{
  JA_ASSERT(d->in_txn);
  ja__event ev;
  ja_status st = ja__event_prepare(name, props_json, &ev);
  if (st != JA_OK)
    return st;
  char uuid[37] = "";
  if (ev.spec) {
    /* v7 from when it is queued, like a capture's (PostHog deduplicates on
     * uuid + timestamp; the timestamp field carries the event's own time):
     * a rollup's events are back-dated in no particular order, and ids in
     * queueing order keep the uuid index growing at its end. A run reads
     * the wall clock once, so its ids share one millisecond: the counter
     * orders them within it (with 74 random bits, each of 100 000 inserts
     * rewrote a random page of the uuid index: bench_rollup). */
    if (e->uuid_seq)
      ja__uuid_v7_seq(wall_ms, e->uuid_seq, uuid);
    else
      ja__uuid_v7(wall_ms, uuid);
    /* One DEBUG line per event before it is stored, as a capture has. */
    ja__log_debug(e->debug, "%s %s", ev.spec->name, ev.props_json);
  }
  /* Aged from now, when the store gets it: a session replayed from the
   * past is not expired the moment it is rolled up (docs/design.md,
   * Rollups). */
  st = ja__store_event(d, &ev, uuid, e->distinct_id, ts_ms, wall_ms, wall_ms);
  ja__event_free(&ev);
  return st;
}
