/*
 * upload/batch.c — one claimed batch: the filters of this build run on
 * every row (send-time filtering), then the rows that pass are sent until
 * the server takes them. Before each request the run checks it may still
 * send (gate.c) and that each event is still queued (a purge, the cap or
 * a hand edit since the claim: what is gone is not sent). 2xx with
 * PostHog's answer → ack; 408/429/5xx/no answer → retry with backoff, then
 * release; 413 → halve, 400 → bisect; a single event refused while other
 * requests of the run were delivered is dropped (counted); a batch whose
 * every event is refused, down to single events, is the request's fault
 * (key, host, proxy): nothing is dropped, the run stops (78).
 */
#include "boot.h"

#include <stdlib.h>
#include <string.h>

#include "upload/run.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/plural.h"

/* One request never waits longer than this for its answer (then it is a
 * network failure, retried), whatever is left of the deadline. */
#define REQUEST_TIMEOUT_MS 30000

/* ------------------------------------------------------ send-time filters */

void
ja__up_filtered_free(ja__lease_row *send, char **props, size_t n)
{
  for (size_t i = 0; props && i < n; i++) {
    ja__up_verdict v = {.props = props[i]};
    ja__upload_verdict_free(&v);
  }
  free(props);
  free(send);
}

ja_status
ja__up_filter(ja__up_run *u, const ja__lease_batch *b, int settle, ja__lease_row **send,
              size_t *nsend, char ***props)
{
  size_t n = b->n;
  *send = NULL;
  *nsend = 0;
  *props = NULL;
  ja__lease_row *out = malloc((n ? n : 1) * sizeof *out);
  char **owned = calloc(n ? n : 1, sizeof *owned);
  ja__drop *drop = calloc(n ? n : 1, sizeof *drop);
  const char **rewrite = calloc(n ? n : 1, sizeof *rewrite);
  unsigned(*pdrops)[JA__DROP_COUNT] = calloc(n ? n : 1, sizeof *pdrops);
  ja_status st = JA_OK;
  if (!out || !owned || !drop || !rewrite || !pdrops)
    st = ja__error_set(JA_ENOMEM, "cannot filter a batch: out of memory");
  int settle_needed = 0;
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    const ja__lease_row *row = &b->rows[i];
    ja__up_verdict v;
    if ((st = ja__upload_recheck(row->uuid, row->timestamp, row->distinct_id, row->event,
                                 row->properties, &v)) != JA_OK)
      break;
    drop[i] = v.drop;
    owned[i] = v.props;
    memcpy(pdrops[i], v.drops, sizeof pdrops[i]);
    if (v.drop != JA__DROP_NONE) {
      settle_needed = 1;
      ja__up_say(u, "%s event %s: %s (the filters of this build, at send time)",
                 settle ? "dropped" : "would drop", row->uuid, ja__drop_name(v.drop));
      continue;
    }
    if (v.changed) {
      settle_needed = 1;
      rewrite[i] = v.props;
    }
    out[*nsend] = *row;
    out[*nsend].properties = v.props;
    (*nsend)++;
  }
  if (st == JA_OK && settle && settle_needed) {
    int64_t dropped[JA__DROP_COUNT], removed = 0;
    st = ja__store_settle_filtered(u->d, u->owner, b->rows, drop, rewrite,
                                   (const unsigned(*)[JA__DROP_COUNT])pdrops, n, ja__up_now(u),
                                   dropped, &removed);
    for (int r = 1; st == JA_OK && r < JA__DROP_COUNT; r++) {
      u->r->dropped[r] += dropped[r];
      u->r->ndropped += dropped[r];
    }
    if (st == JA_OK)
      u->r->props_removed += removed;
  }
  free(drop);
  free(rewrite);
  free(pdrops);
  if (st != JA_OK) {
    ja__up_filtered_free(out, owned, n);
    *nsend = 0;
    return st;
  }
  *send = out;
  *props = owned;
  return JA_OK;
}

/* ------------------------------------------------------------ requests */

ja_status
ja__up_encode(ja__up_run *u, const ja__lease_row *rows, size_t n, const char *key)
{
  ja_status st = ja__upload_encode_begin(&u->body, key, ja__up_now(u));
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    ja__up_event e = {rows[i].uuid, rows[i].timestamp, rows[i].distinct_id, rows[i].event,
                      rows[i].properties};
    st = ja__upload_encode_event(&u->body, &e, i == 0);
  }
  if (st == JA_OK)
    st = ja__upload_encode_end(&u->body);
  return st;
}

/* Most uncompressed bytes one request may hold. */
static int64_t
max_body(const ja__up_run *u)
{
  return u->o->max_body > 0 ? u->o->max_body : JA__UP_MAX_BODY;
}

/* Drop one event nobody may send as it is (counted as @p why): the
 * server's refusal of it alone (@p status), or the local size limit
 * (@p status 0: no request was made, and the upload state is left as it
 * is — the server said nothing). */
static ja_status
drop_one(ja__up_run *u, const ja__lease_row *row, ja__drop why, int status)
{
  ja_status st = ja__store_reject(u->d, u->owner, row, why, status, ja__up_now(u));
  if (st == JA_OK) {
    u->r->dropped[why]++;
    u->r->ndropped++;
    if (status)
      ja__up_say(u, "dropped event %s: the server refused it alone (HTTP %d)", row->uuid, status);
    else
      ja__up_say(u, "dropped event %s: over the %lld-byte request limit on its own (too_large)",
                 row->uuid, (long long)max_body(u));
  }
  return st;
}

/* Keep a single event the server refused until the batch's verdict. */
static ja_status
refused_add(ja__up_run *u, const ja__lease_row *row, int status)
{
  if (u->nrefused == u->caprefused) {
    size_t cap = u->caprefused ? u->caprefused * 2 : 8;
    ja__lease_row *v = realloc(u->refused, cap * sizeof *v);
    if (!v)
      return ja__error_set(JA_ENOMEM, "cannot hold a refused event: out of memory");
    u->refused = v;
    u->caprefused = cap;
  }
  u->refused[u->nrefused++] = *row;
  u->refused_status = status;
  return JA_OK;
}

/* Of rows[0..n) (sorted by id), those still queued as claimed: *out is
 * rows itself when none is gone, else a new array (*owned set, to free). */
static ja_status
still_queued(ja__up_run *u, const ja__lease_row *rows, size_t n, const ja__lease_row **out,
             size_t *nout, ja__lease_row **owned)
{
  *out = rows;
  *nout = n;
  *owned = NULL;
  unsigned char *present = malloc(n ? n : 1);
  if (!present)
    return ja__error_set(JA_ENOMEM, "cannot check a batch: out of memory");
  size_t np = 0;
  ja_status st = ja__store_batch_present(u->d, rows, n, present, &np);
  if (st == JA_OK && np < n) {
    ja__up_say(u, "%zu of %zu event%s of the batch %s no longer queued (purged, pruned, "
               "deleted or sent by another run since the claim): not sent", n - np, n, ja__plural_s((long long)n),
               ja__plural_are((long long)(n - np)));
    if (np > 0 && !(*owned = malloc(np * sizeof **owned)))
      st = ja__error_set(JA_ENOMEM, "cannot check a batch: out of memory");
    for (size_t i = 0, k = 0; st == JA_OK && i < n; i++)
      if (present[i])
        (*owned)[k++] = rows[i];
    *out = *owned;
    *nout = np;
  }
  free(present);
  return st;
}

static ja_status send_range(ja__up_run *u, const ja__lease_row *rows, size_t n);

/* After a failed request: is none of rows[0..n) queued any more (another
 * upload run delivered them after this one's lease was lost, or a purge
 * removed them)? Then the failure is nobody's to back off from: a run
 * whose events were all delivered by another is not a failure. */
static int
none_left(ja__up_run *u, const ja__lease_row *rows, size_t n)
{
  const ja__lease_row *live;
  ja__lease_row *owned;
  size_t nlive = n;
  if (still_queued(u, rows, n, &live, &nlive, &owned) != JA_OK) {
    ja__error_clear();
    return 0;
  }
  free(owned);
  return nlive == 0;
}

/* rows[0..n) in two halves, one after the other (413, 400, the local
 * limit): a half is a new batch, with retries of its own. */
static ja_status
halves(ja__up_run *u, const ja__lease_row *rows, size_t n)
{
  size_t half = n / 2;
  ja_status st = send_range(u, rows, half);
  if (st != JA_OK || u->r->stopped)
    return st;
  return send_range(u, rows + half, n - half);
}

/* One answer, as a line for --verbose and OPENJARVIS_LOG_LEVEL=DEBUG. */
static void
tell(ja__up_run *u, const ja__http_answer *ans, int attempt, size_t n)
{
  char host[600];
  ja__transport_host_shown(u->cfg->host, host, sizeof host);
  char what[320];
  if (ans->status)
    snprintf(what, sizeof what, "HTTP %d", ans->status);
  else
    snprintf(what, sizeof what, "no answer (%s)", ans->error[0] ? ans->error : "network");
  ja__log_debug(u->cfg->debug, "upload attempt %d: %zu event%s (%zu bytes) to %s: %s", attempt, n,
                ja__plural_s((long long)n), u->body.len, host, what);
  ja__up_say(u, "batch of %zu event%s, attempt %d: %s", n, ja__plural_s((long long)n), attempt, what);
}

/* One request of rows[0..n) (all still queued) and what its answer asks
 * for. *again = 1: a retryable answer, waited for; send them again (after
 * the gate and the check that they are still queued). */
static ja_status
send_range_checked(ja__up_run *u, const ja__lease_row *rows, size_t n, int retries, int *again)
{
  ja__db *d = u->d;
  *again = 0;
  {
    ja_status st = ja__up_encode(u, rows, n, u->cfg->key);
    if (st != JA_OK)
      return st;
    if ((int64_t)u->body.len > max_body(u)) {
      /* Over the limit before sending: halved here, never asked of the
       * server; one event alone over it is dropped as too_large. */
      if (n == 1)
        return drop_one(u, rows, JA__DROP_TOO_LARGE, 0);
      return halves(u, rows, n);
    }
    if ((st = ja__gzip_with(&u->zip, &u->gz, u->body.ptr, u->body.len)) != JA_OK)
      return st;
    int64_t budget = ja__up_left(u);
    if (budget > REQUEST_TIMEOUT_MS)
      budget = REQUEST_TIMEOUT_MS;
    ja__http_answer ans;
    memset(&ans, 0, sizeof ans);
    if ((st = u->t->send(u->t, u->gz.ptr, u->gz.len, budget, &ans)) != JA_OK)
      return st;
    u->r->requests++;
    tell(u, &ans, retries + 1, n);
    if (ja__upload_signal && ans.status == 0) {
      ja__up_gate(u); /* stopped mid-request: stop the run (the caller gives the batch back) */
      return JA_OK;
    }
    int64_t t = ja__up_now(u);
    ja__up_decision dec = ja__upload_policy(ans.status, retries, u->o->max_retries,
                                            ans.retry_after[0] ? ans.retry_after : NULL, t,
                                            u->o->backoff_base_ms);
    if (dec.action == JA__UP_ACK && !ja__upload_answer_ok(ans.body, ans.body_len, ans.body_cut)) {
      /* A proxy, a captive portal or another server said 2xx: nothing
       * says PostHog got the events. Kept; the host or proxy is wrong. */
      if ((st = ja__store_release(d, u->owner, rows, n, "unexpected", ans.status, t, 0)) != JA_OK)
        return st;
      return ja__up_stop(u, JA__UP_CONFIGFAIL, "answer", 0,
                         "HTTP %d without PostHog's answer: another server or a proxy answers "
                         "at [analytics] host; %zu event%s kept", ans.status, n, ja__plural_s((long long)n));
    }
    switch (dec.action) {
    case JA__UP_ACK: {
      int64_t del = 0;
      if ((st = ja__store_ack(d, u->owner, rows, n, ans.status, t, &del)) != JA_OK)
        return st;
      u->r->sent += del;
      u->any_ok = 1;
      return JA_OK;
    }
    case JA__UP_RETRY:
      if (dec.delay_ms < ja__up_left(u)) {
        ja__up_wait(u, dec.delay_ms);
        *again = 1;
        return JA_OK;
      }
      /* The wait would pass the deadline: stop now, and say when to come
       * back, so the next timer run backs off too. */
      /* fall through */
    case JA__UP_GIVE_UP: {
      if (none_left(u, rows, n))
        return JA_OK; /* nothing of it is queued any more: no failure to record */
      int64_t next = t + dec.delay_ms;
      if ((st = ja__store_release(d, u->owner, rows, n, ja__upload_error_class(ans.status),
                                  ans.status, t, next)) != JA_OK)
        return st;
      if (ans.status)
        return ja__up_stop(u, JA__UP_TEMPFAIL, "server", next,
                           "the server answered HTTP %d; %zu event%s kept", ans.status, n,
                           ja__plural_s((long long)n));
      return ja__up_stop(u, JA__UP_TEMPFAIL, "network", next,
                         "no answer from the server (%s); %zu event%s kept",
                         ans.error[0] ? ans.error : "network", n, ja__plural_s((long long)n));
    }
    case JA__UP_SPLIT:
    case JA__UP_BISECT:
      if (n > 1)
        return halves(u, rows, n);
      if (u->any_ok) /* the server takes this run's requests: the event is at fault */
        return drop_one(u, rows, JA__DROP_REJECTED, ans.status);
      return refused_add(u, rows, ans.status);
    case JA__UP_AUTH:
    case JA__UP_CONFIG:
      if ((st = ja__store_release(d, u->owner, rows, n, ja__upload_error_class(ans.status),
                                  ans.status, t, 0)) != JA_OK)
        return st;
      if (dec.action == JA__UP_AUTH)
        return ja__up_stop(u, JA__UP_CONFIGFAIL, "auth", 0,
                           "the server refused the project key (HTTP %d): check [analytics] key",
                           ans.status);
      return ja__up_stop(u, JA__UP_CONFIGFAIL, "host", 0,
                         "unexpected answer HTTP %d: check [analytics] host", ans.status);
    }
    return ja__error_set(JA_EINTERNAL, "unknown upload decision %d", (int)dec.action);
  }
}

/* Send rows[0..n) until the server takes them, drops what it refuses
 * alone, or the run must stop (u->r->outcome set). Retries are per range:
 * a half of a 413'd batch is a new batch. */
static ja_status
send_range(ja__up_run *u, const ja__lease_row *rows, size_t n)
{
  for (int retries = 0;; retries++) {
    if (ja__up_gate(u))
      return JA_OK;
    const ja__lease_row *live;
    ja__lease_row *owned;
    size_t nlive;
    int again = 0;
    ja_status st = still_queued(u, rows, n, &live, &nlive, &owned);
    if (st == JA_OK && nlive > 0)
      st = send_range_checked(u, live, nlive, retries, &again);
    free(owned);
    if (st != JA_OK || !again)
      return st;
    /* waited for a retry: check again, then send what is still queued */
  }
}

ja_status
ja__up_send_batch(ja__up_run *u, const ja__lease_row *rows, size_t n)
{
  u->nrefused = 0;
  ja_status st = send_range(u, rows, n);
  if (st != JA_OK || u->nrefused == 0 || u->r->stopped)
    return st; /* stopping: the caller gives back whatever is still held */
  if (u->any_ok) {
    /* Other requests of the run were delivered: these events alone are
     * refused. Dropped, counted. */
    for (size_t i = 0; st == JA_OK && i < u->nrefused; i++)
      st = drop_one(u, &u->refused[i], JA__DROP_REJECTED, u->refused_status);
    return st;
  }
  /* Nothing the run sent was taken, down to single events: the request is
   * wrong (a key the server cannot read, a wrong path, a proxy), not the
   * events. Everything kept; the caller gives the batch back. */
  int status = u->refused_status;
  if ((st = ja__store_release(u->d, u->owner, u->refused, u->nrefused, "request", status,
                              ja__up_now(u), 0)) != JA_OK)
    return st;
  return ja__up_stop(u, JA__UP_CONFIGFAIL, "request", 0,
                     "the server refused every event of the batch, down to single events (HTTP "
                     "%d): the request is wrong (project key, host, a proxy), not the events; "
                     "%zu event%s kept, none dropped", status, n, ja__plural_s((long long)n));
}
