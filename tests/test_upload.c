/*
 * test_upload.c — the uploader's pure parts: the retry policy table
 * (PostHog's SDK compliance cases), Retry-After in both forms, ISO-8601
 * and HTTP-date parsing, the body encoder (stored text spliced verbatim,
 * the documented shape), gzip, which hosts the transport accepts (and how
 * it shows them), PostHog's answer, the send-time filters, and that the
 * program makes itself non-dumpable.
 */
#include "support.h"
#include "cli/cli.h"
#include "upload/transport.h"
#include "upload/upload.h"
#include "util/gzip.h"
#include "util/http_date.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

/* 2026-12-01T10:00:00Z */
#define NOW INT64_C(1796119200000)

static void test_upload__policy_table(void **state)
{
  (void)state;
  static const struct {
    int status;
    ja__up_action action;
  } rows[] = {
      {200, JA__UP_ACK},    {204, JA__UP_ACK},     {299, JA__UP_ACK},
      {0, JA__UP_RETRY},    {408, JA__UP_RETRY},   {429, JA__UP_RETRY},
      {500, JA__UP_RETRY},  {502, JA__UP_RETRY},   {503, JA__UP_RETRY},
      {504, JA__UP_RETRY},  {599, JA__UP_RETRY},   {400, JA__UP_BISECT},
      {413, JA__UP_SPLIT},  {401, JA__UP_AUTH},    {403, JA__UP_AUTH},
      {404, JA__UP_CONFIG}, {301, JA__UP_CONFIG},  {302, JA__UP_CONFIG},
      {100, JA__UP_CONFIG}, {418, JA__UP_CONFIG},  {600, JA__UP_CONFIG},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    ja__up_decision d = ja__upload_policy(rows[i].status, 0, 3, NULL, NOW, 0);
    if (d.action != rows[i].action)
      fail_msg("status %d: action %d, want %d", rows[i].status, d.action, rows[i].action);
    /* Only a retry waits. */
    assert_true(d.action == JA__UP_RETRY ? d.delay_ms > 0 : d.delay_ms == 0);
  }
}

/* max_retries 3 → retries 0, 1, 2 retry and the 4th answer gives up: at
 * most 4 requests (compliance: max_retries_respected). Backoff 1 s, 2 s,
 * 4 s … capped at 30 s (compliance: implements_backoff). */
static void test_upload__backoff_grows_and_retries_are_bounded(void **state)
{
  (void)state;
  const int64_t want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (int r = 0; r < 8; r++) {
    ja__up_decision d = ja__upload_policy(503, r, 3, NULL, NOW, 0);
    assert_int_equal(d.delay_ms, want[r]);
    assert_int_equal(d.action, r < 3 ? JA__UP_RETRY : JA__UP_GIVE_UP);
  }
  assert_int_equal(ja__upload_policy(0, 0, 0, NULL, NOW, 0).action, JA__UP_GIVE_UP);
  /* A test's base scales the whole ladder, the cap stays. */
  assert_int_equal(ja__upload_policy(500, 2, 3, NULL, NOW, 10).delay_ms, 40);
  assert_int_equal(ja__upload_policy(500, 40, 50, NULL, NOW, 10).delay_ms, 30000);
  /* A huge retry count neither overflows nor goes negative. */
  assert_int_equal(ja__upload_policy(500, 1 << 30, INT_MAX, NULL, NOW, 0).delay_ms, 30000);
}

/* Retry-After is a floor in both forms (compliance:
 * respects_retry_after_header), never a way to retry sooner. */
static void test_upload__retry_after_is_a_floor(void **state)
{
  (void)state;
  assert_int_equal(ja__upload_policy(429, 0, 3, "3", NOW, 0).delay_ms, 3000);
  assert_int_equal(ja__upload_policy(429, 0, 3, " 45 ", NOW, 0).delay_ms, 45000);
  assert_int_equal(ja__upload_policy(503, 2, 3, "0", NOW, 0).delay_ms, 4000);
  /* HTTP-date 7 s after NOW. */
  assert_int_equal(ja__upload_policy(503, 0, 3, "Tue, 01 Dec 2026 10:00:07 GMT", NOW, 0).delay_ms,
                   7000);
  /* A date in the past: the backoff. */
  assert_int_equal(ja__upload_policy(503, 1, 3, "Tue, 01 Dec 2026 09:00:00 GMT", NOW, 0).delay_ms,
                   2000);
  /* Unparsable: ignored. */
  const char *bad[] = {"", "-5", "3.5", "soon", "1e3", "0x10", "Tue, 01 Dec 2026 10:00:07"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(ja__upload_retry_after_ms(bad[i], NOW), -1);
  /* Absurd: capped at a day, the retry budget still applies. */
  assert_int_equal(ja__upload_retry_after_ms("99999999999999999999", NOW),
                   JA__UP_RETRY_AFTER_MAX_MS);
  ja__up_decision d = ja__upload_policy(429, 3, 3, "86400000", NOW, 0);
  assert_int_equal(d.action, JA__UP_GIVE_UP);
  assert_int_equal(d.delay_ms, JA__UP_RETRY_AFTER_MAX_MS);
}

static void test_upload__error_classes(void **state)
{
  (void)state;
  assert_string_equal(ja__upload_error_class(200), "");
  assert_string_equal(ja__upload_error_class(0), "network");
  assert_string_equal(ja__upload_error_class(408), "timeout");
  assert_string_equal(ja__upload_error_class(429), "rate_limited");
  assert_string_equal(ja__upload_error_class(502), "server");
  assert_string_equal(ja__upload_error_class(400), "rejected");
  assert_string_equal(ja__upload_error_class(413), "rejected");
  assert_string_equal(ja__upload_error_class(401), "auth");
  assert_string_equal(ja__upload_error_class(403), "auth");
  assert_string_equal(ja__upload_error_class(404), "unexpected");
}

static void test_upload__http_dates_all_three_forms(void **state)
{
  (void)state;
  int64_t t;
  /* RFC 9110's own example instant: 784111777 s. */
  assert_int_equal(ja__http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
  assert_int_equal(t, INT64_C(784111777000));
  assert_int_equal(ja__http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
  assert_int_equal(t, INT64_C(784111777000));
  assert_int_equal(ja__http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
  assert_int_equal(t, INT64_C(784111777000));
  assert_int_equal(ja__http_date_parse("Tue, 29 Feb 2028 00:00:00 GMT", &t), 0);
  const char *bad[] = {"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37",
                       "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                       "Sun, 06 Nov 1994 24:00:00 GMT", "Thu, 29 Feb 2027 00:00:00 GMT",
                       "Sun Nov 6 08:49:37 1994", "", "3"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ja__http_date_parse(bad[i], &t) == 0)
      fail_msg("accepted '%s'", bad[i]);
}

static void test_upload__iso8601_instants(void **state)
{
  (void)state;
  int64_t t;
  assert_int_equal(ja__iso8601_parse("2026-12-01T10:00:00Z", &t), 0);
  assert_int_equal(t, NOW);
  assert_int_equal(ja__iso8601_parse("2026-12-01T10:00:00.250Z", &t), 0);
  assert_int_equal(t, NOW + 250);
  assert_int_equal(ja__iso8601_parse("2026-12-01T15:30:00+05:30", &t), 0);
  assert_int_equal(t, NOW);
  assert_int_equal(ja__iso8601_parse("2026-12-01 09:00:00-01:00", &t), 0);
  assert_int_equal(t, NOW);
  assert_int_equal(ja__iso8601_parse("1970-01-01T00:00:00Z", &t), 0);
  assert_int_equal(t, 0);
  const char *bad[] = {"2026-12-01T10:00:00", "2026-13-01T10:00:00Z", "2026-12-01T10:00Z",
                       "2026-12-01", "2026-12-01T10:00:00.Z", "2026-12-01T10:00:00Zjunk",
                       "2026-02-30T00:00:00Z", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ja__iso8601_parse(bad[i], &t) == 0)
      fail_msg("accepted '%s'", bad[i]);
}

/* The stored properties text goes out byte for byte: numbers cJSON would
 * round (17 significant digits), key order, escapes. */
static void test_upload__encoder_splices_stored_text_verbatim(void **state)
{
  (void)state;
  const char *props = "{\"z\":0.30000000000000004,\"a\":\"q\\\"\\u00e9\",\"n\":12345678901234567890}";
  ja__up_event e = {"018f3e1c-0000-7000-8000-000000000001", "2026-12-01T09:59:59.123Z",
                    "anon-1", "app_opened", props};
  ja__buf b = {0};
  assert_int_equal(ja__upload_encode(&b, "phc_KEY", NOW, &e, 1), JA_OK);
  assert_non_null(strstr(b.ptr, "\"properties\":{\"z\":0.30000000000000004,\"a\":\"q\\\"\\u00e9\","
                                "\"n\":12345678901234567890,\"$lib\":\"jarvis-analytics\""));
  assert_non_null(strstr(b.ptr, "\"timestamp\":\"2026-12-01T09:59:59.123Z\""));
  assert_non_null(strstr(b.ptr, "\"uuid\":\"018f3e1c-0000-7000-8000-000000000001\""));
  assert_non_null(strstr(b.ptr, "\"sent_at\":\"2026-12-01T10:00:00.000Z\""));
  ja__buf_free(&b);
}

/* The body is the documented shape, as a JSON parser sees it. */
static void test_upload__encoder_documented_shape(void **state)
{
  (void)state;
  ja__up_event ev[3] = {
      {"u1", "2026-12-01T09:00:00.000Z", "d1", "app_opened", "{}"},
      {"u2", "2026-12-01T09:00:01.000Z", "d1", "feature_used", " {\"feature_name\":\"chat\"} "},
      {"u3", "2026-12-01T09:00:02.000Z", "d\"2", "app_opened", "{ }"},
  };
  ja__buf b = {0};
  assert_int_equal(ja__upload_encode(&b, "phc_k\"ey", NOW, ev, 3), JA_OK);
  cJSON *j = cJSON_Parse(b.ptr);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "api_key")->valuestring, "phc_k\"ey");
  assert_string_equal(cJSON_GetObjectItem(j, "sent_at")->valuestring, "2026-12-01T10:00:00.000Z");
  cJSON *batch = cJSON_GetObjectItem(j, "batch");
  assert_int_equal(cJSON_GetArraySize(batch), 3);
  for (int i = 0; i < 3; i++) {
    cJSON *e = cJSON_GetArrayItem(batch, i);
    assert_int_equal(cJSON_GetArraySize(e), 5);
    assert_string_equal(cJSON_GetObjectItem(e, "uuid")->valuestring, ev[i].uuid);
    assert_string_equal(cJSON_GetObjectItem(e, "timestamp")->valuestring, ev[i].timestamp);
    assert_string_equal(cJSON_GetObjectItem(e, "distinct_id")->valuestring, ev[i].distinct_id);
    assert_string_equal(cJSON_GetObjectItem(e, "event")->valuestring, ev[i].event);
    cJSON *p = cJSON_GetObjectItem(e, "properties");
    assert_string_equal(cJSON_GetObjectItem(p, "$lib")->valuestring, "jarvis-analytics");
    assert_string_equal(cJSON_GetObjectItem(p, "$lib_version")->valuestring, JA_VERSION);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(p, "$geoip_disable")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(p, "$process_person_profile")));
    assert_int_equal(cJSON_GetArraySize(p), i == 1 ? 5 : 4);
  }
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(batch, 1),
                                                              "properties"),
                                          "feature_name")
                          ->valuestring,
                      "chat");
  cJSON_Delete(j);
  ja__buf_free(&b);
}

static void test_upload__encoder_refuses_non_object_properties(void **state)
{
  (void)state;
  const char *bad[] = {"", "[]", "\"x\"", "{", "}", "null"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ja__up_event e = {"u", "t", "d", "app_opened", bad[i]};
    ja__buf b = {0};
    assert_int_equal(ja__upload_encode_begin(&b, "k", NOW), JA_OK);
    size_t before = b.len;
    assert_int_equal(ja__upload_encode_event(&b, &e, 1), JA_EINVALID);
    assert_int_equal(b.len, before);
    ja__buf_free(&b);
  }
}

/* Control characters in stored strings are escaped, never sent raw. */
static void test_upload__json_string_escapes(void **state)
{
  (void)state;
  ja__buf b = {0};
  assert_int_equal(ja__upload_json_string(&b, "a\"b\\c\n\x01"), JA_OK);
  assert_string_equal(b.ptr, "\"a\\\"b\\\\c\\u000a\\u0001\"");
  ja__buf_free(&b);
}

/* Every byte but NUL, alone and inside a run, quoted as JSON says: the
 * reference here escapes byte by byte (the encoder copies whole runs). */
static void test_upload__json_string_every_byte(void **state)
{
  (void)state;
  ja__buf b = {0};
  for (int c = 1; c < 256; c++) {
    char in[8], want[32];
    snprintf(in, sizeof in, "ab%cz", c);
    if (c == '"' || c == '\\')
      snprintf(want, sizeof want, "\"ab\\%cz\"", c);
    else if (c < 0x20)
      snprintf(want, sizeof want, "\"ab\\u%04xz\"", c);
    else
      snprintf(want, sizeof want, "\"ab%cz\"", c);
    b.len = 0;
    assert_int_equal(ja__upload_json_string(&b, in), JA_OK);
    assert_string_equal(b.ptr, want);
  }
  b.len = 0;
  assert_int_equal(ja__upload_json_string(&b, ""), JA_OK);
  assert_string_equal(b.ptr, "\"\"");
  ja__buf_free(&b);
}

static void test_upload__key_is_masked(void **state)
{
  (void)state;
  char m[16];
  ja__upload_mask_key("phc_abcdefghijklmnopqrstuvwxyz", m);
  assert_string_equal(m, "phc_***");
  ja__upload_mask_key("short", m);
  assert_string_equal(m, "***");
  ja__upload_mask_key("", m);
  assert_string_equal(m, "");
}

static void test_upload__gzip_round_trips(void **state)
{
  (void)state;
  ja__buf gz = {0};
  char in[10000];
  for (size_t i = 0; i < sizeof in; i++)
    in[i] = (char)('a' + (i * 7) % 26);
  assert_int_equal(ja__gzip(&gz, in, sizeof in), JA_OK);
  assert_true(gz.len > 18);
  assert_int_equal((unsigned char)gz.ptr[0], 0x1f); /* gzip magic */
  assert_int_equal((unsigned char)gz.ptr[1], 0x8b);
  char out[sizeof in + 16];
  assert_int_equal(jt_gunzip(gz.ptr, gz.len, out, sizeof out), sizeof in);
  assert_memory_equal(out, in, sizeof in);
  /* Reusing the buffer for a smaller body replaces it. */
  assert_int_equal(ja__gzip(&gz, "", 0), JA_OK);
  assert_true(gz.len > 0 && gz.len < 40);
  ja__buf_free(&gz);
}

/* One stream reused across bodies (run.c): each body is a whole gzip
 * member of its own, byte-identical to a fresh stream's, whatever came
 * before it. */
static void test_upload__gzip_stream_reused_gives_independent_bodies(void **state)
{
  (void)state;
  ja__gzipper g = {NULL};
  ja__buf a = {0}, b = {0}, fresh = {0};
  char big[20000], small[300];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (char)('a' + (i * 13) % 26);
  memset(small, 'x', sizeof small);
  for (int round = 0; round < 3; round++) {
    assert_int_equal(ja__gzip_with(&g, &a, big, sizeof big), JA_OK);
    assert_int_equal(ja__gzip_with(&g, &b, small, sizeof small), JA_OK);
    assert_int_equal(ja__gzip(&fresh, small, sizeof small), JA_OK);
    assert_int_equal(b.len, fresh.len);
    assert_memory_equal(b.ptr, fresh.ptr, b.len);
    assert_int_equal(ja__gzip(&fresh, big, sizeof big), JA_OK);
    assert_int_equal(a.len, fresh.len);
    assert_memory_equal(a.ptr, fresh.ptr, a.len);
  }
  char out[sizeof small + 16];
  assert_int_equal(jt_gunzip(b.ptr, b.len, out, sizeof out), sizeof small);
  ja__gzipper_free(&g);
  ja__gzipper_free(&g); /* twice is harmless */
  ja__buf_free(&a);
  ja__buf_free(&b);
  ja__buf_free(&fresh);
}

static void test_upload__hosts_https_or_loopback_http(void **state)
{
  (void)state;
  char why[256];
  const char *ok[] = {"https://us.i.posthog.com", "https://eu.i.posthog.com/", "https://h:8443",
                      "http://127.0.0.1:8000", "http://localhost:1", "http://LOCALHOST",
                      "http://127.1.2.3", "http://[::1]:9000/"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (ja__transport_host_ok(ok[i], why, sizeof why) != 0)
      fail_msg("refused '%s': %s", ok[i], why);
  const char *bad[] = {"http://us.i.posthog.com", "http://127.0.0.1.evil.com",
                       "http://128.0.0.1", "http://[::2]", "http://10.0.0.1:8000",
                       "http://127.0.0.1@evil.com", "http://evil.com#@127.0.0.1",
                       "ftp://127.0.0.1", "us.i.posthog.com", "https://", "https://h/?x=1",
                       "http://localhost.evil.com", "file:///etc/passwd", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ja__transport_host_ok(bad[i], why, sizeof why) == 0)
      fail_msg("accepted '%s'", bad[i]);
  ja__transport *t = NULL;
  assert_int_equal(ja__transport_curl_new(&t, "http://example.com"), JA_ECONFIG);
  assert_null(t);
  assert_non_null(strstr(ja_last_error(), "loopback"));
}

/* A host with a control, space or invisible character is refused (a
 * configuration error, never handed to a resolver), and no message ever
 * shows a host's user info. */
static void test_upload__hosts_printable_ascii_only_user_info_never_shown(void **state)
{
  (void)state;
  char why[512];
  const char *bad[] = {"https://h\xe2\x80\x8b.com", "\xe2\x80\x8bhttps://h.com", "https://h.com\r",
                       "https://h.com\n", "https://h .com", "https://h\t.com",
                       "https://h\xc2\xa0.com", "http://127.0.0.1:1\x7f"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (ja__transport_host_ok(bad[i], why, sizeof why) == 0)
      fail_msg("accepted host %zu", i);
    assert_non_null(strstr(why, "control, space or non-ASCII character"));
    for (const char *p = why; *p; p++)
      assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
  }
  const char *secret[] = {"https://alice:hunter2@h.com", "http://hunter2@127.0.0.1:1",
                          "https://a:b@c:hunter2@h.com/x", "https://alice:hunter2\x01@h.com"};
  for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++) {
    assert_int_not_equal(ja__transport_host_ok(secret[i], why, sizeof why), 0);
    assert_null(strstr(why, "hunter2"));
    assert_null(strstr(why, "alice"));
  }
  char shown[128];
  ja__transport_host_shown("https://alice:hunter2@h.com:8443/x", shown, sizeof shown);
  assert_string_equal(shown, "https://***@h.com:8443/x");
  ja__transport_host_shown("https://h.com\xe2\x80\x8b", shown, sizeof shown);
  assert_string_equal(shown, "https://h.com\\xe2\\x80\\x8b");
  assert_int_equal(ja__transport_host_loopback("http://localhost:8000/"), 1);
  assert_int_equal(ja__transport_host_loopback("http://[::1]:9"), 1);
  assert_int_equal(ja__transport_host_loopback("https://127.0.0.1"), 1);
  assert_int_equal(ja__transport_host_loopback("https://us.i.posthog.com"), 0);
}

/* A 2xx is a delivery only with PostHog's answer. */
static void test_upload__posthog_answer_recognised(void **state)
{
  (void)state;
  const char *ok[] = {"{\"status\": 1}", "{\"status\":1}", " {\"status\":\"Ok\"} ",
                      "{\"status\":1,\"other\":[1]}"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    assert_int_equal(ja__upload_answer_ok(ok[i], strlen(ok[i]), 0), 1);
  const char *bad[] = {"", "<html>Sign in</html>", "{}", "{\"status\":0}", "{\"status\":\"ok\"}",
                       "[{\"status\":1}]", "{\"status\":1", "\"Ok\"", "{\"status\":\"1\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ja__upload_answer_ok(bad[i], strlen(bad[i]), 0))
      fail_msg("took '%s' for PostHog's answer", bad[i]);
  assert_int_equal(ja__upload_answer_ok("{\"status\":1}", 12, 1), 0); /* the rest was cut */
}

/* The send-time filters: a stored row goes through the catalog and
 * redaction of this build; what cannot be judged is malformed. */
static void test_upload__recheck_filters_stored_rows(void **state)
{
  (void)state;
  const char *u = "01a24e3e-19e6-7bb9-a70f-fbdbe07b80dd", *ts = "2026-12-01T10:00:00.000Z",
             *id = "3f6c1e2a-8b4d-4c1e-9a7f-2d5b6c8e9f01";
  ja__up_verdict v;
  /* Clean: sent as stored. */
  assert_int_equal(ja__upload_recheck(u, ts, id, "app_opened",
                                      "{\"version\":\"1.2.3\",\"platform\":\"cli\"}", &v), JA_OK);
  assert_int_equal(v.drop, JA__DROP_NONE);
  assert_int_equal(v.changed, 0);
  assert_string_equal(v.props, "{\"version\":\"1.2.3\",\"platform\":\"cli\"}");
  ja__upload_verdict_free(&v);
  /* PII and an unknown property: removed, counted. */
  assert_int_equal(ja__upload_recheck(u, ts, id, "app_opened",
                                      "{\"version\":\"10.0.0.1\",\"platform\":\"cli\","
                                      "\"mail\":\"bob@example.com\"}", &v), JA_OK);
  assert_int_equal(v.drop, JA__DROP_NONE);
  assert_int_equal(v.changed, 1);
  assert_string_equal(v.props, "{\"platform\":\"cli\"}");
  assert_int_equal(v.drops[JA__DROP_PII], 2);
  ja__upload_verdict_free(&v);
  /* Whole rows dropped (or kept: the edges of what a field may hold). */
  char long_id[202];
  memset(long_id, 'd', 201);
  long_id[201] = '\0';
  const struct {
    const char *uuid, *ts, *id, *event, *props;
    ja__drop want;
  } rows[] = {
      {u, ts, id, "no_such_event", "{}", JA__DROP_UNKNOWN_EVENT},
      {u, ts, id, "app_opened", "[1]", JA__DROP_MALFORMED},
      {u, ts, id, "app_opened", "\"x\"", JA__DROP_MALFORMED},
      {u, ts, id, "app_opened", "{\"a\":1,\"a\":2}", JA__DROP_MALFORMED},
      {u, ts, id, "app_opened", "{\"version\":\"1\xff\"}", JA__DROP_MALFORMED},
      {u, ts, id, "app_\x01opened", "{}", JA__DROP_MALFORMED},
      {"not-a-uuid", ts, id, "app_opened", "{}", JA__DROP_MALFORMED},
      {u, "yesterday", id, "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, "", "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, "id\nwith newline", "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, "id\x7fwith DEL", "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, "id\xc2\x85with C1", "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, "id\xffnot UTF-8", "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, "id\xc3(cut", "app_opened", "{}", JA__DROP_MALFORMED},
      {u, ts, long_id + 0, "app_opened", "{}", JA__DROP_MALFORMED}, /* 201 bytes */
      {u, ts, long_id + 1, "app_opened", "{}", JA__DROP_NONE},      /* 200 bytes */
      {u, ts, "caf\xc3\xa9 \xe6\x97\xa5", "app_opened", "{}", JA__DROP_NONE},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    assert_int_equal(ja__upload_recheck(rows[i].uuid, rows[i].ts, rows[i].id, rows[i].event,
                                        rows[i].props, &v), JA_OK);
    if (v.drop != rows[i].want)
      fail_msg("row %zu: dropped as '%s', not '%s'", i, ja__drop_name(v.drop),
               ja__drop_name(rows[i].want));
    if (rows[i].want != JA__DROP_NONE)
      assert_null(v.props);
    ja__upload_verdict_free(&v);
  }
}

/* The uploader holds the key in memory: it marks itself non-dumpable (no
 * core file, no ptrace by another process of the user) before anything. */
static void test_upload__uploader_is_not_dumpable(void **state)
{
  (void)state;
  jt_fresh_env();
  assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
  char *argv[] = {"jarvis-analytics-upload", "--dry-run", NULL};
  FILE *out = tmpfile(), *err = tmpfile();
  assert_int_equal(ja__cli_upload_main(2, argv, out, err), 0);
  fclose(out);
  fclose(err);
  assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}
