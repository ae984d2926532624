/**
 * @file jarvis_analytics.h
 * @brief jarvis-analytics — the offline-first, privacy-first analytics event
 *        store of OpenJarvis. This is the one header a user includes.
 *
 * API-wide notes (read once, true for every call below):
 *
 * - **Errors.** Every call that can fail returns a ::ja_status; 0 (#JA_OK)
 *   means success. ja_last_error() describes the most recent failure *on the
 *   calling thread* ("" after a call that succeeded). Test return codes, never the message text: messages are
 *   for people and may change.
 * - **Threads.** A ::ja_store handle may be shared by several threads. It
 *   owns one SQLite connection and one writer thread (started by the first
 *   capture or session signal). ja_capture() and the session calls filter
 *   on the caller's thread, put the result in the handle's bounded
 *   in-memory buffer and return; the writer commits what is buffered in
 *   groups (one transaction and one fsync for up to 256 events, or what
 *   came in 10 ms). With #JA_OPEN_SYNC a call returns once the group holding
 *   its event is committed. Several processes may open the same store at
 *   once: SQLite WAL mode plus `BEGIN IMMEDIATE` transactions keep them
 *   consistent.
 * - **Durability.** What a crash can lose: in the default mode, the events
 *   accepted since the writer's last commit (at most the buffer); nothing
 *   accepted before a ja_flush() that returned #JA_OK; nothing in
 *   #JA_OPEN_SYNC mode once the call returned. ja_store_close() flushes. A
 *   process that exits without closing its handles loses at most the group
 *   being formed. Accepted events that the writer cannot store (the store
 *   stayed locked, disk full, I/O error, corruption) are counted as drops
 *   by reason, so accepted = stored + counted drops, always.
 * - **fork().** A handle belongs to the process that opened it: in a child
 *   every call on a handle opened before fork() fails with #JA_EINVALID
 *   (open a new one there), and ja_store_close() only forgets it. The
 *   parent's handles are untouched (fork() waits for their writers to
 *   finish the group in progress).
 * - **Ownership.** Strings passed in are borrowed for the duration of the
 *   call. Strings handed out through `char **out` are owned by the caller and
 *   freed with ja_free(). Fixed-size `char out[N]` buffers are the caller's.
 * - **Encoding and units.** All strings are UTF-8. Times are milliseconds
 *   since the Unix epoch, UTC.
 * - **The host is never hurt.** Nothing here calls `exit()`, aborts on bad
 *   input, or prints to stdout. In the default mode a capture or session
 *   signal never waits on a disk or on the store's lock: it filters, takes
 *   a short in-memory lock and returns; a full buffer drops the event
 *   (counted as "queue_full"). The writer waits for the store's write lock
 *   at most `busy_timeout_ms` per group, measured on the monotonic clock
 *   (a wall clock that jumps changes nothing); past that the group is
 *   dropped and counted as "busy". With #JA_OPEN_SYNC a call also waits
 *   for its group's commit, which is bounded the same way.
 * - **Privacy.** Property values are redacted (PII patterns, long strings,
 *   composites, null/NaN) and validated against the fixed event catalog
 *   before anything is written. Every drop is counted by reason, never logged
 *   with its value. When analytics is off (DO_NOT_TRACK, `enabled = false`)
 *   or paused by a mistake in the settings (an unparsable `[analytics]`
 *   table, a malformed value) nothing is written at all. In local mode
 *   (`mode = "local"`) everything is written, and never uploaded.
 */
#ifndef JARVIS_ANALYTICS_H
#define JARVIS_ANALYTICS_H

#include <stddef.h>
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
  JA_ECONFIG = -5,      /**< No usable configuration: neither
                             OPENJARVIS_HOME nor HOME is set, a path is too
                             long (the queue's: longer than SQLite allows,
                             504 bytes), or ja_options::home is "". */
  JA_EBUSY = -6,        /**< The store stayed locked longer than
                             `busy_timeout_ms` (while a call opened it, or
                             while the writer committed a #JA_OPEN_SYNC
                             call's group); the event was dropped and
                             counted (reason "busy"; an unknown event too,
                             since its own reason cannot be counted then). */
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
  JA_EINTERNAL = -10,   /**< A bug: an internal consistency check failed. */
  JA_ETIMEOUT = -11     /**< ja_flush(): its timeout passed before everything
                             it waits for was committed (nothing is lost: the
                             writer carries on). */
} ja_status;

/** Opaque handle on one analytics store (`$OPENJARVIS_HOME`). */
typedef struct ja_store ja_store;

/** Flags for ja_options::flags. */
enum {
  /** Open only what already exists: create no directory, database or
      anon_id file. Reads (report, anon id) work; captures fail with
      #JA_ECANTCREATE if the queue does not exist yet. */
  JA_OPEN_NO_CREATE = 1u << 0,
  /** Durable on return: ja_capture(), ja_capture_many() and the session
      calls return once the writer has committed the group holding their
      event (threads capturing at the same time share one commit and one
      fsync). Without it they return once the event is in the handle's
      buffer, and ja_flush() makes it durable. The command line uses it. */
  JA_OPEN_SYNC = 1u << 1
};

#define JA_OPTIONS_VERSION 3

/**
 * Options for ja_store_open(). Initialise with #JA_OPTIONS_INIT or
 * ja_options_init() so that fields added later get their defaults.
 * A zero field means "the default". New fields are only ever appended with
 * a new #JA_OPTIONS_VERSION; the library reads (and ja_options_init()
 * writes) only the fields that exist in the caller's `version`, never a
 * byte past them, and accepts every earlier version, so a binding
 * (tools/python) built against an older header keeps working. A version
 * newer than the library's is refused (#JA_EINVALID).
 *
 * **Caps are not options.** The queue cap and the age cap are
 * configuration of the store, `[analytics] max_events` (default 10000) and
 * `max_age_days` (default 30) in `config.toml`, so every process that
 * opens the store applies the same ones. Pruning is done in bounded steps:
 * one write transaction deletes at most the events it adds plus 100 (so a
 * queue over a lowered cap converges over later captures) and gives back
 * at most 256 free pages. The age cap never trusts one process's clock:
 * events are aged against the store clock, which only moves forward to a
 * time two witnesses agree has passed (the clocks of two different
 * processes, the earlier of the two; or a handle's earlier store clock
 * plus the monotonic time elapsed since). An event captured under a clock
 * that is not set (before 2025) or behind the store clock keeps its
 * timestamp but is aged from the next sane clock that writes to the store.
 */
typedef struct ja_options {
  unsigned int version;     /**< #JA_OPTIONS_VERSION (or an earlier version). */
  const char *home;         /**< Store directory. Default (NULL):
                                 `$OPENJARVIS_HOME` (an empty value counts
                                 as unset), else `$HOME/.openjarvis`. ""
                                 is an error (#JA_ECONFIG), never the
                                 default. */
  int busy_timeout_ms;      /**< Longest wait of the writer for the store's
                                 write lock per group (and of a call that
                                 opens the queue, for the handle and the
                                 lock together); past it the group is
                                 dropped and counted as "busy". Default: 250. */
  int64_t max_events;       /**< Deprecated and ignored: set `[analytics]
                                 max_events` in config.toml (see above). */
  int max_age_days;         /**< Deprecated and ignored: set `[analytics]
                                 max_age_days` in config.toml (see above). */
  unsigned int flags;       /**< Bitwise OR of JA_OPEN_* flags. Default: 0. */
  const char *platform;     /**< (Version 2.) The PLATFORM value that
                                 first_chat_sent reports (ja_session_inference):
                                 one of cli macos linux windows tauri-macos
                                 tauri-linux tauri-windows web; anything else
                                 is refused by ja_store_open() (#JA_EINVALID).
                                 Copied. Default (NULL): "cli". */
  int buffer_max_events;    /**< (Version 3.) Most events and session signals
                                 the handle holds in memory, accepted but not
                                 yet committed by its writer; past it an event
                                 is dropped and counted as "queue_full".
                                 Negative: #JA_EINVALID. Default: 10000. */
  int64_t buffer_max_bytes; /**< (Version 3.) The same bound in bytes (the
                                 events' properties plus about 200 bytes
                                 each). Negative: #JA_EINVALID.
                                 Default: 8388608 (8 MiB). */
} ja_options;

/** Static initialiser for ::ja_options with every default. */
#define JA_OPTIONS_INIT { JA_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * Initialise @p opts with every default.
 * @param[out] opts    options to fill: only the fields of @p version are written
 * @param version      #JA_OPTIONS_VERSION, or an earlier version
 * @return #JA_OK, or #JA_EINVALID if @p opts is NULL or @p version unknown
 *         (0 or newer than this library).
 */
JA_API ja_status ja_options_init(ja_options *opts, unsigned int version);

/**
 * Open the store. Reads the environment and `config.toml` (see
 * docs/configuration.md). When analytics is enabled and #JA_OPEN_NO_CREATE is not
 * set, creates the home directory (0700) and the queue database (0600) and
 * brings its schema up to date. A new queue is built complete in a private
 * temp file and renamed into place, so processes and threads racing to
 * create it all succeed and share one. A queue that is not a usable
 * database (or an empty file) is moved aside to
 * `analytics_queue.db.corrupt-<UTC time>` (only the newest kept) and
 * replaced; the move is recorded (the `store_log` view, and
 * `store_events` in ja_report_json()). When analytics is off, creates
 * nothing; the handle still works and captures write nothing. A queue that
 * stays locked past `busy_timeout_ms` while it is opened (another process
 * is migrating it) is not an error: the first call that needs it opens it,
 * and a capture that still finds it locked is a counted busy drop.
 *
 * @param[out] out   the new handle, to be closed with ja_store_close()
 * @param opts       options, or NULL for every default; read only up to
 *                   the fields of `opts->version`
 * @return #JA_OK, #JA_EINVALID, #JA_ENOMEM, #JA_ECONFIG, #JA_ECANTCREATE,
 *         #JA_EUNSAFE, #JA_ECORRUPT, #JA_EVERSION or #JA_EIO.
 */
JA_API ja_status ja_store_open(ja_store **out, const ja_options *opts);

/** Close @p s and free it. NULL is a no-op. First the writer commits
 *  everything still in the buffer, as one group, bounded like every group
 *  (a store locked for more than `busy_timeout_ms` drops and counts it as
 *  "busy"), and its thread is joined. Busy drops this handle could not note
 *  in the `-busy` file are counted next if possible (waiting at most
 *  `busy_timeout_ms`); docs/design.md says when a busy drop can be lost. In
 *  a child process after fork(), closing a handle opened before the fork
 *  frees only what is the child's own: the connection and the writer belong
 *  to the parent. */
JA_API void ja_store_close(ja_store *s);

/**
 * Whether analytics stores what is captured for this store: on, or local
 * (`mode = "local"`: stored, never uploaded).
 * @param s            the store
 * @param[out] reason  if not NULL, receives a static-lifetime-of-@p s string
 *                     saying why it is off (DO_NOT_TRACK, `enabled = false`)
 *                     or paused (a mistake in the settings, named with where
 *                     it is); "" when on or local
 * @return 1 when on or local, 0 when off or paused (or @p s is NULL).
 */
JA_API int ja_store_enabled(const ja_store *s, const char **reason);

/** What happened to a captured event. */
typedef enum ja_result {
  JA_RESULT_STORED = 0,   /**< Accepted (maybe minus properties): in the
                               handle's buffer for the writer, or — with
                               #JA_OPEN_SYNC — committed. An accepted event
                               that the writer then cannot store is counted
                               as a drop ("busy", "disk_full", "io_error",
                               "corrupt"). */
  JA_RESULT_DROPPED = 1,  /**< Dropped whole and counted: unknown event, the
                               buffer full ("queue_full"), or (#JA_OPEN_SYNC)
                               the store stayed locked while the writer
                               wrote its group ("busy"). */
  JA_RESULT_DISABLED = 2, /**< Analytics is off or paused: nothing
                               written. */
  JA_RESULT_INVALID = 3   /**< ja_capture_many() only: malformed input,
                               refused (nothing stored or counted). */
} ja_result;

#define JA_OUTCOME_VERSION 1

/**
 * Outcome of ja_capture(), filled in by the library in a struct the caller
 * owns. The caller sets `version` (#JA_OUTCOME_INIT does); the library
 * writes only the fields that exist in that version — never a byte past
 * them — so a caller built against an older header keeps working when
 * fields are appended with a new #JA_OUTCOME_VERSION. The same rule as
 * ::ja_options, for every struct the library reads or fills.
 */
typedef struct ja_outcome {
  unsigned int version;         /**< Set by the caller: #JA_OUTCOME_VERSION
                                     (or an earlier version). Left as is. */
  ja_result result;             /**< Stored, dropped or disabled. */
  char uuid[37];                /**< UUID v7 of the stored event, else "". */
  unsigned int dropped_props;   /**< Properties dropped by policy. */
  const char *reason;           /**< Static string: why the event was dropped,
                                     else why the first property was dropped,
                                     else "". One of the drop reasons listed in
                                     docs/design.md ("pii", "unknown_property" …). */
  char property[65];            /**< Name of the first dropped property when it
                                     is a catalog property, else "" (unknown
                                     names are never echoed). */
} ja_outcome;

/** Static initialiser for ::ja_outcome: `ja_outcome o = JA_OUTCOME_INIT;` */
#define JA_OUTCOME_INIT { JA_OUTCOME_VERSION, JA_RESULT_STORED, "", 0, 0, "" }

/**
 * Redact, validate and queue one event: the filters run on the calling
 * thread, the outcome is filled at once, and the event goes to the
 * handle's buffer, which its writer thread commits in groups. Never waits
 * on a disk or on the store's lock, except with #JA_OPEN_SYNC, where it
 * returns once the group holding the event is committed (durable).
 *
 * @param s           the store
 * @param event       event name from the catalog (README: What is collected)
 * @param props_json  a JSON object of properties, or NULL for none
 *                    (at most 65536 bytes)
 * @param[in,out] out  if not NULL, what happened; its `version` must be set
 *                    (#JA_OUTCOME_INIT)
 * @return #JA_OK when the event was accepted (`out->result` stored), dropped
 *         and counted (unknown event; "queue_full" when the buffer is
 *         full), or analytics is off (see @p out); #JA_EINVALID for
 *         malformed input, an unknown `out->version` (nothing is stored or
 *         counted, @p out is not written) or a handle opened before fork()
 *         in another process; #JA_ECANTCREATE, #JA_EUNSAFE, #JA_ECORRUPT,
 *         #JA_EVERSION, #JA_ECONFIG or #JA_EIO when the queue cannot be
 *         opened (nothing stored or counted), #JA_EBUSY when it stayed
 *         locked while being opened (dropped, counted as "busy");
 *         #JA_ENOMEM. With #JA_OPEN_SYNC also the status of a group the
 *         writer could not commit: #JA_EBUSY (dropped, counted as "busy",
 *         `out->result` says dropped), or #JA_EIO, #JA_ECORRUPT … (the
 *         caller's error, as when the queue cannot be opened: nothing
 *         stored or counted, `out->uuid` empty).
 */
JA_API ja_status ja_capture(ja_store *s, const char *event, const char *props_json,
                            ja_outcome *out);

/**
 * ja_capture() of @p n events at once: each is filtered on the calling
 * thread and gets its outcome, and the accepted ones go to the writer as
 * one job, committed in one transaction. A malformed event is refused
 * alone (`outs[i].result` #JA_RESULT_INVALID); the others are handled all
 * the same. Events past the buffer's room are dropped as "queue_full".
 *
 * @param s           the store
 * @param n           number of events (0: nothing to do)
 * @param events      @p n event names
 * @param props_json  @p n JSON objects (an entry may be NULL: no
 *                    properties), or NULL for no properties at all
 * @param[in,out] outs NULL, or @p n outcomes, each with its `version` set
 *                    (all the same version; #JA_OUTCOME_INIT)
 * @return #JA_OK when every event was accepted, dropped by policy or
 *         analytics is off; #JA_EINVALID when at least one event was
 *         malformed (see `outs`; the others were handled), for a NULL
 *         store or @p events, outcomes of unknown or mixed versions
 *         (nothing handled), or a handle opened before fork(); otherwise
 *         as ja_capture().
 */
JA_API ja_status ja_capture_many(ja_store *s, size_t n, const char *const events[],
                                 const char *const props_json[], ja_outcome outs[]);

/**
 * Wait until everything this handle accepted before the call (events,
 * session signals) has been committed to disk, or counted as dropped.
 * @param s           the store
 * @param timeout_ms  longest wait, in ms (0: only look)
 * @return #JA_OK when all of it is durable (also when analytics is off or
 *         nothing was accepted); #JA_ETIMEOUT when the timeout passed first
 *         (nothing lost: the writer carries on); #JA_EINVALID for a NULL
 *         store, a negative timeout or a handle opened before fork();
 *         when the writer dropped some of it (each drop is counted), the
 *         status of that failure — #JA_EBUSY, #JA_EIO, #JA_ECORRUPT,
 *         #JA_ENOMEM … — reported by one flush only.
 */
JA_API ja_status ja_flush(ja_store *s, int timeout_ms);

/**
 * The install's anonymous id (the content of the anon_id file), creating it
 * if needed (unless analytics is off or #JA_OPEN_NO_CREATE, in which case a
 * missing file gives #JA_ECANTCREATE). A damaged anon_id (at most 64 bytes
 * of only hex digits, dashes, whitespace and NUL bytes, but not an id) is
 * replaced by a fresh UUID v4; nothing else is ever replaced. Safe to call
 * from many threads and handles at once: all get the one id on disk.
 * @param s         the store
 * @param[out] out  36 characters plus NUL
 * @return #JA_OK; #JA_EINVALID for a NULL argument or a handle opened
 *         before fork();
 *         #JA_ECANTCREATE when it is missing or damaged and may not be made,
 *         or cannot be created;
 *         #JA_EUNSAFE (file left untouched) when the anon_id is a symlink,
 *         FIFO, directory, another user's file, has other hard links, or
 *         holds something that is not an anon id;
 *         #JA_EIO (file left untouched) when it cannot be opened or read,
 *         or writing the new one fails.
 */
JA_API ja_status ja_anon_id(ja_store *s, char out[37]);

/**
 * Replace the anonymous id with a fresh UUID v4 (renamed over the old one,
 * so a reader sees the old id or the new one). Queued events keep the id
 * they were captured with (the writer commits what this handle holds
 * first, waiting at most `busy_timeout_ms`). When analytics is off the
 * file is only removed. Only an anon_id is replaced or removed: what
 * ja_anon_id() refuses, this refuses too.
 * @param s  the store
 * @return #JA_OK; #JA_EINVALID when @p s is NULL or was opened before
 *         fork();
 *         #JA_ECANTCREATE when the new id cannot be created;
 *         #JA_EUNSAFE (file left untouched) as for ja_anon_id();
 *         #JA_EIO (file left untouched) when the old one cannot be opened or
 *         read, or writing or removing fails.
 */
JA_API ja_status ja_reset_id(ja_store *s);

/**
 * @name Chat sessions and rollups (docs/design.md, Rollups; docs/rollup.md)
 *
 * Raw per-turn signals are recorded in local tables of the store and never
 * uploaded as such: session ids, model and tool names are stored only as
 * hash_id(), engines as an ENGINE value (anything else: "unknown"). A
 * rollup (ja_rollup()) turns them into catalog events: one
 * `chat_session_ended` per closed session with ≥ 1 inference (closed by
 * ja_session_end() or after more than 300 s without activity), one
 * `usage_daily_summary` per UTC day once that day is over by 300 s. The
 * first inference ever in a store queues `first_chat_sent` (platform from
 * ja_options::platform), the first use of each tool `tool_first_used`
 * (its TOOL value, else `custom_tool`), each in the same transaction as
 * the signal, once per install across processes and restarts.
 *
 * Every `at_ms` is the signal's time in ms since the epoch, UTC; 0 means
 * now (the usual case; other values replay time). A signal goes through
 * the writer like ja_capture(): checked and hashed on the calling thread,
 * then buffered (signals of any sessions share the writer's groups); a
 * full buffer drops it as "queue_full", a group the writer cannot commit
 * drops it as "busy", "disk_full", "io_error" or "corrupt". With
 * #JA_OPEN_SYNC the call returns once it is committed (a failure other
 * than busy is then the caller's error, nothing stored or counted). When analytics is
 * off nothing is recorded and #JA_OK is returned. Strings must be UTF-8
 * without control characters, at most 4096 bytes.
 * @{
 */

/**
 * Record one inference (one chat turn) of @p session.
 * @param s           the store
 * @param session     the session id (non-empty; only its hash is stored)
 * @param tokens_in   prompt tokens, >= 0
 * @param tokens_out  completion tokens, >= 0
 * @param latency_ms  latency in ms, finite and >= 0
 * @param model       model name, or NULL / "" for none (only its hash is stored)
 * @param engine      engine name, or NULL / "" for none
 * @param at_ms       when (0: now; otherwise from 1970 to the end of 9999)
 * @return #JA_OK (also when analytics is off); #JA_EINVALID for a NULL
 *         store, an empty session id, negative tokens, a time before 1970
 *         or after 9999, a NaN,
 *         infinite or negative latency, a string that is not valid UTF-8 or
 *         holds a control character, or a handle opened before fork()
 *         (nothing stored); #JA_EBUSY (counted as busy); #JA_ENOMEM,
 *         #JA_ECANTCREATE, #JA_EUNSAFE, #JA_ECORRUPT, #JA_EVERSION or
 *         #JA_EIO when the queue cannot be opened, as for ja_capture(); with
 *         #JA_OPEN_SYNC also the status of a group the writer could not
 *         commit (#JA_EBUSY: counted as busy; otherwise nothing stored or
 *         counted).
 */
JA_API ja_status ja_session_inference(ja_store *s, const char *session, int64_t tokens_in,
                                      int64_t tokens_out, double latency_ms, const char *model,
                                      const char *engine, int64_t at_ms);
/**
 * Record a use of tool @p tool (non-empty; only its hash is kept, plus its
 * TOOL value or "custom_tool" for tool_first_used) in @p session.
 * @return as ja_session_inference().
 */
JA_API ja_status ja_session_tool(ja_store *s, const char *session, const char *tool,
                                 int64_t at_ms);
/**
 * Record an error shown in @p session.
 * @return as ja_session_inference().
 */
JA_API ja_status ja_session_error(ja_store *s, const char *session, int64_t at_ms);
/**
 * Record the explicit end of @p session: the next rollup at or after
 * @p at_ms closes it. An end is not activity (it does not count in
 * duration_ms). Signals of the same id after it start a new session.
 * @return as ja_session_inference().
 */
JA_API ja_status ja_session_end(ja_store *s, const char *session, int64_t at_ms);
/**
 * Roll up as of @p now_ms (0: now): close every session ended by then or
 * idle for more than 300 s and queue its `chat_session_ended` (timestamped
 * at its last activity), then queue the `usage_daily_summary` of every UTC
 * day D with a closed session once now_ms >= end of D + 300 s
 * (timestamped 23:59:59.999 of D). Closing and queueing happen in one
 * transaction per batch of at most 1 024 sessions or days: running it twice,
 * two processes running it at once, or running it again after it was
 * killed never loses or doubles an event. Raw signals of a closed session
 * and a day's data are deleted once its event is queued. Signals this
 * handle buffered before the call are committed first (waiting at most
 * `busy_timeout_ms` for them), so the rollup sees them.
 * @param s            the store
 * @param now_ms       the rollup's time (0: now; otherwise 1970 to 9999)
 * @param[out] queued  events queued by this call, or NULL
 * @return #JA_OK (also when analytics is off or there is no queue yet);
 *         #JA_EINVALID for a NULL store, a time before 1970 or after 9999,
 *         or a handle opened before fork();
 *         #JA_EBUSY when the store stayed locked (nothing lost: the next
 *         rollup does it);
 *         #JA_ENOMEM, #JA_ECANTCREATE, #JA_EUNSAFE, #JA_ECORRUPT,
 *         #JA_EVERSION, #JA_EIO or #JA_EINTERNAL.
 */
JA_API ja_status ja_rollup(ja_store *s, int64_t now_ms, int64_t *queued);

/** @} */

/**
 * `hash_id`: the first 16 lowercase hex characters of SHA-256(@p s), or ""
 * for "". Equal to Python's `hashlib.sha256(s.encode()).hexdigest()[:16]`.
 * @param s         UTF-8 string (NUL-terminated)
 * @param[out] out  16 characters plus NUL
 * @return #JA_OK or #JA_EINVALID for NULL arguments.
 */
JA_API ja_status ja_hash_id(const char *s, char out[17]);

/**
 * A JSON report of the store: on/off and why, paths, config.toml warnings
 * (misspelt keys and tables, never values), queue size, drop counters by
 * reason, what the store did to itself (`store_events`: a corrupt queue
 * moved aside …), chat sessions not rolled up yet and days waiting for
 * their summary (`rollup`), the same document as
 * `jarvis-analytics status --json`.
 * Only a queue that does not exist reads as "not created yet"
 * (`queue.exists` false); one that cannot be read is an error. A queue in
 * a home that cannot be written is read read-only (or immutable when it
 * has no -wal). Creates nothing. Out of memory gives #JA_ENOMEM and no
 * document, never a partial one. What this handle accepted is committed
 * first (waiting at most `busy_timeout_ms`), and drops it counted only in
 * memory so far (a full buffer, a group the store would not take) are
 * included.
 * @param s         the store
 * @param[out] out  a NUL-terminated JSON object; free with ja_free()
 * @return #JA_OK, #JA_EINVALID (a NULL argument, a handle opened before
 *         fork()), #JA_ENOMEM, #JA_ECORRUPT, #JA_EVERSION, #JA_EUNSAFE,
 *         #JA_ECONFIG, #JA_EBUSY or #JA_EIO.
 */
JA_API ja_status ja_report_json(ja_store *s, char **out);

/** What ja_purge() removes (bitwise OR). */
enum {
  JA_PURGE_PENDING = 1u << 0, /**< queued events not yet sent, and chat-session
                                   signals not rolled up yet */
  JA_PURGE_SENT = 1u << 1,    /**< the log of what was sent */
  JA_PURGE_DROPS = 1u << 2    /**< the drop counters */
};

/**
 * Delete local analytics data. Works when analytics is off too (that is
 * when a user most wants it); creates nothing when there is no queue yet
 * (#JA_OK, 0 removed). A queue that cannot be read or written is an error,
 * never "nothing to delete". What this handle accepted before the call is
 * committed first (waiting at most `busy_timeout_ms`), so it is purged too.
 * @param s             the store
 * @param what          JA_PURGE_* bits
 * @param[out] removed  if not NULL, the number of rows deleted (0 on error)
 * @return #JA_OK, #JA_EINVALID (bad @p what, a NULL store, a handle opened
 *         before fork()), #JA_EBUSY, #JA_ECORRUPT, #JA_EVERSION,
 *         #JA_EUNSAFE, #JA_ECANTCREATE (not writable), #JA_ECONFIG or #JA_EIO.
 */
JA_API ja_status ja_purge(ja_store *s, unsigned int what, int64_t *removed);

/** Free memory handed out by this library. NULL is a no-op. */
JA_API void ja_free(void *p);

/**
 * The last error on this thread: never NULL, "" when there has been none.
 * Every call that returns a ::ja_status clears it on entry, so after a call
 * that returned #JA_OK it is "" (never a stale message from an earlier
 * failure). The calls that cannot fail — ja_store_close(),
 * ja_store_enabled(), ja_free(), ja_status_str(), ja_version() — leave it
 * as it is, so it can still be read after closing the handle.
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
