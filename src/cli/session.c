/*
 * cli/session.c — `jarvis-analytics session inference|tool|error|end` and
 * `rollup`: thin layers over ja_session_* and the rollup. --at / --now
 * replay time (tests, back-filling); without them the library reads the
 * clock. A bad value is one line naming it, exit 64 (the command line) or
 * 65 (the library refused the data), and nothing is stored. What a
 * rollup says of the sessions it closed in parts is here too, for the
 * uploader's own rollup to say it the same way.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "util/clock.h"
#include "util/http_date.h"
#include "util/plural.h"

/* --at / --now: an RFC 3339 time, or 0 (now) when not given. @p flag is
 * the option's name, @p example a time to show. A well-formed time before
 * 1970 is said to be that, not to be malformed. */
static int
parse_time(const cli_args *a, cli_opt_id id, const char *flag, const char *example, FILE *err,
           int64_t *out)
{
  *out = 0;
  if (!a->on[id])
    return 0;
  int rc = ja__iso8601_parse(a->val[id], out);
  if (rc != 0) {
    char what[96];
    if (rc == JA__ISO8601_BEFORE_1970)
      snprintf(what, sizeof what, "%s needs a time from 1970 on, not", flag);
    else
      snprintf(what, sizeof what, "%s needs an ISO 8601 UTC time like %s, not", flag, example);
    return ja__cli_usage(err, a, what, a->val[id]);
  }
  if (*out == 0)
    *out = 1; /* 1970-01-01T00:00:00Z itself: 0 would mean "now" */
  return 0;
}

/* --latency-ms X: any strtod number; NaN/Inf/negative go to the library,
 * which refuses them (exit 65) the way it refuses them from any caller. */
static int
parse_latency(const cli_args *a, FILE *err, double *out)
{
  const char *v = a->val[OPT_LATENCY_MS];
  char *end = NULL;
  errno = 0;
  *out = strtod(v, &end);
  if (end == v || *end || errno == ERANGE)
    return ja__cli_usage(err, a, "--latency-ms needs a number of milliseconds, not", v);
  return 0;
}

/* Open the store (creating it: a signal is a write), JA_OPEN_SYNC: the
 * signal is on disk when the command exits. */
static int
open_store(const cli_args *a, FILE *err, ja_store **s)
{
  ja_options o = JA_OPTIONS_INIT;
  o.platform = a->val[OPT_PLATFORM];
  o.flags = JA_OPEN_SYNC;
  ja_status st = ja_store_open(s, &o);
  return st == JA_OK ? 0 : ja__cli_fail(err, a->command, st);
}

/* A value of @p opt that is not in enum @p enum_name but near one of its
 * values: recorded all the same (as unknown, or as a custom tool), with a
 * "did you mean" on stderr. A value near nothing is not repeated back. */
static void
warn_near(const cli_args *a, cli_opt_id opt, const char *flag, const char *enum_name,
          const char *recorded_as, FILE *err)
{
  int valid = 0;
  const char *near = a->on[opt] ? ja__cli_near_value(enum_name, a->val[opt], &valid) : NULL;
  if (near)
    ja__cli_errorf(err, a->command, "%s '%s' is not a value of %s (recorded as %s); did you "
                   "mean '%s'?", flag, a->val[opt], enum_name, recorded_as, near);
}

int
ja__cli_session(const cli_args *a, FILE *out, FILE *err)
{
  const char *sub = a->command + strlen("session ");
  int64_t at = 0;
  double latency = 0;
  int rc = parse_time(a, OPT_AT, "--at", "2026-03-01T10:00:00Z", err, &at);
  if (rc)
    return rc;
  if (strcmp(sub, "inference") == 0) {
    static const cli_opt_id needed[] = {OPT_TOKENS_IN, OPT_TOKENS_OUT, OPT_LATENCY_MS};
    static const char *const flags[] = {"--tokens-in N", "--tokens-out N", "--latency-ms X"};
    const char *missing[3];
    size_t n = 0;
    for (size_t i = 0; i < 3; i++)
      if (!a->on[needed[i]])
        missing[n++] = flags[i];
    if (n == 1)
      return ja__cli_usagef(err, a, "missing %s", missing[0]);
    if (n == 2)
      return ja__cli_usagef(err, a, "missing %s and %s", missing[0], missing[1]);
    if (n == 3)
      return ja__cli_usagef(err, a, "missing %s, %s and %s", missing[0], missing[1], missing[2]);
    if ((rc = parse_latency(a, err, &latency)) != 0)
      return rc;
  } else if (strcmp(sub, "tool") == 0 && !a->on[OPT_TOOL]) {
    return ja__cli_usagef(err, a, "missing --tool NAME");
  }
  if (a->on[OPT_PLATFORM]) {
    /* Checked here, not by the store's open, to offer the nearest value. */
    int valid = 0;
    const char *near = ja__cli_near_value("PLATFORM", a->val[OPT_PLATFORM], &valid);
    if (!valid) {
      ja__cli_errorf(err, a->command, "--platform '%s' is not a PLATFORM value%s%s%s (see "
                     "'jarvis-analytics catalog')", a->val[OPT_PLATFORM],
                     near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
      return JA_EXIT_DATAERR;
    }
  }
  ja_store *s = NULL;
  if ((rc = open_store(a, err, &s)) != 0)
    return rc;
  const char *id = a->pos[0];
  ja_status st;
  if (strcmp(sub, "inference") == 0)
    st = ja_session_inference(s, id, a->num[OPT_TOKENS_IN], a->num[OPT_TOKENS_OUT], latency,
                              a->val[OPT_MODEL], a->val[OPT_ENGINE], at);
  else if (strcmp(sub, "tool") == 0)
    st = ja_session_tool(s, id, a->val[OPT_TOOL], at);
  else if (strcmp(sub, "error") == 0)
    st = ja_session_error(s, id, at);
  else
    st = ja_session_end(s, id, at);
  if (st == JA_OK && ja_store_enabled(s, NULL)) {
    warn_near(a, OPT_ENGINE, "--engine", "ENGINE", "unknown", err);
    warn_near(a, OPT_TOOL, "--tool", "TOOL", "custom_tool for tool_first_used", err);
  }
  if (st != JA_OK) {
    rc = ja__cli_fail(err, a->command, st);
  } else if (a->on[OPT_JSON]) {
    /* Never the session id, model or tool: only what became of them. */
    cJSON *doc = cJSON_CreateObject();
    int ok = cJSON_AddBoolToObject(doc, "recorded", ja_store_enabled(s, NULL)) != NULL;
    rc = ja__cli_print_built(out, err, a->command, doc, ok);
  }
  ja_store_close(s);
  return rc;
}

/* How many of the sessions closed in parts the report holds one by one
 * (the rest are only counted). */
static int64_t
splits_kept(const ja__rollup_report *r)
{
  return r->split_sessions < JA__ROLLUP_SPLITS_KEPT ? r->split_sessions : JA__ROLLUP_SPLITS_KEPT;
}

/* The sessions a rollup closed in parts, for --json: each part with an
 * inference queued a chat_session_ended of its own, which nobody reading
 * the events can tell from separate sessions. */
static cJSON *
splits_json(const ja__rollup_report *r)
{
  cJSON *a = cJSON_CreateArray();
  int64_t kept = splits_kept(r);
  int ok = a != NULL;
  for (int64_t i = 0; ok && i < kept; i++) {
    cJSON *o = cJSON_CreateObject();
    ok = o && cJSON_AddItemToArray(a, o);
    if (!ok)
      cJSON_Delete(o);
    ok = ok && cJSON_AddNumberToObject(o, "parts", (double)r->splits[i].parts) &&
         cJSON_AddNumberToObject(o, "signals", (double)r->splits[i].signals) &&
         cJSON_AddNumberToObject(o, "events", (double)r->splits[i].events);
  }
  if (ok)
    return a;
  cJSON_Delete(a);
  return NULL;
}

int
ja__cli_rollup_parts_json(cJSON *doc, const ja__rollup_report *r)
{
  int ok = cJSON_AddNumberToObject(doc, "sessions_closed", (double)r->sessions_closed) != NULL;
  ok &= cJSON_AddNumberToObject(doc, "closed_in_parts", (double)r->split_sessions) != NULL;
  cJSON *splits = splits_json(r);
  if (!splits || !cJSON_AddItemToObject(doc, "sessions_in_parts", splits)) {
    cJSON_Delete(splits);
    ok = 0;
  }
  return ok;
}

void
ja__cli_say_rollup_parts(FILE *f, int error_lines, const ja__rollup_report *r)
{
  int64_t kept = splits_kept(r);
  char line[256];
  for (int64_t i = 0; i <= kept; i++) {
    if (i < kept)
      snprintf(line, sizeof line, "a session of %lld signals was closed in %lld parts: %lld "
               "chat_session_ended event%s, one per part with an inference",
               (long long)r->splits[i].signals, (long long)r->splits[i].parts,
               (long long)r->splits[i].events, ja__plural_s(r->splits[i].events));
    else if (r->split_sessions > kept)
      snprintf(line, sizeof line, "… and %lld more session%s closed in parts",
               (long long)(r->split_sessions - kept), ja__plural_s(r->split_sessions - kept));
    else
      break;
    if (error_lines)
      ja__cli_errorf(f, NULL, "%s", line);
    else
      fprintf(f, "%s\n", line);
  }
}

int
ja__cli_rollup(const cli_args *a, FILE *out, FILE *err)
{
  int64_t now = 0;
  int rc = parse_time(a, OPT_NOW, "--now", "2026-03-02T00:05:00Z", err, &now);
  if (rc)
    return rc;
  ja_store *s = NULL;
  if ((rc = open_store(a, err, &s)) != 0)
    return rc;
  ja__rollup_report r;
  memset(&r, 0, sizeof r);
  ja_status st = ja__api_rollup(s, now, NULL, &r);
  int64_t queued = r.sessions_emitted + r.days_emitted;
  if (st != JA_OK) {
    rc = ja__cli_fail(err, a->command, st);
  } else if (a->on[OPT_JSON]) {
    cJSON *doc = cJSON_CreateObject();
    int ok = cJSON_AddNumberToObject(doc, "queued", (double)queued) != NULL;
    ok &= cJSON_AddBoolToObject(doc, "enabled", ja_store_enabled(s, NULL)) != NULL;
    ok &= ja__cli_rollup_parts_json(doc, &r);
    rc = ja__cli_print_built(out, err, a->command, doc, ok);
  } else if (a->on[OPT_VERBOSE]) {
    fprintf(out, "queued %lld event%s\n", (long long)queued, ja__plural_s(queued));
    ja__cli_say_rollup_parts(out, 0, &r);
  }
  ja_store_close(s);
  return rc;
}
