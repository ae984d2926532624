/*
 * store/report.h — the report model: one typed struct that every front end
 * renders (text `status`, `status --json` and ja_report_json, the HTML of
 * `view`). The store fills what the queue holds (store/report.c), the API
 * what the handle knows (api/report.c); renderers read only this struct,
 * never another renderer's output.
 */
#ifndef JA_STORE_REPORT_H
#define JA_STORE_REPORT_H

#include "boot.h"
#include "home/config.h"
#include "store/store.h"

/* What to collect beyond the summary (ja__report_collect's @p what). */
enum {
  /* The per-day series, drops by day and the open sessions (`view`).
   * These read whole tables (the queue, the sent log), where the summary
   * reads only counters and index ends. */
  JA__REPORT_HISTORY = 1u << 0
};

/* The newest store_events rows in a report. */
#define JA__REPORT_STORE_EVENTS 5
/* At most this many days in the history (the newest). */
#define JA__REPORT_DAYS 120
/* At most this many open sessions listed (the latest activity first). */
#define JA__REPORT_SESSIONS 100

/* One drop counter. */
typedef struct ja__report_drop {
  char *reason;        /* "pii", …; a reason from a newer version as stored */
  int64_t count;       /* drops so far (since the last `purge --all`); busy
                          drops noted but not folded yet are included */
  int64_t last_ms;     /* the most recent one, ms since the epoch UTC (0: none) */
} ja__report_drop;

/* One thing the store did to itself (the store_log view). */
typedef struct ja__report_store_event {
  char *at;            /* "2026-03-01T10:00:00Z", as the store formats it */
  char *kind;          /* "corrupt_moved" */
  char *detail;        /* for people: what and why (any text: a hand-edited
                          row can hold markup) */
} ja__report_store_event;

/* The rollup's state (sql/migrations/005, 011): what is not closed yet. */
typedef struct ja__report_rollup {
  int64_t open_sessions;   /* chat sessions with signals not rolled up yet */
  int64_t oldest_open_ms;  /* the earliest first activity among them (0: none) */
  int64_t latest_open_ms;  /* the latest last activity among them (0: none) */
  int64_t days_waiting;    /* days with closed sessions whose usage_daily_summary
                              is not emitted yet */
  int64_t days_done;       /* days whose usage_daily_summary was emitted */
} ja__report_rollup;

/* One UTC day of the history (JA__REPORT_HISTORY). */
typedef struct ja__report_day {
  int64_t day;             /* days since 1970-01-01 (UTC) */
  int64_t pending;         /* queued events whose timestamp falls on this day */
  int64_t sent;            /* events the sent log says were sent on this day */
  int64_t sessions;        /* chat_session_ended events (queued or sent) whose
                              timestamp (the session's last activity) falls on
                              this day: one per closed chat session */
  int64_t turns;           /* their turn_count, summed */
  int64_t tokens;          /* their tokens_in + tokens_out, summed */
  double latency_p50;      /* the median of their latency_ms_p50 (-1: none) */
  double latency_p95;      /* the median of their latency_ms_p95 (-1: none) */
} ja__report_day;

/* Drops of one reason on one UTC day (JA__REPORT_HISTORY). */
typedef struct ja__report_drop_day {
  int64_t day;             /* days since 1970-01-01 (UTC) */
  char *reason;            /* as in ja__report_drop */
  int64_t count;           /* drops of that reason counted that day */
} ja__report_drop_day;

/* One open chat session (JA__REPORT_HISTORY). */
typedef struct ja__report_session {
  char *session;           /* hash_id of the session id, as stored */
  int64_t first_ms;        /* first activity (0: none yet) */
  int64_t last_ms;         /* last activity (0: none yet) */
  int64_t ended_ms;        /* explicit end (0: none) */
  int64_t signals;         /* signals recorded (turns, tools, errors, end) */
  int64_t turns;           /* of them, turns (inferences) */
} ja__report_session;

/* The whole report. Strings marked "borrowed" point into the store handle
 * and live as long as it; everything else is owned (ja__report_free). */
typedef struct ja__report {
  /* ---- when (api/report.c) */
  int64_t now_ms;              /* the clock when it was collected */
  /* ---- from the handle: configuration and identity (api/report.c) */
  const char *version;         /* this build's version */
  const char *mode;            /* "on", "local", "off" or "paused" */
  int enabled;                 /* capture stores (on or local) */
  const char *off_reason;      /* why off or paused ("" when on or local); borrowed */
  const char *home;            /* the home directory; borrowed */
  const char *config;          /* config.toml's path; borrowed */
  const char *database;        /* the queue's path; borrowed */
  const char *anon_id_path;    /* where the anon id lives; borrowed */
  const char *warnings[JA__CONFIG_WARNINGS]; /* config.toml warnings (key
                                  and table names, never values); borrowed */
  int nwarnings_kept;          /* warnings held in @p warnings */
  int nwarnings;               /* warnings found (may exceed nwarnings_kept) */
  int has_anon_id;             /* an anon id exists … */
  char anon_id[37];            /* … and this is it */
  char host[512];              /* the upload host, without user info */
  int key_set;                 /* a project key is set (never the key) */
  int64_t flush_at_size;       /* [analytics] flush_at_size */
  int64_t flush_interval_seconds; /* [analytics] flush_interval_seconds */
  /* ---- from the queue (store/report.c); zeros when it does not exist */
  int queue_exists;            /* the queue file exists */
  int64_t pending;             /* events queued */
  int64_t leased;              /* of them, inside an upload lease not expired */
  int64_t leased_until_ms;     /* until when the last of those leases runs (0: none) */
  int64_t oldest_ms;           /* the oldest queued event's time (0: none) */
  int64_t newest_ms;           /* the newest queued event's time (0: none) */
  int64_t sent_count;          /* rows in the sent log (the last 30 days) */
  char *sent_last;             /* when the newest was sent, "…T…Z" (NULL: none) */
  ja__upload_state upload;     /* the uploader's persisted state */
  ja__report_drop *drops;      /* every known reason (in ja__drop order, 0 when
                                  it never happened), then those from newer
                                  versions found in the store */
  size_t ndrops;
  ja__report_store_event store_events[JA__REPORT_STORE_EVENTS]; /* newest first */
  size_t nstore_events;
  ja__report_rollup rollup;    /* open sessions and days */
  /* ---- history (JA__REPORT_HISTORY only; store/report.c) */
  int has_history;             /* the fields below were collected */
  ja__report_day *days;        /* days with anything to show, oldest first
                                  (the newest JA__REPORT_DAYS) */
  size_t ndays;
  int64_t days_left_out;       /* older days with data not in @p days */
  int drop_days_kept;          /* the store counts drops by day (schema 13
                                  on); 0: only totals and the last time exist */
  ja__report_drop_day *drop_days; /* by day (oldest first), then reason */
  size_t ndrop_days;
  ja__report_session *sessions; /* open sessions, the latest activity first
                                  (at most JA__REPORT_SESSIONS of
                                  rollup.open_sessions) */
  size_t nsessions;
} ja__report;

/* Start @p r: zeroed, made at @p now_ms, with every known drop reason at
 * 0 (in ja__drop order), so that a reader finds each one whether or not it
 * ever happened. ja__report_free() it, whatever this returns. */
ja_status ja__report_init(ja__report *r, int64_t now_ms);
/* Fill the queue's part of @p r (from queue_exists on, above) from the
 * open database @p d, in one read snapshot, as of r->now_ms; the history
 * too when @p what has JA__REPORT_HISTORY. The summary's reads of the
 * queue and the sent log are O(1) in their size (counters kept by
 * triggers, min/max by index, one row per drop reason: tests/test_store_status.c
 * checks their plans); the rollup's counts read the open sessions; the
 * history reads everything. On failure @p r may hold part of the data. */
ja_status ja__store_report(ja__db *d, unsigned what, ja__report *r);
/* Free what @p r owns; leaves it zeroed. */
void ja__report_free(ja__report *r);

#endif
