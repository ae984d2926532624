/*
 * test_config_toml.c — the strict [analytics] reader (toml.c): the file's
 * structure (tables, headers, multi-line strings, line numbers) and the keys
 * inside the table (unknown and misspelt keys, duplicates, dotted keys).
 */
#include "config_fixture.h"

/* ==================================================== toml.c: structure */

static void test_config_toml__toml_empty_text_has_no_table(void **state) { (void)state;
  jt_cfg_expect_ok("");
  assert_int_equal(jt_cfg_out.has_table, 0);
  jt_cfg_expect_ok("# just a comment\n\n[other]\nx = 1\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
  assert_int_equal(ja__toml_read_analytics(NULL, 0, "config.toml", &jt_cfg_out, jt_cfg_err, sizeof jt_cfg_err), 0);
}

static void test_config_toml__toml_reads_every_known_key(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\n"
            "enabled = true\n"
            "host = \"https://eu.i.posthog.com\"\n"
            "key = 'phc_abc'\n"
            "anon_id_path = \"/var/lib/oj/anon_id\"\n"
            "flush_interval_seconds = 30\n"
            "flush_at_size = 1_000\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_int_equal(jt_cfg_out.enabled, 1);
  assert_int_equal(jt_cfg_out.has_host, 1);
  assert_string_equal(jt_cfg_out.host, "https://eu.i.posthog.com");
  assert_int_equal(jt_cfg_out.has_key, 1);
  assert_string_equal(jt_cfg_out.key, "phc_abc");
  assert_int_equal(jt_cfg_out.has_anon_id_path, 1);
  assert_string_equal(jt_cfg_out.anon_id_path, "/var/lib/oj/anon_id");
  assert_int_equal(jt_cfg_out.has_flush_interval, 1);
  assert_int_equal(jt_cfg_out.flush_interval_seconds, 30);
  assert_int_equal(jt_cfg_out.has_flush_at_size, 1);
  assert_int_equal(jt_cfg_out.flush_at_size, 1000);
  assert_string_equal(jt_cfg_err, "");
}

static void test_config_toml__toml_empty_table_sets_nothing_else(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.has_enabled, 0);
  assert_int_equal(jt_cfg_out.has_host, 0);
  assert_int_equal(jt_cfg_out.has_key, 0);
  assert_int_equal(jt_cfg_out.has_anon_id_path, 0);
  assert_int_equal(jt_cfg_out.has_flush_interval, 0);
  assert_int_equal(jt_cfg_out.has_flush_at_size, 0);
}

static void test_config_toml__toml_enabled_false(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_int_equal(jt_cfg_out.enabled, 0);
}

static void test_config_toml__toml_header_whitespace_and_comment(void **state) { (void)state;
  jt_cfg_expect_ok("[ analytics ]   # the analytics table [x]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.enabled, 0);
  jt_cfg_expect_ok("  [\tanalytics\t]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  jt_cfg_expect_ok("[analytics]#c\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
}

static void test_config_toml__toml_quoted_header_is_the_table(void **state) { (void)state;
  jt_cfg_expect_ok("[\"analytics\"]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  jt_cfg_expect_ok("['analytics']\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  jt_cfg_expect_ok("[\"analyt\\u0069cs\"]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  /* One quoted segment with a dot is a different table. */
  jt_cfg_expect_ok("[\"analytics.x\"]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
  assert_int_equal(jt_cfg_out.has_enabled, 0);
}

static void test_config_toml__toml_sub_table_is_skipped(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nhost = \"https://a\"\n"
            "[analytics.sub]\nenabled = false\nhost = 42\nwhat = [1, 2]\n"
            "[ analytics . other ]\nkey = 1.5\n"
            "[[analytics.list]]\nenabled = \"no\"\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.has_enabled, 0);
  assert_string_equal(jt_cfg_out.host, "https://a");
  assert_int_equal(jt_cfg_out.has_key, 0);
  /* A sub-table alone does not make the table exist. */
  jt_cfg_expect_ok("[analytics.sub]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
}

static void test_config_toml__toml_other_tables_end_the_table(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nenabled = true\n[server]\nenabled = false\nhost = 3\n");
  assert_int_equal(jt_cfg_out.enabled, 1);
  assert_int_equal(jt_cfg_out.has_host, 0);
}

static void test_config_toml__toml_array_of_tables_rejected(void **state) { (void)state;
  jt_cfg_expect_error("[[analytics]]\nenabled = false\n", 1, "array of tables");
  jt_cfg_expect_error("x = 1\n\n[[ analytics ]]\n", 3, "array of tables");
}

static void test_config_toml__toml_duplicate_table_rejected(void **state) { (void)state;
  jt_cfg_expect_error("[analytics]\nenabled = true\n[other]\n[analytics]\nenabled = false\n", 4,
               "appears twice (first at line 1)");
  jt_cfg_expect_error("[analytics]\n[\"analytics\"]\n", 2, "appears twice");
}

static void test_config_toml__toml_root_inline_table_rejected(void **state) { (void)state;
  jt_cfg_expect_error("analytics = { enabled = false }\n", 1,
               "analytics must be written as an [analytics] table");
  jt_cfg_expect_error("# top\nname = \"x\"\n\"analytics\" = {enabled = false}\n", 3,
               "analytics must be written as an [analytics] table");
}

static void test_config_toml__toml_root_dotted_key_rejected(void **state) { (void)state;
  jt_cfg_expect_error("analytics.enabled = false\n", 1, "[analytics] table");
  jt_cfg_expect_error("  analytics . enabled = false\n", 1, "[analytics] table");
  jt_cfg_expect_error("'analytics'.enabled = false\n", 1, "[analytics] table");
  jt_cfg_expect_error("x = 1\nanalytics.enabled = false\n[analytics]\n", 2, "[analytics] table");
}

static void test_config_toml__toml_analytics_keys_in_other_tables_are_fine(void **state) { (void)state;
  jt_cfg_expect_ok("[tools]\nanalytics.enabled = false\nanalytics = 3\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
  jt_cfg_expect_ok("analytics_x = 1\nanalyticsy.z = 2\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
}

static void test_config_toml__toml_unreadable_root_line_rejected(void **state) { (void)state;
  /* A root line we cannot read might define analytics: fail closed. */
  jt_cfg_expect_error("x = 1\n= 2\n", 2, "top-level");
  jt_cfg_expect_error("\"analyt\\qics\" = 1\n", 1, "escape");
}

static void test_config_toml__toml_malformed_header_rejected(void **state) { (void)state;
  jt_cfg_expect_error("[analytics\nenabled = false\n", 1, "table header");
  jt_cfg_expect_error("[other]\n[analytics] enabled = false\n", 2, "table header");
  jt_cfg_expect_error("[]\n", 1, "table header");
  jt_cfg_expect_error("[[analytics]\n", 1, "table header");
  jt_cfg_expect_error("[a.]\n", 1, "table header");
}

static void test_config_toml__toml_header_inside_multiline_basic_string(void **state) { (void)state;
  jt_cfg_expect_ok("[prompts]\n"
            "system = \"\"\"\n"
            "[analytics]\n"
            "enabled = false\n"
            "an escaped quote \\\"\"\" is not the end\n"
            "\"\"\"\n"
            "[analytics]\n"
            "host = \"https://h\"\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.has_enabled, 0);
  assert_string_equal(jt_cfg_out.host, "https://h");
  /* Closing with extra quotes, and a line-ending backslash. */
  jt_cfg_expect_ok("a = \"\"\"x \\\n[analytics]\nenabled = false\"\"\"\"\"\nb = 1\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
  /* Opening and closing on the same line does not swallow the next line. */
  jt_cfg_expect_ok("a = \"\"\"one line\"\"\"\n[analytics]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
}

static void test_config_toml__toml_header_inside_multiline_literal_string(void **state) { (void)state;
  jt_cfg_expect_ok("[prompts]\n"
            "system = '''\n"
            "[analytics]\n"
            "enabled = false \\'''\n"
            "[analytics]\n"
            "enabled = true\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.enabled, 1);
  /* At the root too. */
  jt_cfg_expect_ok("text = '''\n[analytics]\nenabled = false\n'''\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
}

static void test_config_toml__toml_header_inside_multiline_array(void **state) { (void)state;
  jt_cfg_expect_ok("[models]\n"
            "list = [\n"
            "  \"a]\", 'b]]', # a comment with ] in it\n"
            "[analytics]\n"
            "  { name = \"x\", tags = [\"}\"] },\n"
            "]\n"
            "[analytics]\n"
            "enabled = false\n");
  assert_int_equal(jt_cfg_out.has_table, 1);
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_int_equal(jt_cfg_out.enabled, 0);
  /* Brackets and quotes in comments do not count. */
  jt_cfg_expect_ok("x = 1 # a [ in a comment\ny = '''\n''' # and \"\"\" here\n[analytics]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  /* Multi-line inline table (TOML 1.1) at the root. */
  jt_cfg_expect_ok("point = {\n x = 1,\n[analytics]\n}\n[analytics]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  /* A multi-line string inside a multi-line array. */
  jt_cfg_expect_ok("a = [\n\"\"\"\n]\n[analytics]\n\"\"\",\n]\n");
  assert_int_equal(jt_cfg_out.has_table, 0);
}

static void test_config_toml__toml_other_tables_strings_hold_hash_and_brackets(void **state) { (void)state;
  jt_cfg_expect_ok("[ui]\n"
            "title = \"#1 [best] {x}\"\n"
            "lit = 'c:\\path\\[x]'\n"
            "esc = \"a \\\" [ # b\"\n"
            "[analytics]\n"
            "enabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_int_equal(jt_cfg_out.enabled, 0);
}

static void test_config_toml__toml_unclosed_multiline_rejected(void **state) { (void)state;
  jt_cfg_expect_error("[a]\nx = \"\"\"\nnever closed\n[analytics]\nenabled = false\n", 2,
               "multi-line string never closed");
  jt_cfg_expect_error("[a]\n\nx = [1,\n2\n[analytics]\nenabled = false\n", 3, "never closed");
  jt_cfg_expect_error("x = '''\n", 1, "never closed");
}

static void test_config_toml__toml_comments_and_blank_lines(void **state) { (void)state;
  jt_cfg_expect_ok("# header comment\n\n[analytics] # table\n\n   # indented comment\n"
            "enabled = false # trailing comment with \"quotes\" and [brackets]\n"
            "\t host\t=\t\"h\"#tight comment\n"
            "\n");
  assert_int_equal(jt_cfg_out.enabled, 0);
  assert_string_equal(jt_cfg_out.host, "h");
}

static void test_config_toml__toml_crlf_and_bom(void **state) { (void)state;
  jt_cfg_expect_ok("\xEF\xBB\xBF[analytics]\r\nenabled = false\r\nhost = \"h\"\r\n\r\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_int_equal(jt_cfg_out.enabled, 0);
  assert_string_equal(jt_cfg_out.host, "h");
  /* The last line need not end with a newline. */
  jt_cfg_expect_ok("[analytics]\nflush_at_size = 5");
  assert_int_equal(jt_cfg_out.flush_at_size, 5);
  /* A bare CR inside the table is a control character. */
  jt_cfg_expect_table_error("host = \"h\"\rx = 1", 2, "control character (byte 0x0D)");
  jt_cfg_expect_error("[analytics]\nhost = \"h\"\r", 2, "control character");
  /* A BOM is only skipped at the very start. */
  jt_cfg_expect_table_error("\xEF\xBB\xBFhost = \"h\"", 2, "expected a key");
}

static void test_config_toml__toml_line_numbers_count_skipped_lines(void **state) { (void)state;
  jt_cfg_expect_error("a = \"\"\"\n1\n2\n\"\"\"\nb = [\n3,\n]\n\n[analytics]\nenabled = true\n"
               "host = 5\n",
               11, "'host': expected a string");
  jt_cfg_expect_error("[analytics]\r\n\r\n\r\nenabled = 1\r\n", 4, "'enabled': expected a boolean");
}

/* ================================================= toml.c: keys inside */

static void test_config_toml__toml_unknown_keys_ignored(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\n"
            "future = \"x\"\n"
            "\"quoted key\" = 12\n"
            "'lit key' = true\n"
            "other-key_2 = 'y'\n"
            "\"\" = 0\n"
            "big = \"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
            "enabled = false\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_int_equal(jt_cfg_out.enabled, 0);
  assert_int_equal(jt_cfg_out.has_host, 0);
}

/* Misspelt keys and tables are shown by `status`: every
 * unknown key of [analytics], and every table one edit away from
 * [analytics], is a warning naming the line and the name, never a value. */
static void expect_warnings(const char *text, int n, const char *const *parts)
{
  jt_cfg_expect_ok(text);
  if (jt_cfg_out.nwarnings != n)
    fail_msg("%d warnings, want %d, for:\n%s", jt_cfg_out.nwarnings, n, text);
  for (int i = 0; i < n && i < JA__CONFIG_WARNINGS; i++) {
    if (!strstr(jt_cfg_out.warnings[i], parts[i]) || strncmp(jt_cfg_out.warnings[i], "config.toml:", 12) != 0)
      fail_msg("warning %d '%s' lacks '%s'", i, jt_cfg_out.warnings[i], parts[i]);
    if (strstr(jt_cfg_out.warnings[i], "S3cr3t"))
      fail_msg("warning %d shows a value: '%s'", i, jt_cfg_out.warnings[i]);
  }
}

static void test_config_toml__toml_unknown_keys_are_warnings(void **state) { (void)state;
  static const char *const w1[] = {"config.toml:2: [analytics] unknown key 'future' is ignored"};
  expect_warnings("[analytics]\nfuture = \"x\"\n", 1, w1);
  assert_string_equal(jt_cfg_out.optout, "");
  static const char *const w2[] = {
      "config.toml:2: [analytics] unknown key 'enable' is ignored (did you mean 'enabled'?)",
      "config.toml:3: [analytics] unknown key 'hots' is ignored (did you mean 'host'?)",
      "config.toml:4: [analytics] unknown key 'kye' is ignored (did you mean 'key'?)",
      ":5: [analytics] unknown key 'Flush_At_Size' is ignored (did you mean 'flush_at_size'?)",
      ":6: [analytics] unknown key 'anon_id_paht' is ignored (did you mean 'anon_id_path'?)",
      ":7: [analytics] unknown key a key is ignored"};
  expect_warnings("[analytics]\nenable = true\nhots = \"h\"\nkye = \"" SECRET "\"\n"
                  "Flush_At_Size = 3\nanon_id_paht = 'x'\n\"" SECRET "\" = 1\n",
                  6, w2);
  assert_int_equal(jt_cfg_out.has_key, 0);
  assert_string_equal(jt_cfg_out.optout, "");  /* enable = true opts nobody out */
}

static void test_config_toml__toml_misspelt_enabled_not_true_pauses(void **state) { (void)state;
  /* Privacy wins a typo: a near miss of `enabled` whose value is anything
   * but true stops analytics (config.c pauses it: a typo is a mistake,
   * not the explicit opt-out that deletes). */
  static const char *const off[] = {"enable = false", "Enabled = false", "enabeld = false",
                                    "ENABLED = false", "enabled_ = false", "enalbed = false",
                                    "enable = 0", "enable = \"false\"", "enable = 'no'",
                                    "'enable' = false"};
  for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[analytics]\n%s\n", off[i]);
    jt_cfg_expect_ok(text);
    if (!strstr(jt_cfg_out.optout, "config.toml:2: [analytics] '") ||
        !strstr(jt_cfg_out.optout, "looks like a misspelt 'enabled'") || jt_cfg_out.nwarnings != 1)
      fail_msg("'%s': optout '%s', %d warnings", off[i], jt_cfg_out.optout, jt_cfg_out.nwarnings);
  }
  static const char *const on[] = {"enable = true", "disabled = true", "enables_x = false",
                                   "nabld = false"};
  for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[analytics]\n%s\n", on[i]);
    jt_cfg_expect_ok(text);
    if (jt_cfg_out.optout[0])
      fail_msg("'%s' read as an opt-out: %s", on[i], jt_cfg_out.optout);
  }
}

static void test_config_toml__toml_misspelt_tables_are_warnings(void **state) { (void)state;
  static const char *const names[] = {"Analytics", "ANALYTICS", "analytic", "analytcs",
                                      "analyitcs", "analytics_", "\"analytics \"", "' analytics'"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "[%s]\nhost = \"https://not-read\"\nkey = \"" SECRET "\"\n", names[i]);
    jt_cfg_expect_ok(text);
    if (jt_cfg_out.nwarnings != 1 || !strstr(jt_cfg_out.warnings[0], "config.toml:1: table [") ||
        !strstr(jt_cfg_out.warnings[0], "is not [analytics]: its settings are not read"))
      fail_msg("[%s]: %d warnings, first '%s'", names[i], jt_cfg_out.nwarnings, jt_cfg_out.warnings[0]);
    assert_null(strstr(jt_cfg_out.warnings[0], "S3cr3t"));
    assert_int_equal(jt_cfg_out.has_table, 0);
    assert_int_equal(jt_cfg_out.has_host, 0);
    assert_string_equal(jt_cfg_out.optout, "");
  }
  jt_cfg_expect_ok("[Analytics]\n");
  assert_string_equal(jt_cfg_out.warnings[0], "config.toml:1: table [Analytics] is not [analytics]: its settings are not read");
  jt_cfg_expect_ok("[[Analytics]]\n");
  assert_string_equal(jt_cfg_out.warnings[0], "config.toml:1: table [[Analytics]] is not [analytics]: its settings are not read");
  /* Further away, or a sub-table, or a dotted name: somebody else's table. */
  static const char *const others[] = {"analysis", "anal", "analytics.sub", "Analytics.sub",
                                       "server", "analytics_v2"};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[%s]\nenabled = false\n", others[i]);
    jt_cfg_expect_ok(text);
    if (jt_cfg_out.nwarnings != 0 || jt_cfg_out.optout[0])
      fail_msg("[%s]: %d warnings, optout '%s'", others[i], jt_cfg_out.nwarnings, jt_cfg_out.optout);
  }
  /* The real table next to a misspelt one: both read as they are. */
  static const char *const w[] = {"config.toml:3: table [Analytics] is not [analytics]"};
  expect_warnings("[analytics]\nhost = \"https://real\"\n[Analytics]\nhost = \"x\"\n", 1, w);
  assert_string_equal(jt_cfg_out.host, "https://real");
}

static void test_config_toml__toml_enabled_false_in_misspelt_table_pauses(void **state) { (void)state;
  static const char *const lines[] = {"enabled = false", "enable = false", "Enabled=0",
                                      "enabled = \"off\" # comment"};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[Analytics]\n# x\n%s\n", lines[i]);
    jt_cfg_expect_ok(text);
    if (!strstr(jt_cfg_out.optout, "config.toml:3: '") ||
        !strstr(jt_cfg_out.optout, "in [Analytics], which is not [analytics]"))
      fail_msg("'%s': optout '%s'", lines[i], jt_cfg_out.optout);
  }
  jt_cfg_expect_ok("[Analytics]\nenabled = true\n");
  assert_string_equal(jt_cfg_out.optout, "");
  /* Lines it cannot read are not errors: it is not our table. */
  jt_cfg_expect_ok("[Analytics]\nenabled = maybe\nx = [1,\n2]\n");
  assert_non_null(strstr(jt_cfg_out.optout, "config.toml:2: "));
  /* A multi-line string in it is skimmed, not read as keys. */
  jt_cfg_expect_ok("[Analytics]\nnote = \"\"\"\nenabled = false\n\"\"\"\n");
  assert_string_equal(jt_cfg_out.optout, "");
}

static void test_config_toml__toml_many_warnings_are_counted(void **state) { (void)state;
  char text[1024] = "[analytics]\n";
  for (int i = 0; i < 12; i++) {
    char line[32];
    snprintf(line, sizeof line, "unknown_%d = %d\n", i, i);
    strncat(text, line, sizeof text - strlen(text) - 1);
  }
  jt_cfg_expect_ok(text);
  assert_int_equal(jt_cfg_out.nwarnings, 12);
  assert_non_null(strstr(jt_cfg_out.warnings[JA__CONFIG_WARNINGS - 1], "'unknown_7'"));
}

static void test_config_toml__toml_quoted_known_keys(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\n\"enabled\" = false\n'host' = \"h\"\n\"k\\u0065y\" = \"k\"\n");
  assert_int_equal(jt_cfg_out.has_enabled, 1);
  assert_string_equal(jt_cfg_out.host, "h");
  assert_string_equal(jt_cfg_out.key, "k");
}

static void test_config_toml__toml_duplicate_key_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("enabled = true\nenabled = false", 3, "'enabled': duplicate key");
  jt_cfg_expect_table_error("host = \"a\"\n\"host\" = \"b\"", 3, "'host': duplicate key");
  jt_cfg_expect_table_error("x = 1\n\n'x' = 1", 4, "'x': duplicate key");
  jt_cfg_expect_table_error("\"a b\" = 1\n'a b' = 2", 3, "duplicate key");
  /* Not a duplicate: keys of a sub-table. */
  jt_cfg_expect_ok("[analytics]\nenabled = true\n[analytics.s]\nenabled = false\n");
}

static void test_config_toml__toml_dotted_key_inside_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("sub.enabled = false", 2, "dotted keys are not supported");
  jt_cfg_expect_table_error("enabled . x = false", 2, "dotted keys are not supported");
  jt_cfg_expect_table_error("\"a\".b = 1", 2, "dotted keys are not supported");
}

static void test_config_toml__toml_missing_equals_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("enabled false", 2, "expected '='");
  jt_cfg_expect_table_error("enabled", 2, "expected '='");
  jt_cfg_expect_table_error("host: \"x\"", 2, "expected '='");
  jt_cfg_expect_table_error("= 1", 2, "expected a key");
  jt_cfg_expect_table_error("enabled =", 2, "'enabled': missing value");
  jt_cfg_expect_table_error("enabled = # nothing", 2, "missing value");
  jt_cfg_expect_table_error("ke$y = 1", 2, "expected '='");
}

static void test_config_toml__toml_garbage_after_value_rejected(void **state) { (void)state;
  jt_cfg_expect_table_error("enabled = true false", 2, "'enabled': unexpected text after the value");
  jt_cfg_expect_table_error("host = \"a\" \"b\"", 2, "unexpected text after the value");
  jt_cfg_expect_table_error("host = \"a\"x", 2, "unexpected text after the value");
  jt_cfg_expect_table_error("x = 'a' b", 2, "unexpected text after the value");
  jt_cfg_expect_table_error("enabled = truee", 2, "'enabled': expected a boolean");
  jt_cfg_expect_table_error("flush_at_size = 5,", 2, "'flush_at_size': invalid integer");
}
