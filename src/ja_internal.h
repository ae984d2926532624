/*
 * ja_internal.h — the private header, included first by every file in src/.
 * It declares the internal functions of each concern (`ja__<concern>_<verb>`)
 * so that a reader finds every cross-file contract in one place. Nothing here
 * is installed; the public API is include/jarvis_analytics.h.
 */
#ifndef JA_INTERNAL_H
#define JA_INTERNAL_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jarvis_analytics.h"

#ifndef JA_VERSION_STRING
#define JA_VERSION_STRING JA_VERSION
#endif

#define JA_PATH_MAX 4096

/* ------------------------------------------------------------------ error.c */

/* Record @p code and a printf-style message as this thread's last error and
 * return @p code, so callers can write `return ja__error_set(...)`. Messages
 * are lowercase and quote the object: "cannot open queue '%s': %s". */
ja_status ja__error_set(ja_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forget the last error (when one is deliberately swallowed). */
void ja__error_clear(void);

/* Defensive check: logs and returns JA_EINTERNAL, never aborts. */
#define JA_ASSERT(cond)                                                          \
  do {                                                                           \
    if (!(cond))                                                                 \
      return ja__error_set(JA_EINTERNAL, "internal check failed: %s (%s:%d)",   \
                           #cond, __FILE__, __LINE__);                           \
  } while (0)

/* -------------------------------------------------------------------- log.c */

/* Warnings go to stderr as "jarvis-analytics: warning: …" (library code only
 * warns; it never prints to stdout). */
void ja__log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One "Analytics: …" line on stderr, only when debug logging is on. */
void ja__log_debug(int enabled, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------- util.c */

/* Growable NUL-terminated byte buffer. */
typedef struct ja__buf {
  char *ptr;   /* heap storage, always NUL-terminated when non-NULL */
  size_t len;  /* bytes used, excluding the NUL */
  size_t cap;  /* bytes allocated */
} ja__buf;
ja_status ja__buf_append(ja__buf *b, const char *s, size_t n);
ja_status ja__buf_printf(ja__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ja__buf_free(ja__buf *b);

/* snprintf into a fixed buffer; JA_EINVALID (with message) if truncated. */
ja_status ja__path_join(char *out, size_t outsz, const char *dir, const char *name);

/* Read a whole regular file (not through a symlink) of at most @p max bytes.
 * *out is malloc'ed and NUL-terminated. JA_EIO with errno kept on failure;
 * sets *missing = 1 (and returns JA_OK with *out NULL) when it does not exist. */
ja_status ja__file_read(const char *path, size_t max, char **out, size_t *len, int *missing);

/* lstat @p path (named @p what in messages) and refuse what must not be
 * followed: JA_EUNSAFE for a symlink or anything but a regular file.
 * *size = its size, or -1 when it does not exist. JA_EIO if lstat fails. */
ja_status ja__file_check(const char *path, const char *what, int64_t *size);

/* Create @p path atomically with @p data: write a temp file in the same
 * directory (mode @p mode), fsync it, then rename it over @p path (when
 * @p replace) or link it to @p path only if @p path does not exist yet
 * (when !replace; *created = 0 if someone else created it first), and
 * fsync the directory. @p created may be NULL. */
ja_status ja__file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                                int replace, int *created);

/* Make @p dir (one level, mode 0700) unless it exists as a directory.
 * JA_ECANTCREATE when it cannot; JA_EUNSAFE when it is not a directory. */
ja_status ja__dir_ensure(const char *dir);

/* Milliseconds since the Unix epoch, UTC (CLOCK_REALTIME). */
int64_t ja__now_ms(void);
/* "2026-11-25T12:30:45.123Z" (24 chars + NUL). */
void ja__iso8601_ms(int64_t ms, char out[32]);

/* System calls that tests replace to simulate a full disk or I/O error
 * (like SQLite's aSyscall[] table). NULL fields mean "the real one". */
typedef struct ja__syscalls {
  int (*open)(const char *path, int flags, unsigned mode);
  long (*write)(int fd, const void *buf, size_t n);
  int (*fsync)(int fd);
  int (*rename)(const char *from, const char *to);
} ja__syscalls;
extern ja__syscalls ja__sys;

/* ------------------------------------------------------------------- utf8.c */

/* 1 if @p s[0..len) is well-formed UTF-8 (no overlongs, surrogates or
 * values past U+10FFFF), else 0. */
int ja__utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8 @p s[0..len). */
size_t ja__utf8_count(const char *s, size_t len);
/* 1 if @p s contains a C0/C1 control character or DEL, else 0. */
int ja__utf8_has_control(const char *s, size_t len);
/* Encode code point @p cp (caller checked <= U+10FFFF, not a surrogate);
 * returns the number of bytes written to @p out. */
size_t ja__utf8_encode(uint32_t cp, char out[4]);
/* Value of hex digit @p c (either case), or -1. */
int ja__hex_value(int c);

/* ------------------------------------------------------------------- hash.c */

/* hash_id: first 16 lowercase hex chars of SHA-256, "" for "". */
void ja__hash_id(const char *s, size_t len, char out[17]);

/* ------------------------------------------------------------------- uuid.c */

/* A UUID v7 (48-bit ms timestamp @p ms, version 7, RFC 4122 variant, 74
 * random bits from libsodium), lowercase 8-4-4-4-12. */
void ja__uuid_v7(int64_t ms, char out[37]);
/* A UUID v4, lowercase. */
void ja__uuid_v4(char out[37]);
/* 1 if @p s is exactly 36 chars of 8-4-4-4-12 hex (either case), else 0. */
int ja__uuid_well_formed(const char *s, size_t len);

/* ----------------------------------------------------------------- config.c */

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
  int debug;                         /* OPENJARVIS_LOG_LEVEL=DEBUG */
} ja__config;

/* Fill @p cfg from the environment, then <home>/config.toml. @p home_override
 * (from ja_options) wins over $OPENJARVIS_HOME when not NULL. A broken
 * [analytics] table is not an error: it turns analytics off with a reason.
 * Returns JA_ECONFIG only when no home can be determined. */
ja_status ja__config_load(ja__config *cfg, const char *home_override);

/* ------------------------------------------------------------------- toml.c */

/* What the strict reader found in the [analytics] table of config.toml. */
typedef struct ja__toml_analytics {
  int has_table;                  /* an [analytics] table exists */
  int has_enabled, enabled;       /* enabled = true|false */
  int has_host;   char host[512];
  int has_key;    char key[256];
  int has_anon_id_path; char anon_id_path[JA_PATH_MAX];
  int has_flush_interval; int64_t flush_interval_seconds;
  int has_flush_at_size;  int64_t flush_at_size;
} ja__toml_analytics;

/* Parse @p text (config file @p name, for messages). Returns 0 and fills @p
 * out, or -1 with "config.toml:12: [analytics] 'host': expected a string" in
 * @p err when anything inside [analytics] cannot be parsed. Other tables are
 * skipped (multi-line strings and arrays are tracked so a header inside them
 * is not mistaken for a table). */
int ja__toml_read_analytics(const char *text, size_t len, const char *name,
                            ja__toml_analytics *out, char *err, size_t errsz);

/* --------------------------------------------------------------- identity.c */

/* Read the anon_id at @p path, or (when @p create) create it as a fresh v4:
 * temp file, fsync, rename, mode 0600. A well-formed existing id is reused as
 * is; a malformed one is replaced. A symlink is refused (JA_EUNSAFE). When
 * !create and the file is missing or malformed: JA_ECANTCREATE. */
ja_status ja__identity_get(const char *path, int create, char out[37]);
/* Remove the anon_id (refusing symlinks), then create a new one if @p create. */
ja_status ja__identity_reset(const char *path, int create);

/* ---------------------------------------------------------------- catalog.c */

typedef enum ja__vkind {
  JA__V_BOOL,    /* true/false */
  JA__V_INT,     /* integer >= 0, not a boolean */
  JA__V_NUM,     /* finite number >= 0, not a boolean */
  JA__V_STR64,   /* string of 1..64 code points */
  JA__V_HASH16,  /* exactly 16 lowercase hex chars */
  JA__V_ENUM     /* one of a list */
} ja__vkind;

typedef struct ja__enum {
  const char *name;           /* "OS", "ARCH", … */
  const char *const *values;  /* NULL-terminated */
} ja__enum;

typedef struct ja__prop_spec {
  const char *name;           /* property name */
  ja__vkind kind;             /* validator */
  const ja__enum *enumeration;/* for JA__V_ENUM, else NULL */
} ja__prop_spec;

typedef struct ja__event_spec {
  const char *name;           /* event name */
  const ja__prop_spec *props; /* terminated by {NULL} */
} ja__event_spec;

/* The catalog: events in DESIGN.md order, NULL-name terminated. */
extern const ja__event_spec ja__catalog[];
extern const ja__enum *const ja__catalog_enums[];
const ja__event_spec *ja__catalog_event(const char *name);
const ja__prop_spec *ja__catalog_prop(const ja__event_spec *ev, const char *name);
/* Name of a validator as the docs write it: "int", "OS", … */
const char *ja__catalog_kind_name(const ja__prop_spec *p);
/* Render the catalog: JSON (malloc'ed) or the README's markdown section. */
ja_status ja__catalog_json(char **out);
ja_status ja__catalog_markdown(char **out);

/* ------------------------------------------------------------ drop reasons */

/* Why something was dropped. Names are stored in the drop counters and
 * documented in the README; never change a name, only add. */
typedef enum ja__drop {
  JA__DROP_NONE = 0,
  JA__DROP_UNKNOWN_EVENT,     /* event name not in the catalog */
  JA__DROP_UNKNOWN_PROPERTY,  /* property not in the event's catalog entry */
  JA__DROP_INVALID_VALUE,     /* value fails its catalog validator */
  JA__DROP_PII,               /* string matches a PII pattern */
  JA__DROP_COMPOSITE,         /* array or object value */
  JA__DROP_TOO_LONG,          /* string longer than 200 code points */
  JA__DROP_EMPTY,             /* empty string */
  JA__DROP_NULL,              /* JSON null */
  JA__DROP_NOT_FINITE,        /* NaN or ±Inf (e.g. 1e999) */
  JA__DROP_QUEUE_FULL,        /* oldest event pushed out by the queue cap */
  JA__DROP_EXPIRED,           /* event older than the age cap */
  JA__DROP_BUSY,              /* store locked longer than busy_timeout */
  JA__DROP_COUNT
} ja__drop;
const char *ja__drop_name(ja__drop d);

/* --------------------------------------------------------------- checksum.c */

/* Check digits, for the redaction validators. Each takes the matched text
 * (separators included) and returns 1 when the checksum holds. */
int ja__luhn_ok(const char *s, size_t len);         /* cards, IMEI; skips non-digits */
int ja__iban_ok(const char *s, size_t len);         /* ISO 13616 mod 97; skips spaces */
int ja__base58check_ok(const char *s, size_t len);  /* legacy Bitcoin addresses */
int ja__bech32_ok(const char *s, size_t len);       /* bech32 / bech32m (bc1…) */

/* ----------------------------------------------------------- redact_rules.c */

/* A validator looks at one match (@p m[0..mlen)) and says whether it is
 * really PII (1) or a look-alike (0); on 0 the search goes on as if that
 * match had failed (other lengths, other rows, later positions). */
typedef int (*ja__redact_validator)(const char *m, size_t mlen);

/* One row of THE pattern table (src/redact_rules.c). */
typedef struct ja__redact_rule {
  const char *kind;                /* reported kind: static snake_case */
  const char *regex;               /* PCRE2 syntax (UTF, no UCP) */
  ja__redact_validator validate;   /* NULL: every match counts */
  const char *unit;                /* consecutive rows with the same non-NULL
                                      unit are compiled as one regex */
  const char *needs;               /* every match (that the validator accepts)
                                      holds at least one of these bytes; NULL:
                                      no such promise */
  unsigned min_digits;             /* ... and at least this many digits */
} ja__redact_rule;

/* The table, in priority order; *n receives its length. */
const ja__redact_rule *ja__redact_rules(size_t *n);

/* ----------------------------------------------------------------- redact.c */

#define JA__MAX_STR_CODEPOINTS 200

/* The value-level filter for one string: JA__DROP_NONE (keep), _EMPTY,
 * _TOO_LONG or _PII. For _PII, *kind (if not NULL) names the pattern.
 * Patterns are compiled once per process (PCRE2 JIT). If they cannot be
 * compiled every string is dropped as PII: fail closed. Thread-safe. */
ja__drop ja__redact_string(const char *s, size_t len, const char **kind);

/* Flags for ja__redact_string_ex. */
#define JA__REDACT_NO_GATES 1u  /* run every unit, skipping the cheap pre-checks
                                   (tests and fuzzers compare both ways) */

/* Decode every %XX in @p s[0..len) into @p out (at least @p len bytes);
 * returns the new length, or 0 when there was nothing to decode. */
size_t ja__percent_decode(const char *s, size_t len, char *out);

/* ja__redact_string with @p flags; same verdicts whatever the flags. */
ja__drop ja__redact_string_ex(const char *s, size_t len, unsigned flags, const char **kind);

/* ------------------------------------------------------------------ event.c */

#define JA__MAX_PROPS_BYTES 65536
#define JA__MAX_PROPS 256 /* no catalog event has more than 12 */

/* An event after redaction and validation. */
typedef struct ja__event {
  const ja__event_spec *spec;       /* NULL when dropped as unknown_event */
  char *props_json;                 /* cleaned properties (malloc'ed), "{}" if none */
  unsigned drops[JA__DROP_COUNT];   /* drops by reason (event + properties) */
  unsigned ndrops;                  /* total of drops[] */
  ja__drop first_reason;            /* reason of the first drop, or NONE */
  char first_prop[65];              /* first dropped property when it is a
                                       catalog name, else "" (unknown names
                                       are never echoed: they may be PII) */
} ja__event;

/* Check the name and JSON for malformed input (JA_EINVALID, nothing kept),
 * then apply redaction and the catalog. A policy drop is not an error: it
 * shows up as spec == NULL or in drops[]. */
ja_status ja__event_prepare(const char *name, const char *props_json, ja__event *out);
void ja__event_free(ja__event *ev);

/* ------------------------------------------------------------------ store.c */

typedef struct sqlite3 sqlite3;

/* The SQLite side of a store. */
typedef struct sqlite3_stmt sqlite3_stmt;

/* Prepared statements kept for the life of a connection (hot path). */
enum { JA__Q_INSERT, JA__Q_DROP_ADD, JA__Q_PRUNE_EXPIRED, JA__Q_QUEUE_COUNT, JA__Q_PRUNE_OLDEST,
       JA__Q_COUNT };

typedef struct ja__db {
  sqlite3 *db;               /* NULL until opened */
  sqlite3_stmt *q[JA__Q_COUNT]; /* prepared lazily, finalized at close */
  char path[JA_PATH_MAX];    /* analytics_queue.db */
  int busy_timeout_ms;       /* sqlite3_busy_timeout */
  int64_t max_events;        /* queue cap */
  int64_t max_age_ms;        /* age cap */
  _Atomic uint64_t pending_busy; /* busy drops that could not even be noted
                                in the -busy file; counted by the next
                                transaction (atomic: noted without the lock) */
} ja__db;

/* Map an SQLite failure @p rc to a ja_status and record
 * "<what> '<path>': <sqlite3_errmsg>" as the last error. */
ja_status ja__store_error(ja__db *d, int rc, const char *what);

/* Open (creating when @p create: file made 0600 first, never through a
 * symlink) and migrate. JA_ECANTCREATE if missing and !create. */
ja_status ja__store_open(ja__db *d, int create);
void ja__store_close(ja__db *d);

/* One event row to insert. */
typedef struct ja__row {
  const char *uuid, *distinct_id, *event, *props_json;
  int64_t ts_ms;
} ja__row;

/* One transaction: insert @p row (if not NULL), add @p drops (counts by
 * reason, may be NULL) and any busy drops noted since to the counters, then
 * apply the age and size caps, counting what they push out. On SQLITE_BUSY
 * past the timeout: JA_EBUSY (the caller notes the busy drop). */
ja_status ja__store_insert(ja__db *d, const ja__row *row, const unsigned drops[JA__DROP_COUNT]);

/* Note one event dropped because the queue stayed locked: nothing can be
 * written to the database then, so one byte is appended to "<db>-busy"
 * (0600, under flock) and the next transaction that gets in folds the count
 * into the "busy" counter. Works across processes (the CLI runs one capture
 * per process). Never fails: if even that is impossible, it is counted in
 * memory. */
void ja__store_note_busy(ja__db *d);

/* Uploader support. Claim up to @p limit unleased (or lease-expired) events
 * for @p owner until @p lease_until_ms, in one short BEGIN IMMEDIATE. */
ja_status ja__store_claim(ja__db *d, const char *owner, int64_t now_ms, int64_t lease_until_ms,
                          int limit, int *nclaimed);
/* Delete exactly @p uuids (claimed by @p owner) in one transaction. */
ja_status ja__store_delete_uuids(ja__db *d, const char *owner, const char *const *uuids,
                                 size_t n, int64_t *ndeleted);

ja_status ja__store_purge(ja__db *d, unsigned what, int64_t *removed);

/* --------------------------------------------------------------------- api.c */

/* The public handle. */
struct ja_store {
  ja__config cfg;            /* environment + config.toml */
  ja__db db;                 /* the queue */
  unsigned flags;            /* JA_OPEN_* */
  pthread_mutex_t mutex;     /* serialises use of db (timed: see ja_capture) */
};

/* Open the queue if it is not open yet (creating it only when analytics is
 * on and JA_OPEN_NO_CREATE is unset). Caller holds the mutex. */
ja_status ja__api_ensure_db(ja_store *s);
/* Open the queue if it exists, never creating it: *present = 0 (and
 * JA_OK) when there is none. Caller holds the mutex. */
ja_status ja__api_open_existing(ja_store *s, int *present);
void ja__api_lock(ja_store *s);
/* Lock, waiting at most @p ms; 0 on success, -1 on timeout. */
int ja__api_lock_timed(ja_store *s, int ms);
void ja__api_unlock(ja_store *s);

/* ------------------------------------------------------------------ report.c */

typedef struct cJSON cJSON;
/* The status document (see ja_report_json). */
ja_status ja__report_status(ja_store *s, cJSON **out);
/* Up to @p limit events, newest first: pending (or sent when @p sent) as a
 * JSON array of objects. An absent queue gives an empty array. */
ja_status ja__report_show(ja_store *s, int sent, int64_t limit, cJSON **out);

#endif /* JA_INTERNAL_H */
