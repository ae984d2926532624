/*
 * rollup/rollup.h — local aggregation: raw chat signals in,
 * chat_session_ended / usage_daily_summary / first uses out, each event
 * queued in the same transaction that closes what it reports.
 *
 * Two times go everywhere: @p at_ms / @p now_ms is the time of the signal
 * or the rollup (replayable: --at, --now), @p wall_ms the real clock that
 * the store machinery (store clock, drop counters, caps) is given. Both are
 * read once by the public entry point (api/session.c), never here.
 */
#ifndef JA_ROLLUP_ROLLUP_H
#define JA_ROLLUP_ROLLUP_H

#include "boot.h"
#include "store/store.h"

/* A session is closed when idle for more than this (strictly). */
#define JA__ROLLUP_IDLE_MS INT64_C(300000)
#define JA__DAY_MS INT64_C(86400000)
/* The latest time taken (9999-12-31T23:59:59.999Z): day arithmetic on
 * later ones would overflow, and RFC 3339 has no later year. */
#define JA__ROLLUP_MAX_MS INT64_C(253402300799999)
/* Sessions closed (or days emitted) per transaction: every transaction of
 * a rollup stays short (1 024 sessions: ~25 ms of CPU on the development
 * machine, far under the 250 ms a capture waits for the lock), and a
 * killed rollup loses at most an uncommitted batch (redone by the next
 * run). Each commit also writes pages whatever its size (the header,
 * counters, the root pages, the pointer-map pages of auto_vacuum for the
 * regions it frees pages in): 1 024 instead of 256 took bench_rollup from
 * 0.445 to 0.271 pages written a session at 100 000 sessions (0.354 ->
 * 0.246 at 10 000), when signals were still kept in hash order. */
#define JA__ROLLUP_BATCH 1024
/* Open sessions read per transaction while looking for closable ones (a
 * primary-key range of ~ 40 pages): a store of many open sessions of
 * which few are due is scanned in short transactions too. */
#define JA__ROLLUP_SCAN 4096
/* Signals a rollup holds in memory at once (~ 1.4 MB), and reads in one
 * transaction: a run of closable sessions is read whole, then forgotten,
 * then its events queued; a run of more signals is closed in pieces, each
 * ending with a whole session, and a transaction ends once it has closed
 * this many. A session of more signals than this is closed in parts of
 * this many (in the order they were recorded), one per transaction, each
 * reported as a chat_session_ended of its own: whatever one session holds,
 * a transaction reads at most twice this many signals (a session read and
 * then left for the next one) and keeps at most this many. */
#define JA__ROLLUP_RUN_ROWS 16384
/* The longest latency a signal may carry (one day, in ms): a turn cannot
 * take longer, and a bound keeps every sum and percentile finite (1e306
 * ms was taken, and every later rollup failed on a non-finite number). */
#define JA__ROLLUP_LATENCY_MAX_MS 86400000.0
/* How far ahead of the clock of the process recording it a signal's own
 * time (--at, the at_ms argument) may be: a little, for two clocks a
 * moment apart; a signal from further ahead is refused (its session would
 * stay open, never idle, until that date). */
#define JA__ROLLUP_AHEAD_MS INT64_C(300000)
/* Session keys read per transaction while deleting those closed sessions
 * left behind (rollup_keys_sweep.sql): ~ 110 pages, a few ms. */
#define JA__ROLLUP_SWEEP 16384

typedef enum ja__sig_kind {
  JA__SIG_INFERENCE = 1,
  JA__SIG_TOOL = 2,
  JA__SIG_ERROR = 3,
  JA__SIG_END = 4
} ja__sig_kind;

/* One raw signal as the public API receives it. */
typedef struct ja__signal {
  ja__sig_kind kind;
  const char *session;       /* raw session id (only its hash is stored) */
  int64_t at_ms;             /* when it happened */
  int64_t tokens_in, tokens_out; /* inference only */
  double latency_ms;         /* inference only */
  const char *model;         /* inference: may be NULL or "" (none) */
  const char *engine;        /* inference: may be NULL or "" (none) */
  const char *tool;          /* tool only */
} ja__signal;

/* A signal as the writer buffers it: checked, its names hashed on the
 * caller's thread, nothing borrowed from the caller. */
typedef struct ja__sig_hashed {
  ja__sig_kind kind;
  int64_t at_ms;
  int64_t tokens_in, tokens_out; /* inference only */
  double latency_ms;         /* inference only */
  char session[17];          /* hash_id(session id) */
  char name[17];             /* hash of the model (inference; "" none) or tool */
  const char *engine;        /* inference: ENGINE value (static), or NULL */
  const char *tool;          /* tool: TOOL value or "custom_tool" (static) */
} ja__sig_hashed;

/* One stored signal, as a rollup reads it back. */
typedef struct ja__sig_row {
  ja__sig_kind kind;
  int64_t at_ms;
  int64_t tokens_in, tokens_out;
  double latency_ms;
  char name[17];             /* model hash (inference, "" = none) or tool hash */
  char engine[16];           /* ENGINE value, "" = none */
  int64_t seq;               /* its place in its session (1, 2 …) */
} ja__sig_row;

/* Who a rollup's events are queued as, and whether to say so. */
typedef struct ja__emitter {
  const char *distinct_id;   /* the anon_id, read once by the entry point */
  int debug;                 /* OPENJARVIS_LOG_LEVEL=DEBUG: one line per event */
  /* NULL, or the running counter of a rollup run's uuids (one wall clock
   * for the whole run: ja__uuid_v7_seq keeps them in queueing order). */
  uint32_t *uuid_seq;
} ja__emitter;

/* What a closed session reports (chat_session_ended's properties). */
typedef struct ja__session_stats {
  int64_t turns, tokens_in, tokens_out, tools, errors;
  int64_t unique_tools, unique_models;
  int64_t unique_engines;    /* 0, 1, or 2 for more than one */
  double p50, p95;
  int64_t first_ms, last_ms; /* activity span; last_ms -1: no activity */
  int64_t duration_ms;
  char model_hash[17];       /* the one model when unique_models == 1 */
  char engine[16];           /* the one engine when unique_engines == 1 */
  int64_t invalid;           /* stored signals out of bounds (a hand edit, an
                                older build): left out, counted invalid_value */
  int64_t not_finite;        /* stored latencies NaN or infinite: the same,
                                counted not_finite */
} ja__session_stats;

/* What became of one session closed in parts (it held more than
 * JA__ROLLUP_RUN_ROWS signals): each part with an inference is a
 * chat_session_ended of its own, which no consumer can tell from separate
 * sessions — so `rollup --verbose` and `--json` say so. */
typedef struct ja__rollup_split {
  int64_t parts;             /* parts closed, the last included */
  int64_t signals;           /* signals in them */
  int64_t events;            /* chat_session_ended queued (parts with an inference) */
} ja__rollup_split;

/* Sessions closed in parts a report describes one by one (the rest are
 * only counted: each needs more than 16 384 signals, so a run rarely sees
 * even one). */
#define JA__ROLLUP_SPLITS_KEPT 8

/* What one rollup did (tests, the CLI). */
typedef struct ja__rollup_report {
  int64_t sessions_closed;   /* sessions closed (with or without an event) */
  int64_t sessions_emitted;  /* chat_session_ended queued */
  int64_t days_emitted;      /* usage_daily_summary queued */
  int64_t parts;             /* parts of sessions over JA__ROLLUP_RUN_ROWS closed
                                before their last one */
  int64_t split_sessions;    /* sessions whose last part this run closed, and
                                whose first part it closed too … */
  ja__rollup_split splits[JA__ROLLUP_SPLITS_KEPT]; /* … the first of them */
  int splitting;             /* 1: a session is being closed in parts (one a
                                stop left half closed stays so) … */
  int64_t split_no;          /* … its number … */
  ja__rollup_split split;    /* … and its parts so far */
  int64_t transactions;      /* write transactions committed */
  int64_t most_held;         /* most signals held in memory at once */
  int stopped;               /* the stop said so before the work was done:
                                the next run continues */
} ja__rollup_report;

/* When a rollup stops early: asked before each batch (each batch is one
 * short transaction), so a deadline is overrun by one batch at most. It
 * is called outside any transaction, so it may also let other users of
 * the connection in (api/session.c gives the handle's lock away there). */
typedef struct ja__rollup_stop {
  int (*expired)(void *payload); /* 1: stop now */
  void *payload;
} ja__rollup_stop;

/* ------------------------------------------------------ rollup/stats.c */

/* Percentile @p p (0..1) of @p n sorted values by linear interpolation
 * between closest ranks, k = (n − 1)·p; 0 when n is 0. */
double ja__rollup_percentile(const double *sorted, size_t n, double p);
/* The chat_session_ended numbers of one session's signals (any order),
 * in time and memory linear in @p n. A signal out of the bounds a new one
 * is checked against (ja__rollup_signal_check) is left out and counted in
 * out->invalid / out->not_finite, so no stored value can make the numbers
 * non-finite. When @p firsts is not NULL (room for @p n), it gets the index
 * of each signal that is the first of its kind with its name (a tool or a
 * model, for the day's distinct counts), *nfirsts how many. JA_ENOMEM only. */
ja_status ja__rollup_stats(const ja__sig_row *rows, size_t n, ja__session_stats *out,
                           size_t *firsts, size_t *nfirsts);
/* 1 when stored signal @p r is within the bounds a new one is checked
 * against; else 0, with *not_finite = 1 for a NaN or infinite latency. */
int ja__rollup_row_valid(const ja__sig_row *r, int *not_finite);
/* @p a + @p b (both >= 0), INT64_MAX past it: token counts are any int64
 * >= 0, and their sums must not overflow. */
int64_t ja__rollup_sat_add(int64_t a, int64_t b);
/* @p engine as an ENGINE value: itself if in the enum, else "unknown". */
const char *ja__rollup_engine(const char *engine);
/* @p tool as a TOOL value: itself if in the enum, else "custom_tool". */
const char *ja__rollup_tool(const char *tool);

/* ---------------------------------------------------- rollup/signals.c */

/* Validate like capture's input: session non-empty valid UTF-8 without
 * control characters; tokens >= 0; latency finite, 0 to
 * JA__ROLLUP_LATENCY_MAX_MS (refused beyond, never clamped: the caller
 * measured something else); a model, engine or tool valid UTF-8; a tool
 * non-empty; 0 <= at_ms <= JA__ROLLUP_MAX_MS, and at most
 * JA__ROLLUP_AHEAD_MS ahead of @p wall_ms, the recording process's clock
 * (refused beyond). JA_EINVALID naming the problem, or JA_OK. Pure. */
ja_status ja__rollup_signal_check(const ja__signal *sig, int64_t wall_ms);
/* @p sig (checked) with its session id, model and tool hashed. Pure. */
void ja__rollup_signal_hash(const ja__signal *sig, ja__sig_hashed *out);
/* Inside a transaction: store @p h as a signal of its open session,
 * beginning one if none is open. */
ja_status ja__rollup_signal_put(ja__db *d, const ja__sig_hashed *h);
/* ja__rollup_signal_hash + ja__rollup_signal_put of a raw signal (tests
 * and bench_rollup seed many signals in one transaction with it). */
ja_status ja__rollup_signal_store(ja__db *d, const ja__signal *sig);
/* Inside a transaction (the writer's group): store @p h and, on the first
 * inference ever / the first use of a tool, queue first_chat_sent
 * (@p platform) / tool_first_used as @p e->distinct_id in the same
 * transaction, so each fires once per install. */
ja_status ja__rollup_record(ja__db *d, const ja__sig_hashed *h, const ja__emitter *e,
                            const char *platform, int64_t wall_ms);

/* ------------------------------------------------------- rollup/emit.c */

/* Inside a transaction: queue event @p name with @p props_json (an object)
 * at @p ts_ms through the same filter as capture (redaction, catalog;
 * drops counted), so a rollup can never queue what the catalog forbids. */
ja_status ja__rollup_enqueue(ja__db *d, const ja__emitter *e, const char *name,
                             const char *props_json, int64_t ts_ms, int64_t wall_ms);

/* ----------------------------------------------------- rollup/rollup.c */

/* Close every session due at @p now_ms and emit every day summary due,
 * in transactions of at most JA__ROLLUP_BATCH sessions or days and
 * JA__ROLLUP_RUN_ROWS signals. @p stop (may be NULL) is asked before each
 * transaction: when it says so the run returns JA_OK with r->stopped = 1,
 * everything it committed kept, and the next run continues (days are
 * summarised only by a run that closed every due session first). @p r may
 * be NULL. */
ja_status ja__rollup_run(ja__db *d, const ja__emitter *e, int64_t now_ms, int64_t wall_ms,
                         const ja__rollup_stop *stop, ja__rollup_report *r);

#endif
