/*
 * test_config_load.c — config.c reading config.toml: defaults, applied
 * values, opt-out, the mistakes that pause, and the one file rule (symlinks,
 * FIFOs, foreign owners, size limit).
 */
#include "config_fixture.h"

/* ======================================================== config.c */

static void test_config_load__defaults_without_config_file(void **state) { (void)state;
  jt_fresh_env();
  ja__config cfg;
  jt_cfg_load(&cfg);
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

static void test_config_load__config_without_table_keeps_defaults(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[server]\nport = 8000\n", &cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");
}

static void test_config_load__config_values_applied(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[analytics]\nenabled = true\nhost = \"https://eu.i.posthog.com\"\nkey = \"phc_x\"\n"
                    "flush_interval_seconds = 5\nflush_at_size = 7\nmax_events = 12\nmax_age_days = 3\n",
                    &cfg);
  assert_int_equal(cfg.max_events, 12);
  assert_int_equal(cfg.max_age_days, 3);
  assert_int_equal(cfg.enabled, 1);
  assert_string_equal(cfg.off_reason, "");
  assert_string_equal(cfg.host, "https://eu.i.posthog.com");
  assert_string_equal(cfg.key, "phc_x");
  assert_int_equal(cfg.flush_interval_seconds, 5);
  assert_int_equal(cfg.flush_at_size, 7);
}

static void test_config_load__enabled_false_turns_off(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[analytics]\nenabled = false\n", &cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.mode, JA__MODE_OFF);
  char want[JA_PATH_MAX + 64];
  snprintf(want, sizeof want, "disabled by [analytics] enabled = false in %s/config.toml", jt_home());
  assert_string_equal(cfg.off_reason, want);
}

static void test_config_load__misspelt_enabled_pauses_and_warns(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[analytics]\nenable = false\nkye = \"" SECRET "\"\n", &cfg);
  char want[JA_PATH_MAX + 256];
  /* A typo is a mistake, not the explicit opt-out that deletes the queue. */
  jt_cfg_expect_paused_at(&cfg, "2: [analytics] 'enable' looks like a misspelt 'enabled': its value "
                                "is not true, so analytics is paused until it is spelt 'enabled' in "
                                "[analytics] (privacy wins a typo)");
  assert_int_equal(cfg.nwarnings, 2);
  snprintf(want, sizeof want,
           "%s/config.toml:3: [analytics] unknown key 'kye' is ignored (did you mean 'key'?)",
           jt_home());
  assert_string_equal(cfg.warnings[1], want);
  /* [Analytics] enabled = false: off too, and the table is named. */
  jt_cfg_reload("[Analytics]\nenabled = false\n", &cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_non_null(strstr(cfg.off_reason, "config.toml:2: 'enabled' in [Analytics], which is not [analytics]"));
  assert_int_equal(cfg.nwarnings, 1);
  /* A warning alone leaves analytics on. */
  jt_cfg_reload("[analytics]\nhots = \"x\"\n", &cfg);
  assert_int_equal(cfg.enabled, 1);
  assert_int_equal(cfg.nwarnings, 1);
  /* A table that cannot be parsed keeps no half-read warnings. */
  jt_cfg_reload("[analytics]\nhots = \"x\"\nenabled = 3\n", &cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_int_equal(cfg.nwarnings, 0);
}

static void test_config_load__parse_error_pauses_with_message(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("[analytics]\nenabled = true\n\nkey = \"" SECRET "\" x\n", &cfg);
  jt_cfg_expect_paused_at(&cfg, "4: [analytics] 'key': unexpected text after the value");
  assert_null(strstr(cfg.off_reason, "S3cr3t"));
  /* The half-read table is not applied. */
  assert_string_equal(cfg.key, "");
}

static void test_config_load__root_analytics_key_pauses(void **state) { (void)state;
  ja__config cfg;
  jt_cfg_load_fresh("analytics.enabled = false\n", &cfg);
  jt_cfg_expect_paused_saying(&cfg, "config.toml:1: analytics must be written as an [analytics] table");
}

static void test_config_load__unreadable_config_pauses(void **state) { (void)state;
  /* Tests run as root, where chmod 000 does not stop reads: a directory
   * named config.toml cannot be read by anyone. */
  jt_cfg_fresh_home(NULL);
  char path[JA_PATH_MAX];
  jt_cfg_config_path(path, sizeof path);
  assert_int_equal(mkdir(path, 0700), 0);
  ja__config cfg;
  jt_cfg_load(&cfg);
  char want[JA_PATH_MAX + 32];
  snprintf(want, sizeof want, "refusing '%s': not a regular file", path);
  jt_cfg_expect_paused(&cfg, want);
  assert_string_equal(ja_last_error(), "");  /* swallowed, not an error */
}

static void expect_off_refusing(const char *why)
{
  char path[JA_PATH_MAX], want[JA_PATH_MAX + 64];
  jt_cfg_config_path(path, sizeof path);
  ja__config cfg;
  jt_cfg_load(&cfg);
  snprintf(want, sizeof want, "refusing '%s': %s", path, why);
  jt_cfg_expect_paused(&cfg, want);
  assert_string_equal(cfg.host, "https://us.i.posthog.com");  /* nothing of it applied */
  assert_string_equal(ja_last_error(), "");
}

static void test_config_load__symlinked_config_is_refused(void **state) { (void)state;
  const char *dir = jt_cfg_fresh_home(NULL);
  char target[JA_PATH_MAX], path[JA_PATH_MAX];
  snprintf(target, sizeof target, "%s/elsewhere.toml", dir);
  jt_write_file(target, "[analytics]\nenabled = true\nhost = \"https://planted.example\"\n");
  jt_cfg_config_path(path, sizeof path);
  assert_int_equal(symlink(target, path), 0);
  expect_off_refusing("it is a symlink");
  /* A dangling symlink is refused too, not taken for a missing file. */
  assert_int_equal(unlink(path), 0);
  assert_int_equal(symlink("/nonexistent/ja-config.toml", path), 0);
  expect_off_refusing("it is a symlink");
}

static void test_config_load__fifo_config_is_refused_without_hanging(void **state) { (void)state;
  /* Before the fix open() blocked forever waiting for a writer: the load
   * runs in a child, which the parent kills after a generous deadline. */
  jt_cfg_fresh_home(NULL);
  char path[JA_PATH_MAX];
  jt_cfg_config_path(path, sizeof path);
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

static void test_config_load__foreign_or_world_writable_config_is_refused(void **state) { (void)state;
  jt_cfg_fresh_home("[analytics]\nhost = \"https://planted.example\"\n");
  char path[JA_PATH_MAX];
  jt_cfg_config_path(path, sizeof path);
  if (geteuid() == 65534)
    skip();  /* 65534 would be us */
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(chown(path, 65534, 65534), 0);
  expect_off_refusing("owned by another user");
  assert_int_equal(chown(path, geteuid(), getegid()), 0);
  assert_int_equal(chmod(path, 0666), 0);
  expect_off_refusing("writable by every user");
}

static void test_config_load__config_mode_is_never_changed(void **state) { (void)state;
  /* config.toml is OpenJarvis' file: read as it is, 0644 or 0664 included
   * (only the store's own files are narrowed to 0600). */
  jt_cfg_fresh_home("[analytics]\nhost = \"https://eu.i.posthog.com\"\n");
  char path[JA_PATH_MAX];
  jt_cfg_config_path(path, sizeof path);
  static const unsigned modes[] = {0644, 0664, 0640, 0400};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    assert_int_equal(chmod(path, modes[i]), 0);
    ja__config cfg;
    jt_cfg_load(&cfg);
    assert_int_equal(cfg.enabled, 1);
    assert_string_equal(cfg.host, "https://eu.i.posthog.com");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, modes[i]);
  }
}

/* A fresh home whose config.toml is @p n bytes: '#' up to @p tail, which
 * ends it; loaded into @p cfg. */
static void load_comments_then(size_t n, const char *tail, ja__config *cfg)
{
  char *big = malloc(n + 1);
  assert_non_null(big);
  memset(big, '#', n);
  memcpy(big + n - strlen(tail), tail, strlen(tail));
  big[n] = '\0';
  jt_cfg_load_fresh(big, cfg);
  free(big);
}

static void test_config_load__config_over_one_mib_pauses(void **state) { (void)state;
  ja__config cfg;
  load_comments_then(((size_t)1 << 20) + 1, "", &cfg);
  jt_cfg_expect_paused_saying(&cfg, "cannot read '");
}

static void test_config_load__config_of_exactly_one_mib_is_read(void **state) { (void)state;
  ja__config cfg;
  load_comments_then((size_t)1 << 20, "\n[analytics]\nenabled = false\n", &cfg);
  assert_int_equal(cfg.enabled, 0);
  assert_non_null(strstr(cfg.off_reason, "disabled by "));
}
