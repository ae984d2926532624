/*
 * test_config.c — the strict [analytics] reader (toml.c) and how the
 * environment and config.toml decide the mode: on, local, off (an explicit
 * opt-out) or paused (a mistake) (config.c).
 */
#include "support.h"
#include "api/api.h"
#include "home/config.h"
#include "util/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A made-up PostHog-style project key; it must never reach a message. */
#define SECRET "phc_S3cr3tKeyValueThatMustNeverBePrinted0123456"

/* ------------------------------------------------------------ helpers */

static ja__toml_analytics g_out;
static char g_err[512];

/* Parse @p text (whole string) as config.toml. */
static int parse(const char *text)
{
  memset(g_err, 0x7A, sizeof g_err);  /* shows a message left unset */
  g_err[sizeof g_err - 1] = '\0';
  return ja__toml_read_analytics(text, strlen(text), "config.toml", &g_out, g_err, sizeof g_err);
}

/* Same with an explicit length (for NUL bytes). */
static int parse_n(const char *text, size_t len)
{
  return ja__toml_read_analytics(text, len, "config.toml", &g_out, g_err, sizeof g_err);
}

/* Assert @p text fails with a message that starts with "config.toml:<line>: "
 * and contains @p part. */
static void expect_error(const char *text, int line, const char *part)
{
  int rc = parse(text);
  if (rc != -1)
    fail_msg("expected an error for:\n%s", text);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "config.toml:%d: ", line);
  if (strncmp(g_err, prefix, strlen(prefix)) != 0)
    fail_msg("message '%s' does not start with '%s' for:\n%s", g_err, prefix, text);
  if (part && !strstr(g_err, part))
    fail_msg("message '%s' lacks '%s' for:\n%s", g_err, part, text);
  if (strchr(g_err, '\n'))
    fail_msg("message '%s' is not one line", g_err);
  assert_int_equal(g_out.has_table, 0);  /* nothing half-read leaks out */
}

static void expect_ok(const char *text)
{
  if (parse(text) != 0)
    fail_msg("unexpected error '%s' for:\n%s", g_err, text);
}

/* "[analytics]\n" + @p body, expected to fail at line @p line with @p part. */
static void expect_table_error(const char *body, int line, const char *part)
{
  char text[2048];
  snprintf(text, sizeof text, "[analytics]\n%s\n", body);
  expect_error(text, line, part);
}

static void mkhome(void)
{
  assert_int_equal(mkdir(jt_home(), 0700), 0);
}

static void write_config(const char *content)
{
  char path[JA_PATH_MAX];
  snprintf(path, sizeof path, "%s/config.toml", jt_home());
  jt_write_file(path, content);
}

static void load(ja__config *cfg)
{
  ja_status st = ja__config_load(cfg, NULL);
  if (st != JA_OK)
    fail_msg("ja__config_load: %d: %s", st, ja_last_error());
}

/* Save/restore HOME around tests that change it. */
static char *g_saved_home;
static void save_home(void)
{
  const char *h = getenv("HOME");
  g_saved_home = h ? strdup(h) : NULL;
}
static void restore_home(void)
{
  if (g_saved_home)
    setenv("HOME", g_saved_home, 1);
  else
    unsetenv("HOME");
  free(g_saved_home);
  g_saved_home = NULL;
}

/* ==================================================== toml.c: structure */

static void test_config__toml_empty_text_has_no_table(void **state) { (void)state;
  expect_ok("");
  assert_int_equal(g_out.has_table, 0);
  expect_ok("# just a comment\n\n[other]\nx = 1\n");
  assert_int_equal(g_out.has_table, 0);
  assert_int_equal(ja__toml_read_analytics(NULL, 0, "config.toml", &g_out, g_err, sizeof g_err), 0);
}

static void test_config__toml_reads_every_known_key(void **state) { (void)state;
  expect_ok("[analytics]\n"
            "enabled = true\n"
            "host = \"https://eu.i.posthog.com\"\n"
            "key = 'phc_abc'\n"
            "anon_id_path = \"/var/lib/oj/anon_id\"\n"
            "flush_interval_seconds = 30\n"
            "flush_at_size = 1_000\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.has_enabled, 1);
  assert_int_equal(g_out.enabled, 1);
  assert_int_equal(g_out.has_host, 1);
  assert_string_equal(g_out.host, "https://eu.i.posthog.com");
  assert_int_equal(g_out.has_key, 1);
  assert_string_equal(g_out.key, "phc_abc");
  assert_int_equal(g_out.has_anon_id_path, 1);
  assert_string_equal(g_out.anon_id_path, "/var/lib/oj/anon_id");
  assert_int_equal(g_out.has_flush_interval, 1);
  assert_int_equal(g_out.flush_interval_seconds, 30);
  assert_int_equal(g_out.has_flush_at_size, 1);
  assert_int_equal(g_out.flush_at_size, 1000);
  assert_string_equal(g_err, "");
}

static void test_config__toml_empty_table_sets_nothing_else(void **state) { (void)state;
  expect_ok("[analytics]\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.has_enabled, 0);
  assert_int_equal(g_out.has_host, 0);
  assert_int_equal(g_out.has_key, 0);
  assert_int_equal(g_out.has_anon_id_path, 0);
  assert_int_equal(g_out.has_flush_interval, 0);
  assert_int_equal(g_out.has_flush_at_size, 0);
}

static void test_config__toml_enabled_false(void **state) { (void)state;
  expect_ok("[analytics]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  assert_int_equal(g_out.enabled, 0);
}

static void test_config__toml_header_whitespace_and_comment(void **state) { (void)state;
  expect_ok("[ analytics ]   # the analytics table [x]\nenabled = false\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.enabled, 0);
  expect_ok("  [\tanalytics\t]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  expect_ok("[analytics]#c\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
}

static void test_config__toml_quoted_header_is_the_table(void **state) { (void)state;
  expect_ok("[\"analytics\"]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  expect_ok("['analytics']\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  expect_ok("[\"analyt\\u0069cs\"]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  /* One quoted segment with a dot is a different table. */
  expect_ok("[\"analytics.x\"]\nenabled = false\n");
  assert_int_equal(g_out.has_table, 0);
  assert_int_equal(g_out.has_enabled, 0);
}

static void test_config__toml_sub_table_is_skipped(void **state) { (void)state;
  expect_ok("[analytics]\nhost = \"https://a\"\n"
            "[analytics.sub]\nenabled = false\nhost = 42\nwhat = [1, 2]\n"
            "[ analytics . other ]\nkey = 1.5\n"
            "[[analytics.list]]\nenabled = \"no\"\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.has_enabled, 0);
  assert_string_equal(g_out.host, "https://a");
  assert_int_equal(g_out.has_key, 0);
  /* A sub-table alone does not make the table exist. */
  expect_ok("[analytics.sub]\nenabled = false\n");
  assert_int_equal(g_out.has_table, 0);
}

static void test_config__toml_other_tables_end_the_table(void **state) { (void)state;
  expect_ok("[analytics]\nenabled = true\n[server]\nenabled = false\nhost = 3\n");
  assert_int_equal(g_out.enabled, 1);
  assert_int_equal(g_out.has_host, 0);
}

static void test_config__toml_array_of_tables_rejected(void **state) { (void)state;
  expect_error("[[analytics]]\nenabled = false\n", 1, "array of tables");
  expect_error("x = 1\n\n[[ analytics ]]\n", 3, "array of tables");
}

static void test_config__toml_duplicate_table_rejected(void **state) { (void)state;
  expect_error("[analytics]\nenabled = true\n[other]\n[analytics]\nenabled = false\n", 4,
               "appears twice (first at line 1)");
  expect_error("[analytics]\n[\"analytics\"]\n", 2, "appears twice");
}

static void test_config__toml_root_inline_table_rejected(void **state) { (void)state;
  expect_error("analytics = { enabled = false }\n", 1,
               "analytics must be written as an [analytics] table");
  expect_error("# top\nname = \"x\"\n\"analytics\" = {enabled = false}\n", 3,
               "analytics must be written as an [analytics] table");
}

static void test_config__toml_root_dotted_key_rejected(void **state) { (void)state;
  expect_error("analytics.enabled = false\n", 1, "[analytics] table");
  expect_error("  analytics . enabled = false\n", 1, "[analytics] table");
  expect_error("'analytics'.enabled = false\n", 1, "[analytics] table");
  expect_error("x = 1\nanalytics.enabled = false\n[analytics]\n", 2, "[analytics] table");
}

static void test_config__toml_analytics_keys_in_other_tables_are_fine(void **state) { (void)state;
  expect_ok("[tools]\nanalytics.enabled = false\nanalytics = 3\n");
  assert_int_equal(g_out.has_table, 0);
  expect_ok("analytics_x = 1\nanalyticsy.z = 2\n");
  assert_int_equal(g_out.has_table, 0);
}

static void test_config__toml_unreadable_root_line_rejected(void **state) { (void)state;
  /* A root line we cannot read might define analytics: fail closed. */
  expect_error("x = 1\n= 2\n", 2, "top-level");
  expect_error("\"analyt\\qics\" = 1\n", 1, "escape");
}

static void test_config__toml_malformed_header_rejected(void **state) { (void)state;
  expect_error("[analytics\nenabled = false\n", 1, "table header");
  expect_error("[other]\n[analytics] enabled = false\n", 2, "table header");
  expect_error("[]\n", 1, "table header");
  expect_error("[[analytics]\n", 1, "table header");
  expect_error("[a.]\n", 1, "table header");
}

static void test_config__toml_header_inside_multiline_basic_string(void **state) { (void)state;
  expect_ok("[prompts]\n"
            "system = \"\"\"\n"
            "[analytics]\n"
            "enabled = false\n"
            "an escaped quote \\\"\"\" is not the end\n"
            "\"\"\"\n"
            "[analytics]\n"
            "host = \"https://h\"\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.has_enabled, 0);
  assert_string_equal(g_out.host, "https://h");
  /* Closing with extra quotes, and a line-ending backslash. */
  expect_ok("a = \"\"\"x \\\n[analytics]\nenabled = false\"\"\"\"\"\nb = 1\n");
  assert_int_equal(g_out.has_table, 0);
  /* Opening and closing on the same line does not swallow the next line. */
  expect_ok("a = \"\"\"one line\"\"\"\n[analytics]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
}

static void test_config__toml_header_inside_multiline_literal_string(void **state) { (void)state;
  expect_ok("[prompts]\n"
            "system = '''\n"
            "[analytics]\n"
            "enabled = false \\'''\n"
            "[analytics]\n"
            "enabled = true\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.enabled, 1);
  /* At the root too. */
  expect_ok("text = '''\n[analytics]\nenabled = false\n'''\n");
  assert_int_equal(g_out.has_table, 0);
}

static void test_config__toml_header_inside_multiline_array(void **state) { (void)state;
  expect_ok("[models]\n"
            "list = [\n"
            "  \"a]\", 'b]]', # a comment with ] in it\n"
            "[analytics]\n"
            "  { name = \"x\", tags = [\"}\"] },\n"
            "]\n"
            "[analytics]\n"
            "enabled = false\n");
  assert_int_equal(g_out.has_table, 1);
  assert_int_equal(g_out.has_enabled, 1);
  assert_int_equal(g_out.enabled, 0);
  /* Brackets and quotes in comments do not count. */
  expect_ok("x = 1 # a [ in a comment\ny = '''\n''' # and \"\"\" here\n[analytics]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  /* Multi-line inline table (TOML 1.1) at the root. */
  expect_ok("point = {\n x = 1,\n[analytics]\n}\n[analytics]\nenabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  /* A multi-line string inside a multi-line array. */
  expect_ok("a = [\n\"\"\"\n]\n[analytics]\n\"\"\",\n]\n");
  assert_int_equal(g_out.has_table, 0);
}

static void test_config__toml_other_tables_strings_hold_hash_and_brackets(void **state) { (void)state;
  expect_ok("[ui]\n"
            "title = \"#1 [best] {x}\"\n"
            "lit = 'c:\\path\\[x]'\n"
            "esc = \"a \\\" [ # b\"\n"
            "[analytics]\n"
            "enabled = false\n");
  assert_int_equal(g_out.has_enabled, 1);
  assert_int_equal(g_out.enabled, 0);
}

static void test_config__toml_unclosed_multiline_rejected(void **state) { (void)state;
  expect_error("[a]\nx = \"\"\"\nnever closed\n[analytics]\nenabled = false\n", 2,
               "multi-line string never closed");
  expect_error("[a]\n\nx = [1,\n2\n[analytics]\nenabled = false\n", 3, "never closed");
  expect_error("x = '''\n", 1, "never closed");
}

static void test_config__toml_comments_and_blank_lines(void **state) { (void)state;
  expect_ok("# header comment\n\n[analytics] # table\n\n   # indented comment\n"
            "enabled = false # trailing comment with \"quotes\" and [brackets]\n"
            "\t host\t=\t\"h\"#tight comment\n"
            "\n");
  assert_int_equal(g_out.enabled, 0);
  assert_string_equal(g_out.host, "h");
}

static void test_config__toml_crlf_and_bom(void **state) { (void)state;
  expect_ok("\xEF\xBB\xBF[analytics]\r\nenabled = false\r\nhost = \"h\"\r\n\r\n");
  assert_int_equal(g_out.has_enabled, 1);
  assert_int_equal(g_out.enabled, 0);
  assert_string_equal(g_out.host, "h");
  /* The last line need not end with a newline. */
  expect_ok("[analytics]\nflush_at_size = 5");
  assert_int_equal(g_out.flush_at_size, 5);
  /* A bare CR inside the table is a control character. */
  expect_table_error("host = \"h\"\rx = 1", 2, "control character (byte 0x0D)");
  expect_error("[analytics]\nhost = \"h\"\r", 2, "control character");
  /* A BOM is only skipped at the very start. */
  expect_table_error("\xEF\xBB\xBFhost = \"h\"", 2, "expected a key");
}

static void test_config__toml_line_numbers_count_skipped_lines(void **state) { (void)state;
  expect_error("a = \"\"\"\n1\n2\n\"\"\"\nb = [\n3,\n]\n\n[analytics]\nenabled = true\n"
               "host = 5\n",
               11, "'host': expected a string");
  expect_error("[analytics]\r\n\r\n\r\nenabled = 1\r\n", 4, "'enabled': expected a boolean");
}

/* ================================================= toml.c: keys inside */

static void test_config__toml_unknown_keys_ignored(void **state) { (void)state;
  expect_ok("[analytics]\n"
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
  assert_int_equal(g_out.has_enabled, 1);
  assert_int_equal(g_out.enabled, 0);
  assert_int_equal(g_out.has_host, 0);
}

/* Misspelt keys and tables are shown by `status`: every
 * unknown key of [analytics], and every table one edit away from
 * [analytics], is a warning naming the line and the name, never a value. */
static void expect_warnings(const char *text, int n, const char *const *parts)
{
  expect_ok(text);
  if (g_out.nwarnings != n)
    fail_msg("%d warnings, want %d, for:\n%s", g_out.nwarnings, n, text);
  for (int i = 0; i < n && i < JA__CONFIG_WARNINGS; i++) {
    if (!strstr(g_out.warnings[i], parts[i]) || strncmp(g_out.warnings[i], "config.toml:", 12) != 0)
      fail_msg("warning %d '%s' lacks '%s'", i, g_out.warnings[i], parts[i]);
    if (strstr(g_out.warnings[i], "S3cr3t"))
      fail_msg("warning %d shows a value: '%s'", i, g_out.warnings[i]);
  }
}

static void test_config__toml_unknown_keys_are_warnings(void **state) { (void)state;
  static const char *const w1[] = {"config.toml:2: [analytics] unknown key 'future' is ignored"};
  expect_warnings("[analytics]\nfuture = \"x\"\n", 1, w1);
  assert_string_equal(g_out.optout, "");
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
  assert_int_equal(g_out.has_key, 0);
  assert_string_equal(g_out.optout, "");  /* enable = true opts nobody out */
}

static void test_config__toml_misspelt_enabled_not_true_pauses(void **state) { (void)state;
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
    expect_ok(text);
    if (!strstr(g_out.optout, "config.toml:2: [analytics] '") ||
        !strstr(g_out.optout, "looks like a misspelt 'enabled'") || g_out.nwarnings != 1)
      fail_msg("'%s': optout '%s', %d warnings", off[i], g_out.optout, g_out.nwarnings);
  }
  static const char *const on[] = {"enable = true", "disabled = true", "enables_x = false",
                                   "nabld = false"};
  for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[analytics]\n%s\n", on[i]);
    expect_ok(text);
    if (g_out.optout[0])
      fail_msg("'%s' read as an opt-out: %s", on[i], g_out.optout);
  }
}

static void test_config__toml_misspelt_tables_are_warnings(void **state) { (void)state;
  static const char *const names[] = {"Analytics", "ANALYTICS", "analytic", "analytcs",
                                      "analyitcs", "analytics_", "\"analytics \"", "' analytics'"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "[%s]\nhost = \"https://not-read\"\nkey = \"" SECRET "\"\n", names[i]);
    expect_ok(text);
    if (g_out.nwarnings != 1 || !strstr(g_out.warnings[0], "config.toml:1: table [") ||
        !strstr(g_out.warnings[0], "is not [analytics]: its settings are not read"))
      fail_msg("[%s]: %d warnings, first '%s'", names[i], g_out.nwarnings, g_out.warnings[0]);
    assert_null(strstr(g_out.warnings[0], "S3cr3t"));
    assert_int_equal(g_out.has_table, 0);
    assert_int_equal(g_out.has_host, 0);
    assert_string_equal(g_out.optout, "");
  }
  expect_ok("[Analytics]\n");
  assert_string_equal(g_out.warnings[0], "config.toml:1: table [Analytics] is not [analytics]: its settings are not read");
  expect_ok("[[Analytics]]\n");
  assert_string_equal(g_out.warnings[0], "config.toml:1: table [[Analytics]] is not [analytics]: its settings are not read");
  /* Further away, or a sub-table, or a dotted name: somebody else's table. */
  static const char *const others[] = {"analysis", "anal", "analytics.sub", "Analytics.sub",
                                       "server", "analytics_v2"};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[%s]\nenabled = false\n", others[i]);
    expect_ok(text);
    if (g_out.nwarnings != 0 || g_out.optout[0])
      fail_msg("[%s]: %d warnings, optout '%s'", others[i], g_out.nwarnings, g_out.optout);
  }
  /* The real table next to a misspelt one: both read as they are. */
  static const char *const w[] = {"config.toml:3: table [Analytics] is not [analytics]"};
  expect_warnings("[analytics]\nhost = \"https://real\"\n[Analytics]\nhost = \"x\"\n", 1, w);
  assert_string_equal(g_out.host, "https://real");
}

static void test_config__toml_enabled_false_in_misspelt_table_pauses(void **state) { (void)state;
  static const char *const lines[] = {"enabled = false", "enable = false", "Enabled=0",
                                      "enabled = \"off\" # comment"};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[Analytics]\n# x\n%s\n", lines[i]);
    expect_ok(text);
    if (!strstr(g_out.optout, "config.toml:3: '") ||
        !strstr(g_out.optout, "in [Analytics], which is not [analytics]"))
      fail_msg("'%s': optout '%s'", lines[i], g_out.optout);
  }
  expect_ok("[Analytics]\nenabled = true\n");
  assert_string_equal(g_out.optout, "");
  /* Lines it cannot read are not errors: it is not our table. */
  expect_ok("[Analytics]\nenabled = maybe\nx = [1,\n2]\n");
  assert_non_null(strstr(g_out.optout, "config.toml:2: "));
  /* A multi-line string in it is skimmed, not read as keys. */
  expect_ok("[Analytics]\nnote = \"\"\"\nenabled = false\n\"\"\"\n");
  assert_string_equal(g_out.optout, "");
}

static void test_config__toml_many_warnings_are_counted(void **state) { (void)state;
  char text[1024] = "[analytics]\n";
  for (int i = 0; i < 12; i++) {
    char line[32];
    snprintf(line, sizeof line, "unknown_%d = %d\n", i, i);
    strncat(text, line, sizeof text - strlen(text) - 1);
  }
  expect_ok(text);
  assert_int_equal(g_out.nwarnings, 12);
  assert_non_null(strstr(g_out.warnings[JA__CONFIG_WARNINGS - 1], "'unknown_7'"));
}

static void test_config__toml_quoted_known_keys(void **state) { (void)state;
  expect_ok("[analytics]\n\"enabled\" = false\n'host' = \"h\"\n\"k\\u0065y\" = \"k\"\n");
  assert_int_equal(g_out.has_enabled, 1);
  assert_string_equal(g_out.host, "h");
  assert_string_equal(g_out.key, "k");
}

static void test_config__toml_duplicate_key_rejected(void **state) { (void)state;
  expect_table_error("enabled = true\nenabled = false", 3, "'enabled': duplicate key");
  expect_table_error("host = \"a\"\n\"host\" = \"b\"", 3, "'host': duplicate key");
  expect_table_error("x = 1\n\n'x' = 1", 4, "'x': duplicate key");
  expect_table_error("\"a b\" = 1\n'a b' = 2", 3, "duplicate key");
  /* Not a duplicate: keys of a sub-table. */
  expect_ok("[analytics]\nenabled = true\n[analytics.s]\nenabled = false\n");
}

static void test_config__toml_dotted_key_inside_rejected(void **state) { (void)state;
  expect_table_error("sub.enabled = false", 2, "dotted keys are not supported");
  expect_table_error("enabled . x = false", 2, "dotted keys are not supported");
  expect_table_error("\"a\".b = 1", 2, "dotted keys are not supported");
}

static void test_config__toml_missing_equals_rejected(void **state) { (void)state;
  expect_table_error("enabled false", 2, "expected '='");
  expect_table_error("enabled", 2, "expected '='");
  expect_table_error("host: \"x\"", 2, "expected '='");
  expect_table_error("= 1", 2, "expected a key");
  expect_table_error("enabled =", 2, "'enabled': missing value");
  expect_table_error("enabled = # nothing", 2, "missing value");
  expect_table_error("ke$y = 1", 2, "expected '='");
}

static void test_config__toml_garbage_after_value_rejected(void **state) { (void)state;
  expect_table_error("enabled = true false", 2, "'enabled': unexpected text after the value");
  expect_table_error("host = \"a\" \"b\"", 2, "unexpected text after the value");
  expect_table_error("host = \"a\"x", 2, "unexpected text after the value");
  expect_table_error("x = 'a' b", 2, "unexpected text after the value");
  expect_table_error("enabled = truee", 2, "'enabled': expected a boolean");
  expect_table_error("flush_at_size = 5,", 2, "'flush_at_size': invalid integer");
}

/* ===================================================== toml.c: values */

static void test_config__toml_wrong_types_name_key_and_type(void **state) { (void)state;
  expect_table_error("enabled = \"false\"", 2, "[analytics] 'enabled': expected a boolean");
  expect_table_error("enabled = 0", 2, "'enabled': expected a boolean");
  expect_table_error("enabled = no", 2, "'enabled': expected a boolean");
  expect_table_error("enabled = False", 2, "'enabled': expected a boolean");
  expect_table_error("host = 12", 2, "[analytics] 'host': expected a string");
  expect_table_error("host = example.com", 2, "'host': expected a string");
  expect_table_error("host = true", 2, "'host': expected a string");
  expect_table_error("host = [\"a\"]", 2, "'host': expected a string");
  expect_table_error("key = 123", 2, "'key': expected a string");
  expect_table_error("anon_id_path = false", 2, "'anon_id_path': expected a string");
  expect_table_error("flush_interval_seconds = \"60\"", 2,
                     "'flush_interval_seconds': expected an integer");
  expect_table_error("flush_at_size = true", 2, "'flush_at_size': expected an integer");
  expect_table_error("flush_at_size = 1.5", 2, "'flush_at_size': expected an integer");
  /* The exact form of the whole message. */
  assert_int_equal(parse("[analytics]\n\n\nhost = 1\n"), -1);
  assert_string_equal(g_err, "config.toml:4: [analytics] 'host': expected a string");
}

static void test_config__toml_unsupported_values_rejected(void **state) { (void)state;
  static const struct {
    const char *line;
    const char *part;
  } cases[] = {
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
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_table_error(cases[i].line, 2, cases[i].part);
}

static void test_config__toml_basic_string_escapes(void **state) { (void)state;
  expect_ok("[analytics]\nhost = \"caf\\u00e9 \\\"q\\\" \\\\ \\U0001F600 \\u20AC\"\n");
  assert_string_equal(g_out.host, "caf\xC3\xA9 \"q\" \\ \xF0\x9F\x98\x80 \xE2\x82\xAC");
  /* Raw UTF-8 is fine too. */
  expect_ok("[analytics]\nhost = \"caf\xC3\xA9\"\n");
  assert_string_equal(g_out.host, "caf\xC3\xA9");
  /* Control escapes are valid TOML (accepted for unknown keys). */
  expect_ok("[analytics]\nx = \"\\b\\t\\n\\f\\r\"\ny = \"\tx\"\n");
  assert_int_equal(g_out.has_table, 1);
  /* …but a known string value must not contain control characters. */
  expect_table_error("host = \"a\\nb\"", 2, "'host': must not contain control characters");
  expect_table_error("anon_id_path = \"a\\tb\"", 2, "control characters");
  expect_table_error("host = \"a\\u0085b\"", 2, "control characters");
}

static void test_config__toml_invalid_escapes_rejected(void **state) { (void)state;
  expect_table_error("host = \"\\x41\"", 2, "'host': invalid escape sequence");
  expect_table_error("host = \"\\q\"", 2, "invalid escape sequence");
  expect_table_error("host = \"\\e\"", 2, "invalid escape sequence");
  expect_table_error("host = \"\\ \"", 2, "invalid escape sequence");
  expect_table_error("x = \"\\u12\"", 2, "invalid \\u escape");
  expect_table_error("x = \"\\u12G4\"", 2, "invalid \\u escape");
  expect_table_error("x = \"\\U0001F60\"", 2, "invalid \\u escape");
  expect_table_error("x = \"\\uD800\"", 2, "not a Unicode scalar value");
  expect_table_error("x = \"\\uDFFF\"", 2, "not a Unicode scalar value");
  expect_table_error("x = \"\\U00110000\"", 2, "not a Unicode scalar value");
  expect_table_error("x = \"\\UFFFFFFFF\"", 2, "not a Unicode scalar value");
  expect_table_error("x = \"abc\\\"", 2, "unterminated string");
  /* Escapes in keys follow the same rules. */
  expect_table_error("\"\\uD800\" = 1", 2, "not a Unicode scalar value");
  /* The largest scalar value is fine. */
  expect_ok("[analytics]\nx = \"\\U0010FFFF\\uFFFF\\uE000\"\n");
}

static void test_config__toml_nul_escape_rejected(void **state) { (void)state;
  expect_table_error("host = \"a\\u0000b\"", 2, "'host': strings must not contain NUL");
  expect_table_error("x = \"\\U00000000\"", 2, "'x': strings must not contain NUL");
  expect_table_error("\"a\\u0000\" = 1", 2, "keys must not contain NUL");
}

static void test_config__toml_literal_strings(void **state) { (void)state;
  expect_ok("[analytics]\nanon_id_path = 'C:\\Users\\me\\anon_id'\nhost = '\"quoted\" #not a comment'\n");
  assert_string_equal(g_out.anon_id_path, "C:\\Users\\me\\anon_id");
  assert_string_equal(g_out.host, "\"quoted\" #not a comment");
  expect_table_error("host = 'abc", 2, "'host': unterminated string");
  expect_table_error("host = \"abc", 2, "'host': unterminated string");
  expect_table_error("host = \"abc'", 2, "unterminated string");
}

static void test_config__toml_empty_and_long_strings(void **state) { (void)state;
  expect_ok("[analytics]\nkey = \"\"\n");
  assert_int_equal(g_out.has_key, 1);
  assert_string_equal(g_out.key, "");
  expect_table_error("host = ''", 2, "'host': must not be empty");
  expect_table_error("anon_id_path = \"\"", 2, "'anon_id_path': must not be empty");

  /* host holds 511 bytes, key 255: one more is an error, not a truncation. */
  char text[8192], value[5000];
  memset(value, 'h', 511);
  value[511] = '\0';
  snprintf(text, sizeof text, "[analytics]\nhost = \"%s\"\n", value);
  expect_ok(text);
  assert_int_equal(strlen(g_out.host), 511);
  memset(value, 'h', 512);
  value[512] = '\0';
  snprintf(text, sizeof text, "[analytics]\nhost = \"%s\"\n", value);
  expect_error(text, 2, "'host': too long (at most 511 bytes)");
  memset(value, 'k', 256);
  value[256] = '\0';
  snprintf(text, sizeof text, "[analytics]\nkey = '%s'\n", value);
  expect_error(text, 2, "'key': too long (at most 255 bytes)");
  assert_null(strstr(g_err, "kkkk"));
  /* Escapes count by their UTF-8 length: 255 x "é" is 510 bytes, 256 is 512. */
  text[0] = '\0';
  size_t n = (size_t)snprintf(text, sizeof text, "[analytics]\nhost = \"");
  for (int i = 0; i < 256; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "\\u00e9");
  snprintf(text + n, sizeof text - n, "\"\n");
  expect_error(text, 2, "too long");
  /* A key name over 255 bytes is refused, without echoing it. */
  memset(value, 'n', 300);
  value[300] = '\0';
  snprintf(text, sizeof text, "[analytics]\n%s = 1\n", value);
  expect_error(text, 2, "key too long");
}

static void test_config__toml_integer_rules(void **state) { (void)state;
  expect_ok("[analytics]\nflush_interval_seconds = +1_0\nflush_at_size = 1_0_0\n"
            "a = 0\nb = +0\nc = -0\nd = 9223372036854775807\ne = -9223372036854775808\n"
            "f = 1_000_000\n");
  assert_int_equal(g_out.flush_interval_seconds, 10);
  assert_int_equal(g_out.flush_at_size, 100);
  static const struct {
    const char *line;
    const char *part;
  } bad[] = {
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
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    expect_table_error(bad[i].line, 2, bad[i].part);
}

static void test_config__toml_integer_ranges_of_known_keys(void **state) { (void)state;
  expect_table_error("flush_interval_seconds = 0", 2,
                     "'flush_interval_seconds': must be at least 1");
  expect_table_error("flush_interval_seconds = -5", 2, "must be at least 1");
  expect_table_error("flush_at_size = 0", 2, "'flush_at_size': must be between 1 and 1000");
  expect_table_error("flush_at_size = 1001", 2, "must be between 1 and 1000");
  expect_table_error("flush_at_size = -1", 2, "must be between 1 and 1000");
  expect_ok("[analytics]\nflush_at_size = 1\nflush_interval_seconds = 9223372036854775807\n");
  assert_int_equal(g_out.flush_at_size, 1);
  assert_true(g_out.flush_interval_seconds == INT64_MAX);
  expect_ok("[analytics]\nflush_at_size = 1000\n");
  assert_int_equal(g_out.flush_at_size, 1000);
}

/* The caps are store configuration: read like the other
 * integer keys, a wrong type or a value below 1 turns analytics off with
 * the line number. */
static void test_config__toml_reads_cap_keys(void **state) { (void)state;
  expect_ok("[analytics]\nmax_events = 250_000\nmax_age_days = 7\n");
  assert_int_equal(g_out.has_max_events, 1);
  assert_int_equal(g_out.max_events, 250000);
  assert_int_equal(g_out.has_max_age_days, 1);
  assert_int_equal(g_out.max_age_days, 7);
  expect_ok("[analytics]\nmax_events = 1\nmax_age_days = 9223372036854775807\n");
  assert_int_equal(g_out.max_events, 1);
  assert_true(g_out.max_age_days == INT64_MAX);
  expect_ok("[analytics]\nenabled = true\n");
  assert_int_equal(g_out.has_max_events, 0);
  assert_int_equal(g_out.has_max_age_days, 0);
}

static void test_config__toml_cap_keys_wrong_type_or_range(void **state) { (void)state;
  expect_table_error("max_events = \"100\"", 2, "[analytics] 'max_events': expected an integer");
  expect_table_error("max_events = 1.5", 2, "'max_events': expected an integer");
  expect_table_error("max_events = true", 2, "'max_events': expected an integer");
  expect_table_error("max_events = 0", 2, "'max_events': must be at least 1");
  expect_table_error("max_events = -10", 2, "'max_events': must be at least 1");
  expect_table_error("max_age_days = \"30\"", 2, "'max_age_days': expected an integer");
  expect_table_error("max_age_days = 0", 2, "'max_age_days': must be at least 1");
  expect_table_error("max_events = 5\nmax_events = 6", 3, "'max_events': duplicate key");
  expect_table_error("max_age_days = 5\nmax_age_days = 6", 3, "'max_age_days': duplicate key");
  assert_int_equal(parse("[analytics]\n\nmax_age_days = []\n"), -1);
  assert_string_equal(g_err, "config.toml:3: [analytics] 'max_age_days': expected an integer");
}

static void test_config__toml_invalid_utf8_rejected_inside_only(void **state) { (void)state;
  expect_table_error("host = \"\xC3\x28\"", 2, "invalid UTF-8");
  expect_table_error("x = 'a' # comment \xFF", 2, "invalid UTF-8");
  expect_table_error("\xC0\xAF = 1", 2, "invalid UTF-8");            /* overlong */
  expect_table_error("x = \"\xED\xA0\x80\"", 2, "invalid UTF-8");   /* surrogate */
  expect_table_error("x = \"\xF4\x90\x80\x80\"", 2, "invalid UTF-8"); /* > U+10FFFF */
  expect_error("[analytics] # \xFF\n", 1, "invalid UTF-8");
  /* Outside the table nobody cares. */
  expect_ok("[other]\nx = \"\xFF\xFE\"\n[analytics]\nenabled = false\n[more]\ny = '\xC3'\n");
  assert_int_equal(g_out.has_enabled, 1);
}

static void test_config__toml_control_characters_rejected(void **state) { (void)state;
  expect_table_error("host = \"a\x01\"", 2, "control character (byte 0x01)");
  expect_table_error("host = 'a\x1B'", 2, "control character");
  expect_table_error("x = 1 # \x7F", 2, "control character (byte 0x7F)");
  expect_table_error("x = 1\x0C", 2, "control character");
  static const char with_nul[] = "[analytics]\nhost = \"a\0b\"\n";
  assert_int_equal(parse_n(with_nul, sizeof with_nul - 1), -1);
  assert_non_null(strstr(g_err, "config.toml:2: [analytics] control character (byte 0x00)"));
  /* Tabs are fine, and control bytes outside the table are skipped. */
  static const char outside[] = "[x]\ny = \"\0\x01\"\n[analytics]\nhost\t=\t'a\tb'\n";
  assert_int_equal(parse_n(outside, sizeof outside - 1), -1);  /* tab in a host value */
  assert_non_null(strstr(g_err, "control characters"));
  static const char outside_ok[] = "[x]\ny = \"\0\x01\"\n[analytics]\nx\t=\t'a\tb'\n";
  assert_int_equal(parse_n(outside_ok, sizeof outside_ok - 1), 0);
  assert_int_equal(g_out.has_table, 1);
}

static void test_config__toml_api_key_never_in_messages(void **state) { (void)state;
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
    if (parse(text) != -1)
      fail_msg("expected an error for case %zu", i);
    if (strstr(g_err, "S3cr3t") || strstr(g_err, "phc_"))
      fail_msg("case %zu leaks the key: %s", i, g_err);
    assert_null(strstr(g_out.key, "S3cr3t"));  /* output cleared on error */
  }
}

static void test_config__toml_null_err_buffer_is_fine(void **state) { (void)state;
  const char *text = "[analytics]\nenabled = 3\n";
  assert_int_equal(ja__toml_read_analytics(text, strlen(text), NULL, &g_out, NULL, 0), -1);
  char small[12];
  assert_int_equal(ja__toml_read_analytics(text, strlen(text), NULL, &g_out, small, sizeof small), -1);
  assert_string_equal(small, "config.toml");
  assert_int_equal(ja__toml_read_analytics(text, strlen(text), "x", NULL, small, sizeof small), -1);
}

/* ======================================================== config.c */

static void test_config__defaults_without_config_file(void **state) { (void)state;
  jt_fresh_env();
  ja__config cfg;
  load(&cfg);
  char want[JA_PATH_MAX];
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.off_reason, "");
  assert_string_equal(cfg.home, jt_home());
  snprintf(want, sizeof want, "%s/config.toml", jt_home());
  assert_string_equal(cfg.config_path, want);
  snprintf(want, sizeof want, "%s/analytics_queue.db", jt_home());
  assert_string_equal(cfg.db_path, want);
  snprintf(want, sizeof want, "%s/anon_id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");
  assert_string_equal(cfg.key, "");
  assert_int_equal(cfg.flush_interval_seconds, 60);
  assert_int_equal(cfg.flush_at_size, 100);
  assert_int_equal(cfg.max_events, 10000);
  assert_int_equal(cfg.max_age_days, 30);
  assert_int_equal(cfg.debug, 0);
  /* The home directory is not created by reading the config. */
  struct stat sb;
  assert_int_equal(stat(jt_home(), &sb), -1);
}

static void test_config__config_without_table_keeps_defaults(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[server]\nport = 8000\n");
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");
}

static void test_config__config_values_applied(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nenabled = true\nhost = \"https://eu.i.posthog.com\"\nkey = \"phc_x\"\n"
               "flush_interval_seconds = 5\nflush_at_size = 7\nmax_events = 12\nmax_age_days = 3\n");
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.max_events, 12);
  assert_int_equal(cfg.max_age_days, 3);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.off_reason, "");
  assert_string_equal(cfg.host, "https://eu.i.posthog.com");
  assert_string_equal(cfg.key, "phc_x");
  assert_int_equal(cfg.flush_interval_seconds, 5);
  assert_int_equal(cfg.flush_at_size, 7);
}

static void test_config__enabled_false_turns_off(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nenabled = false\n");
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  char want[JA_PATH_MAX + 64];
  snprintf(want, sizeof want, "disabled in %s/config.toml ([analytics] enabled = false)", jt_home());
  assert_string_equal(cfg.off_reason, want);
}

static void test_config__misspelt_enabled_pauses_and_warns(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nenable = false\nkye = \"" SECRET "\"\n");
  ja__config cfg;
  load(&cfg);
  char want[JA_PATH_MAX + 256];
  assert_int_equal(cfg.enabled, 0);
  /* A typo is a mistake, not the explicit opt-out that deletes the queue. */
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  snprintf(want, sizeof want,
           "%s/config.toml:2: [analytics] 'enable' looks like a misspelt 'enabled': its value is "
           "not true, so analytics is paused until it is spelt 'enabled' in [analytics] (privacy "
           "wins a typo)", jt_home());
  assert_string_equal(cfg.off_reason, want);
  assert_int_equal(cfg.nwarnings, 2);
  snprintf(want, sizeof want,
           "%s/config.toml:3: [analytics] unknown key 'kye' is ignored (did you mean 'key'?)",
           jt_home());
  assert_string_equal(cfg.warnings[1], want);
  /* [Analytics] enabled = false: off too, and the table is named. */
  write_config("[Analytics]\nenabled = false\n");
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_non_null(strstr(cfg.off_reason, "config.toml:2: 'enabled' in [Analytics], which is not [analytics]"));
  assert_int_equal(cfg.nwarnings, 1);
  /* A warning alone leaves analytics on. */
  write_config("[analytics]\nhots = \"x\"\n");
  load(&cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_int_equal(cfg.nwarnings, 1);
  /* A table that cannot be parsed keeps no half-read warnings. */
  write_config("[analytics]\nhots = \"x\"\nenabled = 3\n");
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.nwarnings, 0);
}

static void test_config__parse_error_pauses_with_message(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nenabled = true\n\nkey = \"" SECRET "\" x\n");
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  char want[JA_PATH_MAX + 128];
  snprintf(want, sizeof want,
           "%s/config.toml:4: [analytics] 'key': unexpected text after the value", jt_home());
  assert_string_equal(cfg.off_reason, want);
  assert_null(strstr(cfg.off_reason, "S3cr3t"));
  /* The half-read table is not applied. */
  assert_string_equal(cfg.key, "");
}

static void test_config__root_analytics_key_pauses(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("analytics.enabled = false\n");
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_non_null(strstr(cfg.off_reason, "config.toml:1: analytics must be written as an [analytics] table"));
}

static void test_config__unreadable_config_pauses(void **state) { (void)state;
  /* Tests run as root, where chmod 000 does not stop reads: a directory
   * named config.toml cannot be read by anyone. */
  jt_fresh_env();
  mkhome();
  char path[JA_PATH_MAX];
  snprintf(path, sizeof path, "%s/config.toml", jt_home());
  assert_int_equal(mkdir(path, 0700), 0);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  char want[JA_PATH_MAX + 32];
  snprintf(want, sizeof want, "refusing '%s': not a regular file", path);
  assert_string_equal(cfg.off_reason, want);
  assert_string_equal(ja_last_error(), "");  /* swallowed, not an error */
}

/* config.toml is opened by the one file rule (util/fs.c), minus what only
 * fits our own files: never followed through a symlink (it was, against
 * ja__file_read's comment), never blocking on a FIFO, refused when someone
 * else can write it — each pauses analytics with the reason (nobody can
 * tell what the user wanted: nothing is sent, nothing deleted). */
static void config_path(char *out, size_t n)
{
  snprintf(out, n, "%s/config.toml", jt_home());
}

static void expect_off_refusing(const char *why)
{
  char path[JA_PATH_MAX], want[JA_PATH_MAX + 64];
  config_path(path, sizeof path);
  ja__config cfg;
  load(&cfg);
  snprintf(want, sizeof want, "refusing '%s': %s", path, why);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_string_equal(cfg.off_reason, want);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");  /* nothing of it applied */
  assert_string_equal(ja_last_error(), "");
}

static void test_config__symlinked_config_is_refused(void **state) { (void)state;
  const char *dir = jt_fresh_env();
  mkhome();
  char target[JA_PATH_MAX], path[JA_PATH_MAX];
  snprintf(target, sizeof target, "%s/elsewhere.toml", dir);
  jt_write_file(target, "[analytics]\nenabled = true\nhost = \"https://planted.example\"\n");
  config_path(path, sizeof path);
  assert_int_equal(symlink(target, path), 0);
  expect_off_refusing("it is a symlink");
  /* A dangling symlink is refused too, not taken for a missing file. */
  assert_int_equal(unlink(path), 0);
  assert_int_equal(symlink("/nonexistent/ja-config.toml", path), 0);
  expect_off_refusing("it is a symlink");
}

static void test_config__fifo_config_is_refused_without_hanging(void **state) { (void)state;
  /* Before the fix open() blocked forever waiting for a writer: the load
   * runs in a child, which the parent kills after a generous deadline. */
  jt_fresh_env();
  mkhome();
  char path[JA_PATH_MAX];
  config_path(path, sizeof path);
  assert_int_equal(mkfifo(path, 0600), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    ja__config cfg;
    char want[JA_PATH_MAX + 64];
    snprintf(want, sizeof want, "refusing '%s': not a regular file", path);
    _exit(ja__config_load(&cfg, NULL) == JA_OK && !cfg.enabled && cfg.mode == JA__MODE_PAUSED &&
                  strcmp(cfg.off_reason, want) == 0
              ? 0
              : 1);
  }
  int status = 0;
  pid_t got = 0;
  for (int i = 0; i < 60000 && (got = waitpid(pid, &status, WNOHANG)) == 0; i++)
    usleep(1000);
  if (got == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("loading a config.toml that is a FIFO still blocked after 60 s");
  }
  assert_int_equal(got, pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_config__foreign_or_world_writable_config_is_refused(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  char path[JA_PATH_MAX];
  config_path(path, sizeof path);
  jt_write_file(path, "[analytics]\nhost = \"https://planted.example\"\n");
  if (geteuid() == 65534)
    skip();  /* 65534 would be us */
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(chown(path, 65534, 65534), 0);
  expect_off_refusing("owned by another user");
  assert_int_equal(chown(path, geteuid(), getegid()), 0);
  assert_int_equal(chmod(path, 0666), 0);
  expect_off_refusing("writable by every user");
}

static void test_config__config_mode_is_never_changed(void **state) { (void)state;
  /* config.toml is OpenJarvis' file: read as it is, 0644 or 0664 included
   * (only the store's own files are narrowed to 0600). */
  jt_fresh_env();
  mkhome();
  char path[JA_PATH_MAX];
  config_path(path, sizeof path);
  jt_write_file(path, "[analytics]\nhost = \"https://eu.i.posthog.com\"\n");
  static const unsigned modes[] = {0644, 0664, 0640, 0400};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    assert_int_equal(chmod(path, modes[i]), 0);
    ja__config cfg;
    load(&cfg);
    assert_int_equal(cfg.enabled, 1);
    assert_string_equal(cfg.host, "https://eu.i.posthog.com");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, modes[i]);
  }
}

static void test_config__config_over_one_mib_pauses(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  size_t n = ((size_t)1 << 20) + 1;
  char *big = malloc(n + 1);
  assert_non_null(big);
  memset(big, '#', n);
  big[n] = '\0';
  write_config(big);
  free(big);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_non_null(strstr(cfg.off_reason, "cannot read '"));
}

static void test_config__config_of_exactly_one_mib_is_read(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  size_t n = (size_t)1 << 20;
  const char *table = "\n[analytics]\nenabled = false\n";
  char *big = malloc(n + 1);
  assert_non_null(big);
  memset(big, '#', n);
  memcpy(big + n - strlen(table), table, strlen(table));
  big[n] = '\0';
  write_config(big);
  free(big);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_non_null(strstr(cfg.off_reason, "disabled in "));
}

static void test_config__do_not_track_turns_off(void **state) { (void)state;
  /* Anything but empty/0/false/no: privacy wins a typo. */
  static const char *const yes[] = {"1", "true", "TRUE", "True", "yes", "YES", " yes ", "\t1\n",
                                    "  TrUe", "2", "on", "y", "Y", " TRUE ", "yess", "1 1",
                                    "ture", "00", "-1", "nope", "off", "0 0", "\xC3\xA9"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    jt_fresh_env();
    setenv("DO_NOT_TRACK", yes[i], 1);
    ja__config cfg;
    load(&cfg);
    if (cfg.enabled)
      fail_msg("DO_NOT_TRACK='%s' did not turn analytics off", yes[i]);
    assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  }
  unsetenv("DO_NOT_TRACK");
}

static void test_config__do_not_track_other_values_leave_it_on(void **state) { (void)state;
  static const char *const no[] = {"0", "no", "", "false", "FALSE", "False", "NO", "nO",
                                   " 0 ", "\tfalse\n", "  no", " ", "\t\n"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    jt_fresh_env();
    setenv("DO_NOT_TRACK", no[i], 1);
    ja__config cfg;
    load(&cfg);
    if (!cfg.enabled)
      fail_msg("DO_NOT_TRACK='%s' turned analytics off", no[i]);
    assert_string_equal(cfg.off_reason, "");
  }
  unsetenv("DO_NOT_TRACK");
}

static void test_config__do_not_track_does_not_override_config_opt_out(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nenabled = false\n");
  setenv("DO_NOT_TRACK", "0", 1);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_non_null(strstr(cfg.off_reason, "enabled = false"));
  unsetenv("DO_NOT_TRACK");
}

static void test_config__do_not_track_reason_wins(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nenabled = false\n");
  setenv("DO_NOT_TRACK", "yes", 1);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  /* Also over a parse error. */
  write_config("[analytics]\nenabled = maybe\n");
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  unsetenv("DO_NOT_TRACK");
}

static void test_config__env_overrides_host_and_key(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nhost = \"https://from-file\"\nkey = \"file-key\"\n");
  setenv("OPENJARVIS_ANALYTICS_HOST", "http://127.0.0.1:9999", 1);
  setenv("OPENJARVIS_ANALYTICS_KEY", "env-key", 1);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.host, "http://127.0.0.1:9999");
  assert_string_equal(cfg.key, "env-key");
  /* Empty values are ignored. */
  setenv("OPENJARVIS_ANALYTICS_HOST", "", 1);
  setenv("OPENJARVIS_ANALYTICS_KEY", "", 1);
  load(&cfg);
  assert_string_equal(cfg.host, "https://from-file");
  assert_string_equal(cfg.key, "file-key");
  /* Without a config file the env still applies. */
  jt_fresh_env();
  setenv("OPENJARVIS_ANALYTICS_KEY", "only-env", 1);
  load(&cfg);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");
  assert_string_equal(cfg.key, "only-env");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
}

static void test_config__env_override_too_long_pauses(void **state) { (void)state;
  jt_fresh_env();
  char big[600];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  setenv("OPENJARVIS_ANALYTICS_HOST", big, 1);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_HOST is too long (at most 511 bytes)");
  assert_string_equal(cfg.host, "https://us.i.posthog.com");  /* never truncated */
  unsetenv("OPENJARVIS_ANALYTICS_HOST");

  char key[300];
  memset(key, 'k', sizeof key - 1);
  key[sizeof key - 1] = '\0';
  setenv("OPENJARVIS_ANALYTICS_KEY", key, 1);
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_null(strstr(cfg.off_reason, "kkkk"));
  assert_string_equal(cfg.key, "");
  setenv("OPENJARVIS_ANALYTICS_KEY", "a\nb", 1);
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY contains control characters");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
}

static void test_config__debug_from_log_level(void **state) { (void)state;
  jt_fresh_env();
  ja__config cfg;
  static const struct {
    const char *v;
    int debug;
  } cases[] = {{"DEBUG", 1}, {"debug", 1}, {"Debug", 1}, {"INFO", 0}, {"", 0}, {"DEBUG2", 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    setenv("OPENJARVIS_LOG_LEVEL", cases[i].v, 1);
    load(&cfg);
    if (cfg.debug != cases[i].debug)
      fail_msg("OPENJARVIS_LOG_LEVEL='%s': debug=%d", cases[i].v, cfg.debug);
  }
  unsetenv("OPENJARVIS_LOG_LEVEL");
  load(&cfg);
  assert_int_equal(cfg.debug, 0);
}

static void test_config__home_override_wins(void **state) { (void)state;
  const char *dir = jt_fresh_env();
  char other[JA_PATH_MAX];
  snprintf(other, sizeof other, "%s/elsewhere", dir);
  ja__config cfg;
  assert_int_equal(ja__config_load(&cfg, other), JA_OK);
  assert_string_equal(cfg.home, other);
  char want[JA_PATH_MAX + 32];
  snprintf(want, sizeof want, "%s/analytics_queue.db", other);
  assert_string_equal(cfg.db_path, want);
}

static void test_config__empty_home_override_is_econfig(void **state) { (void)state;
  /* "" names no home: an error, never a silent ~/.openjarvis (or
   * $OPENJARVIS_HOME) — the caller's events would land in another store. */
  jt_fresh_env();
  ja__config cfg;
  assert_int_equal(ja__config_load(&cfg, ""), JA_ECONFIG);
  assert_string_equal(ja_last_error(), "the analytics home is an empty string (ja_options.home)");
  save_home();
  unsetenv("OPENJARVIS_HOME");
  ja_status st = ja__config_load(&cfg, "");
  restore_home();
  assert_int_equal(st, JA_ECONFIG);
  /* Through the public API: nothing is opened or created. */
  ja_options o = JA_OPTIONS_INIT;
  o.home = "";
  ja_store *s = (ja_store *)&o;  /* must be reset to NULL */
  assert_int_equal(ja_store_open(&s, &o), JA_ECONFIG);
  assert_null(s);
  struct stat sb;
  assert_int_equal(stat(jt_home(), &sb), -1);
}

static void test_config__home_override_reads_its_config(void **state) { (void)state;
  const char *dir = jt_fresh_env();
  char other[JA_PATH_MAX], path[JA_PATH_MAX + 32];
  snprintf(other, sizeof other, "%s/elsewhere", dir);
  assert_int_equal(mkdir(other, 0700), 0);
  snprintf(path, sizeof path, "%s/config.toml", other);
  jt_write_file(path, "[analytics]\nenabled = false\n");
  ja__config cfg;
  assert_int_equal(ja__config_load(&cfg, other), JA_OK);
  assert_int_equal(cfg.enabled, 0);
  assert_string_equal(cfg.config_path, path);
}

static void test_config__home_falls_back_to_dot_openjarvis(void **state) { (void)state;
  const char *dir = jt_fresh_env();
  save_home();
  unsetenv("OPENJARVIS_HOME");
  setenv("HOME", dir, 1);
  ja__config cfg;
  ja_status st = ja__config_load(&cfg, NULL);
  char want[JA_PATH_MAX + 32];
  snprintf(want, sizeof want, "%s/.openjarvis", dir);
  char got[JA_PATH_MAX];
  snprintf(got, sizeof got, "%s", cfg.home);
  restore_home();
  assert_int_equal(st, JA_OK);
  assert_string_equal(got, want);
  /* An empty OPENJARVIS_HOME counts as unset. */
  save_home();
  setenv("OPENJARVIS_HOME", "", 1);
  setenv("HOME", dir, 1);
  st = ja__config_load(&cfg, NULL);
  snprintf(got, sizeof got, "%s", cfg.home);
  restore_home();
  assert_int_equal(st, JA_OK);
  assert_string_equal(got, want);
}

static void test_config__no_home_is_econfig(void **state) { (void)state;
  jt_fresh_env();
  save_home();
  unsetenv("OPENJARVIS_HOME");
  unsetenv("HOME");
  ja__config cfg;
  ja_status st = ja__config_load(&cfg, NULL);
  char msg[256];
  snprintf(msg, sizeof msg, "%s", ja_last_error());
  setenv("HOME", "", 1);
  ja_status st_empty = ja__config_load(&cfg, NULL);
  restore_home();
  assert_int_equal(st, JA_ECONFIG);
  assert_int_equal(st_empty, JA_ECONFIG);
  assert_string_equal(msg, "cannot find the analytics home: set OPENJARVIS_HOME or HOME");
  /* An override needs neither. */
  save_home();
  unsetenv("OPENJARVIS_HOME");
  unsetenv("HOME");
  st = ja__config_load(&cfg, "/nonexistent/ja-home");
  restore_home();
  assert_int_equal(st, JA_OK);
  assert_string_equal(cfg.home, "/nonexistent/ja-home");
}

static void test_config__relative_openjarvis_home_kept(void **state) { (void)state;
  jt_fresh_env();
  setenv("OPENJARVIS_HOME", "rel/home", 1);
  ja__config cfg;
  load(&cfg);
  assert_string_equal(cfg.home, "rel/home");
  assert_string_equal(cfg.config_path, "rel/home/config.toml");
  assert_string_equal(cfg.anon_id_path, "rel/home/anon_id");
}

static void test_config__home_too_long_is_econfig(void **state) { (void)state;
  jt_fresh_env();
  char *big = malloc(JA_PATH_MAX + 10);
  assert_non_null(big);
  memset(big, 'd', JA_PATH_MAX + 9);
  big[0] = '/';
  big[JA_PATH_MAX + 9] = '\0';
  ja__config cfg;
  assert_int_equal(ja__config_load(&cfg, big), JA_ECONFIG);
  /* Fits as a home, but not with "/analytics_queue.db" appended. */
  big[JA_PATH_MAX - 5] = '\0';
  assert_int_equal(ja__config_load(&cfg, big), JA_ECONFIG);
  setenv("OPENJARVIS_HOME", big, 1);
  assert_int_equal(ja__config_load(&cfg, NULL), JA_ECONFIG);
  free(big);
}

static void test_config__anon_id_path_tilde_expands_with_home(void **state) { (void)state;
  const char *dir = jt_fresh_env();
  mkhome();
  write_config("[analytics]\nanon_id_path = \"~/ids/anon_id\"\n");
  save_home();
  setenv("HOME", dir, 1);
  ja__config cfg;
  ja_status st = ja__config_load(&cfg, NULL);
  char got[JA_PATH_MAX];
  snprintf(got, sizeof got, "%s", cfg.anon_id_path);
  int enabled = cfg.enabled;
  /* Without HOME "~/" cannot be expanded: off, with a reason. */
  unsetenv("HOME");
  ja_status st2 = ja__config_load(&cfg, NULL);
  restore_home();
  assert_int_equal(st, JA_OK);
  assert_int_equal(enabled, 1);
  char want[JA_PATH_MAX + 128];
  snprintf(want, sizeof want, "%s/ids/anon_id", dir);
  assert_string_equal(got, want);
  assert_int_equal(st2, JA_OK);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  snprintf(want, sizeof want,
           "%s/config.toml:2: [analytics] 'anon_id_path' starts with '~/' but HOME is not set",
           jt_home());
  assert_string_equal(cfg.off_reason, want);
}

static void test_config__anon_id_path_relative_to_home(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nanon_id_path = \"sub/my_id\"\n");
  ja__config cfg;
  load(&cfg);
  char want[JA_PATH_MAX + 32];
  snprintf(want, sizeof want, "%s/sub/my_id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
  /* "~user/x" and "~" are not expanded: relative like any other. */
  write_config("[analytics]\nanon_id_path = \"~x/id\"\n");
  load(&cfg);
  snprintf(want, sizeof want, "%s/~x/id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
}

static void test_config__anon_id_path_absolute_kept(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  write_config("[analytics]\nanon_id_path = '/srv/oj/anon_id'\n");
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.anon_id_path, "/srv/oj/anon_id");
}

static void test_config__anon_id_path_too_long_pauses(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  size_t n = JA_PATH_MAX - 10;
  char *text = malloc(n + 64);
  assert_non_null(text);
  int off = snprintf(text, n + 64, "[analytics]\nanon_id_path = \"");
  memset(text + off, 'p', n);
  snprintf(text + off + n, 64, "\"\n");
  write_config(text);
  free(text);
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  char want[JA_PATH_MAX + 64];
  snprintf(want, sizeof want, "%s/config.toml:2: [analytics] 'anon_id_path' is too long once "
           "expanded", jt_home());
  assert_string_equal(cfg.off_reason, want);
  snprintf(want, sizeof want, "%s/anon_id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
  assert_string_equal(ja_last_error(), "");
}

static void test_config__long_home_reason_is_truncated_cleanly(void **state) { (void)state;
  /* A long path in the reason is cut to the buffer without half a UTF-8
   * character at the end. */
  const char *dir = jt_fresh_env();
  char home[JA_PATH_MAX];
  int n = snprintf(home, sizeof home, "%s/", dir);
  for (int i = 0; i < 3; i++) {
    char seg[256];
    size_t k = 0;
    for (; k + 2 < 200; k += 2)
      memcpy(seg + k, "\xC3\xA9", 2);
    seg[k] = '\0';
    n += snprintf(home + n, sizeof home - (size_t)n, "%s%s", i ? "/" : "", seg);
    assert_int_equal(mkdir(home, 0700), 0);
  }
  char path[JA_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/config.toml", home);
  jt_write_file(path, "[analytics]\nenabled = false\n");
  ja__config cfg;
  assert_int_equal(ja__config_load(&cfg, home), JA_OK);
  assert_int_equal(cfg.enabled, 0);
  size_t len = strlen(cfg.off_reason);
  assert_true(len > 400 && len < sizeof cfg.off_reason);
  assert_true(ja__utf8_valid(cfg.off_reason, len));
}

/* ======================================= modes: on, local, off, paused */

static void test_config__toml_mode_upload_or_local(void **state) { (void)state;
  expect_ok("[analytics]\nmode = \"local\"\n");
  assert_int_equal(g_out.has_mode, 1);
  assert_int_equal(g_out.local, 1);
  expect_ok("[analytics]\nmode = 'upload' # the default\n");
  assert_int_equal(g_out.has_mode, 1);
  assert_int_equal(g_out.local, 0);
  /* Any other value is a mistake, named with its line; "off" is not an
   * opt-out (enabled = false is). */
  expect_table_error("mode = \"off\"", 2, "'mode': expected \"upload\" or \"local\"");
  expect_table_error("mode = \"Local\"", 2, "'mode'");
  expect_table_error("mode = \"\"", 2, "'mode'");
  expect_table_error("mode = \"local-ish and much longer than sixteen\"", 2, "'mode'");
  expect_table_error("mode = true", 2, "'mode': expected a string");
  expect_table_error("mode = \"local\"\nmode = \"local\"", 3, "duplicate key");
}

static void test_config__toml_where_each_key_and_the_table_are(void **state) { (void)state;
  const char *text = "# top\n[analytics]\r\nhost = \"h\"\r\nenabled = true   # on\r\n"
                     "mode = 'local'\r\n[other]\r\nx = 1\r\n";
  expect_ok(text);
  assert_int_equal(g_out.table_line, 2);
  assert_int_equal(g_out.table_body_at, strlen("# top\n[analytics]\r\n"));
  assert_int_equal(g_out.newline_crlf, 1);
  const ja__toml_where *w = &g_out.where[JA__TK_ENABLED];
  assert_int_equal(w->line, 4);
  assert_int_equal(w->value_end - w->value_at, 4);
  assert_memory_equal(text + w->value_at, "true", 4);
  w = &g_out.where[JA__TK_MODE];
  assert_int_equal(w->line, 5);
  assert_memory_equal(text + w->value_at, "'local'", w->value_end - w->value_at);
  assert_int_equal(g_out.where[JA__TK_HOST].line, 3);
  assert_int_equal(g_out.where[JA__TK_KEY].line, 0);
  expect_ok("[analytics]\nenabled = false\n");
  assert_int_equal(g_out.newline_crlf, 0);
  expect_ok("x = 1\n");
  assert_int_equal(g_out.table_line, 0);
}

static void test_config__mode_local_and_precedence(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  ja__config cfg;
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_ON);
  assert_string_equal(ja__config_mode_name(cfg.mode), "on");
  write_config("[analytics]\nmode = \"local\"\n");
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_LOCAL);
  assert_int_equal(cfg.enabled, 1); /* local captures */
  assert_string_equal(cfg.off_reason, "");
  /* An opt-out beats local … */
  write_config("[analytics]\nmode = \"local\"\nenabled = false\n");
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  /* … a mistake pauses local … */
  write_config("[analytics]\nmode = \"local\"\n");
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_x\r", 1);
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY contains control characters");
  /* … and an opt-out beats a mistake: it is what the user asked for. */
  write_config("[analytics]\nenabled = false\n");
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_non_null(strstr(cfg.off_reason, "enabled = false"));
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  /* DO_NOT_TRACK beats everything. */
  write_config("[analytics]\nmode = \"local\"\n");
  setenv("DO_NOT_TRACK", "1", 1);
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  unsetenv("DO_NOT_TRACK");
}

static void test_config__key_and_host_must_be_printable_ascii(void **state) { (void)state;
  jt_fresh_env();
  mkhome();
  ja__config cfg;
  char want[JA_PATH_MAX + 256];
  /* In the file: named with the line, never echoing the value. */
  static const char *const bad[] = {"phc_\\u200bab", "phc_ab cd", "phc_\\u00e9t\\u00e9",
                                    "phc_\xC2\xA0x", "phc_\\u007fx"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "[analytics]\n\nkey = \"%s\"\n", bad[i]);
    write_config(text);
    load(&cfg);
    if (cfg.mode != JA__MODE_PAUSED)
      fail_msg("key \"%s\" did not pause analytics: %s", bad[i], cfg.off_reason);
    assert_string_equal(cfg.key, "");
    assert_null(strstr(cfg.off_reason, "phc_"));
    if (!strstr(cfg.off_reason, "config.toml:3: [analytics] 'key'"))
      fail_msg("key \"%s\": reason '%s'", bad[i], cfg.off_reason);
  }
  write_config("[analytics]\nhost = \"https://us.i.posthog.com\\u200b\"\n");
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  snprintf(want, sizeof want, "%s/config.toml:2: [analytics] 'host': must be printable ASCII "
           "without spaces (it holds a space, an invisible or a non-ASCII character)", jt_home());
  assert_string_equal(cfg.off_reason, want);
  assert_string_equal(cfg.host, "https://us.i.posthog.com"); /* the default, never the bad one */
  /* Printable ASCII passes. */
  write_config("[analytics]\nkey = \"phc_A-z0~9!\"\nhost = \"https://eu.i.posthog.com/x?y=1\"\n");
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_ON);
  assert_string_equal(cfg.key, "phc_A-z0~9!");
  /* In the environment: named by the variable. */
  write_config("");
  setenv("OPENJARVIS_ANALYTICS_HOST", "https://h\xE2\x80\x8B.example", 1);
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_HOST: the host must be printable "
                      "ASCII without spaces (it holds a space, an invisible or a non-ASCII "
                      "character)");
  unsetenv("OPENJARVIS_ANALYTICS_HOST");
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_ab cd", 1);
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_non_null(strstr(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY: the key must be printable ASCII"));
  assert_string_equal(cfg.key, "");
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_x\r", 1);
  load(&cfg);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY contains control characters");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
}

static void test_config__each_mistake_pauses_never_turns_off(void **state) { (void)state;
  /* The mistakes that used to turn analytics off (and so, at the next
   * upload, delete the queue): each now pauses, and says where. */
  static const struct {
    const char *text;
    const char *where;
  } cases[] = {
      {"[analytics]\nflush_interval_seconds = 1.5\n", "config.toml:2: [analytics] 'flush_interval_seconds'"},
      {"[analytics]\nkey = \"phc_x\\r\\n\"\n", "config.toml:2: [analytics] 'key'"},
      {"[analytics]\nhost = \"https://h\r\"\n", "config.toml:2: [analytics] control character"},
      {"[analytics]\nenabled = maybe\n", "config.toml:2: [analytics] 'enabled'"},
      {"[analytics]\nenable = false\n", "config.toml:2: [analytics] 'enable'"},
      {"[analytics]\nmode = \"off\"\n", "config.toml:2: [analytics] 'mode'"},
  };
  jt_fresh_env();
  mkhome();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    write_config(cases[i].text);
    ja__config cfg;
    load(&cfg);
    if (cfg.mode != JA__MODE_PAUSED || cfg.enabled || !strstr(cfg.off_reason, cases[i].where))
      fail_msg("case %zu: mode %s, reason '%s'", i, ja__config_mode_name(cfg.mode), cfg.off_reason);
  }
}

/* ==================================== config_edit.c: on / off / local */

static int g_edit_fail; /* 0 write, 1 fsync, 2 rename */
static long fail_edit_write(int fd, const void *b, size_t n) { (void)fd; (void)b; (void)n; errno = ENOSPC; return -1; }
static int fail_edit_fsync(int fd) { (void)fd; errno = EIO; return -1; }
static int fail_edit_rename(const char *a, const char *b) { (void)a; (void)b; errno = EIO; return -1; }

static void test_config__write_mode_failures_leave_the_file_as_it_was(void **state) { (void)state;
  const char *before = "# mine\n[analytics]\nenabled = true\n";
  for (g_edit_fail = 0; g_edit_fail < 3; g_edit_fail++) {
    jt_fresh_env();
    mkhome();
    write_config(before);
    ja__config cfg;
    load(&cfg);
    ja__syscalls saved = ja__sys;
    if (g_edit_fail == 0)
      ja__sys.write = fail_edit_write;
    else if (g_edit_fail == 1)
      ja__sys.fsync = fail_edit_fsync;
    else
      ja__sys.rename = fail_edit_rename;
    int changed = 1;
    char what[64];
    ja_status st = ja__config_write_mode(&cfg, JA__MODE_OFF, &changed, what);
    ja__sys = saved;
    assert_int_not_equal(st, JA_OK);
    assert_int_equal(changed, 0);
    char path[JA_PATH_MAX], *text = NULL;
    size_t len = 0;
    int missing = 0;
    config_path(path, sizeof path);
    assert_int_equal(ja__file_read(path, 4096, &text, &len, &missing), JA_OK);
    assert_string_equal(text, before);
    free(text);
    /* No temp file is left beside it. */
    assert_int_equal(jt_count_prefix(jt_home(), "config.toml.tmp."), 0);
    load(&cfg);
    assert_int_equal(cfg.mode, JA__MODE_ON);
  }
}

static void test_config__write_mode_says_what_it_wrote(void **state) { (void)state;
  jt_fresh_env();
  ja__config cfg;
  load(&cfg);
  int changed = 0;
  char what[64];
  assert_int_equal(ja__config_write_mode(&cfg, JA__MODE_LOCAL, &changed, what), JA_OK);
  assert_int_equal(changed, 1);
  assert_string_equal(what, "enabled = true, mode = \"local\"");
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_LOCAL);
  assert_int_equal(ja__config_write_mode(&cfg, JA__MODE_ON, &changed, what), JA_OK);
  assert_string_equal(what, "enabled = true, mode = \"upload\"");
  assert_int_equal(ja__config_write_mode(&cfg, JA__MODE_ON, &changed, what), JA_OK);
  assert_int_equal(changed, 0);
  load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_ON);
}

static void test_config__null_cfg_is_internal_error(void **state) { (void)state;
  assert_int_equal(ja__config_load(NULL, NULL), JA_EINTERNAL);
}
