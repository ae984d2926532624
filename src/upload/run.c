/*
 * upload/run.c — the drain loop (DESIGN §7): claim a batch under a lease
 * in one short transaction, encode and gzip it outside every transaction,
 * send it, then ack (sent_log + delete exactly those uuids), retry with
 * backoff, halve on 413, bisect on 400, or release and stop. Memory is one
 * batch (≤ flush_at_size events, ≤ 5 MB) and two reused buffers, whatever
 * the queue holds.
 *
 * Sections: clock and deadline; one batch (send_range); the run.
 */
#include "boot.h"

#include <string.h>
#include <time.h>

#include "home/config.h"
#include "store/store.h"
#include "upload/transport.h"
#include "upload/upload.h"
#include "util/clock.h"
#include "util/gzip.h"
#include "util/log.h"
#include "util/uuid.h"

/* sent_log keeps what left the machine this long (DESIGN §8). */
#define SENT_KEEP_MS (INT64_C(30) * 24 * 3600 * 1000)
/* One request never waits longer than this for its answer (then it is a
 * network failure, retried), whatever is left of the deadline. */
#define REQUEST_TIMEOUT_MS 30000
/* sent_log rows pruned per transaction (each stays short). */
#define PRUNE_SENT_STEP 1000
/* A lease outlives the run by this much: a killed uploader's batch is
 * reclaimable this long after its deadline. */
#define LEASE_MARGIN_MS 60000

typedef struct run {
  ja__db *d;                /* the uploader's connection */
  const ja__config *cfg;    /* host, key, batch size, on/off */
  ja__transport *t;
  const ja__upload_opts *o;
  const ja__upload_clock *clock;
  ja__upload_report *r;
  char owner[40];           /* this run's lease owner (a UUID v4) */
  int64_t start_ms;         /* wall clock at the start (or --now) */
  int64_t t0_ms;            /* the monotonic clock at the start */
  ja__buf body;             /* the JSON body, reused */
  ja__buf gz;               /* its gzip, reused */
  ja__gzipper zip;          /* one deflate stream for every body */
} run;

/* ------------------------------------------------------ clock and deadline */

static int64_t
real_wall_ms(void *payload)
{
  (void)payload;
  return ja__now_ms();
}

static int64_t
real_mono_ms(void *payload)
{
  (void)payload;
  return ja__mono_ns() / 1000000;
}

static void
real_sleep_ms(int64_t ms, void *payload)
{
  (void)payload;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ; /* EINTR: sleep the rest */
}

const ja__upload_clock ja__upload_real_clock = {real_wall_ms, real_mono_ms, real_sleep_ms, NULL};

/* Milliseconds since the run started (monotonic: a wall clock that jumps
 * neither stretches nor cuts the deadline). */
static int64_t
elapsed_ms(const run *u)
{
  return u->clock->mono_ms(u->clock->payload) - u->t0_ms;
}

static int64_t
now_ms(const run *u)
{
  return u->start_ms + elapsed_ms(u);
}

static int64_t
left_ms(const run *u)
{
  int64_t left = u->o->deadline_ms - elapsed_ms(u);
  return left > 0 ? left : 0;
}

static void
wait_ms(run *u, int64_t ms)
{
  if (ms <= 0)
    return;
  u->clock->sleep_ms(ms, u->clock->payload);
}

/* ------------------------------------------------------------- one batch */

static ja_status
encode(run *u, const ja__lease_row *rows, size_t n, const char *key)
{
  ja_status st = ja__upload_encode_begin(&u->body, key, now_ms(u));
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    ja__up_event e = {rows[i].uuid, rows[i].timestamp, rows[i].distinct_id, rows[i].event,
                      rows[i].properties};
    st = ja__upload_encode_event(&u->body, &e, i == 0);
  }
  if (st == JA_OK)
    st = ja__upload_encode_end(&u->body);
  return st;
}

static void
say(run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
say(run *u, const char *fmt, ...)
{
  if (!u->o->verbose || !u->o->err)
    return;
  va_list ap;
  va_start(ap, fmt);
  fputs("jarvis-analytics-upload: ", u->o->err);
  vfprintf(u->o->err, fmt, ap);
  fputc('\n', u->o->err);
  va_end(ap);
}

/* Stop here with @p outcome; rows are released by the caller. */
static ja_status
stop(run *u, ja__up_outcome outcome, int64_t next_ms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static ja_status
stop(run *u, ja__up_outcome outcome, int64_t next_ms, const char *fmt, ...)
{
  u->r->outcome = outcome;
  u->r->next_attempt_ms = next_ms;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(u->r->why, sizeof u->r->why, fmt, ap);
  va_end(ap);
  return JA_OK;
}

/* Drop one event the server refuses on its own, counted. */
static ja_status
reject(run *u, const ja__lease_row *row, int status)
{
  ja__drop why = status == 413 ? JA__DROP_TOO_LARGE : JA__DROP_REJECTED;
  ja_status st = ja__store_reject(u->d, u->owner, row, why, status, now_ms(u));
  if (st == JA_OK) {
    u->r->dropped++;
    say(u, "dropped event %s: the server refused it alone (HTTP %d)", row->uuid, status);
  }
  return st;
}

/* Send rows[0..n) until the server takes them, drops what it refuses
 * alone, or the run must stop (u->r->outcome set). Retries are per range:
 * a half of a 413'd batch is a new batch. */
static ja_status
send_range(run *u, const ja__lease_row *rows, size_t n)
{
  ja__db *d = u->d;
  const char *key = u->cfg->key;
  for (int retries = 0;; retries++) {
    ja_status st = encode(u, rows, n, key);
    if (st != JA_OK)
      return st;
    int status;
    ja__http_answer ans;
    memset(&ans, 0, sizeof ans);
    if (u->body.len > JA__UP_MAX_BODY) {
      /* Over the documented limit before sending: what a 413 would say. */
      status = 413;
    } else {
      if ((st = ja__gzip_with(&u->zip, &u->gz, u->body.ptr, u->body.len)) != JA_OK)
        return st;
      int64_t budget = left_ms(u);
      if (budget <= 0)
        return stop(u, JA__UP_TEMPFAIL, 0, "deadline reached with %zu events unsent", n);
      if (budget > REQUEST_TIMEOUT_MS)
        budget = REQUEST_TIMEOUT_MS;
      if ((st = u->t->send(u->t, u->gz.ptr, u->gz.len, budget, &ans)) != JA_OK)
        return st;
      u->r->requests++;
      status = ans.status;
      ja__log_debug(u->cfg->debug, "Analytics: upload attempt %d: %zu events (%zu bytes) to %s: %d%s%s",
                    retries + 1, n, u->body.len, u->cfg->host, status,
                    status ? "" : " ", status ? "" : ans.error);
      say(u, "batch of %zu events, attempt %d: %s%d%s%s", n, retries + 1,
          status ? "HTTP " : "no answer ", status, ans.error[0] ? ": " : "", ans.error);
    }
    int64_t t = now_ms(u);
    ja__up_decision dec = ja__upload_policy(status, retries, u->o->max_retries,
                                            ans.retry_after[0] ? ans.retry_after : NULL, t,
                                            u->o->backoff_base_ms);
    switch (dec.action) {
    case JA__UP_ACK: {
      int64_t del = 0;
      if ((st = ja__store_ack(d, u->owner, rows, n, status, t, &del)) != JA_OK)
        return st;
      u->r->sent += del;
      return JA_OK;
    }
    case JA__UP_RETRY:
      if (dec.delay_ms < left_ms(u)) {
        wait_ms(u, dec.delay_ms);
        continue;
      }
      /* The wait would pass the deadline: stop now, and say when to come
       * back, so the next timer run backs off too. */
      /* fall through */
    case JA__UP_GIVE_UP: {
      int64_t next = t + dec.delay_ms;
      if ((st = ja__store_release(d, u->owner, rows, n, ja__upload_error_class(status), status,
                                  t, next)) != JA_OK)
        return st;
      if (status)
        return stop(u, JA__UP_TEMPFAIL, next, "the server answered HTTP %d; %zu events kept",
                    status, n);
      return stop(u, JA__UP_TEMPFAIL, next, "no answer from the server (%s); %zu events kept",
                  ans.error[0] ? ans.error : "network", n);
    }
    case JA__UP_SPLIT:
    case JA__UP_BISECT: {
      if (n == 1)
        return reject(u, rows, status);
      size_t half = n / 2;
      if ((st = send_range(u, rows, half)) != JA_OK || u->r->outcome != JA__UP_DONE)
        return st;
      return send_range(u, rows + half, n - half);
    }
    case JA__UP_AUTH:
    case JA__UP_CONFIG:
      if ((st = ja__store_release(d, u->owner, rows, n, ja__upload_error_class(status), status,
                                  t, 0)) != JA_OK)
        return st;
      return stop(u, JA__UP_CONFIGFAIL, 0,
                  dec.action == JA__UP_AUTH
                      ? "the server refused the project key (HTTP %d): check [analytics] key"
                      : "unexpected answer HTTP %d: check [analytics] host",
                  status);
    }
    return ja__error_set(JA_EINTERNAL, "unknown upload decision %d", (int)dec.action);
  }
}

/* ---------------------------------------------------------------- the run */

static int64_t
batch_limit(const run *u)
{
  int64_t n = u->o->batch_size > 0 ? u->o->batch_size : u->cfg->flush_at_size;
  if (n < 1)
    n = 1;
  return n > 100000 ? 100000 : n;
}

/* --dry-run: print the bodies of the batches a run would send, key masked. */
static ja_status
dry_run(run *u)
{
  char masked[16];
  ja__upload_mask_key(u->cfg->key, masked);
  ja__lease_batch b = {0};
  int64_t after = 0;
  ja_status st = JA_OK;
  while (u->o->max_batches == 0 || u->r->batches < u->o->max_batches) {
    if ((st = ja__store_peek_rows(u->d, after, (int)batch_limit(u), JA__UP_MAX_BODY,
                                  JA__UP_EVENT_OVERHEAD, &b)) != JA_OK || b.n == 0)
      break;
    if ((st = encode(u, b.rows, b.n, masked)) != JA_OK)
      break;
    fwrite(u->body.ptr, 1, u->body.len, u->o->out);
    fputc('\n', u->o->out);
    u->r->batches++;
    after = b.rows[b.n - 1].id;
  }
  ja__store_batch_free(&b);
  return st;
}

static void
progress(run *u, int last)
{
  if (!u->o->progress || !u->o->err || u->r->batches <= 3)
    return;
  fprintf(u->o->err, "\rjarvis-analytics-upload: %lld events sent in %lld batches%s",
          (long long)u->r->sent, (long long)u->r->batches, last ? "\n" : "");
  fflush(u->o->err);
}

static ja_status
drain(run *u)
{
  ja__db *d = u->d;
  ja_status st;
  int64_t removed;
  /* sent_log is kept 30 days; pruned in short steps before sending. */
  do {
    st = ja__store_prune_sent(d, now_ms(u) - SENT_KEEP_MS, PRUNE_SENT_STEP, now_ms(u), &removed);
  } while (st == JA_OK && removed == PRUNE_SENT_STEP && left_ms(u) > 0);
  if (st != JA_OK)
    return st;
  ja__upload_state state;
  if ((st = ja__store_upload_state(d, &state)) != JA_OK)
    return st;
  ja__lease_batch b = {0};
  while (st == JA_OK && (u->o->max_batches == 0 || u->r->batches < u->o->max_batches)) {
    if (left_ms(u) <= 0) {
      /* Whatever is still queued waits for the next run; nothing is lost. */
      stop(u, JA__UP_TEMPFAIL, 0, "deadline reached; events kept for the next run");
      break;
    }
    int64_t t = now_ms(u);
    int64_t lease_until = t + left_ms(u) + LEASE_MARGIN_MS;
    if ((st = ja__store_claim_rows(d, u->owner, t, lease_until, (int)batch_limit(u),
                                   JA__UP_MAX_BODY, JA__UP_EVENT_OVERHEAD, &b)) != JA_OK ||
        b.n == 0)
      break;
    if (u->r->batches == 0 && state.next_attempt_ms > t) {
      /* An earlier run was told to back off: honour it (and give the
       * batch straight back). */
      st = ja__store_release(d, u->owner, b.rows, b.n, NULL, 0, t, state.next_attempt_ms);
      char at[32];
      ja__iso8601_ms(state.next_attempt_ms, at);
      stop(u, JA__UP_TEMPFAIL, state.next_attempt_ms, "backing off until %s (%s)", at,
           state.last_error[0] ? state.last_error : "earlier failure");
      break;
    }
    u->r->batches++;
    st = send_range(u, b.rows, b.n);
    progress(u, 0);
    if (st != JA_OK) {
      /* A store error mid-batch: give back what we still hold (best
       * effort — an expired lease frees it anyway). */
      ja_status keep = st;
      char msg[512];
      snprintf(msg, sizeof msg, "%s", ja_last_error());
      ja__store_release(d, u->owner, b.rows, b.n, NULL, 0, now_ms(u), 0);
      ja__error_set(keep, "%s", msg);
      st = keep;
    }
    if (u->r->outcome != JA__UP_DONE) {
      /* Stopping: give back whatever of the batch is still ours (a half
       * not tried yet, a range the deadline cut off), or it would wait for
       * its lease to expire (test_drain:
       * deadline_between_halves_releases_the_batch). Acked or dropped rows
       * are gone, released ones no longer ours: no-ops. */
      if (st == JA_OK)
        st = ja__store_release(d, u->owner, b.rows, b.n, NULL, 0, now_ms(u), 0);
      break;
    }
  }
  progress(u, 1);
  ja__store_batch_free(&b);
  return st;
}

ja_status
ja__upload_run(ja__db *d, const ja__config *cfg, ja__transport *t, const ja__upload_opts *o,
               ja__upload_report *r)
{
  memset(r, 0, sizeof *r);
  JA_ASSERT(d != NULL && d->db != NULL && cfg != NULL && o != NULL);
  run u;
  memset(&u, 0, sizeof u);
  u.d = d;
  u.cfg = cfg;
  u.t = t;
  u.o = o;
  u.r = r;
  u.clock = o->clock ? o->clock : &ja__upload_real_clock;
  u.start_ms = o->now_ms ? o->now_ms : u.clock->wall_ms(u.clock->payload);
  u.t0_ms = u.clock->mono_ms(u.clock->payload);
  ja__uuid_v4(u.owner);
  ja_status st = JA_OK;
  if (!cfg->enabled) {
    /* Privacy wins: analytics off means nothing leaves, and nothing waits
     * to leave. A dry run only says what it would delete. */
    if (!o->dry_run)
      st = ja__store_purge(d, JA_PURGE_PENDING, now_ms(&u), &r->purged);
    goto done;
  }
  if (o->dry_run) {
    st = dry_run(&u);
    goto done;
  }
  if (!cfg->key[0]) {
    stop(&u, JA__UP_CONFIGFAIL, 0, "no project key: set [analytics] key or OPENJARVIS_ANALYTICS_KEY");
    goto done;
  }
  if (!t) {
    st = ja__error_set(JA_EINVALID, "ja__upload_run: no transport");
    goto done;
  }
  if ((st = ja__store_upload_tune(d)) == JA_OK)
    st = drain(&u);
done:
  ja__store_upload_untune(d);
  ja__buf_free(&u.body);
  ja__buf_free(&u.gz);
  ja__gzipper_free(&u.zip);
  return st;
}
