/*
 * cli/upload.c — the one command of jarvis-analytics-upload: parse its
 * values, read the configuration, open the queue (if there is one), make
 * the transport, run a rollup, run the drain loop (upload/run.c), and
 * report: nothing on success unless --verbose; one line on stderr for
 * 75/78. The key is never printed.
 */
#include "boot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "home/config.h"
#include "store/store.h"
#include "upload/transport.h"
#include "upload/upload.h"
#include "util/http_date.h"

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

/* The rollup the uploader runs first, through the public API (so that
 * sessions that ended, or went idle, since the last run leave in this
 * one). Only over a queue that exists: nothing is created by a run with
 * nothing to do. A failed rollup loses nothing (its signals wait for the
 * next one) and must not keep what is queued from leaving: one line. */
static void
rollup_first(const ja__upload_opts *o, FILE *err)
{
  ja_store *s = NULL;
  int64_t queued = 0;
  ja_status st = ja_store_open(&s, NULL);
  if (st == JA_OK)
    st = ja_rollup(s, o->now_ms, &queued);
  if (st != JA_OK)
    ja__cli_errorf(err, NULL, "rollup skipped: %s", ja_last_error()[0] ? ja_last_error() : ja_status_str(st));
  else if (o->verbose && queued)
    ja__cli_errorf(err, NULL, "rollup queued %lld events", (long long)queued);
  ja_store_close(s);
}

int
ja__cli_upload(const cli_args *a, FILE *out, FILE *err)
{
  ja__upload_opts o;
  memset(&o, 0, sizeof o);
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
  if (a->on[OPT_NOW] && ja__iso8601_parse(a->val[OPT_NOW], &o.now_ms) != 0)
    return ja__cli_usage(err, a, "--now: not an ISO-8601 instant with a zone:", a->val[OPT_NOW]);
  if (a->on[OPT_NOW] && o.now_ms <= 0)
    return ja__cli_usage(err, a, "--now: before 1970:", a->val[OPT_NOW]);

  ja__config cfg;
  ja__db d;
  memset(&d, 0, sizeof d);
  ja__transport *t = NULL;
  ja__upload_report r;
  memset(&r, 0, sizeof r);
  int rc = JA_EXIT_OK, present = 0;
  ja_status st = ja__config_load(&cfg, NULL);
  if (st == JA_OK)
    st = ja__upload_open_queue(&d, &cfg, &present);
  if (st != JA_OK) {
    rc = ja__cli_fail(err, NULL, st);
    goto done;
  }
  if (!present)
    goto done; /* no queue: nothing to do, and nothing is created */
  if (cfg.enabled && !o.dry_run && (st = ja__transport_curl_new(&t, cfg.host)) != JA_OK) {
    ja__cli_errorf(err, NULL, "%s", ja_last_error());
    rc = ja__cli_exit_code(st);
    goto done;
  }
  /* Not in a dry run: it changes nothing. */
  if (cfg.enabled && !o.dry_run)
    rollup_first(&o, err);
  if ((st = ja__upload_run(&d, &cfg, t, &o, &r)) != JA_OK) {
    ja__cli_errorf(err, NULL, "%s", ja_last_error()[0] ? ja_last_error() : ja_status_str(st));
    rc = ja__cli_exit_code(st);
    goto done;
  }
  if (!cfg.enabled) {
    if (o.verbose || o.dry_run)
      ja__cli_errorf(err, NULL, "analytics is off (%s): %s %lld queued events", cfg.off_reason,
                 o.dry_run ? "would delete the" : "deleted", (long long)r.purged);
    goto done;
  }
  if (o.verbose)
    ja__cli_errorf(err, NULL, "%lld events sent, %lld dropped by the server, %lld batches, %lld requests",
               (long long)r.sent, (long long)r.dropped, (long long)r.batches,
               (long long)r.requests);
  if (r.outcome == JA__UP_TEMPFAIL) {
    ja__cli_errorf(err, NULL, "%s", r.why);
    rc = JA_EXIT_TEMPFAIL;
  } else if (r.outcome == JA__UP_CONFIGFAIL) {
    ja__cli_errorf(err, NULL, "%s", r.why);
    rc = JA_EXIT_CONFIG;
  }
done:
  if (t)
    t->close(t);
  ja__store_close(&d);
  return rc;
}

int
ja__cli_upload_main(int argc, char **argv, FILE *out, FILE *err)
{
  return ja__cli_run(&ja__cli_jarvis_analytics_upload, argc, argv, out, err);
}
