/*
 * home/config.h — where the settings come from: the environment and the
 * [analytics] table of config.toml (config.c), read by a strict reader (toml.c).
 */
#ifndef JA_HOME_CONFIG_H
#define JA_HOME_CONFIG_H

#include "boot.h"
#include "util/fs.h"

/* Warnings kept about config.toml (misspelt keys and tables); more are
 * counted but not kept. Never hold a value: only key and table names. */
#define JA__CONFIG_WARNINGS 8
#define JA__CONFIG_WARNING_LEN 512

/* Everything read from the environment and config.toml. */
typedef struct ja__config {
  int enabled;                       /* 1 on, 0 off */
  char off_reason[512];              /* why off ("" when on); never holds secrets */
  char home[JA_PATH_MAX];            /* $OPENJARVIS_HOME or $HOME/.openjarvis */
  char config_path[JA_PATH_MAX];     /* <home>/config.toml */
  char db_path[JA_PATH_MAX];         /* <home>/analytics_queue.db */
  char anon_id_path[JA_PATH_MAX];    /* [analytics] anon_id_path or <home>/anon_id */
  char host[512];                    /* upload host; default https://us.i.posthog.com */
  char key[256];                     /* project API key; never printed */
  int64_t flush_interval_seconds;    /* default 60 */
  int64_t flush_at_size;             /* default 100 */
  int64_t max_events;                /* queue cap, default 10000 (store/write.c) */
  int64_t max_age_days;              /* age cap, default 30 (store/write.c) */
  int debug;                         /* OPENJARVIS_LOG_LEVEL=DEBUG */
  int nwarnings;                     /* config.toml warnings found */
  char warnings[JA__CONFIG_WARNINGS][JA__CONFIG_WARNING_LEN]; /* the first ones
                                        (status shows them); never a value */
} ja__config;

/* Fill @p cfg from the environment, then <home>/config.toml. @p home_override
 * (from ja_options) wins over $OPENJARVIS_HOME when not NULL. A broken
 * [analytics] table is not an error: it turns analytics off with a reason.
 * Returns JA_ECONFIG only when no home can be determined, or when
 * @p home_override is "" (an empty $OPENJARVIS_HOME counts as unset). */
ja_status ja__config_load(ja__config *cfg, const char *home_override);

/* What the strict reader found in the [analytics] table of config.toml. */
typedef struct ja__toml_analytics {
  int nwarnings;                  /* warnings found (may exceed JA__CONFIG_WARNINGS) */
  char warnings[JA__CONFIG_WARNINGS][JA__CONFIG_WARNING_LEN]; /* the first ones,
                                     "config.toml:3: [analytics] unknown key …" */
  char optout[JA__CONFIG_WARNING_LEN]; /* non-empty: a misspelt `enabled` (or
                                     `enabled` in a misspelt table) whose value
                                     is not true — read as an opt-out */
  int has_table;                  /* an [analytics] table exists */
  int has_enabled, enabled;       /* enabled = true|false */
  int has_host;   char host[512];
  int has_key;    char key[256];
  int has_anon_id_path; char anon_id_path[JA_PATH_MAX];
  int has_flush_interval; int64_t flush_interval_seconds;
  int has_flush_at_size;  int64_t flush_at_size;
  int has_max_events;     int64_t max_events;     /* >= 1 */
  int has_max_age_days;   int64_t max_age_days;   /* >= 1 */
} ja__toml_analytics;

/* Parse @p text (config file @p name, for messages). Returns 0 and fills @p
 * out, or -1 with "config.toml:12: [analytics] 'host': expected a string" in
 * @p err when anything inside [analytics] cannot be parsed. Other tables are
 * skipped (multi-line strings and arrays are tracked so a header inside them
 * is not mistaken for a table). */
int ja__toml_read_analytics(const char *text, size_t len, const char *name,
                            ja__toml_analytics *out, char *err, size_t errsz);

#endif
