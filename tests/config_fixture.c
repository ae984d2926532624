/*
 * config_fixture.c — the helpers declared in config_fixture.h, shared by the
 * test_config_*.c files.
 */
#include "config_fixture.h"

ja__toml_analytics jt_cfg_out;

char jt_cfg_err[512];

/* Parse @p text (whole string) as config.toml. */
int jt_cfg_parse(const char *text)
{
  memset(jt_cfg_err, 0x7A, sizeof jt_cfg_err);  /* shows a message left unset */
  jt_cfg_err[sizeof jt_cfg_err - 1] = '\0';
  return ja__toml_read_analytics(text, strlen(text), "config.toml", &jt_cfg_out, jt_cfg_err, sizeof jt_cfg_err);
}

/* Assert @p text fails with a message that starts with "config.toml:<line>: "
 * and contains @p part. */
void jt_cfg_expect_error(const char *text, int line, const char *part)
{
  int rc = jt_cfg_parse(text);
  if (rc != -1)
    fail_msg("expected an error for:\n%s", text);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "config.toml:%d: ", line);
  if (strncmp(jt_cfg_err, prefix, strlen(prefix)) != 0)
    fail_msg("message '%s' does not start with '%s' for:\n%s", jt_cfg_err, prefix, text);
  if (part && !strstr(jt_cfg_err, part))
    fail_msg("message '%s' lacks '%s' for:\n%s", jt_cfg_err, part, text);
  if (strchr(jt_cfg_err, '\n'))
    fail_msg("message '%s' is not one line", jt_cfg_err);
  assert_int_equal(jt_cfg_out.has_table, 0);  /* nothing half-read leaks out */
}

void jt_cfg_expect_ok(const char *text)
{
  if (jt_cfg_parse(text) != 0)
    fail_msg("unexpected error '%s' for:\n%s", jt_cfg_err, text);
}

/* "[analytics]\n" + @p body, expected to fail at line @p line with @p part. */
void jt_cfg_expect_table_error(const char *body, int line, const char *part)
{
  char text[2048];
  snprintf(text, sizeof text, "[analytics]\n%s\n", body);
  jt_cfg_expect_error(text, line, part);
}

void jt_cfg_expect_table_errors(const jt_cfg_bad_line *cases, size_t n)
{
  for (size_t i = 0; i < n; i++)
    jt_cfg_expect_table_error(cases[i].line, 2, cases[i].part);
}

void jt_cfg_mkhome(void)
{
  assert_int_equal(mkdir(jt_home(), 0700), 0);
}

void jt_cfg_write_config(const char *content)
{
  char path[JA_PATH_MAX];
  snprintf(path, sizeof path, "%s/config.toml", jt_home());
  jt_write_file(path, content);
}

void jt_cfg_load(ja__config *cfg)
{
  ja_status st = ja__config_load(cfg, NULL);
  if (st != JA_OK)
    fail_msg("ja__config_load: %d: %s", st, ja_last_error());
}

void jt_cfg_reload(const char *text, ja__config *cfg)
{
  jt_cfg_write_config(text);
  jt_cfg_load(cfg);
}

const char *jt_cfg_fresh_home(const char *text)
{
  const char *dir = jt_fresh_env();
  jt_cfg_mkhome();
  if (text)
    jt_cfg_write_config(text);
  return dir;
}

void jt_cfg_load_fresh(const char *text, ja__config *cfg)
{
  jt_cfg_fresh_home(text);
  jt_cfg_load(cfg);
}

void jt_cfg_expect_paused(const ja__config *cfg, const char *reason)
{
  assert_int_equal(cfg->enabled, 0);
  assert_int_equal(cfg->mode, JA__MODE_PAUSED);
  assert_string_equal(cfg->off_reason, reason);
}

void jt_cfg_expect_paused_at(const ja__config *cfg, const char *at)
{
  char want[JA_PATH_MAX + 512];
  snprintf(want, sizeof want, "%s/config.toml:%s", jt_home(), at);
  jt_cfg_expect_paused(cfg, want);
}

void jt_cfg_expect_paused_saying(const ja__config *cfg, const char *part)
{
  assert_int_equal(cfg->enabled, 0);
  assert_int_equal(cfg->mode, JA__MODE_PAUSED);
  if (!strstr(cfg->off_reason, part))
    fail_msg("reason '%s' lacks '%s'", cfg->off_reason, part);
}

/* config.toml is opened by the one file rule (util/fs.c), minus what only
 * fits our own files: never followed through a symlink (it was, against
 * ja__file_read's comment), never blocking on a FIFO, refused when someone
 * else can write it — each pauses analytics with the reason (nobody can
 * tell what the user wanted: nothing is sent, nothing deleted). */
void jt_cfg_config_path(char *out, size_t n)
{
  snprintf(out, n, "%s/config.toml", jt_home());
}
