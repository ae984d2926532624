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
                        "expired", "busy", "rejected", "too_large"};
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

/* A host that set LC_NUMERIC to a comma locale still gets JSON with '.'. */
static void test_event__numbers_ignore_host_locale(void **state)
{
  (void)state;
  const char *locales[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"};
  const char *set = NULL;
  for (size_t i = 0; i < 4 && !set; i++)
    set = setlocale(LC_NUMERIC, locales[i]);
  if (!set) {
    /* Not installed system-wide: compile one into a private LOCPATH
     * (localedef comes with the Debian package "locales"). */
    char dir[1200], cmd[1500];
    snprintf(dir, sizeof dir, "%s", jt_fresh_env());
    snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1", dir);
    if (system(cmd) != -1) { /* localedef exits 1 on mere warnings: just try it */
      setenv("LOCPATH", dir, 1);
      set = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    }
  }
  if (set)
    assert_string_equal(localeconv()->decimal_point, ",");
  if (!set) {
    print_message("no comma-decimal locale installed (package locales): skipped\n");
    skip();
  }
  expect_clean("chat_session_ended", "{\"latency_ms_p50\":250.5}", "{\"latency_ms_p50\":250.5}");
  setlocale(LC_NUMERIC, "C");
}

/* Not RFC 8259 JSON, each refused as malformed (nothing stored, nothing
 * counted). The first group is what cJSON itself accepted ({"version":01}
 * was stored: hardening issue); the rest cJSON refuses too, kept here so a
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
 * version and key (DESIGN §5): a str64 with the shape its values really
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

#define N(a) (sizeof(a) / sizeof(a)[0])
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
