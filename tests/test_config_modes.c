/*
 * test_config_modes.c — the modes on, local, off (an explicit opt-out) and
 * paused (a mistake), their precedence, and config_edit.c writing the mode.
 */
#include "config_fixture.h"

/* ======================================= modes: on, local, off, paused */

static void test_config_modes__toml_mode_upload_or_local(void **state) { (void)state;
  jt_cfg_expect_ok("[analytics]\nmode = \"local\"\n");
  assert_int_equal(jt_cfg_out.has_mode, 1);
  assert_int_equal(jt_cfg_out.local, 1);
  jt_cfg_expect_ok("[analytics]\nmode = 'upload' # the default\n");
  assert_int_equal(jt_cfg_out.has_mode, 1);
  assert_int_equal(jt_cfg_out.local, 0);
  /* Any other value is a mistake, named with its line; "off" is not an
   * opt-out (enabled = false is). */
  jt_cfg_expect_table_error("mode = \"off\"", 2, "'mode': expected \"upload\" or \"local\"");
  jt_cfg_expect_table_error("mode = \"Local\"", 2, "'mode'");
  jt_cfg_expect_table_error("mode = \"\"", 2, "'mode'");
  jt_cfg_expect_table_error("mode = \"local-ish and much longer than sixteen\"", 2, "'mode'");
  jt_cfg_expect_table_error("mode = true", 2, "'mode': expected a string");
  jt_cfg_expect_table_error("mode = \"local\"\nmode = \"local\"", 3, "duplicate key");
}

static void test_config_modes__toml_where_each_key_and_the_table_are(void **state) { (void)state;
  const char *text = "# top\n[analytics]\r\nhost = \"h\"\r\nenabled = true   # on\r\n"
                     "mode = 'local'\r\n[other]\r\nx = 1\r\n";
  jt_cfg_expect_ok(text);
  assert_int_equal(jt_cfg_out.table_line, 2);
  assert_int_equal(jt_cfg_out.table_body_at, strlen("# top\n[analytics]\r\n"));
  assert_int_equal(jt_cfg_out.newline_crlf, 1);
  const ja__toml_where *w = &jt_cfg_out.where[JA__TK_ENABLED];
  assert_int_equal(w->line, 4);
  assert_int_equal(w->value_end - w->value_at, 4);
  assert_memory_equal(text + w->value_at, "true", 4);
  w = &jt_cfg_out.where[JA__TK_MODE];
  assert_int_equal(w->line, 5);
  assert_memory_equal(text + w->value_at, "'local'", w->value_end - w->value_at);
  assert_int_equal(jt_cfg_out.where[JA__TK_HOST].line, 3);
  assert_int_equal(jt_cfg_out.where[JA__TK_KEY].line, 0);
  jt_cfg_expect_ok("[analytics]\nenabled = false\n");
  assert_int_equal(jt_cfg_out.newline_crlf, 0);
  jt_cfg_expect_ok("x = 1\n");
  assert_int_equal(jt_cfg_out.table_line, 0);
}

static void test_config_modes__mode_local_and_precedence(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh(NULL, &cfg);
  assert_int_equal(cfg.mode, JA__MODE_ON);
  assert_string_equal(ja__config_mode_name(cfg.mode), "on");
  jt_cfg_reload("[analytics]\nmode = \"local\"\n", &cfg);
  assert_int_equal(cfg.mode, JA__MODE_LOCAL);
  assert_int_equal(cfg.enabled, 1); /* local captures */
  assert_string_equal(cfg.off_reason, "");
  /* An opt-out beats local … */
  jt_cfg_reload("[analytics]\nmode = \"local\"\nenabled = false\n", &cfg);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  /* … a mistake pauses local … */
  jt_cfg_write_config("[analytics]\nmode = \"local\"\n");
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_x\r", 1);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY contains control characters");
  /* … and an opt-out beats a mistake: it is what the user asked for. */
  jt_cfg_reload("[analytics]\nenabled = false\n", &cfg);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_non_null(strstr(cfg.off_reason, "enabled = false"));
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  /* DO_NOT_TRACK beats everything. */
  jt_cfg_write_config("[analytics]\nmode = \"local\"\n");
  setenv("DO_NOT_TRACK", "1", 1);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  unsetenv("DO_NOT_TRACK");
}

static void test_config_modes__key_and_host_must_be_printable_ascii(void **state) { (void)state;
  jt_cfg_fresh_home(NULL);
  ja__config cfg;
  /* In the file: named with the line, never echoing the value. */
  static const char *const bad[] = {"phc_\\u200bab", "phc_ab cd", "phc_\\u00e9t\\u00e9",
                                    "phc_\xC2\xA0x", "phc_\\u007fx"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "[analytics]\n\nkey = \"%s\"\n", bad[i]);
    jt_cfg_reload(text, &cfg);
    if (cfg.mode != JA__MODE_PAUSED)
      fail_msg("key \"%s\" did not pause analytics: %s", bad[i], cfg.off_reason);
    assert_string_equal(cfg.key, "");
    assert_null(strstr(cfg.off_reason, "phc_"));
    if (!strstr(cfg.off_reason, "config.toml:3: [analytics] 'key'"))
      fail_msg("key \"%s\": reason '%s'", bad[i], cfg.off_reason);
  }
  jt_cfg_reload("[analytics]\nhost = \"https://us.i.posthog.com\\u200b\"\n", &cfg);
  jt_cfg_expect_paused_at(&cfg, "2: [analytics] 'host': must be printable ASCII without spaces (it "
                                "holds a space, an invisible or a non-ASCII character)");
  assert_string_equal(cfg.host, "https://us.i.posthog.com"); /* the default, never the bad one */
  /* Printable ASCII passes. */
  jt_cfg_reload("[analytics]\nkey = \"phc_A-z0~9!\"\nhost = \"https://eu.i.posthog.com/x?y=1\"\n", &cfg);
  assert_int_equal(cfg.mode, JA__MODE_ON);
  assert_string_equal(cfg.key, "phc_A-z0~9!");
  /* In the environment: named by the variable. */
  jt_cfg_write_config("");
  setenv("OPENJARVIS_ANALYTICS_HOST", "https://h\xE2\x80\x8B.example", 1);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_HOST: the host must be printable "
                      "ASCII without spaces (it holds a space, an invisible or a non-ASCII "
                      "character)");
  unsetenv("OPENJARVIS_ANALYTICS_HOST");
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_ab cd", 1);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_PAUSED);
  assert_non_null(strstr(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY: the key must be printable ASCII"));
  assert_string_equal(cfg.key, "");
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_x\r", 1);
  jt_cfg_load(&cfg);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY contains control characters");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
}

static void test_config_modes__each_mistake_pauses_never_turns_off(void **state) { (void)state;
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
  jt_cfg_fresh_home(NULL);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    jt_cfg_write_config(cases[i].text);
    ja__config cfg;
    jt_cfg_load(&cfg);
    if (cfg.mode != JA__MODE_PAUSED || cfg.enabled || !strstr(cfg.off_reason, cases[i].where))
      fail_msg("case %zu: mode %s, reason '%s'", i, ja__config_mode_name(cfg.mode), cfg.off_reason);
  }
}

/* ==================================== config_edit.c: on / off / local */

static int g_edit_fail; /* 0 write, 1 fsync, 2 rename */

static long fail_edit_write(int fd, const void *b, size_t n) { (void)fd; (void)b; (void)n; errno = ENOSPC; return -1; }

static int fail_edit_fsync(int fd) { (void)fd; errno = EIO; return -1; }

static int fail_edit_rename(const char *a, const char *b) { (void)a; (void)b; errno = EIO; return -1; }

static void test_config_modes__write_mode_failures_leave_the_file_as_it_was(void **state) { (void)state;
  const char *before = "# mine\n[analytics]\nenabled = true\n";
  for (g_edit_fail = 0; g_edit_fail < 3; g_edit_fail++) {
    ja__config cfg;
    jt_cfg_load_fresh(before, &cfg);
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
    jt_cfg_config_path(path, sizeof path);
    assert_int_equal(ja__file_read(path, 4096, &text, &len, &missing), JA_OK);
    assert_string_equal(text, before);
    free(text);
    /* No temp file is left beside it. */
    assert_int_equal(jt_count_prefix(jt_home(), "config.toml.tmp."), 0);
    jt_cfg_load(&cfg);
    assert_int_equal(cfg.mode, JA__MODE_ON);
  }
}

static void test_config_modes__write_mode_says_what_it_wrote(void **state) { (void)state;
  jt_fresh_env();
  ja__config cfg;
  jt_cfg_load(&cfg);
  int changed = 0;
  char what[64];
  assert_int_equal(ja__config_write_mode(&cfg, JA__MODE_LOCAL, &changed, what), JA_OK);
  assert_int_equal(changed, 1);
  assert_string_equal(what, "enabled = true, mode = \"local\"");
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_LOCAL);
  assert_int_equal(ja__config_write_mode(&cfg, JA__MODE_ON, &changed, what), JA_OK);
  assert_string_equal(what, "enabled = true, mode = \"upload\"");
  assert_int_equal(ja__config_write_mode(&cfg, JA__MODE_ON, &changed, what), JA_OK);
  assert_int_equal(changed, 0);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.mode, JA__MODE_ON);
}

static void test_config_modes__null_cfg_is_internal_error(void **state) { (void)state;
  assert_int_equal(ja__config_load(NULL, NULL), JA_EINTERNAL);
}
