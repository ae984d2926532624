/*
 * cli/status.c — `jarvis-analytics status [--json]`: the report model
 * (store/report.h) rendered as text for people, or as the status document
 * (api/report_json.c). Both come from one collected report.
 */
#include "boot.h"

#include <cjson/cJSON.h>

#include "api/api.h"
#include "cli/cli.h"
#include "store/report.h"
#include "util/clock.h"

/* A ms time as ISO-8601, or "-" when 0 (never). */
static const char *
iso_or_dash(int64_t ms, char buf[32])
{
  if (ms == 0)
    return "-";
  ja__iso8601_ms(ms, buf);
  return buf;
}

static void
print_drops(FILE *out, const ja__report *r)
{
  fprintf(out, "drops:    ");
  int any = 0;
  for (size_t i = 0; i < r->ndrops; i++) {
    if (r->drops[i].count > 0) {
      fprintf(out, "%s %s %lld", any ? "," : "", r->drops[i].reason,
              (long long)r->drops[i].count);
      any = 1;
    }
  }
  fprintf(out, "%s\n", any ? "" : " none");
}

/* Chat sessions not rolled up yet, and days waiting for their summary. */
static void
print_rollup(FILE *out, const ja__report *r)
{
  const ja__report_rollup *ro = &r->rollup;
  char t[32];
  if (ro->open_sessions == 0)
    fprintf(out, "sessions:  none open");
  else
    fprintf(out, "sessions:  %lld open (last activity %s)", (long long)ro->open_sessions,
            iso_or_dash(ro->latest_open_ms, t));
  if (ro->days_waiting > 0)
    fprintf(out, "; %lld day%s waiting for the daily summary", (long long)ro->days_waiting,
            ro->days_waiting == 1 ? "" : "s");
  fputc('\n', out);
}

static void
print_status_text(FILE *out, const ja__report *r)
{
  char t1[32], t2[32], t3[32];
  ja__cli_print_mode(out, r->mode, r->off_reason);
  fprintf(out, "home:      %s\n", r->home);
  fprintf(out, "config:    %s\n", r->config);
  for (int i = 0; i < r->nwarnings_kept; i++)
    fprintf(out, "warning:   %s\n", r->warnings[i]);
  if (r->nwarnings > r->nwarnings_kept)
    fprintf(out, "warning:   … and %d more\n", r->nwarnings - r->nwarnings_kept);
  fprintf(out, "anon_id:   %s\n", r->has_anon_id ? r->anon_id : "(none yet)");
  fprintf(out, "queue:     %s", r->database);
  if (r->queue_exists)
    fprintf(out, " (%lld pending, oldest %s)\n", (long long)r->pending,
            iso_or_dash(r->oldest_ms, t1));
  else
    fprintf(out, " (not created yet)\n");
  if (r->leased > 0) /* a run holds them: they are not stuck, nor lost */
    fprintf(out, "reserved:  %lld of them by an upload run until %s\n", (long long)r->leased,
            iso_or_dash(r->leased_until_ms, t1));
  if (r->nstore_events > 0) /* the newest: a corrupt queue moved aside, say */
    fprintf(out, "repaired:  %s %s\n", r->store_events[0].at ? r->store_events[0].at : "",
            r->store_events[0].detail ? r->store_events[0].detail : "");
  if (r->queue_exists)
    print_rollup(out, r);
  fprintf(out, "sent:      %lld in the last 30 days (last %s)\n", (long long)r->sent_count,
          r->sent_last ? r->sent_last : "-");
  fprintf(out, "upload:    %s (key %s)\n", r->host, r->key_set ? "set" : "not set");
  if (r->oldest_ms != 0) {
    int64_t age = (r->now_ms - r->oldest_ms) / 1000;
    fprintf(out, "waiting:   oldest pending for %lld s\n", (long long)(age > 0 ? age : 0));
  }
  const ja__upload_state *u = &r->upload;
  fprintf(out, "attempt:   last %s, last success %s, next not before %s\n",
          iso_or_dash(u->last_attempt_ms, t1), iso_or_dash(u->last_success_ms, t2),
          iso_or_dash(u->next_attempt_ms, t3));
  /* No HTTP status when the server never answered: "HTTP 0" is no status. */
  if (u->last_error[0] && u->last_status > 0)
    fprintf(out, "error:     last upload failed: %s (HTTP %d)\n", u->last_error, u->last_status);
  else if (u->last_error[0])
    fprintf(out, "error:     last upload failed: %s (no answer from the server)\n",
            u->last_error);
  print_drops(out, r);
}

int
ja__cli_status(const cli_args *a, FILE *out, FILE *err)
{
  ja_store *s = NULL;
  int rc = ja__cli_open_store(a, err, JA_OPEN_NO_CREATE, &s);
  if (rc)
    return rc;
  ja__report r;
  ja_status st = ja__report_collect(s, 0, &r);
  if (st != JA_OK) {
    rc = ja__cli_fail(err, a->command, st);
  } else if (a->on[OPT_JSON]) {
    cJSON *doc = NULL;
    if ((st = ja__report_json(&r, &doc)) != JA_OK)
      rc = ja__cli_fail(err, a->command, st);
    else
      rc = ja__cli_print_json(out, err, a->command, doc);
    cJSON_Delete(doc);
  } else {
    print_status_text(out, &r);
  }
  ja__report_free(&r);
  ja_store_close(s);
  return rc;
}
