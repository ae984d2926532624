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

/* A bigger config.toml is refused: when it is read (config.c) and when
 * it is rewritten (config_edit.c). */
#define JA__CONFIG_MAX_BYTES ((size_t)1 << 20)

/* What the settings allow. Only an explicit opt-out deletes what is
 * queued; a mistake in the settings stops everything and deletes nothing,
 * since nobody can tell whether the user meant to opt out. */
typedef enum ja__mode {
  JA__MODE_ON = 0,   /* capture, roll up and upload */
  JA__MODE_LOCAL,    /* [analytics] mode = "local": capture and roll up, never upload */
  JA__MODE_OFF,      /* DO_NOT_TRACK or enabled = false: store nothing; the
                        uploader sends nothing and deletes what is queued */
  JA__MODE_PAUSED    /* a configuration mistake: store nothing, send nothing,
                        delete nothing (the uploader exits 78) */
} ja__mode;

/* Longest [analytics] host / key taken (bytes); one more is a mistake,
 * never a truncation (a cut host is another host). */
#define JA__HOST_MAX 511
#define JA__KEY_MAX 255

/* Everything read from the environment and config.toml. */
typedef struct ja__config {
  ja__mode mode;                     /* on, local, off or paused */
  int enabled;                       /* 1 when capture stores (on or local), else 0 */
  char off_reason[512];              /* off or paused: why, with where it came from
                                        (a variable's name, or file:line); "" when
                                        on or local; never holds a value */
  char home[JA_PATH_MAX];            /* $OPENJARVIS_HOME or $HOME/.openjarvis */
  char config_path[JA_PATH_MAX];     /* <home>/config.toml */
  char db_path[JA_PATH_MAX];         /* <home>/analytics_queue.db */
  char anon_id_path[JA_PATH_MAX];    /* [analytics] anon_id_path or <home>/anon_id */
  char host[JA__HOST_MAX + 1];       /* upload host; default https://us.i.posthog.com;
                                        printable ASCII */
  char key[JA__KEY_MAX + 1];         /* project API key; never printed; printable ASCII */
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
 * [analytics] table is not an error: it pauses analytics with a reason.
 * Returns JA_ECONFIG only when no home can be determined, or when
 * @p home_override is "" (an empty $OPENJARVIS_HOME counts as unset). */
ja_status ja__config_load(ja__config *cfg, const char *home_override);
/* "on", "local", "off" or "paused" (status, messages). */
const char *ja__config_mode_name(ja__mode mode);

/* Write the user's choice into the [analytics] table of
 * @p cfg->config_path (config_edit.c): JA__MODE_OFF writes enabled =
 * false; JA__MODE_ON enabled = true (and mode = "upload" where a mode is
 * written); JA__MODE_LOCAL enabled = true and mode = "local". Creates the
 * home (0700), the file (0600) and the table as needed; changes only those
 * values (a missing key gets its own line under the header), keeps every
 * other byte and the file's mode, and replaces it atomically, never
 * through a symlink. *changed = 0 when it said so already (nothing is
 * written). @p what gets the settings it says now ("enabled = true, mode =
 * \"local\""). JA_ECONFIG when the table cannot be read (the message names
 * the line); JA_EUNSAFE for a file that is not a regular one of this user
 * with one link, or that everyone may write; JA_EBUSY when it changed
 * meanwhile; JA_ECANTCREATE, JA_EIO, JA_ENOMEM. */
ja_status ja__config_write_mode(const ja__config *cfg, ja__mode choice, int *changed,
                                char what[64]);

/* The keys of [analytics] the reader knows. */
enum { JA__TK_ENABLED, JA__TK_MODE, JA__TK_HOST, JA__TK_KEY, JA__TK_ANON_ID_PATH,
       JA__TK_FLUSH_INTERVAL, JA__TK_FLUSH_AT_SIZE, JA__TK_MAX_EVENTS, JA__TK_MAX_AGE_DAYS,
       JA__TK_COUNT };

/* Where a key of [analytics] was found, for messages and for rewriting its
 * value in place (config_edit.c). */
typedef struct ja__toml_where {
  long line;                      /* 1-based; 0: the key is absent */
  size_t value_at, value_end;     /* byte offsets of its value token in the text */
} ja__toml_where;

/* What the strict reader found in the [analytics] table of config.toml. */
typedef struct ja__toml_analytics {
  int nwarnings;                  /* warnings found (may exceed JA__CONFIG_WARNINGS) */
  char warnings[JA__CONFIG_WARNINGS][JA__CONFIG_WARNING_LEN]; /* the first ones,
                                     "config.toml:3: [analytics] unknown key …" */
  char optout[JA__CONFIG_WARNING_LEN]; /* non-empty: a misspelt `enabled` (or
                                     `enabled` in a misspelt table) whose value
                                     is not true — it pauses analytics (a
                                     mistake: nothing leaves, nothing deleted) */
  int has_table;                  /* an [analytics] table exists */
  long table_line;                /* its header's line (0: none) */
  size_t table_body_at;           /* offset of the line after its header */
  int newline_crlf;               /* the header line ends in CRLF */
  ja__toml_where where[JA__TK_COUNT]; /* where each known key was found */
  int has_enabled, enabled;       /* enabled = true|false */
  int has_mode, local;            /* mode = "upload" (local 0) | "local" (1) */
  int has_host;   char host[JA__HOST_MAX + 1];
  int has_key;    char key[JA__KEY_MAX + 1];
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
