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

void jt_cfg_mkhome(void);

void jt_cfg_write_config(const char *content);

void jt_cfg_load(ja__config *cfg);

/* config.toml is opened by the one file rule (util/fs.c), minus what only
 * fits our own files: never followed through a symlink (it was, against
 * ja__file_read's comment), never blocking on a FIFO, refused when someone
 * else can write it — each pauses analytics with the reason (nobody can
 * tell what the user wanted: nothing is sent, nothing deleted). */
void jt_cfg_config_path(char *out, size_t n);

#endif
