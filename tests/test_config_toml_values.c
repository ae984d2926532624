/*
 * test_config_toml_values.c — the values toml.c accepts and refuses: types,
 * strings and escapes, integers and ranges, UTF-8 and control characters,
 * and the API key never reaching a message.
 */
#include "config_fixture.h"

/* Same with an explicit length (for NUL bytes). */
static int parse_n(const char *text, size_t len)
{
  return ja__toml_read_analytics(text, len, "config.toml", &jt_cfg_out, jt_cfg_err, sizeof jt_cfg_err);
}

/* ===================================================== toml.c: values */

static void test_config_toml_values__toml_wrong_types_name_key_and_type(void **state) { (void)state;
  jt_cfg_expect_table_error("enabled = \"false\"", 2, "[analytics] 'enabled': expected a boolean");
  jt_cfg_expect_table_error("enabled = 0", 2, "'enabled': expected a boolean");
  jt_cfg_expect_table_error("enabled = no", 2, "'enabled': expected a boolean");
  jt_cfg_expect_table_error("enabled = False", 2, "'enabled': expected a boolean");
  jt_cfg_expect_table_error("host = 12", 2, "[analytics] 'host': expected a string");
  jt_cfg_expect_table_error("host = example.com", 2, "'host': expected a string");
  jt_cfg_expect_table_error("host = true", 2, "'host': expected a string");
  jt_cfg_expect_table_error("host = [\"a\"]", 2, "'host': expected a string");
  jt_cfg_expect_table_error("key = 123", 2, "'key': expected a string");
  jt_cfg_expect_table_error("anon_id_path = false", 2, "'anon_id_path': expected a string");
  jt_cfg_expect_table_error("flush_interval_seconds = \"60\"", 2,
                     "'flush_interval_seconds': expected an integer");
  jt_cfg_expect_table_error("flush_at_size = true", 2, "'flush_at_size': expected an integer");
  jt_cfg_expect_table_error("flush_at_size = 1.5", 2, "'flush_at_size': expected an integer");
  /* The exact form of the whole message. */
  assert_int_equal(jt_cfg_parse("[analytics]\n\n\nhost = 1\n"), -1);
  assert_string_equal(jt_cfg_err, "config.toml:4: [analytics] 'host': expected a string");
}

/* A near miss of a boolean is still a mistake (TOML's booleans are bare
 * and lower-case), but the message names the boolean it meant, as a
 * misspelt key's warning names the key. */
static void test_config_toml_values__toml_near_boolean_suggests_it(void **state) { (void)state;
  static const struct { const char *body, *msg; } cases[] = {
    {"enabled = ture", "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean true?)"},
    {"enabled = flase", "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean false?)"},
    {"enabled = True", "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean true?)"},
    {"enabled = FALSE # off", "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean false?)"},
    {"enabled = truee", "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean true?)"},
    {"enabled = \"true\"",
     "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean true, without quotes?)"},
    {"enabled = 'False'",
     "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean false, without quotes?)"},
    {"enabled = \"flase\"",
     "config.toml:2: [analytics] 'enabled': expected a boolean (did you mean false, without quotes?)"},
    /* Nothing near: no suggestion. */
    {"enabled = no", "config.toml:2: [analytics] 'enabled': expected a boolean"},
    {"enabled = 1", "config.toml:2: [analytics] 'enabled': expected a boolean"},
    {"enabled = \"yes\"", "config.toml:2: [analytics] 'enabled': expected a boolean"},
    {"enabled = \"a long string that is no boolean\"",
     "config.toml:2: [analytics] 'enabled': expected a boolean"},
    /* Only `enabled` is a boolean: a string key's value is not guessed at. */
    {"mode = ture", "config.toml:2: [analytics] 'mode': expected a string"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "[analytics]\n%s\n", cases[i].body);
    assert_int_equal(jt_cfg_parse(text), -1);
    assert_string_equal(jt_cfg_err, cases[i].msg);
  }
}

static void test_config_toml_values__toml_unsupported_values_rejected(void **state) { (void)state;
  static const jt_cfg_bad_line cases[] = {
    {"x = 1.5", "floats are not supported"},
    {"x = 1e3", "floats are not supported"},
    {"x = -0.0", "floats are not supported"},
    {"x = inf", "floats are not supported"},
    {"x = +inf", "floats are not supported"},
    {"x = -nan", "floats are not supported"},
    {"x = 1979-05-27", "dates and times are not supported"},
    {"x = 1979-05-27T07:32:00Z", "dates and times are not supported"},
    {"x = 07:32:00", "dates and times"},
    {"x = [1, 2]", "arrays are not supported"},
    {"x = []", "arrays are not supported"},
    {"x = { a = 1 }", "inline tables are not supported"},
    {"x = \"\"\"multi\"\"\"", "multi-line strings are not supported"},
    {"x = '''multi'''", "multi-line strings are not supported"},
    {"host = \"\"\"", "'host': multi-line strings are not supported"},
    {"x = 0x1F", "hexadecimal, octal and binary"},
    {"x = 0o17", "hexadecimal, octal and binary"},
    {"x = 0b101", "hexadecimal, octal and binary"},
    {"flush_at_size = 0x10", "'flush_at_size': hexadecimal"},
    {"x = yes", "invalid value"},
    {"x = TRUE", "invalid value"},
    {"x = @", "invalid value"},
  };
  jt_cfg_expect_table_errors(cases, sizeof cases / sizeof cases[0]);
}

static void test_config_toml_values__toml_basic_string_escapes(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nhost = \"caf\\u00e9 \\\"q\\\" \\\\ \\U0001F600 \\u20AC\"\n");
  assert_string_equal(jt_cfg_out.host, "caf\xC3\xA9 \"q\" \\ \xF0\x9F\x98\x80 \xE2\x82\xAC");
  /* Raw UTF-8 is fine too. */
  jt_cfg_expect_ok("[analytics]\nhost = \"caf\xC3\xA9\"\n");
  assert_string_equal(jt_cfg_out.host, "caf\xC3\xA9");
  /* Control escapes are valid TOML (accepted for unknown keys). */
  jt_cfg_expect_ok("[analytics]\nx = \"\\b\\t\\n\\f\\r\"\ny = \"\tx\"\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  /* …but a known string value must not contain control characters. */
  jt_cfg_expect_table_error("host = \"a\\nb\"", 2, "'host': must not contain control characters");
  jt_cfg_expect_table_error("anon_id_path = \"a\\tb\"", 2, "control characters");
  jt_cfg_expect_table_error("host = \"a\\u0085b\"", 2, "control characters");
}

static void test_config_toml_values__toml_invalid_escapes_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("host = \"\\x41\"", 2, "'host': invalid escape sequence");
  jt_cfg_expect_table_error("host = \"\\q\"", 2, "invalid escape sequence");
  jt_cfg_expect_table_error("host = \"\\e\"", 2, "invalid escape sequence");
  jt_cfg_expect_table_error("host = \"\\ \"", 2, "invalid escape sequence");
  jt_cfg_expect_table_error("x = \"\\u12\"", 2, "invalid \\u escape");
  jt_cfg_expect_table_error("x = \"\\u12G4\"", 2, "invalid \\u escape");
  jt_cfg_expect_table_error("x = \"\\U0001F60\"", 2, "invalid \\u escape");
  jt_cfg_expect_table_error("x = \"\\uD800\"", 2, "not a Unicode scalar value");
  jt_cfg_expect_table_error("x = \"\\uDFFF\"", 2, "not a Unicode scalar value");
  jt_cfg_expect_table_error("x = \"\\U00110000\"", 2, "not a Unicode scalar value");
  jt_cfg_expect_table_error("x = \"\\UFFFFFFFF\"", 2, "not a Unicode scalar value");
  jt_cfg_expect_table_error("x = \"abc\\\"", 2, "unterminated string");
  /* Escapes in keys follow the same rules. */
  jt_cfg_expect_table_error("\"\\uD800\" = 1", 2, "not a Unicode scalar value");
  /* The largest scalar value is fine. */
  jt_cfg_expect_ok("[analytics]\nx = \"\\U0010FFFF\\uFFFF\\uE000\"\n");
}

static void test_config_toml_values__toml_nul_escape_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("host = \"a\\u0000b\"", 2, "'host': strings must not contain NUL");
  jt_cfg_expect_table_error("x = \"\\U00000000\"", 2, "'x': strings must not contain NUL");
  jt_cfg_expect_table_error("\"a\\u0000\" = 1", 2, "keys must not contain NUL");
}

static void test_config_toml_values__toml_literal_strings(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nanon_id_path = 'C:\\Users\\me\\anon_id'\nhost = '\"quoted\" #not a comment'\n");
  assert_string_equal(jt_cfg_out.anon_id_path, "C:\\Users\\me\\anon_id");
  assert_string_equal(jt_cfg_out.host, "\"quoted\" #not a comment");
  jt_cfg_expect_table_error("host = 'abc", 2, "'host': unterminated string");
  jt_cfg_expect_table_error("host = \"abc", 2, "'host': unterminated string");
  jt_cfg_expect_table_error("host = \"abc'", 2, "unterminated string");
}

static void test_config_toml_values__toml_empty_and_long_strings(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nkey = \"\"\n");
  assert_int_equal(jt_cfg_out.has_key, 1);
  assert_string_equal(jt_cfg_out.key, "");
  jt_cfg_expect_table_error("host = ''", 2, "'host': must not be empty");
  jt_cfg_expect_table_error("anon_id_path = \"\"", 2, "'anon_id_path': must not be empty");

  /* host holds 511 bytes, key 255: one more is an error, not a truncation. */
  char text[8192], value[5000];
  memset(value, 'h', 511);
  value[511] = '\0';
  snprintf(text, sizeof text, "[analytics]\nhost = \"%s\"\n", value);
  jt_cfg_expect_ok(text);
  assert_int_equal(strlen(jt_cfg_out.host), 511);
  memset(value, 'h', 512);
  value[512] = '\0';
  snprintf(text, sizeof text, "[analytics]\nhost = \"%s\"\n", value);
  jt_cfg_expect_error(text, 2, "'host': too long (at most 511 bytes)");
  memset(value, 'k', 256);
  value[256] = '\0';
  snprintf(text, sizeof text, "[analytics]\nkey = '%s'\n", value);
  jt_cfg_expect_error(text, 2, "'key': too long (at most 255 bytes)");
  assert_null(strstr(jt_cfg_err, "kkkk"));
  /* Escapes count by their UTF-8 length: 255 x "é" is 510 bytes, 256 is 512. */
  text[0] = '\0';
  size_t n = (size_t)snprintf(text, sizeof text, "[analytics]\nhost = \"");
  for (int i = 0; i < 256; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "\\u00e9");
  snprintf(text + n, sizeof text - n, "\"\n");
  jt_cfg_expect_error(text, 2, "too long");
  /* A key name over 255 bytes is refused, without echoing it. */
  memset(value, 'n', 300);
  value[300] = '\0';
  snprintf(text, sizeof text, "[analytics]\n%s = 1\n", value);
  jt_cfg_expect_error(text, 2, "key too long");
}

static void test_config_toml_values__toml_integer_rules(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nflush_interval_seconds = +1_0\nflush_at_size = 1_0_0\n"
            "a = 0\nb = +0\nc = -0\nd = 9223372036854775807\ne = -9223372036854775808\n"
            "f = 1_000_000\n");
  assert_int_equal(jt_cfg_out.flush_interval_seconds, 10);
  assert_int_equal(jt_cfg_out.flush_at_size, 100);
  static const jt_cfg_bad_line bad[] = {
    {"x = 01", "leading zero"},
    {"x = -01", "leading zero"},
    {"x = 00", "leading zero"},
    {"x = 0_0", "leading zero"},
    {"x = _1", "invalid value"},
    {"x = 1_", "'_' must sit between digits"},
    {"x = 1__0", "'_' must sit between digits"},
    {"x = +_1", "invalid integer"},
    {"x = 1_a", "'_' must sit between digits"},
    {"x = 9223372036854775808", "integer out of range"},
    {"x = -9223372036854775809", "integer out of range"},
    {"x = 99999999999999999999999", "integer out of range"},
    {"x = +", "invalid integer"},
    {"x = -", "invalid integer"},
    {"x = ++1", "invalid integer"},
    {"x = 1a", "invalid integer"},
    {"flush_interval_seconds = 1_000_000_000_000_000_000_0", "integer out of range"},
  };
  jt_cfg_expect_table_errors(bad, sizeof bad / sizeof bad[0]);
}

static void test_config_toml_values__toml_integer_ranges_of_known_keys(void **state) { (void)state;
  jt_cfg_expect_table_error("flush_interval_seconds = 0", 2,
                     "'flush_interval_seconds': must be at least 1");
  jt_cfg_expect_table_error("flush_interval_seconds = -5", 2, "must be at least 1");
  jt_cfg_expect_table_error("flush_at_size = 0", 2, "'flush_at_size': must be between 1 and 1000");
  jt_cfg_expect_table_error("flush_at_size = 1001", 2, "must be between 1 and 1000");
  jt_cfg_expect_table_error("flush_at_size = -1", 2, "must be between 1 and 1000");
  jt_cfg_expect_ok("[analytics]\nflush_at_size = 1\nflush_interval_seconds = 9223372036854775807\n");
  assert_int_equal(jt_cfg_out.flush_at_size, 1);
  assert_true(jt_cfg_out.flush_interval_seconds == INT64_MAX);
  jt_cfg_expect_ok("[analytics]\nflush_at_size = 1000\n");
  assert_int_equal(jt_cfg_out.flush_at_size, 1000);
}

/* The caps are store configuration: read like the other
 * integer keys, a wrong type or a value below 1 turns analytics off with
 * the line number. */
static void test_config_toml_values__toml_reads_cap_keys(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nmax_events = 250_000\nmax_age_days = 7\n");
  assert_int_equal(jt_cfg_out.has_max_events, 1);
  assert_int_equal(jt_cfg_out.max_events, 250000);
  assert_int_equal(jt_cfg_out.has_max_age_days, 1);
  assert_int_equal(jt_cfg_out.max_age_days, 7);
  jt_cfg_expect_ok("[analytics]\nmax_events = 1\nmax_age_days = 9223372036854775807\n");
  assert_int_equal(jt_cfg_out.max_events, 1);
  assert_true(jt_cfg_out.max_age_days == INT64_MAX);
  jt_cfg_expect_ok("[analytics]\nenabled = true\n");
  assert_int_equal(jt_cfg_out.has_max_events, 0);
  assert_int_equal(jt_cfg_out.has_max_age_days, 0);
}

static void test_config_toml_values__toml_cap_keys_wrong_type_or_range(void **state) { (void)state;
  jt_cfg_expect_table_error("max_events = \"100\"", 2, "[analytics] 'max_events': expected an integer");
  jt_cfg_expect_table_error("max_events = 1.5", 2, "'max_events': expected an integer");
  jt_cfg_expect_table_error("max_events = true", 2, "'max_events': expected an integer");
  jt_cfg_expect_table_error("max_events = 0", 2, "'max_events': must be at least 1");
  jt_cfg_expect_table_error("max_events = -10", 2, "'max_events': must be at least 1");
  jt_cfg_expect_table_error("max_age_days = \"30\"", 2, "'max_age_days': expected an integer");
  jt_cfg_expect_table_error("max_age_days = 0", 2, "'max_age_days': must be at least 1");
  jt_cfg_expect_table_error("max_events = 5\nmax_events = 6", 3, "'max_events': duplicate key");
  jt_cfg_expect_table_error("max_age_days = 5\nmax_age_days = 6", 3, "'max_age_days': duplicate key");
  assert_int_equal(jt_cfg_parse("[analytics]\n\nmax_age_days = []\n"), -1);
  assert_string_equal(jt_cfg_err, "config.toml:3: [analytics] 'max_age_days': expected an integer");
}

static void test_config_toml_values__toml_invalid_utf8_rejected_inside_only(void **state) { (void)state;
  jt_cfg_expect_table_error("host = \"\xC3\x28\"", 2, "invalid UTF-8");
  jt_cfg_expect_table_error("x = 'a' # comment \xFF", 2, "invalid UTF-8");
  jt_cfg_expect_table_error("\xC0\xAF = 1", 2, "invalid UTF-8");            /* overlong */
  jt_cfg_expect_table_error("x = \"\xED\xA0\x80\"", 2, "invalid UTF-8");   /* surrogate */
  jt_cfg_expect_table_error("x = \"\xF4\x90\x80\x80\"", 2, "invalid UTF-8"); /* > U+10FFFF */
  jt_cfg_expect_error("[analytics] # \xFF\n", 1, "invalid UTF-8");
  /* Outside the table nobody cares. */
  jt_cfg_expect_ok("[other]\nx = \"\xFF\xFE\"\n[analytics]\nenabled = false\n[more]\ny = '\xC3'\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
}

static void test_config_toml_values__toml_control_characters_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("host = \"a\x01\"", 2, "control character (byte 0x01)");
  jt_cfg_expect_table_error("host = 'a\x1B'", 2, "control character");
  jt_cfg_expect_table_error("x = 1 # \x7F", 2, "control character (byte 0x7F)");
  jt_cfg_expect_table_error("x = 1\x0C", 2, "control character");
  static const char with_nul[] = "[analytics]\nhost = \"a\0b\"\n";
  assert_int_equal(parse_n(with_nul, sizeof with_nul - 1), -1);
  assert_non_null(strstr(jt_cfg_err, "config.toml:2: [analytics] control character (byte 0x00)"));
  /* Tabs are fine, and control bytes outside the table are skipped. */
  static const char outside[] = "[x]\ny = \"\0\x01\"\n[analytics]\nhost\t=\t'a\tb'\n";
  assert_int_equal(parse_n(outside, sizeof outside - 1), -1);  /* tab in a host value */
  assert_non_null(strstr(jt_cfg_err, "control characters"));
  static const char outside_ok[] = "[x]\ny = \"\0\x01\"\n[analytics]\nx\t=\t'a\tb'\n";
  assert_int_equal(parse_n(outside_ok, sizeof outside_ok - 1), 0);
  assert_int_equal(jt_cfg_out.has_table, 1);
}

static void test_config_toml_values__toml_api_key_never_in_messages(void **state) { (void)state;
  static const char *const bodies[] = {
    "key = \"" SECRET "\" trailing",
    "key = \"" SECRET,
    "key = '" SECRET,
    "key = " SECRET,
    "key = \"" SECRET "\\q\"",
    "key = \"" SECRET "\\uD800\"",
    "key = \"" SECRET "\\u0000\"",
    "key = \"" SECRET "\x01\"",
    "key = \"" SECRET "\xFF\"",
    "key = \"" SECRET "\\n\"",
    "key \"" SECRET "\"",
    SECRET,
    "\"" SECRET "\"",
    SECRET " = 1\nx",
    "key = [\"" SECRET "\"]",
    "key = {v = \"" SECRET "\"}",
    "key = \"\"\"" SECRET "\"\"\"",
    "key = \"" SECRET "\"\nkey = \"" SECRET "\"",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text, "[analytics]\n%s\n", bodies[i]);
    if (jt_cfg_parse(text) != -1)
      fail_msg("expected an error for case %zu", i);
    if (strstr(jt_cfg_err, "S3cr3t") || strstr(jt_cfg_err, "phc_"))
      fail_msg("case %zu leaks the key: %s", i, jt_cfg_err);
    assert_null(strstr(jt_cfg_out.key, "S3cr3t"));  /* output cleared on error */
  }
}

static void test_config_toml_values__toml_null_err_buffer_is_fine(void **state) { (void)state;
  const char *text = "[analytics]\nenabled = 3\n";
  assert_int_equal(ja__toml_read_analytics(text, strlen(text), NULL, &jt_cfg_out, NULL, 0), -1);
  char small[12];
  assert_int_equal(ja__toml_read_analytics(text, strlen(text), NULL, &jt_cfg_out, small, sizeof small), -1);
  assert_string_equal(small, "config.toml");
  assert_int_equal(ja__toml_read_analytics(text, strlen(text), "x", NULL, small, sizeof small), -1);
}
