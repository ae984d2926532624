/*
 * api/capture.c — ja_capture and ja_capture_many: filter each event on the
 * caller's thread, fill its outcome at once, and hand the accepted ones to
 * the handle's writer (writer.c), which commits them in groups. Nothing on
 * this path waits on a disk or on the store's lock, except the first call
 * when the queue is not open yet, and a JA_OPEN_SYNC call waiting for its
 * group.
 */
#include "boot.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "filter/event.h"
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

/* How many bytes of ja_outcome each version has: the library writes only
 * those into the caller's struct, which may come from an older header and
 * be shorter than ours (the ja_options rule, api/handle.c). Appending a
 * field = a new JA_OUTCOME_VERSION and a new row here. */
#define OUTCOME_END(field) (offsetof(ja_outcome, field) + sizeof(((ja_outcome *)0)->field))
static const size_t outcome_size[JA_OUTCOME_VERSION + 1] = {
    [1] = OUTCOME_END(property),
};

/* Bytes of one outcome in an array of @p version (its stride): the
 * struct of that version padded as a C compiler pads it. */
static size_t
outcome_stride(unsigned int version)
{
  size_t a = _Alignof(ja_outcome), n = outcome_size[version];
  return (n + a - 1) / a * a;
}

/* An event that passed the filter but is dropped and counted: the buffer
 * was full, or — with JA_OPEN_SYNC — its group met a locked store. */
static void
outcome_dropped(ja_outcome *out, ja__drop why)
{
  out->result = JA_RESULT_DROPPED;
  out->uuid[0] = '\0';
  out->reason = ja__drop_name(why);
}

/* Filter event @p i into @p je and its outcome @p out; JA_EINVALID for
 * malformed input (je is then empty). */
static ja_status
filter_one(ja_store *s, const char *event, const char *props_json, ja__job_event *je,
           ja_outcome *out)
{
  ja_status st = ja__event_prepare(event, props_json, &je->ev);
  if (st != JA_OK)
    return st;
  const ja__event *ev = &je->ev;
  out->dropped_props = ev->spec ? ev->ndrops : 0;
  out->reason = ja__drop_name(ev->first_reason);
  snprintf(out->property, sizeof out->property, "%s", ev->first_prop);
  debug_event(s, ev);
  if (ev->spec) {
    out->result = JA_RESULT_STORED;
    je->ts_ms = ja__now_ms();
    ja__uuid_v7(je->ts_ms, je->uuid);
    memcpy(out->uuid, je->uuid, sizeof je->uuid);
  } else {
    out->result = JA_RESULT_DROPPED; /* its unknown_event drop is counted by the writer */
  }
  return JA_OK;
}

/* Capture @p n events into full-size outcomes @p outs (each zeroed, reason
 * ""). Malformed ones get JA_RESULT_INVALID; *invalid counts them. */
static ja_status
capture(ja_store *s, size_t n, const char *const events[], const char *const props[],
        ja_outcome *outs, size_t *invalid)
{
  *invalid = 0;
  /* One deadline for every wait of the call (filtering is work, not a
   * wait): opening the queue on a first call, and with JA_OPEN_SYNC the
   * writer's wait for the store's lock. */
  ja__deadline dl = ja__deadline_in(s->db.busy_timeout_ms);
  if (!s->cfg.enabled) {
    for (size_t i = 0; i < n; i++)
      outs[i].result = JA_RESULT_DISABLED;
    ja__log_debug(s->cfg.debug, "%s (%s): not capturing", ja__config_mode_name(s->cfg.mode),
                  s->cfg.off_reason);
    return JA_OK;
  }
  ja__job *job = ja__writer_job(n);
  size_t one = 0, *at = n > 1 ? malloc(n * sizeof *at) : &one; /* job->ev[k] is event at[k] */
  if (!job || !at) {
    free(job);
    if (at != &one)
      free(at);
    return ja__error_set(JA_ENOMEM, "out of memory capturing %zu event(s)", n);
  }
  /* Filtering needs no lock. */
  ja_status st = JA_OK;
  char first_bad[256] = "";
  for (size_t i = 0; i < n && st == JA_OK; i++) {
    ja_status f = filter_one(s, events[i], props ? props[i] : NULL, &job->ev[job->n], &outs[i]);
    if (f == JA_EINVALID) {
      outs[i].result = JA_RESULT_INVALID;
      if (!(*invalid)++)
        snprintf(first_bad, sizeof first_bad, "%s", ja_last_error());
    } else if (f != JA_OK) {
      st = f;
    } else {
      at[job->n++] = i;
    }
  }
  size_t total = job->n, accepted = 0;
  ja__drop why = JA__DROP_NONE;
  if (st == JA_OK && total && (st = ja__api_ready(s, dl)) == JA_EBUSY)
    ja__store_count_later(&s->db, JA__DROP_BUSY, total);
  if (st == JA_OK && total) {
    st = ja__writer_put(s, job, dl, &accepted, &why);
    job = NULL; /* the writer's now */
    /* The buffer took the first `accepted`; the others are queue_full. */
    if (total > accepted)
      ja__store_count_later(&s->db, JA__DROP_QUEUE_FULL, total - accepted);
    for (size_t k = accepted; k < total; k++)
      outcome_dropped(&outs[at[k]], JA__DROP_QUEUE_FULL);
  }
  if (st != JA_OK) {
    /* Busy (opening the queue, or a JA_OPEN_SYNC group): dropped and
     * counted. Otherwise (a queue that cannot be opened, a JA_OPEN_SYNC
     * group the store failed) nothing was stored or counted. */
    if (st == JA_EBUSY && why == JA__DROP_NONE)
      why = JA__DROP_BUSY;
    for (size_t k = 0; k < (accepted ? accepted : total); k++) {
      if (why != JA__DROP_NONE)
        outcome_dropped(&outs[at[k]], why);
      else
        outs[at[k]].uuid[0] = '\0';
    }
  }
  if (job)
    ja__writer_job_free(job);
  if (at != &one)
    free(at);
  if (st == JA_OK && *invalid)
    return n == 1 ? ja__error_set(JA_EINVALID, "%s", first_bad)
                  : ja__error_set(JA_EINVALID, "%zu of %zu events malformed (refused; the "
                                  "others handled), the first: %s", *invalid, n, first_bad);
  return st;
}

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
  ja_status st = ja__api_usable(s, "ja_capture");
  if (st != JA_OK)
    return st;
  ja_outcome local;
  memset(&local, 0, sizeof local);
  local.reason = "";
  size_t invalid = 0;
  st = capture(s, 1, &event, &props_json, &local, &invalid);
  if (invalid)
    return st; /* malformed: out is not written */
  if (out) {
    local.version = out->version;
    memcpy(out, &local, n);
  }
  return st;
}

ja_status
ja_capture_many(ja_store *s, size_t n, const char *const events[], const char *const props_json[],
                ja_outcome outs[])
{
  ja__error_clear();
  ja_status st = ja__api_usable(s, "ja_capture_many");
  if (st != JA_OK)
    return st;
  if (n == 0)
    return JA_OK;
  if (!events)
    return ja__error_set(JA_EINVALID, "ja_capture_many: events is NULL");
  /* One version for the whole array: its stride depends on it. */
  unsigned int v = outs ? outs[0].version : JA_OUTCOME_VERSION;
  if (v < 1 || v > JA_OUTCOME_VERSION)
    return ja__error_set(JA_EINVALID, "ja_capture_many: unknown ja_outcome version %u "
                         "(initialise each with JA_OUTCOME_INIT)", v);
  size_t stride = outcome_stride(v);
  for (size_t i = 0; outs && i < n; i++)
    if (((const ja_outcome *)(const void *)((const char *)outs + i * stride))->version != v)
      return ja__error_set(JA_EINVALID, "ja_capture_many: outs[%zu] has version %u, outs[0] %u",
                           i, ((const ja_outcome *)(const void *)((const char *)outs + i * stride))
                                  ->version, v);
  ja_outcome *local = calloc(n, sizeof *local);
  if (!local)
    return ja__error_set(JA_ENOMEM, "out of memory capturing %zu event(s)", n);
  for (size_t i = 0; i < n; i++)
    local[i].reason = "";
  size_t invalid = 0;
  st = capture(s, n, events, props_json, local, &invalid);
  for (size_t i = 0; outs && i < n; i++) {
    local[i].version = v;
    memcpy((char *)outs + i * stride, &local[i], outcome_size[v]);
  }
  free(local);
  return st;
}
