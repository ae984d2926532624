/*
 * test_event.c — the two filters applied to a whole event: catalog
 * validators and the structural cases of OpenJarvis'
 * tests/analytics/test_redaction.py (validate_event and redact()), plus
 * the malformed-input checks that come before any policy.
 */
#include "support.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "store/store.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof(a)[0])

/* Prepare and return the cleaned JSON (caller frees) and drop counts. */
static char *
clean(const char *name, const char *props, ja__event *ev)
{
  ja_status st = ja__event_prepare(name, props, ev);
  if (st != JA_OK)
    fail_msg("prepare(%s, %s): %s", name, props, ja_last_error());
  char *out = ev->props_json ? strdup(ev->props_json) : NULL;
  ja__event_free(ev);
  return out;
}

static void
expect_clean(const char *name, const char *props, const char *want)
{
  ja__event ev;
  char *got = clean(name, props, &ev);
  if (!got || strcmp(got, want) != 0)
    fail_msg("%s %s: got %s, want %s", name, props, got ? got : "(dropped)", want);
  free(got);
}

/* OpenJarvis: test_unknown_event_is_rejected */
static void test_event__unknown_event_is_rejected(void **state)
{
  (void)state;
  ja__event ev;
  char *got = clean("not_a_real_event", "{\"any\":\"thing\"}", &ev);
  assert_null(got);
  assert_null(ev.spec);
  assert_int_equal(ev.drops[JA__DROP_UNKNOWN_EVENT], 1);
}

/* OpenJarvis: test_known_event_with_no_properties_is_accepted */
static void test_event__known_event_with_no_properties_is_accepted(void **state)
{
  (void)state;
  expect_clean("first_chat_sent", "{}", "{}");
  expect_clean("first_chat_sent", NULL, "{}");
}

/* OpenJarvis: test_unknown_properties_are_silently_dropped */
static void test_event__unknown_properties_are_silently_dropped(void **state)
{
  (void)state;
  ja__event ev;
  char *got = clean("install_started",
                    "{\"os\":\"darwin\",\"arch\":\"arm64\",\"installer_version\":\"0.1.1\","
                    "\"malicious_extra\":\"should-not-survive\"}", &ev);
  assert_string_equal(got, "{\"os\":\"darwin\",\"arch\":\"arm64\",\"installer_version\":\"0.1.1\"}");
  assert_int_equal(ev.drops[JA__DROP_UNKNOWN_PROPERTY], 1);
  assert_string_equal(ev.first_prop, ""); /* unknown names are not echoed */
  free(got);
}

/* OpenJarvis: test_invalid_enum_value_is_dropped ("/Users/alice" is also
 * PII, so here redaction catches it first: reason pii). */
static void test_event__invalid_enum_value_is_dropped(void **state)
{
  (void)state;
  ja__event ev;
  char *got = clean("install_started", "{\"os\":\"/Users/alice\",\"arch\":\"arm64\"}", &ev);
  assert_string_equal(got, "{\"arch\":\"arm64\"}");
  assert_int_equal(ev.drops[JA__DROP_PII], 1);
  assert_string_equal(ev.first_prop, "os");
  free(got);
  got = clean("install_started", "{\"os\":\"beos\",\"arch\":\"arm64\"}", &ev);
  assert_string_equal(got, "{\"arch\":\"arm64\"}");
  assert_int_equal(ev.drops[JA__DROP_INVALID_VALUE], 1);
  free(got);
}

/* OpenJarvis: test_invalid_int_property_is_dropped */
static void test_event__invalid_int_property_is_dropped(void **state)
{
  (void)state;
  expect_clean("install_stage_completed", "{\"stage\":\"uv\",\"elapsed_ms\":-5}", "{\"stage\":\"uv\"}");
}

/* OpenJarvis: test_bool_is_not_int_for_int_validators */
static void test_event__bool_is_not_int_for_int_validators(void **state)
{
  (void)state;
  expect_clean("install_stage_completed", "{\"stage\":\"uv\",\"elapsed_ms\":true}", "{\"stage\":\"uv\"}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":false}", "{}");
}

/* OpenJarvis: test_chat_session_ended_properties_pass */
static void test_event__chat_session_ended_properties_pass(void **state)
{
  (void)state;
  const char *all = "{\"turn_count\":5,\"tokens_in\":1000,\"tokens_out\":500,"
                    "\"latency_ms_p50\":250.5,\"latency_ms_p95\":800,\"tool_count\":3,"
                    "\"unique_tools\":2,\"unique_models\":1,\"error_count\":0,"
                    "\"model_hash\":\"8754b77c7eee26e4\",\"engine\":\"ollama\",\"duration_ms\":60000}";
  expect_clean("chat_session_ended", all, all);
}

/* OpenJarvis: test_chat_session_ended_rejects_bad_hash */
static void test_event__chat_session_ended_rejects_bad_hash(void **state)
{
  (void)state;
  expect_clean("chat_session_ended", "{\"turn_count\":1,\"model_hash\":\"not-a-hash-too-short\"}",
               "{\"turn_count\":1}");
  expect_clean("chat_session_ended", "{\"model_hash\":\"8754B77C7EEE26E4\"}", "{}"); /* upper */
  expect_clean("chat_session_ended", "{\"model_hash\":\"8754b77c7eee26e\"}", "{}");  /* 15 */
}

/* OpenJarvis: test_redact_keeps_safe_values / preserves zero and false */
static void test_event__zero_and_false_survive(void **state)
{
  (void)state;
  expect_clean("feedback_submitted", "{\"rating\":0,\"has_comment\":false}",
               "{\"rating\":0,\"has_comment\":false}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":0.0,\"tokens_in\":0}",
               "{\"latency_ms_p50\":0,\"tokens_in\":0}");
}

/* OpenJarvis: test_redact_drops_pii_strings / long / empty / composite.
 * Value-level reasons come before unknown_property, so an unknown name
 * shows them all; under a shaped property (setting_key) a string outside
 * the shape is invalid_value instead (test_event__key_shape). */
static void test_event__value_level_drops_by_reason(void **state)
{
  (void)state;
  char long_ok[300], long_bad[300];
  memset(long_ok, 'x', 64);
  long_ok[64] = '\0';
  memset(long_bad, 'x', 201);
  long_bad[201] = '\0';
  struct {
    const char *value;
    ja__drop why;
  } cases[] = {
      {"\"user@example.com\"", JA__DROP_PII},
      {"\"Bearer abc123\"", JA__DROP_PII},
      {"\"\"", JA__DROP_EMPTY},
      {"[\"a\",\"b\"]", JA__DROP_COMPOSITE},
      {"{\"k\":\"v\"}", JA__DROP_COMPOSITE},
      {"null", JA__DROP_NULL},
      {"1e999", JA__DROP_NOT_FINITE},
      {"-1e999", JA__DROP_NOT_FINITE},
      {"42", JA__DROP_UNKNOWN_PROPERTY},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char props[512];
    snprintf(props, sizeof props, "{\"zz_unknown\":%s}", cases[i].value);
    ja__event ev;
    char *got = clean("settings_changed", props, &ev);
    if (strcmp(got, "{}") != 0 || ev.drops[cases[i].why] != 1 || ev.ndrops != 1)
      fail_msg("%s: got %s, reason %s", cases[i].value, got, ja__drop_name(ev.first_reason));
    free(got);
  }
  char props[512];
  snprintf(props, sizeof props, "{\"zz_unknown\":\"%s\"}", long_bad);
  ja__event ev;
  char *got = clean("settings_changed", props, &ev);
  assert_int_equal(ev.drops[JA__DROP_TOO_LONG], 1); /* 201 */
  free(got);
  /* the str64 length limit under a key: 64 passes, 65 and 201 do not */
  snprintf(props, sizeof props, "{\"setting_key\":\"%s\"}", long_ok);
  got = clean("settings_changed", props, &ev);
  assert_int_equal(ev.ndrops, 0);
  free(got);
  snprintf(props, sizeof props, "{\"setting_key\":\"%sx\"}", long_ok);
  got = clean("settings_changed", props, &ev);
  assert_int_equal(ev.drops[JA__DROP_INVALID_VALUE], 1); /* 65 */
  free(got);
  snprintf(props, sizeof props, "{\"setting_key\":\"%s\"}", long_bad);
  got = clean("settings_changed", props, &ev);
  assert_int_equal(ev.drops[JA__DROP_INVALID_VALUE], 1); /* 201: the shape first */
  free(got);
}

static void test_event__validators(void **state)
{
  (void)state;
  /* int: integral, >= 0, not bool, exact in a double */
  expect_clean("install_failed", "{\"exit_code\":0}", "{\"exit_code\":0}");
  expect_clean("install_failed", "{\"exit_code\":1.0}", "{\"exit_code\":1}");
  expect_clean("install_failed", "{\"exit_code\":1.5}", "{}");
  expect_clean("install_failed", "{\"exit_code\":\"1\"}", "{}");
  expect_clean("install_failed", "{\"exit_code\":1e300}", "{}");
  /* num: >= 0, finite, not bool */
  expect_clean("chat_session_ended", "{\"latency_ms_p95\":12.25}", "{\"latency_ms_p95\":12.25}");
  expect_clean("chat_session_ended", "{\"latency_ms_p95\":-0.5}", "{}");
  /* bool */
  expect_clean("feedback_submitted", "{\"has_comment\":true}", "{\"has_comment\":true}");
  expect_clean("feedback_submitted", "{\"has_comment\":1}", "{}");
  expect_clean("feedback_submitted", "{\"has_comment\":\"true\"}", "{}");
  /* enum: exact, case-sensitive */
  expect_clean("app_opened", "{\"platform\":\"tauri-macos\"}", "{\"platform\":\"tauri-macos\"}");
  expect_clean("app_opened", "{\"platform\":\"CLI\"}", "{}");
  /* A version is ASCII: 64 × "é" (64 code points, 128 bytes) is a str64
   * but not a version. (No catalog property is a plain str64 any more.) */
  char props[512] = "{\"version\":\"";
  size_t n = strlen(props);
  for (int i = 0; i < 64; i++, n += 2)
    memcpy(props + n, "\xc3\xa9", 2);
  memcpy(props + n, "\"}", 3);
  ja__event ev;
  char *got = clean("app_opened", props, &ev);
  assert_int_equal(ev.drops[JA__DROP_INVALID_VALUE], 1);
  free(got);
}

static void test_event__malformed_is_error_not_drop(void **state)
{
  (void)state;
  const char *bad[][2] = {
      {"app_opened", "{"},         {"app_opened", "[]"},       {"app_opened", "1"},
      {"app_opened", "null"},      {"app_opened", "{}x"},      {"app\x7f", "{}"},
      {"app\xc2\x85x", "{}"},      {"\xff", "{}"},             {"app_opened", "{\"a\":\"\xed\xa0\x80\"}"},
      {"app_opened", "{\"a\":1,\"a\":1}"},
      {"app_opened", "{\"version\":\"abc\\u0000user@example.com\"}"}, /* cJSON would cut at NUL */
      {"app_opened", "{\"ver\\u0000sion\":\"1\"}"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ja__event ev;
    ja_status st = ja__event_prepare(bad[i][0], bad[i][1], &ev);
    if (st != JA_EINVALID)
      fail_msg("case %zu accepted", i);
    assert_null(ev.props_json);
  }
  char many[8192] = "{";
  for (int i = 0; i < 300; i++) {
    char item[32];
    snprintf(item, sizeof item, "%s\"p%d\":1", i ? "," : "", i);
    strncat(many, item, sizeof many - strlen(many) - 1);
  }
  strncat(many, "}", sizeof many - strlen(many) - 1);
  ja__event ev;
  assert_int_equal(ja__event_prepare("app_opened", many, &ev), JA_EINVALID);
  assert_non_null(strstr(ja_last_error(), "too many properties"));
}

/* An escaped backslash followed by the text u0000 is not a NUL: the input
 * is accepted (then judged as policy: a backslash is outside every shape,
 * and under an unknown name the value is only an unknown property). */
static void test_event__escaped_backslash_is_not_nul(void **state)
{
  (void)state;
  ja__event ev;
  char *got = clean("app_opened", "{\"version\":\"a\\\\u0000\",\"platform\":\"cli\"}", &ev);
  assert_string_equal(got, "{\"platform\":\"cli\"}");
  assert_int_equal(ev.drops[JA__DROP_INVALID_VALUE], 1);
  free(got);
  got = clean("app_opened", "{\"zz\":\"a\\\\u0000\"}", &ev);
  assert_int_equal(ev.drops[JA__DROP_UNKNOWN_PROPERTY], 1);
  free(got);
}

static void test_event__drop_names_are_stable(void **state)
{
  (void)state;
  const char *want[] = {"", "unknown_event", "unknown_property", "invalid_value", "pii",
                        "composite", "too_long", "empty", "null", "not_finite", "queue_full",
                        "expired", "busy", "rejected", "too_large", "malformed", "disk_full",
                        "io_error", "corrupt"};
  assert_int_equal(sizeof want / sizeof want[0], JA__DROP_COUNT);
  for (int i = 0; i < JA__DROP_COUNT; i++)
    assert_string_equal(ja__drop_name((ja__drop)i), want[i]);
}

/* Numbers are stored exactly as parsed (cJSON's own printing rounds at 15
 * digits: tests/fuzz/crashes/event-*-rounded-*). */
static void test_event__numbers_round_trip_exactly(void **state)
{
  (void)state;
  expect_clean("install_stage_completed", "{\"elapsed_ms\":9007199254740991}",
               "{\"elapsed_ms\":9007199254740991}");
  expect_clean("install_stage_completed", "{\"elapsed_ms\":9007199254740992}", "{}"); /* 2^53 */
  expect_clean("install_stage_completed", "{\"elapsed_ms\":9007199254740993}", "{}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":0.30000000000000004}",
               "{\"latency_ms_p50\":0.30000000000000004}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":0.3}", "{\"latency_ms_p50\":0.3}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":1e300}", "{\"latency_ms_p50\":1e+300}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":12345678.125}",
               "{\"latency_ms_p50\":12345678.125}");
  expect_clean("feedback_submitted", "{\"rating\":-0}", "{\"rating\":0}");
}

/* Set LC_NUMERIC to @p name, compiling it into a private LOCPATH when it
 * is not installed system-wide (localedef comes with the Debian package
 * "locales"). The compiled locale is kept in the build folder
 * (tests/locales/), so localedef runs once per build, not once per run:
 * made in a temp folder and renamed into place, so that a test running
 * beside it never finds it half made. Returns 1 when it is set and its
 * decimal point is @p point. */
static int
numeric_locale(const char *name, const char *point)
{
  if (!setlocale(LC_NUMERIC, name)) {
    char cache[1200], made[1400], tmp[1300], cmd[1700], lang[64];
    snprintf(lang, sizeof lang, "%.*s", (int)strcspn(name, "."), name);
    snprintf(cache, sizeof cache, "%s/tests/locales", JA_TEST_BIN_DIR);
    snprintf(made, sizeof made, "%s/%s/LC_NUMERIC", cache, name);
    if (access(made, R_OK) != 0) {
      mkdir(cache, 0755);
      snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", cache, name);
      if (!mkdtemp(tmp))
        return 0;
      snprintf(cmd, sizeof cmd, "localedef -i %s -f UTF-8 '%s/%s' >/dev/null 2>&1", lang, tmp, name);
      int rc = system(cmd); /* localedef exits 1 on mere warnings: look for the file */
      snprintf(made, sizeof made, "%s/%s", tmp, name);
      snprintf(cmd, sizeof cmd, "%s/%s", cache, name);
      /* A second maker that lost the race leaves the first one's copy. */
      if (rc != -1)
        rename(made, cmd);
      snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
      if (system(cmd) == -1)
        return 0;
    }
    setenv("LOCPATH", cache, 1);
    if (!setlocale(LC_NUMERIC, name))
      return 0;
  }
  assert_string_equal(localeconv()->decimal_point, point);
  return 1;
}

/* Numbers a host's LC_NUMERIC must not touch: spliced as written (250.5)
 * and converted ones (an exponent, 17 digits, a sign). */
static void
expect_numbers_in_any_locale(void)
{
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":250.5}", "{\"latency_ms_p50\":250.5}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":1.5e3,\"latency_ms_p95\":2.5e-7}",
               "{\"latency_ms_p50\":1500,\"latency_ms_p95\":2.5e-07}");
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":0.30000000000000004}",
               "{\"latency_ms_p50\":0.30000000000000004}");
  expect_clean("chat_session_ended", "{\"turn_count\":-0.0,\"tokens_in\":12.5e1}",
               "{\"turn_count\":0,\"tokens_in\":125}");
}

/* expect_numbers_in_any_locale() under LC_NUMERIC @p name, skipped when
 * that locale cannot be had. */
static void
expect_numbers_in_locale(const char *name, const char *point)
{
  if (!numeric_locale(name, point)) {
    print_message("no %s locale (package locales): skipped\n", name);
    skip();
  }
  expect_numbers_in_any_locale();
  setlocale(LC_NUMERIC, "C");
}

/* A host that set LC_NUMERIC to a comma locale still gets JSON with '.'. */
static void test_event__numbers_ignore_host_locale(void **state)
{
  (void)state;
  expect_numbers_in_locale("de_DE.UTF-8", ",");
}

/* ps_AF writes the decimal point as U+066B, two bytes: a parser that swaps
 * '.' for the locale's point (cJSON took its first byte) refuses every
 * fraction as malformed there. */
static void test_event__numbers_ignore_a_multibyte_decimal_point(void **state)
{
  (void)state;
  expect_numbers_in_locale("ps_AF.UTF-8", "\xd9\xab");
}

/* What each number token is stored as, and which validators take it: the
 * filter splices a token that is already in the stored form (digits, or a
 * fraction of at most 15 significant digits, trailing zeros cut) and
 * converts the others; both must give the text the store always wrote
 * (the shortest of 15-17 digits that reads back the same, integers in
 * full) and the same verdicts. A NULL text: dropped for @c why. */
static void test_event__numbers_stored_form_and_verdicts(void **state)
{
  (void)state;
  static const struct {
    const char *prop, *token, *stored, *why;
  } cases[] = {
      /* num: spliced as written (or cut before trailing zeros) */
      {"latency_ms_p50", "250", "250", NULL},
      {"latency_ms_p50", "0", "0", NULL},
      {"latency_ms_p50", "250.50", "250.5", NULL},
      {"latency_ms_p50", "250.000", "250", NULL},
      {"latency_ms_p50", "0.0", "0", NULL},
      {"latency_ms_p50", "0.0001", "0.0001", NULL},
      {"latency_ms_p50", "0.00010", "0.0001", NULL},
      {"latency_ms_p50", "0.000123", "0.000123", NULL},
      {"latency_ms_p50", "0.123456789012345", "0.123456789012345", NULL},
      {"latency_ms_p50", "123456789012345", "123456789012345", NULL},
      {"latency_ms_p50", "99999999999999.5", "99999999999999.5", NULL},
      /* num: converted (an exponent, a sign, 16+ digits, below 1e-4) */
      {"latency_ms_p50", "0.00001", "1e-05", NULL},
      {"latency_ms_p50", "0.1234567890123456", "0.1234567890123456", NULL},
      {"latency_ms_p50", "0.10000000000000001", "0.1", NULL},
      {"latency_ms_p50", "1234567890123456", "1234567890123456", NULL},
      {"latency_ms_p50", "12345678901234567890", "1.2345678901234567e+19", NULL},
      {"latency_ms_p50", "999999999999999.5", "999999999999999.5", NULL},
      /* 16 digits the double cannot hold: the text moves, so no splice */
      {"latency_ms_p50", "8.000000000000001", "8.000000000000002", NULL},
      {"latency_ms_p50", "80000000000000.01", "80000000000000.02", NULL},
      {"latency_ms_p50", "9007199254740993", "9007199254740992", NULL},
      {"latency_ms_p50", "1.000000000000000000000001", "1", NULL},
      {"latency_ms_p50", "1e2", "100", NULL},
      {"latency_ms_p50", "1E+2", "100", NULL},
      {"latency_ms_p50", "1e15", "1000000000000000", NULL},
      {"latency_ms_p50", "1e16", "1e+16", NULL},
      {"latency_ms_p50", "-0", "0", NULL},
      {"latency_ms_p50", "-0.0", "0", NULL},
      {"latency_ms_p50", "1e-400", "0", NULL},  /* rounds to 0 */
      {"latency_ms_p50", "-1e-400", "0", NULL}, /* rounds to -0, which is >= 0 */
      {"latency_ms_p50", "-0.5", NULL, "invalid_value"},
      {"latency_ms_p50", "1e999", NULL, "not_finite"},
      {"latency_ms_p50", "-1e999", NULL, "not_finite"},
      /* int: an integral double below 2^53, whatever the spelling */
      {"turn_count", "5", "5", NULL},
      {"turn_count", "5.0", "5", NULL},
      {"turn_count", "123456789012345.000", "123456789012345", NULL},
      {"turn_count", "5e0", "5", NULL},
      {"turn_count", "0.5e1", "5", NULL},
      {"turn_count", "50e-1", "5", NULL},
      {"turn_count", "1e15", "1000000000000000", NULL},
      {"turn_count", "9007199254740991", "9007199254740991", NULL},
      {"turn_count", "9007199254740991.0", "9007199254740991", NULL},
      {"turn_count", "9007199254740991.4", "9007199254740991", NULL}, /* the double is */
      {"turn_count", "0.99999999999999999", "1", NULL},               /* likewise */
      {"turn_count", "-0", "0", NULL},
      {"turn_count", "1e-400", "0", NULL},
      {"turn_count", "-1e-400", "0", NULL},
      {"turn_count", "5.5", NULL, "invalid_value"},
      {"turn_count", "0.5", NULL, "invalid_value"},
      {"turn_count", "99999999999999.5", NULL, "invalid_value"},
      {"turn_count", "9007199254740992", NULL, "invalid_value"},
      {"turn_count", "-1", NULL, "invalid_value"},
      {"turn_count", "1e999", NULL, "not_finite"},
      {"turn_count", "true", NULL, "invalid_value"},
      /* an unknown name: only what the value is counts */
      {"zz", "250.5", NULL, "unknown_property"},
      {"zz", "-1e999", NULL, "not_finite"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char props[256], want[256];
    snprintf(props, sizeof props, "{\"%s\":%s}", cases[i].prop, cases[i].token);
    if (cases[i].stored)
      snprintf(want, sizeof want, "{\"%s\":%s}", cases[i].prop, cases[i].stored);
    else
      snprintf(want, sizeof want, "{}");
    ja__event ev;
    char *got = clean("chat_session_ended", props, &ev);
    const char *why = ev.ndrops ? ja__drop_name(ev.first_reason) : NULL;
    if (strcmp(got, want) != 0 || (why == NULL) != (cases[i].why == NULL) ||
        (why && strcmp(why, cases[i].why) != 0))
      fail_msg("%s: stored %s (%s), want %s (%s)", props, got, why ? why : "kept", want,
               cases[i].why ? cases[i].why : "kept");
    free(got);
  }
}

/* Names are compared decoded: "a" and "\u0061" are one name, so is a
 * surrogate pair and the character it stands for; a catalog name spelt
 * with escapes is that property. A repeat is refused for an unknown event
 * too (the JSON is judged before the name), and undoes the drops counted
 * before it. */
static void test_event__repeated_names_are_compared_decoded(void **state)
{
  (void)state;
  static const char *const repeats[][2] = {
      {"app_opened", "{\"a\":1,\"\\u0061\":2}"},
      {"app_opened", "{\"\\u0061\":1,\"\\u0061\":2}"},
      {"chat_session_ended", "{\"turn_count\":1,\"t\\u0075rn_count\":2}"},
      {"app_opened", "{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":1}"},
      {"app_opened", "{\"a\\/b\":1,\"a/b\":1}"},
      {"app_opened", "{\"\\n\":1,\"\\u000a\":1}"},
      {"not_an_event", "{\"a\":1,\"a\":1}"},
      {"app_opened", "{\"zz\":1,\"yy\":[1,{\"zz\":1}],\"zz\":2}"},
  };
  for (size_t i = 0; i < N(repeats); i++) {
    ja__event ev;
    if (ja__event_prepare(repeats[i][0], repeats[i][1], &ev) != JA_EINVALID)
      fail_msg("%s accepted", repeats[i][1]);
    assert_non_null(strstr(ja_last_error(), "repeats a property name"));
    assert_null(ev.props_json);
    assert_int_equal(ev.ndrops, 0);
    assert_null(ev.spec);
  }
  /* not repeats: case, a trailing space, a prefix, a nested repeat */
  static const char *const distinct[] = {
      "{\"a\":1,\"A\":1}", "{\"a\":1,\"a \":1}", "{\"ab\":1,\"a\":1}", "{\"\":1,\"a\":1}",
      "{\"zz\":{\"a\":1,\"a\":2}}",
  };
  for (size_t i = 0; i < N(distinct); i++) {
    ja__event ev;
    char *got = clean("app_opened", distinct[i], &ev);
    assert_string_equal(got, "{}");
    free(got);
  }
  expect_clean("chat_session_ended", "{\"t\\u0075rn_count\":5,\"\\u0074okens_in\":1.0}",
               "{\"turn_count\":5,\"tokens_in\":1}");
}

/* \u escapes must pair surrogates the way UTF-16 does (a value holding half
 * a pair has no UTF-8 form), wherever the string is: a value, a name, deep
 * inside a composite that would be dropped anyway. The message gives the
 * byte of the escape that starts the broken pair. */
static void test_event__surrogate_escapes(void **state)
{
  (void)state;
  static const struct {
    const char *json;
    size_t at;
  } bad[] = {
      {"{\"zz\":\"\\ud800\"}", 7},
      {"{\"zz\":\"\\udc00\"}", 7},
      {"{\"zz\":\"x\\ud800y\"}", 8},
      {"{\"zz\":\"\\ud800\\u0041\"}", 7},
      {"{\"zz\":\"\\ud800\\ud800\"}", 7},
      {"{\"zz\":\"\\udc00\\ud800\"}", 7},
      {"{\"zz\":\"\\ud800\\\\udc00\"}", 7}, /* an escaped backslash, then text */
      {"{\"zz\":\"\\ud83d\\ude00\\ud83d\"}", 19},
      {"{\"\\ud800\":1}", 2},
      {"{\"zz\":[1,{\"a\":\"\\udfff\"}]}", 15},
      {"\"\\ud800\"", 1},
  };
  for (size_t i = 0; i < N(bad); i++) {
    ja__event ev;
    if (ja__event_prepare("app_opened", bad[i].json, &ev) != JA_EINVALID)
      fail_msg("%s accepted", bad[i].json);
    char want[80];
    snprintf(want, sizeof want, "malformed properties JSON at byte %zu: ", bad[i].at);
    if (strncmp(ja_last_error(), want, strlen(want)) != 0 || !strstr(ja_last_error(), "surrogate"))
      fail_msg("%s: '%s', want '%s…surrogate'", bad[i].json, ja_last_error(), want);
  }
  /* whole pairs, either case of hex, are the characters they stand for */
  expect_clean("app_opened", "{\"zz\":\"\\ud83d\\ude00\",\"platform\":\"cli\"}",
               "{\"platform\":\"cli\"}");
  expect_clean("app_opened", "{\"zz\":\"\\uD834\\uDD1E\\udbff\\udfff\"}", "{}");
  expect_clean("app_opened", "{\"zz\":\"\\\\ud800\"}", "{}"); /* "\\" then text */
}

/* Nesting: the top level counts, JA__JSON_MAX_DEPTH (1000) levels are
 * syntax (then a composite drop), one more is refused at its bracket.
 * Arrays and objects alternate past 64 levels, so each closing bracket
 * must be matched against the right opener on the way back. */
static void test_event__nesting_limit(void **state)
{
  (void)state;
  static char json[8192];
  for (int levels = 999; levels <= 1001; levels++) {
    for (int mixed = 0; mixed <= 1; mixed++) {
      size_t n = (size_t)snprintf(json, sizeof json, "{\"zz\":");
      char close[1100];
      int nclose = 0;
      for (int d = 1; d < levels; d++) {
        int obj = mixed && d % 3 == 0;
        n += (size_t)snprintf(json + n, sizeof json - n, obj ? "{\"k\":" : "[");
        close[nclose++] = obj ? '}' : ']';
      }
      size_t deepest = n - (nclose ? (close[nclose - 1] == '}' ? 5 : 1) : 0);
      json[n++] = '1';
      while (nclose > 0)
        json[n++] = close[--nclose];
      json[n++] = '}';
      json[n] = '\0';
      ja__event ev;
      ja_status st = ja__event_prepare("app_opened", json, &ev);
      if (levels <= 1000) {
        if (st != JA_OK || strcmp(ev.props_json, "{}") != 0 || ev.drops[JA__DROP_COMPOSITE] != 1)
          fail_msg("%d levels (mixed %d): %s", levels, mixed, st ? ja_last_error() : ev.props_json);
        ja__event_free(&ev);
      } else {
        char want[80];
        snprintf(want, sizeof want, "malformed properties JSON at byte %zu: nested too deeply",
                 deepest);
        assert_int_equal(st, JA_EINVALID);
        assert_string_equal(ja_last_error(), want);
      }
    }
  }
  /* a wrong closer deep down is found where it is */
  size_t n = (size_t)snprintf(json, sizeof json, "{\"zz\":");
  for (int d = 0; d < 70; d++)
    n += (size_t)snprintf(json + n, sizeof json - n, d % 2 ? "{\"k\":" : "[");
  size_t wrong = n + 1;
  n += (size_t)snprintf(json + n, sizeof json - n, "1]");
  json[n] = '\0';
  ja__event ev;
  assert_int_equal(ja__event_prepare("app_opened", json, &ev), JA_EINVALID);
  char want[80];
  snprintf(want, sizeof want, "malformed properties JSON at byte %zu: expected ',' or '}'", wrong);
  assert_string_equal(ja_last_error(), want);
}

/* Several faults in one text: the message names the one the checks have
 * always reported first (encoding, then a NUL, then the grammar's first
 * offending byte, then half a surrogate pair; then the top level's type,
 * the count, a repeated name), wherever each is. */
static void test_event__first_fault_reported(void **state)
{
  (void)state;
  static const struct {
    const char *json, *message;
  } cases[] = {
      {"{\"zz\":01,\"yy\":\"\xff\"}", "properties JSON is not valid UTF-8"},
      {"{\"zz\":01,\"yy\":\"\\u0000\"}", "properties JSON contains a NUL character"},
      {"{\"zz\":\"\\ud800\",\"yy\":01}", "malformed properties JSON at byte 20: leading zero"},
      {"{\"zz\":\"\\ud800\",\"zz\":1}", "malformed properties JSON at byte 7: a \\u escape"},
      {"[\"\\ud800\"]", "malformed properties JSON at byte 2: a \\u escape"},
      {"[1,2]", "properties must be a JSON object, not an array"},
      {"\"x\"", "properties must be a JSON object, not a string"},
      {" -1.5e3 ", "properties must be a JSON object, not a number"},
      {"null", "properties must be a JSON object, not null"},
      {"false", "properties must be a JSON object, not a boolean"},
  };
  for (size_t i = 0; i < N(cases); i++) {
    ja__event ev;
    assert_int_equal(ja__event_prepare("app_opened", cases[i].json, &ev), JA_EINVALID);
    if (strncmp(ja_last_error(), cases[i].message, strlen(cases[i].message)) != 0)
      fail_msg("%s: '%s', want '%s…'", cases[i].json, ja_last_error(), cases[i].message);
  }
}

/* JA__MAX_PROPS (256) members are fine; one more is refused, before a
 * repeated name would be, and only once the whole text has been read. */
static void test_event__property_count_limit(void **state)
{
  (void)state;
  static char json[16384];
  for (int count = 256; count <= 257; count++) {
    for (int repeat = 0; repeat <= 1; repeat++) {
      size_t n = (size_t)snprintf(json, sizeof json, "{\"turn_count\":1");
      for (int i = 1; i < count; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, ",\"p%d\":1", repeat && i == 2 ? 1 : i);
      snprintf(json + n, sizeof json - n, "}");
      ja__event ev;
      ja_status st = ja__event_prepare("chat_session_ended", json, &ev);
      if (count == 256 && !repeat) {
        assert_int_equal(st, JA_OK);
        assert_string_equal(ev.props_json, "{\"turn_count\":1}");
        assert_int_equal(ev.drops[JA__DROP_UNKNOWN_PROPERTY], 255);
        ja__event_free(&ev);
        continue;
      }
      assert_int_equal(st, JA_EINVALID);
      assert_int_equal(ev.ndrops, 0);
      assert_string_equal(ja_last_error(), count > 256
                                               ? "too many properties (257, at most 256)"
                                               : "properties JSON repeats a property name");
    }
  }
  /* the count is only known at the end: a syntax error after it wins */
  size_t n = (size_t)snprintf(json, sizeof json, "{");
  for (int i = 0; i < 300; i++)
    n += (size_t)snprintf(json + n, sizeof json - n, "%s\"p%d\":1", i ? "," : "", i);
  snprintf(json + n, sizeof json - n, ",}");
  ja__event ev;
  assert_int_equal(ja__event_prepare("app_opened", json, &ev), JA_EINVALID);
  assert_non_null(strstr(ja_last_error(), "trailing comma"));
}

/* Not RFC 8259 JSON, each refused as malformed (nothing stored, nothing
 * counted). The first group is what cJSON itself accepted ({"version":01}
 * was stored: a bug once); the rest cJSON refuses too, kept here so a
 * change of parser cannot let them in. */
static void test_event__non_rfc8259_json_is_malformed(void **state)
{
  (void)state;
  static const struct {
    const char *json;
    size_t at;          /* byte of the error */
    const char *why;    /* part of the message */
  } bad[] = {
      /* accepted by cJSON */
      {"{\"version\":01}", 11, "leading zero"},
      {"{\"version\":-01}", 12, "leading zero"},
      {"{\"version\":00}", 11, "leading zero"},
      {"{\"version\":1.}", 13, "decimal point"},
      {"{\"version\":1.e5}", 13, "decimal point"},
      {"{\"version\":-0.}", 14, "decimal point"},
      {"\xEF\xBB\xBF{}", 0, "not a JSON value"},
      {"{\"version\":\"a\x01" "b\"}", 13, "control character"},
      {"{\"version\":\"a\tb\"}", 13, "control character"},
      {"{\"version\":\"a\nb\"}", 13, "control character"},
      {"{\"version\":\"\x1f\"}", 12, "control character"},
      {"\x0b{}", 0, "not a JSON value"},
      {"\x0c{}", 0, "not a JSON value"},
      {"{}\x0b", 2, "text after"},
      {"{\"version\":1\x01}", 12, "expected ','"},
      {"{\x01\"version\":1}", 1, "member name"},
      /* refused by cJSON too */
      {"{\"version\":.5}", 11, "not a JSON value"},
      {"{\"version\":+1}", 11, "not a JSON value"},
      {"{\"version\":0x10}", 12, "expected ','"},
      {"{\"version\":1e}", 13, "exponent"},
      {"{\"version\":1e+}", 14, "exponent"},
      {"{\"version\":-}", 12, "digit"},
      {"{\"version\":-Infinity}", 12, "digit"},
      {"{\"version\":Infinity}", 11, "not a JSON value"},
      {"{\"version\":NaN}", 11, "not a JSON value"},
      {"{\"version\":nan}", 11, "not a JSON value"},
      {"{\"version\":1,}", 13, "trailing comma"},
      {"{\"version\":[1,]}", 14, "trailing comma"},
      {"{'version':1}", 1, "member name"},
      {"{\"version\":'1'}", 11, "not a JSON value"},
      {"{\"version\":1}/*c*/", 13, "text after"},
      {"{\"version\":1}//c", 13, "text after"},
      {"{/*c*/\"version\":1}", 1, "member name"},
      {"{\"version\":tru}", 11, "not a JSON value"},
      {"{\"version\":\"\\x41\"}", 12, "invalid escape"},
      {"{\"version\":\"\\u12\"}", 12, "four hex digits"},
      {"{\"version\" 1}", 11, "':'"},
      {"{\"version\":1 \"platform\":\"cli\"}", 13, "expected ','"},
      {"{version:1}", 1, "member name"},
      {"{\"version\":\"1\"", 14, "expected ','"},
      {"{\"version\":\"1}", 14, "unterminated"},
      {"", 0, "missing"},
      {"   ", 3, "missing"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ja__event ev;
    ja_status st = ja__event_prepare("app_opened", bad[i].json, &ev);
    if (st != JA_EINVALID)
      fail_msg("case %zu (%s) accepted", i, bad[i].json);
    assert_null(ev.props_json);
    assert_int_equal(ev.ndrops, 0);
    char want[64];
    snprintf(want, sizeof want, "malformed properties JSON at byte %zu: ", bad[i].at);
    const char *msg = ja_last_error();
    if (strncmp(msg, want, strlen(want)) != 0 || !strstr(msg, bad[i].why))
      fail_msg("case %zu (%s): message '%s', want '%s…%s'", i, bad[i].json, msg, want,
               bad[i].why);
  }
}

/* Everything RFC 8259 allows still goes through (and is then filtered as
 * policy: composites drop, numbers keep their value). */
static void test_event__rfc8259_json_is_accepted(void **state)
{
  (void)state;
  static const struct {
    const char *json, *want;
  } ok[] = {
      {" \t\r\n{ \t\r\n\"turn_count\" \t\r\n: \t\r\n0 \t\r\n} \t\r\n", "{\"turn_count\":0}"},
      {"{\"turn_count\":-0}", "{\"turn_count\":0}"},
      {"{\"latency_ms_p50\":1.5e3}", "{\"latency_ms_p50\":1500}"},
      {"{\"latency_ms_p50\":1E2}", "{\"latency_ms_p50\":100}"},
      {"{\"latency_ms_p50\":2.50E+1}", "{\"latency_ms_p50\":25}"},
      {"{\"latency_ms_p50\":10e-1}", "{\"latency_ms_p50\":1}"},
      {"{\"latency_ms_p50\":0.25}", "{\"latency_ms_p50\":0.25}"},
      {"{\"latency_ms_p50\":-1.0E-2}", "{}"},
      {"{\"platform\":\"\\u0063li\"}", "{\"platform\":\"cli\"}"},
      {"{\"version\":\"a\\/b\\\"c\\\\d\\b\\f\\n\\r\\t\"}", NULL},
      {"{\"version\":\"\x7f\"}", NULL},
      {"{\"zz\":[1,[2,{\"a\":[]}],{}],\"yy\":null,\"xx\":true,\"ww\":false}", "{}"},
      {"{}", "{}"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    ja__event ev;
    const char *event = strstr(ok[i].json, "turn_count") || strstr(ok[i].json, "latency")
                            ? "chat_session_ended" : "app_opened";
    ja_status st = ja__event_prepare(event, ok[i].json, &ev);
    if (st != JA_OK)
      fail_msg("case %zu (%s) refused: %s", i, ok[i].json, ja_last_error());
    if (ok[i].want && strcmp(ev.props_json, ok[i].want) != 0)
      fail_msg("case %zu (%s): got %s, want %s", i, ok[i].json, ev.props_json, ok[i].want);
    ja__event_free(&ev);
  }
  /* Nesting up to the limit is syntax, not an error (then a composite drop). */
  char deep[2100];
  size_t n = 0;
  n += (size_t)snprintf(deep, sizeof deep, "{\"zz\":");
  for (int d = 0; d < 998; d++)
    deep[n++] = '[';
  for (int d = 0; d < 998; d++)
    deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = '\0';
  ja__event ev;
  assert_int_equal(ja__event_prepare("app_opened", deep, &ev), JA_OK);
  assert_string_equal(ev.props_json, "{}");
  ja__event_free(&ev);
}

/* ------------------------------------------------------------ shapes
 * version and key: a str64 with the shape its values really
 * have. A value outside the shape is invalid_value, judged before any
 * redaction pattern runs; a value inside it still goes through redaction. */

/* One property through the filter: NULL when it was stored as given, else
 * the name of the (single) drop reason. */
static const char *
verdict(const char *event, const char *prop, const char *json_value)
{
  static char why[32];
  char props[512];
  snprintf(props, sizeof props, "{\"%s\":%s}", prop, json_value);
  ja__event ev;
  char *got = clean(event, props, &ev);
  if (ev.ndrops == 0) {
    if (strcmp(got, props) != 0)
      fail_msg("%s: stored %s", props, got);
    free(got);
    return NULL;
  }
  if (ev.ndrops != 1 || strcmp(got, "{}") != 0)
    fail_msg("%s: %u drops, stored %s", props, ev.ndrops, got);
  free(got);
  snprintf(why, sizeof why, "%s", ja__drop_name(ev.first_reason));
  return why;
}

static void
expect_shape(const char *event, const char *prop, const char *const *ok, size_t nok,
             const char *const *bad, size_t nbad)
{
  for (size_t i = 0; i < nok; i++) {
    const char *why = verdict(event, prop, ok[i]);
    if (why)
      fail_msg("%s %s=%s: dropped as %s, should pass", event, prop, ok[i], why);
  }
  for (size_t i = 0; i < nbad; i++) {
    const char *why = verdict(event, prop, bad[i]);
    if (!why || strcmp(why, "invalid_value") != 0)
      fail_msg("%s %s=%s: %s, should drop as invalid_value", event, prop, bad[i],
               why ? why : "stored");
  }
}

#define V64 "\"1.0.0-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" /* 64 characters */
#define V65 "\"1.0.0-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\""
#define K64 "\"ui.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" /* 64 characters */
#define K65 "\"ui.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\""

static void test_event__version_shape(void **state)
{
  (void)state;
  static const char *const ok[] = {
      "\"0.4.2\"", "\"v1.2.3-rc.1+build.5\"", "\"2024.10.1\"", "\"6.8.0-45-generic\"",
      "\"1\"", "\"v2\"", "\"0.1.0\"", "\"1.0.0-alpha+001\"", "\"0.4.2_1\"", "\"1.0RC1\"",
      "\"1.0.post1\"", "\"v1.2.3.4\"", "\"1.2.3+20241001.abcdef0\"", V64,
  };
  static const char *const bad[] = {
      "\"v\"", "\"\"", "\".1\"", "\"1.2 beta\"", "\"1.2/3\"", "\"V1.2\"", "\"vv1\"",
      "\"version 1\"", "\"a1.0\"", "\"-1\"", "\"+1\"", "\"_1\"", "\"1.2.\"", "\"1.2-\"",
      "\"1.2+\"", "\"1_\"", "\"1..2\"", "\"1.-2\"", "\"1+-2\"", "\"1:2.3-4\"", "\"1.2,3\"",
      "\" 1.0\"", "\"1.0 \"", "\"1.0\\u00a0\"", "\"1.0\\u200b\"", "\"\\u0661.\\u0662\"",
      "\"1.2\\u00e9\"", "\"\\uff11.2\"", "\"1.2~rc1\"", "\"1.2\\\\3\"", V65,
      "1", "1.5", "true", "\"x@example.com\"",
  };
  expect_shape("app_opened", "version", ok, N(ok), bad, N(bad));
  expect_shape("install_started", "installer_version", ok, N(ok), bad, N(bad));
}

static void test_event__key_shape(void **state)
{
  (void)state;
  static const char *const ok[] = {
      "\"ui.theme\"", "\"engine.ollama.host\"", "\"tools/search_web:enabled\"", "\"a\"",
      "\"Z\"", "\"ENGINE__OLLAMA__HOST\"", "\"2fa.enabled\"", "\"ui.font-size\"",
      "\"agents.max_turns\"", "\"model:qwen3.5\"", "\"x1\"", "\"theme.dark_mode\"", K64,
  };
  static const char *const bad[] = {
      "\"\"", "\"a b\"", "\"x@y\"", "\"\\u043a\\u043b\\u044e\\u0447\"" /* ключ */,
      "\"ui.th\\u00e8me\"", "\"ui.theme\\u00a0\"", "\"ui\\u200b.theme\"", "\"\\uff55i.theme\"",
      "\".hidden\"", "\"/etc/x\"", "\":x\"", "\"-flag\"", "\"_private\"", "\"ui.\"",
      "\"ui/\"", "\"a_\"", "\"ui..theme\"", "\"a/-b\"", "\"a:/b\"", "\"http://example.com\"",
      "\"../x\"", "\"123\"", "\"12:30:45\"", "\"2024.10.1\"", "\"ui\\\\theme\"", "\"a,b\"",
      "\"a=b\"", "\"a#b\"", "\"a%40b\"", "\"a+b\"", "\"a~b\"", "\"a\\tb\"", K65, "7", "true",
      "\"me@example.com\"", "\"/home/alice\"",
  };
  expect_shape("settings_changed", "setting_key", ok, N(ok), bad, N(bad));
}

/* The shape comes first: a value outside it is invalid_value even when a
 * PII pattern would match it too, so it is never counted as pii. */
static void test_event__shape_is_checked_before_redaction(void **state)
{
  (void)state;
  static const char *const cases[][3] = {
      {"app_opened", "version", "\"x@example.com\""},
      {"app_opened", "version", "\"Bearer abc123\""},
      {"app_opened", "version", "\"~/secret\""},
      {"install_started", "installer_version", "\"/Users/alice/install.sh\""},
      {"settings_changed", "setting_key", "\"user.alice@example.com\""},
      {"settings_changed", "setting_key", "\"/home/alice\""},
      {"settings_changed", "setting_key", "\"password = hunter2\""},
      {"settings_changed", "setting_key", "\"https://user:pass@example.com\""},
  };
  for (size_t i = 0; i < N(cases); i++) {
    char props[256];
    snprintf(props, sizeof props, "{\"%s\":%s}", cases[i][1], cases[i][2]);
    ja__event ev;
    char *got = clean(cases[i][0], props, &ev);
    if (strcmp(got, "{}") != 0 || ev.ndrops != 1 || ev.drops[JA__DROP_INVALID_VALUE] != 1 ||
        ev.drops[JA__DROP_PII] != 0)
      fail_msg("%s: stored %s, first reason %s", props, got, ja__drop_name(ev.first_reason));
    assert_string_equal(ev.first_prop, cases[i][1]);
    free(got);
    /* the same value is PII on its own: redaction would have caught it */
    char value[200];
    snprintf(value, sizeof value, "%.*s", (int)strlen(cases[i][2]) - 2, cases[i][2] + 1);
    assert_int_equal(ja__redact_string(value, strlen(value), NULL), JA__DROP_PII);
  }
}

/* A value inside its shape still meets the redaction floor. */
static void test_event__redaction_still_runs_inside_the_shape(void **state)
{
  (void)state;
  static const char *const cases[][3] = {
      {"app_opened", "version", "\"10.0.0.5\""},                  /* ipv4 */
      {"app_opened", "version", "\"1.2.3.4\""},                   /* ipv4, not v1.2.3.4 */
      {"install_started", "installer_version", "\"192.168.1.10\""},
      {"settings_changed", "setting_key", "\"password:hunter2\""}, /* secret_assignment */
      {"settings_changed", "setting_key", "\"token:abc123\""},
      {"settings_changed", "setting_key", "\"ghp_abcdefghijklmnopqrstuvwxyz0123456789\""},
      {"settings_changed", "setting_key", "\"sk-proj-abcdefghijklmnopqrstuvwxyz0123\""},
      {"settings_changed", "setting_key", "\"DESKTOP-ABC1234\""},  /* personal_hostname */
      {"settings_changed", "setting_key", "\"alice-macbook\""},
  };
  for (size_t i = 0; i < N(cases); i++) {
    const char *why = verdict(cases[i][0], cases[i][1], cases[i][2]);
    if (!why || strcmp(why, "pii") != 0)
      fail_msg("%s %s=%s: %s, should drop as pii", cases[i][0], cases[i][1], cases[i][2],
               why ? why : "stored");
  }
}

/* null, arrays/objects and non-finite numbers keep their own reasons under
 * a shaped property: they say what the value is, no pattern is involved. */
static void test_event__shaped_properties_keep_value_kind_reasons(void **state)
{
  (void)state;
  static const char *const cases[][2] = {
      {"null", "null"}, {"[\"0.4.2\"]", "composite"}, {"{\"a\":\"0.4.2\"}", "composite"},
      {"1e999", "not_finite"},
  };
  for (size_t i = 0; i < N(cases); i++) {
    assert_string_equal(verdict("app_opened", "version", cases[i][0]), cases[i][1]);
    assert_string_equal(verdict("settings_changed", "setting_key", cases[i][0]), cases[i][1]);
  }
}
