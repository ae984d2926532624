/*
 * upload/policy.c — the retry policy as a pure function (sentry-native's
 * sentry_retry shape): HTTP status, retries so far, Retry-After, now →
 * what to do and how long to wait. It follows PostHog's SDK compliance
 * suite (posthog-sdk-test-harness contracts/capture_tests.yaml): retry
 * 408/429/500/502/503/504, never retry 400/401/403/413 for the same
 * events, Retry-After honoured, exponential backoff, max_retries → at most
 * max_retries + 1 requests.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "upload/upload.h"
#include "util/http_date.h"

int64_t
ja__upload_retry_after_ms(const char *ra, int64_t now_ms)
{
  if (!ra)
    return -1;
  while (*ra == ' ' || *ra == '\t')
    ra++;
  size_t n = strlen(ra);
  while (n > 0 && (ra[n - 1] == ' ' || ra[n - 1] == '\t' || ra[n - 1] == '\r' || ra[n - 1] == '\n'))
    n--;
  if (n == 0 || n >= 64)
    return -1;
  char v[64];
  memcpy(v, ra, n);
  v[n] = '\0';
  int64_t ms;
  if (v[0] >= '0' && v[0] <= '9') {
    /* delta-seconds: 1*DIGIT (RFC 9110 §10.2.3); no sign, no fraction. */
    int64_t secs = 0;
    for (const char *p = v; *p; p++) {
      if (*p < '0' || *p > '9')
        return -1;
      if (secs > JA__UP_RETRY_AFTER_MAX_MS / 1000)
        return JA__UP_RETRY_AFTER_MAX_MS;
      secs = secs * 10 + (*p - '0');
    }
    ms = secs * 1000;
  } else {
    int64_t at;
    if (ja__http_date_parse(v, &at) != 0)
      return -1;
    ms = at - now_ms;
    if (ms < 0)
      ms = 0;
  }
  return ms > JA__UP_RETRY_AFTER_MAX_MS ? JA__UP_RETRY_AFTER_MAX_MS : ms;
}

static int
retryable(int status)
{
  return status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599);
}

ja__up_decision
ja__upload_policy(int status, int retries, int max_retries, const char *retry_after,
                  int64_t now_ms, int64_t base_ms)
{
  ja__up_decision d = {JA__UP_CONFIG, 0};
  if (status >= 200 && status <= 299) {
    d.action = JA__UP_ACK;
    return d;
  }
  if (status == 413) {
    d.action = JA__UP_SPLIT;
    return d;
  }
  if (status == 400) {
    d.action = JA__UP_BISECT;
    return d;
  }
  if (status == 401 || status == 403) {
    d.action = JA__UP_AUTH;
    return d;
  }
  if (!retryable(status))
    return d;
  if (base_ms <= 0)
    base_ms = JA__UP_BACKOFF_BASE_MS;
  if (retries < 0)
    retries = 0;
  int64_t delay = base_ms;
  for (int i = 0; i < retries && delay < JA__UP_BACKOFF_MAX_MS; i++)
    delay *= 2;
  if (delay > JA__UP_BACKOFF_MAX_MS)
    delay = JA__UP_BACKOFF_MAX_MS;
  /* Retry-After is a floor, not a replacement: a server asking for 0 s
   * while it fails still gets the backoff. */
  int64_t ra = ja__upload_retry_after_ms(retry_after, now_ms);
  if (ra > delay)
    delay = ra;
  d.delay_ms = delay;
  d.action = retries < max_retries ? JA__UP_RETRY : JA__UP_GIVE_UP;
  return d;
}

const char *
ja__upload_error_class(int status)
{
  if (status >= 200 && status <= 299)
    return "";
  if (status == 0)
    return "network";
  if (status == 408)
    return "timeout";
  if (status == 429)
    return "rate_limited";
  if (status >= 500 && status <= 599)
    return "server";
  if (status == 400 || status == 413)
    return "rejected";
  if (status == 401 || status == 403)
    return "auth";
  return "unexpected";
}

int
ja__upload_answer_ok(const char *body, size_t len, int cut)
{
  if (!body || len == 0 || cut)
    return 0; /* PostHog's answer is a few bytes: a long one is someone else's */
  cJSON *j = cJSON_ParseWithLength(body, len);
  const cJSON *st = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "status") : NULL;
  int ok = (cJSON_IsNumber(st) && st->valuedouble == 1) ||
           (cJSON_IsString(st) && strcmp(st->valuestring, "Ok") == 0);
  cJSON_Delete(j);
  return ok;
}
