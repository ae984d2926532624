/*
 * cli/show.c — `jarvis-analytics show`: queued events newest first by
 * timestamp (or the sent log, most recently sent first), filtered by
 * --event and --since, as text or --json, from the typed rows of
 * store/listing.h.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "filter/catalog.h"
#include "store/listing.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/http_date.h"

/* --since WHEN: an ISO 8601 instant, a UTC date (2026-03-01: its
 * midnight), or an age: N followed by s, m, h or d (7d: seven days ago).
 * A time before 1970 (1960-01-01, 30000d) is since the beginning: 0, no
 * bound, as nothing stored is older. */
static int
parse_since(const char *v, int64_t now_ms, int64_t *out)
{
  int rc = ja__iso8601_parse(v, out);
  int y, m, d, n = 0;
  if (rc == -1 && strlen(v) == 10 && sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
    char iso[32];
    snprintf(iso, sizeof iso, "%sT00:00:00Z", v);
    rc = ja__iso8601_parse(iso, out);
  }
  if (rc == JA__ISO8601_BEFORE_1970)
    *out = 0;
  if (rc != -1)
    return 0;
  char *end = NULL;
  errno = 0;
  long long k = strtoll(v, &end, 10);
  static const struct {
    char unit;
    int64_t ms;
  } units[] = {{'s', 1000}, {'m', 60000}, {'h', 3600000}, {'d', 86400000}};
  if (errno || end == v || k < 0 || v[0] < '0' || v[0] > '9' || end[0] == '\0' || end[1])
    return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (*end == units[i].unit) {
      *out = k > now_ms / units[i].ms ? 0 : now_ms - k * units[i].ms;
      return 0;
    }
  return -1;
}

/* The rows as --json: one object each, the stored properties as stored
 * (re-printing them through cJSON would round numbers). */
static int
print_rows_json(FILE *out, FILE *err, const cli_args *a, const ja__list *l)
{
  int sent = a->on[OPT_SENT];
  cJSON *arr = cJSON_CreateArray();
  int ok = arr != NULL;
  for (size_t i = 0; ok && i < l->n; i++) {
    const ja__list_row *r = &l->rows[i];
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      ok = 0;
      break;
    }
    ok &= cJSON_AddStringToObject(o, "uuid", r->uuid) != NULL;
    ok &= cJSON_AddStringToObject(o, "timestamp", r->timestamp) != NULL;
    ok &= cJSON_AddStringToObject(o, sent ? "sent_at" : "distinct_id",
                                  sent ? r->sent_at : r->distinct_id) != NULL;
    ok &= cJSON_AddStringToObject(o, "event", r->event) != NULL;
    cJSON *raw = cJSON_CreateRaw(r->properties[0] ? r->properties : "{}");
    if (!raw || !cJSON_AddItemToObject(o, "properties", raw)) {
      cJSON_Delete(raw); /* not added: still ours */
      ok = 0;
    }
  }
  int rc = JA_EXIT_OSERR;
  if (ok)
    rc = ja__cli_print_json(out, err, a->command, arr);
  else
    ja__cli_errorf(err, a->command, "out of memory printing the events");
  cJSON_Delete(arr);
  return rc;
}

/* The rows as text, rendered whole before anything is printed: out of
 * memory exits 71 with no listing rather than a listing cut short. */
static int
print_rows_text(FILE *out, FILE *err, const cli_args *a, const ja__list *l)
{
  ja__buf text = {NULL, 0, 0};
  ja_status st = JA_OK;
  for (size_t i = 0; st == JA_OK && i < l->n; i++) {
    const ja__list_row *r = &l->rows[i];
    st = ja__buf_printf(&text, "%s  %-24s %s  %s\n", r->timestamp, r->event, r->properties,
                        r->uuid);
  }
  if (st == JA_OK && l->n == 0)
    st = ja__buf_printf(&text, "(no %s events%s)\n", a->on[OPT_SENT] ? "sent" : "pending",
                        a->on[OPT_EVENT] || a->on[OPT_SINCE] ? " match" : "");
  if (st != JA_OK) {
    ja__buf_free(&text);
    ja__cli_errorf(err, a->command, "out of memory printing the events");
    return JA_EXIT_OSERR;
  }
  fputs(text.ptr, out);
  ja__buf_free(&text);
  return JA_EXIT_OK;
}

int
ja__cli_show(const cli_args *a, FILE *out, FILE *err)
{
  ja__list_query q = {.sent = a->on[OPT_SENT], .limit = a->num[OPT_LIMIT],
                      .event = a->val[OPT_EVENT]};
  if (q.event && !ja__catalog_event(q.event))
    return ja__cli_usage_near(err, a, "--event: not an event of the catalog:", q.event,
                              ja__cli_near_event(q.event));
  if (a->on[OPT_SINCE] && parse_since(a->val[OPT_SINCE], ja__now_ms(), &q.since_ms) != 0)
    return ja__cli_usage(err, a,
                         "--since needs a time like 2026-03-01T10:00:00Z, a date like "
                         "2026-03-01 or an age like 7d, 12h or 30m, not",
                         a->val[OPT_SINCE]);
  ja_store *s = NULL;
  int rc = ja__cli_open_store(a, err, JA_OPEN_NO_CREATE, &s);
  if (rc)
    return rc;
  ja__list l;
  ja_status st = ja__report_list(s, &q, &l);
  if (st != JA_OK)
    rc = ja__cli_fail(err, a->command, st);
  else if (a->on[OPT_JSON])
    rc = print_rows_json(out, err, a, &l);
  else
    rc = print_rows_text(out, err, a, &l);
  ja__list_free(&l);
  ja_store_close(s);
  return rc;
}
