/**
 * @file jarvis_analytics.h
 * @brief jarvis-analytics — the offline-first, privacy-first analytics event
 *        store of OpenJarvis. This is the one header a user includes.
 *
 * API-wide notes (read once, true for every call below):
 *
 * - **Errors.** Every call that can fail returns a ::ja_status; 0 (#JA_OK)
 *   means success. ja_last_error() describes the most recent failure *on the
 *   calling thread*. Test return codes, never the message text: messages are
 *   for people and may change.
 * - **Threads.** A ::ja_store handle owns one SQLite connection guarded by
 *   one mutex, so a handle may be shared by several threads. Filtering runs
 *   outside the mutex; a capture waits for the mutex at most
 *   `busy_timeout_ms` (then the event is a "busy" drop, #JA_EBUSY). Several processes may open the same store at once: SQLite
 *   WAL mode plus `BEGIN IMMEDIATE` transactions keep them consistent.
 * - **Ownership.** Strings passed in are borrowed for the duration of the
 *   call. Strings handed out through `char **out` are owned by the caller and
 *   freed with ja_free(). Fixed-size `char out[N]` buffers are the caller's.
 * - **Encoding and units.** All strings are UTF-8. Times are milliseconds
 *   since the Unix epoch, UTC.
 * - **The host is never hurt.** Nothing here calls `exit()`, aborts on bad
 *   input, or prints to stdout. A capture waits at most `busy_timeout_ms`
 *   for the store; past that the event is dropped, counted, and #JA_EBUSY
 *   returned.
 * - **Privacy.** Property values are redacted (PII patterns, long strings,
 *   composites, null/NaN) and validated against the fixed event catalog
 *   before anything is written. Every drop is counted by reason, never logged
 *   with its value. When analytics is off (DO_NOT_TRACK, `enabled = false`,
 *   or an unparsable `[analytics]` table) nothing is written at all.
 */
#ifndef JARVIS_ANALYTICS_H
#define JARVIS_ANALYTICS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(JA_BUILDING_LIBRARY)
#define JA_API __attribute__((visibility("default")))
#else
#define JA_API
#endif

/** Library version, "MAJOR.MINOR.PATCH". */
#define JA_VERSION "0.1.0"

/** Result of every call that can fail. 0 is success; errors are negative. */
typedef enum ja_status {
  JA_OK = 0,            /**< Success. */
  JA_EINVALID = -1,     /**< Bad argument or malformed input: bad JSON, not an
                             object, invalid UTF-8, control characters in a
                             name, input too large. Nothing was stored. */
  JA_ENOMEM = -2,       /**< Out of memory. */
  JA_EIO = -3,          /**< A file or SQLite I/O operation failed. */
  JA_ECANTCREATE = -4,  /**< The home directory, queue or anon_id file could
                             not be created (missing parent, read-only, …),
                             or a queue that cannot be written was to be
                             written (ja_purge() in a read-only home). */
  JA_ECONFIG = -5,      /**< No usable configuration (for example neither
                             OPENJARVIS_HOME nor HOME is set, or the queue's
                             path is longer than SQLite allows: 504 bytes). */
  JA_EBUSY = -6,        /**< The store stayed locked longer than
                             `busy_timeout_ms`; the event was dropped and
                             counted (reason "busy"). */
  JA_ECORRUPT = -7,     /**< The queue file is not a usable SQLite database
                             (reported to readers; a call that may create the
                             store moves it aside and starts a fresh one). */
  JA_EVERSION = -8,     /**< The queue was written by a newer schema version
                             (it is left untouched). */
  JA_EUNSAFE = -9,      /**< Refused: where the queue, its -wal or -shm, or the
                             anon_id file should be stands a symlink, a
                             non-regular file, a hard-linked file or another
                             user's file; or the home directory belongs to
                             another user or others can write in it. */
  JA_EINTERNAL = -10    /**< A bug: an internal consistency check failed. */
} ja_status;

/** Opaque handle on one analytics store (`$OPENJARVIS_HOME`). */
typedef struct ja_store ja_store;

/** Flags for ja_options::flags. */
enum {
  /** Open only what already exists: create no directory, database or
      anon_id file. Reads (report, anon id) work; captures fail with
      #JA_ECANTCREATE if the queue does not exist yet. */
  JA_OPEN_NO_CREATE = 1u << 0
};

#define JA_OPTIONS_VERSION 1

/**
 * Options for ja_store_open(). Initialise with #JA_OPTIONS_INIT or
 * ja_options_init() so that fields added later get their defaults.
 * A zero field means "the default". New fields are only ever appended with
 * a new #JA_OPTIONS_VERSION, and the library keeps accepting every earlier
 * version, so a binding (tools/python) built against an older header works.
 */
typedef struct ja_options {
  unsigned int version;     /**< Must be #JA_OPTIONS_VERSION. */
  const char *home;         /**< Store directory. Default: `$OPENJARVIS_HOME`,
                                 else `$HOME/.openjarvis`. */
  int busy_timeout_ms;      /**< Longest wait for the store lock. Default: 250. */
  int64_t max_events;       /**< Queue cap; the oldest events beyond it are
                                 dropped and counted ("queue_full").
                                 Default: 10000. */
  int max_age_days;         /**< Age cap; older events are dropped and counted
                                 ("expired"). Default: 30. */
  unsigned int flags;       /**< Bitwise OR of JA_OPEN_* flags. Default: 0. */
} ja_options;

/** Static initialiser for ::ja_options with every default. */
#define JA_OPTIONS_INIT { JA_OPTIONS_VERSION, 0, 0, 0, 0, 0 }

/**
 * Initialise @p opts with every default.
 * @param[out] opts    options to fill
 * @param version      #JA_OPTIONS_VERSION
 * @return #JA_OK, or #JA_EINVALID if @p opts is NULL or @p version unknown.
 */
JA_API ja_status ja_options_init(ja_options *opts, unsigned int version);

/**
 * Open the store. Reads the environment and `config.toml` (see README:
 * configuration). When analytics is enabled and #JA_OPEN_NO_CREATE is not
 * set, creates the home directory (0700) and the queue database (0600) and
 * brings its schema up to date. A new queue is built complete in a private
 * temp file and renamed into place, so processes and threads racing to
 * create it all succeed and share one. A queue that is not a usable
 * database (or an empty file) is moved aside to
 * `analytics_queue.db.corrupt-<UTC time>` (only the newest kept) and
 * replaced; the move is recorded (the `store_log` view, and
 * `store_events` in ja_report_json()). When analytics is off, creates
 * nothing; the handle still works and captures write nothing.
 *
 * @param[out] out   the new handle, to be closed with ja_store_close()
 * @param opts       options, or NULL for every default
 * @return #JA_OK, #JA_EINVALID, #JA_ENOMEM, #JA_ECONFIG, #JA_ECANTCREATE,
 *         #JA_EUNSAFE, #JA_ECORRUPT, #JA_EVERSION, #JA_EBUSY or #JA_EIO.
 */
JA_API ja_status ja_store_open(ja_store **out, const ja_options *opts);

/** Close @p s and free it. NULL is a no-op. */
JA_API void ja_store_close(ja_store *s);

/**
 * Whether analytics is on for this store.
 * @param s            the store
 * @param[out] reason  if not NULL, receives a static-lifetime-of-@p s string
 *                     saying why it is off ("" when on)
 * @return 1 when on, 0 when off (or @p s is NULL).
 */
JA_API int ja_store_enabled(const ja_store *s, const char **reason);

/** What happened to a captured event. */
typedef enum ja_result {
  JA_RESULT_STORED = 0,   /**< Written to the queue (maybe minus properties). */
  JA_RESULT_DROPPED = 1,  /**< Dropped whole by policy (unknown event, busy). */
  JA_RESULT_DISABLED = 2  /**< Analytics is off: nothing written. */
} ja_result;

/** Outcome of ja_capture(). Its layout changes only with the library's
 *  SONAME (major version), never within one. */
typedef struct ja_outcome {
  ja_result result;             /**< Stored, dropped or disabled. */
  char uuid[37];                /**< UUID v7 of the stored event, else "". */
  unsigned int dropped_props;   /**< Properties dropped by policy. */
  const char *reason;           /**< Static string: why the event was dropped,
                                     else why the first property was dropped,
                                     else "". One of the drop reasons listed in
                                     the README ("pii", "unknown_property" …). */
  char property[65];            /**< Name of the first dropped property when it
                                     is a catalog property, else "" (unknown
                                     names are never echoed). */
} ja_outcome;

/**
 * Redact, validate and durably queue one event.
 *
 * @param s           the store
 * @param event       event name from the catalog (README: catalog)
 * @param props_json  a JSON object of properties, or NULL for none
 *                    (at most 65536 bytes)
 * @param[out] out    if not NULL, what happened
 * @return #JA_OK when the event was stored, dropped by policy, or analytics
 *         is off (see @p out); #JA_EINVALID for malformed input (nothing is
 *         stored or counted); #JA_EBUSY, #JA_ECANTCREATE, #JA_EUNSAFE,
 *         #JA_ECORRUPT, #JA_EVERSION, #JA_ECONFIG, #JA_EIO or #JA_ENOMEM
 *         otherwise.
 */
JA_API ja_status ja_capture(ja_store *s, const char *event, const char *props_json,
                            ja_outcome *out);

/**
 * The install's anonymous id (the content of the anon_id file), creating it
 * if needed (unless analytics is off or #JA_OPEN_NO_CREATE, in which case a
 * missing file gives #JA_ECANTCREATE).
 * @param s         the store
 * @param[out] out  36 characters plus NUL
 * @return #JA_OK, #JA_ECANTCREATE, #JA_EUNSAFE or #JA_EIO.
 */
JA_API ja_status ja_anon_id(ja_store *s, char out[37]);

/**
 * Replace the anonymous id with a fresh UUID v4. Queued events keep the id
 * they were captured with. When analytics is off the file is only removed.
 * @return #JA_OK, #JA_ECANTCREATE, #JA_EUNSAFE or #JA_EIO.
 */
JA_API ja_status ja_reset_id(ja_store *s);

/**
 * `hash_id`: the first 16 lowercase hex characters of SHA-256(@p s), or ""
 * for "". Equal to Python's `hashlib.sha256(s.encode()).hexdigest()[:16]`.
 * @param s         UTF-8 string (NUL-terminated)
 * @param[out] out  16 characters plus NUL
 * @return #JA_OK or #JA_EINVALID for NULL arguments.
 */
JA_API ja_status ja_hash_id(const char *s, char out[17]);

/**
 * A JSON report of the store: on/off and why, paths, queue size, drop
 * counters by reason, what the store did to itself (`store_events`: a
 * corrupt queue moved aside …), the same document as `jarvis-analytics
 * status --json`. Only a queue that does not exist reads as "not created
 * yet" (`queue.exists` false); one that cannot be read is an error. A queue
 * in a home that cannot be written is read read-only (or immutable when it
 * has no -wal). Creates nothing.
 * @param s         the store
 * @param[out] out  a NUL-terminated JSON object; free with ja_free()
 * @return #JA_OK, #JA_ENOMEM, #JA_ECORRUPT, #JA_EVERSION, #JA_EUNSAFE,
 *         #JA_ECONFIG, #JA_EBUSY or #JA_EIO.
 */
JA_API ja_status ja_report_json(ja_store *s, char **out);

/** What ja_purge() removes (bitwise OR). */
enum {
  JA_PURGE_PENDING = 1u << 0, /**< queued events not yet sent */
  JA_PURGE_SENT = 1u << 1,    /**< the log of what was sent */
  JA_PURGE_DROPS = 1u << 2    /**< the drop counters */
};

/**
 * Delete local analytics data. Works when analytics is off too (that is
 * when a user most wants it); creates nothing when there is no queue yet
 * (#JA_OK, 0 removed). A queue that cannot be read or written is an error,
 * never "nothing to delete".
 * @param s             the store
 * @param what          JA_PURGE_* bits
 * @param[out] removed  if not NULL, the number of rows deleted (0 on error)
 * @return #JA_OK, #JA_EINVALID, #JA_EBUSY, #JA_ECORRUPT, #JA_EVERSION,
 *         #JA_EUNSAFE, #JA_ECANTCREATE (not writable), #JA_ECONFIG or #JA_EIO.
 */
JA_API ja_status ja_purge(ja_store *s, unsigned int what, int64_t *removed);

/** Free memory handed out by this library. NULL is a no-op. */
JA_API void ja_free(void *p);

/**
 * The last error on this thread: never NULL, "" when there has been none.
 * Valid until the next call into the library on this thread.
 */
JA_API const char *ja_last_error(void);

/** A short static name for @p st ("ok", "invalid input", …). Never NULL. */
JA_API const char *ja_status_str(ja_status st);

/** The library version at run time (#JA_VERSION at build time). */
JA_API const char *ja_version(void);

#ifdef __cplusplus
}
#endif
#endif /* JARVIS_ANALYTICS_H */
