/*
 * config_fixture.h — helpers shared by the test_config_*.c files: parsing
 * config.toml text, throwaway homes with a config file, HOME save/restore.
 */
#ifndef JA_TEST_CONFIG_FIXTURE_H
#define JA_TEST_CONFIG_FIXTURE_H

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

extern ja__toml_analytics jt_cfg_out;

extern char jt_cfg_err[512];

/* Parse @p text (whole string) as config.toml. */
int jt_cfg_parse(const char *text);

/* Assert @p text fails with a message that starts with "config.toml:<line>: "
 * and contains @p part. */
void jt_cfg_expect_error(const char *text, int line, const char *part);

void jt_cfg_expect_ok(const char *text);

/* "[analytics]\n" + @p body, expected to fail at line @p line with @p part. */
void jt_cfg_expect_table_error(const char *body, int line, const char *part);

/* One line of [analytics] and part of the error it must give. */
typedef struct jt_cfg_bad_line {
  const char *line;
  const char *part;
} jt_cfg_bad_line;

/* jt_cfg_expect_table_error(line, 2, part) for each of the @p n cases. */
void jt_cfg_expect_table_errors(const jt_cfg_bad_line *cases, size_t n);

void jt_cfg_mkhome(void);

void jt_cfg_write_config(const char *content);

void jt_cfg_load(ja__config *cfg);

/* config.toml rewritten with @p text, then the config loaded again. */
void jt_cfg_reload(const char *text, ja__config *cfg);

/* A fresh environment whose home holds config.toml with @p text (no file
 * when NULL); returns the test's directory (jt_fresh_env). */
const char *jt_cfg_fresh_home(const char *text);

/* jt_cfg_fresh_home(@p text), then the config loaded into @p cfg. */
void jt_cfg_load_fresh(const char *text, ja__config *cfg);

/* Analytics is paused (a mistake: enabled 0, mode paused) with exactly
 * @p reason. */
void jt_cfg_expect_paused(const ja__config *cfg, const char *reason);

/* The same, the reason being "<home>/config.toml:" followed by @p at
 * (the line and what is wrong on it). */
void jt_cfg_expect_paused_at(const ja__config *cfg, const char *at);

/* Paused, with a reason that contains @p part. */
void jt_cfg_expect_paused_saying(const ja__config *cfg, const char *part);

/* config.toml is opened by the one file rule (util/fs.c), minus what only
 * fits our own files: never followed through a symlink (it was, against
 * ja__file_read's comment), never blocking on a FIFO, refused when someone
 * else can write it — each pauses analytics with the reason (nobody can
 * tell what the user wanted: nothing is sent, nothing deleted). */
void jt_cfg_config_path(char *out, size_t n);

#endif
