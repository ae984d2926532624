/*
 * cli/upload.c — the one command of jarvis-analytics-upload: parse its
 * values, read the configuration, open the queue (if there is one), make
 * the transport, run a rollup, run the drain loop (upload/run.c), and
 * report: nothing on success unless --verbose; one line on stderr for
 * 75/78. The key is never printed.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "home/config.h"
#include "store/store.h"
#include "upload/transport.h"
#include "upload/upload.h"
#include "util/clock.h"
#include "util/http_date.h"
#include "util/plural.h"

/* The test suite's shorter backoff: never longer than the real one. */
static int64_t
test_backoff_base(void)
{
  const char *v = getenv("JA_UPLOAD_BACKOFF_BASE_MS");
  if (!v || !*v)
    return 0;
  char *end = NULL;
  long long n = strtoll(v, &end, 10);
  if (*end != '\0' || n < 1 || n > JA__UP_BACKOFF_BASE_MS)
    return 0;
  return (int64_t)n;
}

/* The run's deadline as the rollup asks it, on the run's clock. */
typedef struct deadline {
  const ja__upload_clock *clock;
  int64_t until_ms;          /* on clock->mono_ms */
} deadline;

static int
deadline_passed(void *payload)
{
  const deadline *dl = payload;
  return dl->clock->mono_ms(dl->clock->payload) >= dl->until_ms;
}

/* The rollup the uploader runs first (so that sessions that ended, or went
 * idle, since the last run leave in this one), inside the run's deadline:
 * it stops between two of its transactions once the deadline has passed
 * (the next run continues), and the drain gets what it left. Only over a
 * queue that exists: nothing is created by a run with nothing to do. A
 * failed rollup loses nothing (its signals wait for the next one) and must
 * not keep what is queued from leaving: one line. */
static int
rollup_first(ja__upload_opts *o, FILE *err, ja__rollup_report *r)
{
  const ja__upload_clock *c = o->clock ? o->clock : &ja__upload_real_clock;
  int64_t t0 = c->mono_ms(c->payload);
  deadline dl = {c, t0 + o->deadline_ms};
  ja__rollup_stop stop = {deadline_passed, &dl};
  memset(r, 0, sizeof *r);
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, NULL);
  if (st == JA_OK)
    st = ja__api_rollup(s, o->now_ms, &stop, r);
  int64_t queued = r->sessions_emitted + r->days_emitted;
  if (st != JA_OK)
    ja__cli_errorf(err, NULL, "rollup skipped: %s", ja_last_error()[0] ? ja_last_error() : ja_status_str(st));
  else if (o->verbose && (queued || r->stopped || r->split_sessions)) {
    ja__cli_errorf(err, NULL, "rollup queued %lld event%s%s", (long long)queued,
                   ja__plural_s(queued),
                   r->stopped ? "; stopped at the deadline, the next run goes on" : "");
    /* as `rollup --verbose` says it: a session closed in parts is more
     * than one chat_session_ended, which no reader can tell apart */
    ja__cli_say_rollup_parts(err, 1, r);
  }
  ja_store_close(s);
  int64_t spent = c->mono_ms(c->payload) - t0;
  o->deadline_ms = spent < o->deadline_ms ? o->deadline_ms - spent : 0;
  return st == JA_OK;
}

/* --json's "rollup": what the run's own rollup queued and the sessions it
 * closed in parts, said as `rollup --json` says them; null when none ran
 * (a dry run, off, paused, no queue) or it failed. */
static int
add_rollup_json(cJSON *j, const ja__rollup_report *ro)
{
  if (!ro)
    return cJSON_AddNullToObject(j, "rollup") != NULL;
  cJSON *o = cJSON_AddObjectToObject(j, "rollup");
  return o && cJSON_AddNumberToObject(o, "queued", (double)(ro->sessions_emitted + ro->days_emitted)) &&
         ja__cli_rollup_parts_json(o, ro);
}

/* The summary --json prints (one object on standard output). */
static int
print_summary_json(FILE *out, const ja__upload_report *r, const ja__rollup_report *ro, int rc)
{
  static const char *const outcomes[] = {"done", "tempfail", "config", "interrupted"};
  cJSON *j = cJSON_CreateObject();
  cJSON *dropped = cJSON_AddObjectToObject(j, "dropped");
  int ok = j && dropped;
  ok &= cJSON_AddStringToObject(j, "outcome", outcomes[r->outcome]) != NULL;
  ok &= cJSON_AddNumberToObject(j, "exit", rc) != NULL;
  ok &= cJSON_AddStringToObject(j, "stopped", r->stopped ? r->stopped : "nothing") != NULL;
  ok &= cJSON_AddNumberToObject(j, "sent", (double)r->sent) != NULL;
  for (int d = 1; d < JA__DROP_COUNT; d++)
    if (r->dropped[d])
      ok &= cJSON_AddNumberToObject(dropped, ja__drop_name((ja__drop)d), (double)r->dropped[d]) != NULL;
  ok &= cJSON_AddNumberToObject(j, "properties_removed", (double)r->props_removed) != NULL;
  ok &= cJSON_AddNumberToObject(j, "kept", (double)r->kept) != NULL;
  ok &= cJSON_AddNumberToObject(j, "reserved", (double)r->reserved) != NULL;
  char at[32];
  if (r->reserved_until_ms) {
    ja__iso8601_ms(r->reserved_until_ms, at);
    ok &= cJSON_AddStringToObject(j, "reserved_until", at) != NULL;
  } else {
    ok &= cJSON_AddNullToObject(j, "reserved_until") != NULL;
  }
  if (r->next_attempt_ms) {
    ja__iso8601_ms(r->next_attempt_ms, at);
    ok &= cJSON_AddStringToObject(j, "next_attempt_at", at) != NULL;
  } else {
    ok &= cJSON_AddNullToObject(j, "next_attempt_at") != NULL;
  }
  ok &= cJSON_AddNumberToObject(j, "purged", (double)r->purged) != NULL;
  ok &= cJSON_AddNumberToObject(j, "batches", (double)r->batches) != NULL;
  ok &= cJSON_AddNumberToObject(j, "requests", (double)r->requests) != NULL;
  ok &= (r->why[0] ? cJSON_AddStringToObject(j, "why", r->why) : cJSON_AddNullToObject(j, "why")) != NULL;
  ok &= add_rollup_json(j, ro);
  char *text = ok ? cJSON_PrintUnformatted(j) : NULL;
  cJSON_Delete(j);
  if (!text)
    return JA_EXIT_OSERR;
  fprintf(out, "%s\n", text);
  cJSON_free(text);
  return rc;
}

/* --verbose: what the run did, on one line. */
static void
say_summary(FILE *err, const ja__upload_report *r)
{
  char drops[512] = "";
  size_t n = 0;
  for (int d = 1; d < JA__DROP_COUNT && n < sizeof drops; d++)
    if (r->dropped[d])
      n += (size_t)snprintf(drops + n, sizeof drops - n, "%s%s %lld", n ? ", " : " (",
                            ja__drop_name((ja__drop)d), (long long)r->dropped[d]);
  if (n && n < sizeof drops)
    snprintf(drops + n, sizeof drops - n, ")");
  ja__cli_errorf(err, NULL, "%lld event%s sent, %lld dropped%s, %lld kept (%lld reserved by another "
                 "run), %lld batch%s, %lld request%s", (long long)r->sent,
                 ja__plural_s(r->sent), (long long)r->ndropped, drops, (long long)r->kept,
                 (long long)r->reserved, (long long)r->batches, r->batches == 1 ? "" : "es",
                 (long long)r->requests, ja__plural_s(r->requests));
}

/* SIGINT and SIGTERM ask the run to stop (it gives its reservations back,
 * then the program exits 128 + the signal). No SA_RESTART: a wait or a
 * request in flight returns at once. */
static void
on_signal(int sig)
{
  ja__upload_signal = sig;
}

int
ja__cli_upload(const cli_args *a, FILE *out, FILE *err)
{
  return ja__cli_upload_clocked(a, NULL, out, err);
}

int
ja__cli_upload_clocked(const cli_args *a, const ja__upload_clock *clock, FILE *out, FILE *err)
{
  /* The key is in this process's memory from here on: no core file, no
   * ptrace by another process of the user. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ja__upload_opts o;
  memset(&o, 0, sizeof o);
  o.clock = clock;
  o.dry_run = a->on[OPT_DRY_RUN];
  o.batch_size = a->on[OPT_BATCH_SIZE] ? a->num[OPT_BATCH_SIZE] : 0;
  o.max_batches = a->on[OPT_MAX_BATCHES] ? a->num[OPT_MAX_BATCHES] : 0;
  o.max_retries = (int)a->num[OPT_MAX_RETRIES];
  o.deadline_ms = a->num[OPT_DEADLINE] * 1000;
  o.verbose = a->on[OPT_VERBOSE];
  o.progress = isatty(fileno(err));
  o.backoff_base_ms = test_backoff_base();
  o.out = out;
  o.err = err;
  int when = a->on[OPT_NOW] ? ja__iso8601_parse(a->val[OPT_NOW], &o.now_ms) : 0;
  if (when == JA__ISO8601_BEFORE_1970)
    return ja__cli_usage(err, a, "--now needs a time from 1970 on, not", a->val[OPT_NOW]);
  if (when != 0)
    return ja__cli_usage(err, a, "--now needs an ISO 8601 time with a zone like "
                         "2026-03-02T00:05:00Z, not", a->val[OPT_NOW]);
  if (a->on[OPT_NOW] && o.now_ms == 0)
    o.now_ms = 1; /* 1970-01-01T00:00:00Z itself: 0 would mean "the clock" */

  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  ja__config cfg;
  ja__db d;
  memset(&d, 0, sizeof d);
  ja__transport *t = NULL;
  ja__upload_report r;
  memset(&r, 0, sizeof r);
  ja__rollup_report ro;
  int rc = JA_EXIT_OK, present = 0, rolled = 0;
  ja_status st = ja__config_load(&cfg, NULL);
  /* Paused: the queue is not even opened (nothing is sent or deleted);
   * the run says why, queue or not. */
  if (st == JA_OK && cfg.mode != JA__MODE_PAUSED)
    st = ja__upload_open_queue(&d, &cfg, &present);
  if (st != JA_OK) {
    rc = ja__cli_fail(err, NULL, st);
    goto done;
  }
  if (!present && cfg.mode != JA__MODE_PAUSED) {
    r.stopped = "nothing"; /* no queue: nothing to do, and nothing is created */
    goto report;
  }
  if (cfg.mode == JA__MODE_ON && !o.dry_run && (st = ja__transport_curl_new(&t, cfg.host)) != JA_OK) {
    ja__cli_errorf(err, NULL, "%s", ja_last_error());
    rc = ja__cli_exit_code(st);
    goto done;
  }
  /* Not in a dry run: it changes nothing. Local mode rolls up too: its
   * events stay here. */
  if ((cfg.mode == JA__MODE_ON || cfg.mode == JA__MODE_LOCAL) && !o.dry_run)
    rolled = rollup_first(&o, err, &ro);
  if ((st = ja__upload_run(&d, &cfg, t, &o, &r)) != JA_OK) {
    ja__cli_errorf(err, NULL, "%s", ja_last_error()[0] ? ja_last_error() : ja_status_str(st));
    rc = ja__cli_exit_code(st);
    goto done;
  }
  if (cfg.mode == JA__MODE_LOCAL || (r.stopped && strcmp(r.stopped, "local") == 0)) {
    ja__cli_errorf(err, NULL, "%s", cfg.mode == JA__MODE_LOCAL
                   ? "local mode ([analytics] mode = \"local\"): events stay on this machine, "
                     "nothing is uploaded"
                   : r.why);
    goto report;
  }
  if (cfg.mode == JA__MODE_OFF || (r.stopped && strcmp(r.stopped, "opted_out") == 0)) {
    if (o.verbose || o.dry_run)
      ja__cli_errorf(err, NULL, "%s: %s %lld queued event%s",
                     cfg.mode == JA__MODE_OFF ? cfg.off_reason : r.why,
                     o.dry_run ? "would delete the" : "deleted", (long long)r.purged,
                     ja__plural_s(r.purged));
    goto report;
  }
  if (o.verbose && cfg.mode != JA__MODE_PAUSED) /* paused: nothing was tried, one line says why */
    say_summary(err, &r);
  if (r.outcome == JA__UP_TEMPFAIL) {
    ja__cli_errorf(err, NULL, "%s", r.why);
    rc = JA_EXIT_TEMPFAIL;
  } else if (r.outcome == JA__UP_CONFIGFAIL) {
    ja__cli_errorf(err, NULL, "%s", r.why);
    rc = JA_EXIT_CONFIG;
  } else if (r.outcome == JA__UP_INTERRUPTED) {
    ja__cli_errorf(err, NULL, "%s", r.why);
    rc = 128 + r.signal;
  }
report:
  if (a->on[OPT_JSON])
    rc = print_summary_json(out, &r, rolled ? &ro : NULL, rc);
done:
  if (t)
    t->close(t);
  ja__store_close(&d);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  return rc;
}

int
ja__cli_upload_main(int argc, char **argv, FILE *out, FILE *err)
{
  return ja__cli_run(&ja__cli_jarvis_analytics_upload, argc, argv, out, err);
}
