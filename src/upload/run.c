/*
 * upload/run.c — the run: claim a batch under a lease in one short
 * transaction, filter it again (batch.c), send it outside every
 * transaction, and go on until the queue is empty or something stops the
 * run (gate.c, the server's answers). A backoff an earlier run saved is
 * honoured; when it stops, the run gives back what it still holds.
 * Memory is one batch (≤ flush_at_size events, ≤ 5 MB) and two reused
 * buffers, whatever the queue holds.
 *
 * Sections: clocks; stopping and saying; dry run; progress; the drain; the run.
 */
#include "boot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "upload/run.h"
#include "util/clock.h"
#include "util/plural.h"
#include "util/uuid.h"

/* What left the machine stays in the sent log this long. */
#define SENT_KEEP_MS (INT64_C(30) * 24 * 3600 * 1000)
/* sent_log rows pruned per transaction (each stays short). */
#define PRUNE_SENT_STEP 1000
/* A lease outlives the run by this much: a killed uploader's batch is
 * reclaimable this long after its deadline (JA__LEASE_AHEAD_MAX_MS
 * counts it). */
#define LEASE_MARGIN_MS 60000
/* The progress line is redrawn at most this often. */
#define PROGRESS_EVERY_MS 250

/* ---------------------------------------------------------------- clocks */

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
  /* EINTR: sleep the rest, unless the signal asks the run to stop. */
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !ja__upload_signal)
    ;
}

const ja__upload_clock ja__upload_real_clock = {real_wall_ms, real_mono_ms, real_sleep_ms, NULL};

/* Milliseconds since the run started (monotonic: a wall clock that jumps
 * neither stretches nor cuts the deadline). */
static int64_t
elapsed_ms(const ja__up_run *u)
{
  return u->clock->mono_ms(u->clock->payload) - u->t0_ms;
}

int64_t
ja__up_now(const ja__up_run *u)
{
  return u->start_ms + elapsed_ms(u);
}

int64_t
ja__up_left(const ja__up_run *u)
{
  int64_t left = u->o->deadline_ms - elapsed_ms(u);
  return left > 0 ? left : 0;
}

/* ------------------------------------------------------ stopping and saying */

void
ja__up_say(ja__up_run *u, const char *fmt, ...)
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

ja_status
ja__up_stop(ja__up_run *u, ja__up_outcome outcome, const char *stopped, int64_t next_ms,
            const char *fmt, ...)
{
  u->r->outcome = outcome;
  u->r->stopped = stopped;
  u->r->next_attempt_ms = next_ms;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(u->r->why, sizeof u->r->why, fmt, ap);
  va_end(ap);
  return JA_OK;
}

static int64_t
batch_limit(const ja__up_run *u)
{
  int64_t n = u->o->batch_size > 0 ? u->o->batch_size : u->cfg->flush_at_size;
  if (n < 1)
    n = 1;
  return n > 100000 ? 100000 : n;
}

/* --------------------------------------------------------------- dry run */

/* --dry-run: print the bodies of the batches a run would send, key masked,
 * after the same send-time filters (what they would drop is only said,
 * with --verbose). */
static ja_status
dry_run(ja__up_run *u)
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
    after = b.rows[b.n - 1].id;
    ja__lease_row *send;
    char **props;
    size_t n;
    if ((st = ja__up_filter(u, &b, 0, &send, &n, &props)) != JA_OK)
      break;
    if (n > 0 && (st = ja__up_encode(u, send, n, masked)) == JA_OK) {
      fwrite(u->body.ptr, 1, u->body.len, u->o->out);
      fputc('\n', u->o->out);
    }
    ja__up_filtered_free(send, props, b.n);
    if (st != JA_OK)
      break;
    u->r->batches++;
  }
  ja__store_batch_free(&b);
  return st;
}

/* -------------------------------------------------------------- progress */

/* On a terminal only (o->progress): "N of TOTAL sent, R/s, ETA m:ss",
 * redrawn in place; the last call ends the line. Runs of a few batches
 * draw nothing. */
static void
progress(ja__up_run *u, int last)
{
  if (!u->o->progress || !u->o->err || u->total <= 3 * batch_limit(u) || u->r->batches == 0)
    return;
  int64_t el = elapsed_ms(u);
  if (!last && u->shown_ms && el - u->shown_ms < PROGRESS_EVERY_MS)
    return;
  u->shown_ms = el > 0 ? el : 1;
  int64_t done = u->r->sent + u->r->ndropped;
  double rate = el > 0 ? (double)done * 1000.0 / (double)el : 0;
  int64_t left = u->total > done ? u->total - done : 0;
  char eta[32] = "-";
  if (rate > 0 && !last) {
    int64_t secs = (int64_t)((double)left / rate + 0.5);
    snprintf(eta, sizeof eta, "%lld:%02lld", (long long)(secs / 60), (long long)(secs % 60));
  }
  fprintf(u->o->err, "\rjarvis-analytics-upload: %lld of %lld sent, %.0f/s, ETA %s   %s",
          (long long)u->r->sent, (long long)u->total, rate, last ? "0:00" : eta,
          last ? "\n" : "");
  fflush(u->o->err);
}

/* ------------------------------------------------------------- the drain */

/* A backoff an earlier run saved, if it still applies at @p now: one
 * further ahead than the longest backoff ever saved was written under a
 * clock far ahead, and counts as expired. */
static int64_t
pending_backoff(const ja__upload_state *state, int64_t now)
{
  int64_t next = state->next_attempt_ms;
  return next > now && next <= now + JA__UP_RETRY_AFTER_MAX_MS ? next : 0;
}

/* Nothing free to claim: say whether other runs hold events, and until when. */
static ja_status
nothing_free(ja__up_run *u)
{
  int64_t n = 0, until = 0;
  ja_status st = ja__store_reserved(u->d, u->owner, ja__up_now(u), &n, &until);
  if (st != JA_OK || n == 0) {
    u->r->stopped = st == JA_OK ? (u->r->batches ? "drained" : "nothing") : NULL;
    return st;
  }
  u->r->reserved = n;
  u->r->reserved_until_ms = until;
  char at[32];
  ja__iso8601_ms(until, at);
  if (u->r->batches > 0) {
    /* Another run drains the rest beside this one: nothing is stuck. */
    ja__up_say(u, "the other %lld event%s %s reserved by another upload run until %s", (long long)n,
               ja__plural_s(n), ja__plural_are(n), at);
    u->r->stopped = "drained";
    return JA_OK;
  }
  return ja__up_stop(u, JA__UP_TEMPFAIL, "reserved", until,
                     "nothing sent: %lld event%s %s reserved by another upload run until %s; "
                     "%s with it, or with the next run if it stops",
                     (long long)n, ja__plural_s(n), ja__plural_are(n), at,
                     n == 1 ? "it leaves" : "they leave");
}

static ja_status
drain(ja__up_run *u)
{
  ja__db *d = u->d;
  ja_status st;
  int64_t removed;
  /* sent_log is kept 30 days; pruned in short steps before sending. */
  do {
    st = ja__store_prune_sent(d, ja__up_now(u) - SENT_KEEP_MS, PRUNE_SENT_STEP, ja__up_now(u),
                              &removed);
  } while (st == JA_OK && removed == PRUNE_SENT_STEP && ja__up_left(u) > 0);
  if (st != JA_OK)
    return st;
  ja__upload_state state;
  if ((st = ja__store_upload_state(d, &state)) != JA_OK)
    return st;
  ja__lease_batch b = {0};
  while (st == JA_OK && (u->o->max_batches == 0 || u->r->batches < u->o->max_batches)) {
    if (ja__up_gate(u))
      break;
    int64_t t = ja__up_now(u);
    int64_t lease_until = t + ja__up_left(u) + LEASE_MARGIN_MS;
    if ((st = ja__store_claim_rows(d, u->owner, t, lease_until, (int)batch_limit(u),
                                   JA__UP_MAX_BODY, JA__UP_EVENT_OVERHEAD, &b)) != JA_OK)
      break;
    if (b.n == 0) {
      st = nothing_free(u);
      break;
    }
    int64_t backoff = u->r->batches == 0 ? pending_backoff(&state, t) : 0;
    if (backoff) {
      /* An earlier run was told to back off: honour it (and give the
       * batch straight back). */
      st = ja__store_release(d, u->owner, b.rows, b.n, NULL, 0, t, backoff);
      char at[32];
      ja__iso8601_ms(backoff, at);
      ja__up_stop(u, JA__UP_TEMPFAIL, "backoff", backoff, "backing off until %s (%s)", at,
                  state.last_error[0] ? state.last_error : "earlier failure");
      break;
    }
    u->r->batches++;
    ja__lease_row *send = NULL;
    char **props = NULL;
    size_t n = 0;
    if ((st = ja__up_filter(u, &b, 1, &send, &n, &props)) == JA_OK && n > 0)
      st = ja__up_send_batch(u, send, n);
    ja__up_filtered_free(send, props, b.n);
    progress(u, 0);
    if (st != JA_OK) {
      /* A store error mid-batch: give back what we still hold (best
       * effort — an expired lease frees it anyway). */
      ja_status keep = st;
      char msg[512];
      snprintf(msg, sizeof msg, "%s", ja_last_error());
      ja__store_release(d, u->owner, b.rows, b.n, NULL, 0, ja__up_now(u), 0);
      ja__error_set(keep, "%s", msg);
      st = keep;
    }
    if (u->r->stopped) {
      /* Stopping: give back whatever of the batch is still ours (a half
       * not tried yet, a range the deadline or a signal cut off), or it
       * would wait for its lease to expire (test_drain_lease:
       * deadline_between_halves_releases_the_batch). Acked or dropped rows
       * are gone, released ones no longer ours: no-ops. */
      if (st == JA_OK)
        st = ja__store_release(d, u->owner, b.rows, b.n, NULL, 0, ja__up_now(u), 0);
      break;
    }
  }
  if (st == JA_OK && !u->r->stopped)
    u->r->stopped = "max_batches";
  progress(u, 1);
  ja__store_batch_free(&b);
  return st;
}

/* ---------------------------------------------------------------- the run */

/* How many events the queue holds now (the counter status reads); 0 when
 * it cannot be read (a figure for the report, never a decision). */
static int64_t
queued_now(ja__db *d)
{
  int64_t n = 0;
  if (ja__store_queue_length(d, &n) != JA_OK)
    ja__error_clear();
  return n;
}

ja_status
ja__upload_run(ja__db *d, const ja__config *cfg, ja__transport *t, const ja__upload_opts *o,
               ja__upload_report *r)
{
  memset(r, 0, sizeof *r);
  JA_ASSERT(d != NULL && cfg != NULL && o != NULL);
  ja__up_run u;
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
  /* A mistake in the settings is not an opt-out: nothing leaves and
   * nothing is deleted (the user may want it kept, or may have meant to
   * opt out: nobody can tell), and the run says which key, where. Local
   * mode keeps everything here. Neither needs the queue open. */
  if (cfg->mode == JA__MODE_PAUSED)
    return ja__up_stop(&u, JA__UP_CONFIGFAIL, "paused", 0, "paused by a configuration mistake, "
                       "nothing sent or deleted: %s", cfg->off_reason);
  if (cfg->mode == JA__MODE_LOCAL) {
    r->stopped = "local";
    return JA_OK;
  }
  JA_ASSERT(d->db != NULL);
  if (cfg->mode == JA__MODE_OFF) {
    /* Privacy wins: an explicit opt-out means nothing leaves, and nothing
     * waits to leave. A dry run only says what it would delete. */
    r->stopped = "opted_out";
    if (!o->dry_run)
      st = ja__store_purge(d, JA_PURGE_PENDING, ja__up_now(&u), &r->purged);
    goto done;
  }
  if (o->dry_run) {
    st = dry_run(&u);
    r->stopped = "dry_run";
    goto done;
  }
  if (!cfg->key[0]) {
    ja__up_stop(&u, JA__UP_CONFIGFAIL, "no_key", 0,
                "no project key: set [analytics] key or OPENJARVIS_ANALYTICS_KEY");
    goto done;
  }
  if (!t) {
    st = ja__error_set(JA_EINVALID, "ja__upload_run: no transport");
    goto done;
  }
  u.total = queued_now(d);
  if ((st = ja__store_upload_tune(d)) == JA_OK)
    st = drain(&u);
  /* Triggers back on before anything else writes (the purge below
   * counts what it deletes through them). */
  ja__store_upload_untune(d);
  if (st == JA_OK && r->stopped && strcmp(r->stopped, "opted_out") == 0) {
    /* Turned off while the run drained or waited: what was still queued
     * goes, as an opt-out at the start of a run would have deleted it. */
    st = ja__store_purge(d, JA_PURGE_PENDING, ja__up_now(&u), &r->purged);
  }
done:
  ja__store_upload_untune(d);
  if (st == JA_OK && !o->dry_run) {
    r->kept = queued_now(d);
    if (r->kept > 0 && r->reserved == 0 &&
        ja__store_reserved(d, u.owner, ja__up_now(&u), &r->reserved, &r->reserved_until_ms) != JA_OK)
      ja__error_clear();
  }
  ja__buf_free(&u.body);
  ja__buf_free(&u.gz);
  ja__gzipper_free(&u.zip);
  free(u.refused);
  return st;
}
