/*
 * test_config_env.c — what the environment decides: DO_NOT_TRACK, the host
 * and key overrides, the log level, the home directory and anon_id path.
 */
#include "config_fixture.h"

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

static void test_config_env__do_not_track_turns_off(void **state) { (void)state;
  /* Anything but empty/0/false/no: privacy wins a typo. */
  static const char *const yes[] = {"1", "true", "TRUE", "True", "yes", "YES", " yes ", "\t1\n",
                                    "  TrUe", "2", "on", "y", "Y", " TRUE ", "yess", "1 1",
                                    "ture", "00", "-1", "nope", "off", "0 0", "\xC3\xA9"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    jt_fresh_env();
    setenv("DO_NOT_TRACK", yes[i], 1);
    ja__config cfg;
    jt_cfg_load(&cfg);
    if (cfg.enabled)
      fail_msg("DO_NOT_TRACK='%s' did not turn analytics off", yes[i]);
    assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  }
  unsetenv("DO_NOT_TRACK");
}

static void test_config_env__do_not_track_other_values_leave_it_on(void **state) { (void)state;
  static const char *const no[] = {"0", "no", "", "false", "FALSE", "False", "NO", "nO",
                                   " 0 ", "\tfalse\n", "  no", " ", "\t\n"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    jt_fresh_env();
    setenv("DO_NOT_TRACK", no[i], 1);
    ja__config cfg;
    jt_cfg_load(&cfg);
    if (!cfg.enabled)
      fail_msg("DO_NOT_TRACK='%s' turned analytics off", no[i]);
    assert_string_equal(cfg.off_reason, "");
  }
  unsetenv("DO_NOT_TRACK");
}

static void test_config_env__do_not_track_does_not_override_config_opt_out(void **state) { (void)state;
  jt_cfg_fresh_home("[analytics]\nenabled = false\n");
  setenv("DO_NOT_TRACK", "0", 1);
  ja__config cfg;
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_non_null(strstr(cfg.off_reason, "enabled = false"));
  unsetenv("DO_NOT_TRACK");
}

static void test_config_env__do_not_track_reason_wins(void **state) { (void)state;
  jt_cfg_fresh_home("[analytics]\nenabled = false\n");
  setenv("DO_NOT_TRACK", "yes", 1);
  ja__config cfg;
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  /* Also over a parse error. */
  jt_cfg_reload("[analytics]\nenabled = maybe\n", &cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  assert_string_equal(cfg.off_reason, "DO_NOT_TRACK is set");
  unsetenv("DO_NOT_TRACK");
}

static void test_config_env__env_overrides_host_and_key(void **state) { (void)state;
  jt_cfg_fresh_home("[analytics]\nhost = \"https://from-file\"\nkey = \"file-key\"\n");
  setenv("OPENJARVIS_ANALYTICS_HOST", "http://127.0.0.1:9999", 1);
  setenv("OPENJARVIS_ANALYTICS_KEY", "env-key", 1);
  ja__config cfg;
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.host, "http://127.0.0.1:9999");
  assert_string_equal(cfg.key, "env-key");
  /* Empty values are ignored. */
  setenv("OPENJARVIS_ANALYTICS_HOST", "", 1);
  setenv("OPENJARVIS_ANALYTICS_KEY", "", 1);
  jt_cfg_load(&cfg);
  assert_string_equal(cfg.host, "https://from-file");
  assert_string_equal(cfg.key, "file-key");
  /* Without a config file the env still applies. */
  jt_fresh_env();
  setenv("OPENJARVIS_ANALYTICS_KEY", "only-env", 1);
  jt_cfg_load(&cfg);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");
  assert_string_equal(cfg.key, "only-env");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
}

static void test_config_env__env_override_too_long_pauses(void **state) { (void)state;
  jt_fresh_env();
  char big[600];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  setenv("OPENJARVIS_ANALYTICS_HOST", big, 1);
  ja__config cfg;
  jt_cfg_load(&cfg);
  jt_cfg_expect_paused(&cfg, "OPENJARVIS_ANALYTICS_HOST is too long (at most 511 bytes)");
  assert_string_equal(cfg.host, "https://us.i.posthog.com");  /* never truncated */
  unsetenv("OPENJARVIS_ANALYTICS_HOST");

  char key[300];
  memset(key, 'k', sizeof key - 1);
  key[sizeof key - 1] = '\0';
  setenv("OPENJARVIS_ANALYTICS_KEY", key, 1);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_null(strstr(cfg.off_reason, "kkkk"));
  assert_string_equal(cfg.key, "");
  setenv("OPENJARVIS_ANALYTICS_KEY", "a\nb", 1);
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_string_equal(cfg.off_reason, "OPENJARVIS_ANALYTICS_KEY contains control characters");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
}

static void test_config_env__debug_from_log_level(void **state) { (void)state;
  jt_fresh_env();
  ja__config cfg;
  static const struct {
    const char *v;
    int debug;
  } cases[] = {{"DEBUG", 1}, {"debug", 1}, {"Debug", 1}, {"INFO", 0}, {"", 0}, {"DEBUG2", 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    setenv("OPENJARVIS_LOG_LEVEL", cases[i].v, 1);
    jt_cfg_load(&cfg);
    if (cfg.debug != cases[i].debug)
      fail_msg("OPENJARVIS_LOG_LEVEL='%s': debug=%d", cases[i].v, cfg.debug);
  }
  unsetenv("OPENJARVIS_LOG_LEVEL");
  jt_cfg_load(&cfg);
  assert_int_equal(cfg.debug, 0);
}

static void test_config_env__home_override_wins(void **state) { (void)state;
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

static void test_config_env__empty_home_override_is_econfig(void **state) { (void)state;
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

static void test_config_env__home_override_reads_its_config(void **state) { (void)state;
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

static void test_config_env__home_falls_back_to_dot_openjarvis(void **state) { (void)state;
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

static void test_config_env__no_home_is_econfig(void **state) { (void)state;
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

static void test_config_env__relative_openjarvis_home_kept(void **state) { (void)state;
  jt_fresh_env();
  setenv("OPENJARVIS_HOME", "rel/home", 1);
  ja__config cfg;
  jt_cfg_load(&cfg);
  assert_string_equal(cfg.home, "rel/home");
  assert_string_equal(cfg.config_path, "rel/home/config.toml");
  assert_string_equal(cfg.anon_id_path, "rel/home/anon_id");
}

static void test_config_env__home_too_long_is_econfig(void **state) { (void)state;
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

static void test_config_env__anon_id_path_tilde_expands_with_home(void **state) { (void)state;
  const char *dir = jt_cfg_fresh_home("[analytics]\nanon_id_path = \"~/ids/anon_id\"\n");
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
  jt_cfg_expect_paused_at(&cfg, "2: [analytics] 'anon_id_path' starts with '~/' but HOME is not set");
}

static void test_config_env__anon_id_path_relative_to_home(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[analytics]\nanon_id_path = \"sub/my_id\"\n", &cfg);
  char want[JA_PATH_MAX + 32];
  snprintf(want, sizeof want, "%s/sub/my_id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
  /* "~user/x" and "~" are not expanded: relative like any other. */
  jt_cfg_reload("[analytics]\nanon_id_path = \"~x/id\"\n", &cfg);
  snprintf(want, sizeof want, "%s/~x/id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
}

static void test_config_env__anon_id_path_absolute_kept(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[analytics]\nanon_id_path = '/srv/oj/anon_id'\n", &cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.anon_id_path, "/srv/oj/anon_id");
}

static void test_config_env__anon_id_path_too_long_pauses(void **state) { (void)state;
  size_t n = JA_PATH_MAX - 10;
  char *text = malloc(n + 64);
  assert_non_null(text);
  int off = snprintf(text, n + 64, "[analytics]\nanon_id_path = \"");
  memset(text + off, 'p', n);
  snprintf(text + off + n, 64, "\"\n");
  ja__config cfg;
  jt_cfg_load_fresh(text, &cfg);
  free(text);
  jt_cfg_expect_paused_at(&cfg, "2: [analytics] 'anon_id_path' is too long once expanded");
  char want[JA_PATH_MAX + 64];
  snprintf(want, sizeof want, "%s/anon_id", jt_home());
  assert_string_equal(cfg.anon_id_path, want);
  assert_string_equal(ja_last_error(), "");
}

static void test_config_env__long_home_reason_is_truncated_cleanly(void **state) { (void)state;
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
