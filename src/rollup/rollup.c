/*
 * rollup/rollup.c — one rollup run (docs/design.md, rollups): close the sessions that
 * ended or went idle, queue their chat_session_ended, count them into
 * their day, then queue the usage_daily_summary of every day that is
 * over; in between, forget the keys of the sessions it closed
 * (011_rollup_arrival_order.sql). Each batch of sessions (or days) is
 * closed, queued and forgotten in ONE transaction, and what a batch
 * closes is chosen inside it: two rollups racing, or one killed and run
 * again, never lose or double an event.
 *
 * Sections: reading a session · closing sessions (and sweeping their keys) ·
 * emitting days · the run
 */
#include "boot.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rollup/rollup.h"
#include "sql_embed.h"
#include "util/uuid.h"

/* ---------------------------------------------------- reading a session */

/* The signals of a run of sessions (no[i]: the session number of v[i]),
 * at most JA__ROLLUP_RUN_ROWS, reused across runs; firsts is stats.c's
 * room for the first use of each name in one session. */
typedef struct sigbuf {
  ja__sig_row *v;
  int64_t *no;
  size_t *firsts;
  size_t n, cap;
} sigbuf;

static void
copy_text(sqlite3_stmt *s, int col, char *out, size_t n)
{
  const unsigned char *t = sqlite3_column_text(s, col);
  snprintf(out, n, "%s", t ? (const char *)t : "");
}

/* Append the signal in the current row of @p s (rollup_run_signals.sql)
 * to @p b (which has room: b->n < JA__ROLLUP_RUN_ROWS). */
static ja_status
sigbuf_push(sigbuf *b, sqlite3_stmt *s)
{
  if (b->n == b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 64;
    if (cap > JA__ROLLUP_RUN_ROWS)
      cap = JA__ROLLUP_RUN_ROWS;
    ja__sig_row *v = realloc(b->v, cap * sizeof *v);
    if (v)
      b->v = v;
    int64_t *no = v ? realloc(b->no, cap * sizeof *no) : NULL;
    if (no)
      b->no = no;
    size_t *firsts = no ? realloc(b->firsts, cap * sizeof *firsts) : NULL;
    if (!firsts)
      return ja__error_set(JA_ENOMEM, "out of memory reading a session's signals");
    b->firsts = firsts, b->cap = cap;
  }
  b->no[b->n] = sqlite3_column_int64(s, 0);
  ja__sig_row *r = &b->v[b->n++];
  r->kind = (ja__sig_kind)sqlite3_column_int(s, 1);
  r->at_ms = sqlite3_column_int64(s, 2);
  r->tokens_in = sqlite3_column_int64(s, 3);
  r->tokens_out = sqlite3_column_int64(s, 4);
  /* An inference without a latency (only a hand edit makes one) is out of
   * bounds, not a 0 ms turn. */
  r->latency_ms = sqlite3_column_type(s, 5) == SQLITE_NULL && r->kind == JA__SIG_INFERENCE
                      ? -1.0
                      : sqlite3_column_double(s, 5);
  copy_text(s, 6, r->name, sizeof r->name);
  copy_text(s, 7, r->engine, sizeof r->engine);
  r->seq = sqlite3_column_int64(s, 8);
  return JA_OK;
}

/* ---------------------------------------------------- closing sessions */

/* A latency percentile for JSON: rounded to the microsecond, so that the
 * interpolation's last-bit noise (289.99999999999997) reads as 290. A
 * value too large to round (never: latencies are bounded) stays as it is,
 * finite. */
static double
ms3(double v)
{
  double r = round(v * 1000.0) / 1000.0;
  return isfinite(r) ? r : v;
}

/* chat_session_ended's properties (numbers, hashes and ENGINE values only:
 * nothing here needs escaping). */
static void
session_props(const ja__session_stats *x, char *out, size_t n)
{
  int k = snprintf(out, n,
                   "{\"turn_count\":%lld,\"tokens_in\":%lld,\"tokens_out\":%lld,"
                   "\"latency_ms_p50\":%.15g,\"latency_ms_p95\":%.15g,\"tool_count\":%lld,"
                   "\"unique_tools\":%lld,\"unique_models\":%lld,\"error_count\":%lld,"
                   "\"duration_ms\":%lld",
                   (long long)x->turns, (long long)x->tokens_in, (long long)x->tokens_out,
                   isfinite(x->p50) ? ms3(x->p50) : 0.0, isfinite(x->p95) ? ms3(x->p95) : 0.0,
                   (long long)x->tools, (long long)x->unique_tools, (long long)x->unique_models,
                   (long long)x->errors, (long long)x->duration_ms);
  if (x->model_hash[0])
    k += snprintf(out + k, n - (size_t)k, ",\"model_hash\":\"%s\"", x->model_hash);
  if (x->engine[0])
    k += snprintf(out + k, n - (size_t)k, ",\"engine\":\"%s\"", x->engine);
  snprintf(out + k, n - (size_t)k, "}");
}

/* Count a closed session into its day, unless that day's summary has
 * already gone (a session closed late: its own event still goes). Its
 * tools and models are the @p nf signals @p firsts[] of @p v: each name
 * once. */
static ja_status
count_into_day(ja__db *d, const ja__session_stats *x, const ja__sig_row *v, const size_t *firsts,
               size_t nf)
{
  int64_t day = x->last_ms / JA__DAY_MS;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_DAY_DONE_GET, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, day);
  int rc = sqlite3_step(s);
  int done = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return ja__store_error(d, rc, "cannot read rollup days in");
  if (done)
    return JA_OK;
  if ((st = ja__store_stmt(d, JA__Q_DAY_ADD, &s)) != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, day);
  sqlite3_bind_int64(s, 2, ja__rollup_sat_add(x->tokens_in, x->tokens_out));
  sqlite3_bind_int64(s, 3, x->turns);
  sqlite3_bind_int64(s, 4, x->errors);
  sqlite3_bind_int64(s, 5, x->duration_ms);
  if ((st = ja__store_step_done(d, s, "cannot count a session into its day in")) != JA_OK)
    return st;
  for (size_t i = 0; i < nf && st == JA_OK; i++) {
    const ja__sig_row *r = &v[firsts[i]];
    if ((st = ja__store_stmt(d, JA__Q_DAY_NAME_ADD, &s)) != JA_OK)
      break;
    sqlite3_bind_int64(s, 1, day);
    sqlite3_bind_int(s, 2, r->kind == JA__SIG_INFERENCE ? 1 : 2);
    sqlite3_bind_text(s, 3, r->name, -1, SQLITE_STATIC);
    st = ja__store_step_done(d, s, "cannot count a day's tools and models in");
  }
  return st;
}

/* Inside a transaction: the session (or part of one) whose signals are
 * the @p n rows @p v is closed — queue its event (if it had an
 * inference), count it into its day, and count what was left out as out
 * of bounds. */
static ja_status
close_one(ja__db *d, const ja__emitter *e, int64_t wall, const ja__sig_row *v, size_t n,
          size_t *firsts, ja__rollup_report *r)
{
  ja__session_stats x;
  size_t nf = 0;
  ja_status st = ja__rollup_stats(v, n, &x, firsts, &nf);
  if (st == JA_OK && x.invalid)
    st = ja__store_count_drops(d, JA__DROP_INVALID_VALUE, x.invalid, wall);
  if (st == JA_OK && x.not_finite)
    st = ja__store_count_drops(d, JA__DROP_NOT_FINITE, x.not_finite, wall);
  if (st == JA_OK && x.turns > 0) {
    char props[512];
    session_props(&x, props, sizeof props);
    /* Timestamped at the last activity: PostHog places it in the session. */
    if ((st = ja__rollup_enqueue(d, e, "chat_session_ended", props, x.last_ms,
                                 wall)) == JA_OK &&
        (st = count_into_day(d, &x, v, firsts, nf)) == JA_OK)
      r->sessions_emitted++;
  }
  return st;
}

/* How much of a run read_run read. */
typedef struct run_read {
  int whole;       /* the run's first sessions read whole (>= 0) */
  int part;        /* 1: b holds the first signals of session ids[whole] only
                      (it alone holds more than the budget) */
  int full;        /* 1: the budget stopped the read before the run's end */
} run_read;

/* Read into @p b the signals of the first sessions of the run @p ids[0..m)
 * (ascending; no session stays open between them), session by session in
 * one range scan, holding at most @p budget signals: it stops at the end
 * of the session where b reaches the budget, and a session that would take
 * b past it is left out (b->n <= budget always) — unless @p may_part and
 * that session comes first: then b holds its first @p budget signals
 * (in the order recorded), a part of it. Signals numbered inside the run
 * that belong to none of @p ids (no open session: only a hand edit makes
 * them) are skipped. */
static ja_status
read_run(ja__db *d, const int64_t *ids, int m, size_t budget, int may_part, sigbuf *b,
         run_read *got)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_RUN_SIGNALS, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, ids[0]);
  sqlite3_bind_int64(s, 2, ids[m - 1]);
  int j = 0, keep = 0, rc;
  int64_t cur = -1;
  size_t start = 0; /* where the current session's signals begin in b */
  b->n = 0;
  *got = (run_read){m, 0, 0};
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t no = sqlite3_column_int64(s, 0);
    if (no != cur) { /* the previous session's signals are all read */
      while (j < m && ids[j] < no)
        j++;
      if (b->n >= budget) {
        *got = (run_read){j, 0, 1}; /* the sessions numbered below @p no */
        break;
      }
      cur = no;
      keep = j < m && ids[j] == no;
      start = b->n;
    }
    if (!keep)
      continue;
    if (b->n >= budget) { /* this session does not fit */
      if (may_part && start == 0) {
        *got = (run_read){j, 1, 1};
      } else {
        b->n = start; /* left for a transaction that begins with it */
        *got = (run_read){j, 0, 1};
      }
      break;
    }
    if ((st = sigbuf_push(b, s)) != JA_OK)
      break;
  }
  sqlite3_reset(s);
  if (st == JA_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    st = ja__store_error(d, rc, "cannot read session signals in");
  return st;
}

/* Keep count of the parts of session @p no (a part of it when @p part,
 * else its last part or the whole of it): @p signals of it were closed,
 * queueing @p events. A session's parts are closed one after the other
 * (each transaction begins with the rest of it), so one is followed at a
 * time. */
static void
note_split(ja__rollup_report *r, int64_t no, int64_t signals, int64_t events, int part)
{
  if (part && !(r->splitting && r->split_no == no)) {
    r->splitting = 1;
    r->split_no = no;
    r->split = (ja__rollup_split){0, 0, 0};
  }
  if (!r->splitting || r->split_no != no)
    return; /* a session closed whole */
  r->split.parts++;
  r->split.signals += signals;
  r->split.events += events;
  if (part)
    return;
  if (r->split_sessions < JA__ROLLUP_SPLITS_KEPT)
    r->splits[r->split_sessions] = r->split;
  r->split_sessions++;
  r->splitting = 0;
}

/* Inside a transaction: close the whole sessions ids[0..got->whole) read
 * into @p b, or the part of session ids[got->whole] it holds. Their
 * signals were read first, then are forgotten with the sessions by range
 * (a seek per run, not three per session), and only then are their
 * events queued: the pages the delete emptied, already rewritten in this
 * transaction, take the new events (queued before the delete, they went
 * to pages freed by earlier commits, and each commit wrote ~ 45 % more
 * pages). A part forgets its signals only; its session stays open. */
static ja_status
close_read(ja__db *d, const ja__emitter *e, int64_t wall, sigbuf *b, const int64_t *ids,
           const run_read *got, ja__rollup_report *r)
{
  ja_status st = JA_OK;
  if (got->part) {
    const int64_t part[2] = {ids[got->whole], b->v[b->n - 1].seq};
    if ((st = ja__store_run_ints(d, JA__Q_PART_FORGET, part, 2,
                                  "cannot forget a part of a session's signals in")) != JA_OK)
      return st;
    r->parts++;
  }
  if (got->whole > 0) { /* before a part: sessions without signals (a hand edit) */
    const int64_t run[2] = {ids[0], ids[got->whole - 1]};
    if ((st = ja__store_run_ints(d, JA__Q_RUN_FORGET, run, 2,
                                  "cannot forget session signals in")) != JA_OK ||
        (st = ja__store_run_ints(d, JA__Q_RUN_DROP, run, 2, "cannot close a session in")) != JA_OK)
      return st;
    r->sessions_closed += got->whole;
  }
  if ((int64_t)b->n > r->most_held)
    r->most_held = (int64_t)b->n;
  for (size_t i = 0, k; i < b->n && st == JA_OK; i += k) {
    for (k = 1; i + k < b->n && b->no[i + k] == b->no[i]; k++)
      ;
    int64_t emitted = r->sessions_emitted;
    if ((st = close_one(d, e, wall, b->v + i, k, b->firsts, r)) == JA_OK)
      note_split(r, b->no[i], (int64_t)k, r->sessions_emitted - emitted, got->part);
  }
  return st;
}

/* Append to @p ids (up to JA__ROLLUP_BATCH) the sessions closable at
 * @p now among at most JA__ROLLUP_SCAN open sessions numbered after
 * *cursor (moved to the last one read), in order; cut[i] = 1 where a
 * session that stays open lies between ids[i - 1] and ids[i] (a run of
 * closable sessions starts there). *more = 1 when the scan stopped before
 * the end of the open sessions. */
static ja_status
collect(ja__db *d, int64_t now, int64_t *cursor, int64_t *ids, unsigned char *cut, int *n,
        int *more)
{
  *more = 0;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_SESSIONS_AFTER, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, now);
  sqlite3_bind_int64(s, 2, *cursor);
  sqlite3_bind_int(s, 3, JA__ROLLUP_SCAN);
  sqlite3_bind_int64(s, 4, JA__ROLLUP_IDLE_MS);
  int rc = SQLITE_DONE, read = 0, gap = 1;
  while (*n < JA__ROLLUP_BATCH && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    *cursor = sqlite3_column_int64(s, 0);
    read++;
    if (sqlite3_column_int(s, 1)) {
      cut[*n] = (unsigned char)gap;
      ids[(*n)++] = *cursor;
      gap = 0;
    } else {
      gap = 1;
    }
  }
  sqlite3_reset(s);
  if (*n == JA__ROLLUP_BATCH) /* stopped on a full batch: rows may follow */
    rc = SQLITE_DONE, *more = 1;
  else if (rc == SQLITE_DONE)
    *more = read == JA__ROLLUP_SCAN;
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, "cannot find sessions to close in");
}

/* One transaction: close up to JA__ROLLUP_BATCH due sessions after
 * @p cursor, holding and closing at most JA__ROLLUP_RUN_ROWS signals (a
 * session too large for that alone: one part of it); *more = 1 when there
 * may be more. Where it stops early, the cursor goes back to just before
 * the first session it left open, so the next transaction begins there. */
static ja_status
close_batch(ja__db *d, const ja__emitter *e, int64_t now, int64_t wall, sigbuf *b,
            int64_t *cursor, ja__rollup_report *r, int *more)
{
  *more = 0;
  ja_status st = ja__store_begin(d, wall);
  if (st != JA_OK)
    return st;
  int64_t *ids = malloc(JA__ROLLUP_BATCH * sizeof *ids);
  unsigned char *cut = malloc(JA__ROLLUP_BATCH);
  int n = 0, left = 0;
  size_t used = 0;
  if (!ids || !cut)
    st = ja__error_set(JA_ENOMEM, "out of memory rolling up sessions");
  if (st == JA_OK)
    st = collect(d, now, cursor, ids, cut, &n, &left);
  for (int i = 0, m; i < n && st == JA_OK; i += m) {
    for (m = 1; i + m < n && !cut[i + m]; m++)
      ;
    run_read got;
    if ((st = read_run(d, ids + i, m, JA__ROLLUP_RUN_ROWS - used, used == 0, b, &got)) != JA_OK ||
        (st = close_read(d, e, wall, b, ids + i, &got, r)) != JA_OK)
      break;
    used += b->n;
    if (got.full || used >= JA__ROLLUP_RUN_ROWS) {
      /* The budget is spent: the rest waits for the next transaction. */
      int next = i + (got.part || got.whole < m ? got.whole : m);
      if (next < n)
        *cursor = ids[next] - 1, left = 1;
      break;
    }
  }
  if (st == JA_OK && n > 0)
    st = ja__store_apply_caps(d, wall);
  free(ids);
  free(cut);
  *more = st == JA_OK && left;
  if ((st = ja__store_end(d, st)) == JA_OK)
    r->transactions++;
  return st;
}

/* One transaction: delete the keys closed sessions left behind among the
 * next JA__ROLLUP_SWEEP after hash @p cursor (moved to the slice's end);
 * *more = 1 when keys follow. */
static ja_status
sweep_keys(ja__db *d, int64_t wall, char cursor[17], ja__rollup_report *r, int *more)
{
  *more = 0;
  ja_status st = ja__store_begin(d, wall);
  if (st != JA_OK)
    return st;
  char end[17] = "";
  sqlite3_stmt *s;
  if ((st = ja__store_stmt(d, JA__Q_KEYS_SLICE_END, &s)) == JA_OK) {
    sqlite3_bind_text(s, 1, cursor, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, JA__ROLLUP_SWEEP);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
      copy_text(s, 0, end, sizeof end), *more = 1;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      st = ja__store_error(d, rc, "cannot read session keys in");
  }
  if (st == JA_OK && (st = ja__store_stmt(d, JA__Q_KEYS_SWEEP, &s)) == JA_OK) {
    sqlite3_bind_text(s, 1, cursor, -1, SQLITE_STATIC);
    if (*more)
      sqlite3_bind_text(s, 2, end, -1, SQLITE_STATIC);
    else
      sqlite3_bind_zeroblob(s, 2, 0); /* after every key */
    st = ja__store_step_done(d, s, "cannot forget closed sessions' keys in");
  }
  if (st == JA_OK)
    memcpy(cursor, end, sizeof end);
  else
    *more = 0;
  if ((st = ja__store_end(d, st)) == JA_OK)
    r->transactions++;
  return st;
}

/* ------------------------------------------------------- emitting days */

/* One transaction: queue up to JA__ROLLUP_BATCH due day summaries and
 * forget what they needed. */
static ja_status
emit_days(ja__db *d, const ja__emitter *e, int64_t now, int64_t wall, ja__rollup_report *r,
          int *more)
{
  *more = 0;
  ja_status st = ja__store_begin(d, wall);
  if (st != JA_OK)
    return st;
  int64_t (*v)[8] = malloc(JA__ROLLUP_BATCH * sizeof *v);
  int n = 0;
  sqlite3_stmt *s = NULL;
  if (!v)
    st = ja__error_set(JA_ENOMEM, "out of memory rolling up days");
  else
    st = ja__store_stmt(d, JA__Q_DAYS_DUE, &s);
  if (st == JA_OK) {
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, JA__ROLLUP_IDLE_MS);
    sqlite3_bind_int(s, 3, JA__ROLLUP_BATCH);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < JA__ROLLUP_BATCH) {
      for (int c = 0; c < 8; c++)
        v[n][c] = sqlite3_column_int64(s, c);
      n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      st = ja__store_error(d, rc, "cannot find days to summarise in");
  }
  for (int i = 0; i < n && st == JA_OK; i++) {
    char props[384];
    snprintf(props, sizeof props,
             "{\"sessions\":%lld,\"total_tokens\":%lld,\"total_inferences\":%lld,"
             "\"total_errors\":%lld,\"total_duration_ms\":%lld,\"unique_tools\":%lld,"
             "\"unique_models\":%lld}",
             (long long)v[i][1], (long long)v[i][2], (long long)v[i][3], (long long)v[i][4],
             (long long)v[i][5], (long long)v[i][6], (long long)v[i][7]);
    int64_t day = v[i][0];
    /* Timestamped at the last millisecond of its day, so PostHog puts it
     * in that day. */
    if ((st = ja__rollup_enqueue(d, e, "usage_daily_summary", props,
                                 (day + 1) * JA__DAY_MS - 1, wall)) == JA_OK &&
        (st = ja__store_run_ints(d, JA__Q_DAY_EMITTED, &day, 1,
                                 "cannot remember a summarised day in")) == JA_OK &&
        (st = ja__store_run_ints(d, JA__Q_DAY_FORGET, &day, 1,
                                 "cannot forget a summarised day in")) == JA_OK &&
        (st = ja__store_run_ints(d, JA__Q_DAY_NAMES_FORGET, &day, 1,
                                 "cannot forget a day's names in")) == JA_OK)
      r->days_emitted++;
  }
  if (st == JA_OK && n > 0)
    st = ja__store_apply_caps(d, wall);
  free(v);
  *more = st == JA_OK && n == JA__ROLLUP_BATCH;
  if ((st = ja__store_end(d, st)) == JA_OK)
    r->transactions++;
  return st;
}

/* -------------------------------------------------------------- the run */

/* The connection's temp_store (temp_store_get.sql), or -1 on error. */
static int
temp_store(ja__db *d)
{
  sqlite3_stmt *s = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(d->db, ja__sql_temp_store_get, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* Between two transactions of a run: let a writer waiting for the lock
 * in. SQLite's lock is not fair: a capture polls for it every millisecond
 * or so (store/db.c's busy handler), and a rollup that began its next
 * transaction the moment it committed the last one would win every time,
 * so short transactions alone kept a capture waiting for the whole run (a
 * 60 000-tool session: dropped as busy however short each part). Two
 * poll intervals, then the next transaction (a run of 1 000 transactions:
 * 2 s more of wall time, no CPU). */
static void
let_writers_in(void)
{
  struct timespec ts = {0, 2000000};
  nanosleep(&ts, NULL); /* EINTR: a shorter pause, harmless */
}

/* 1 when @p stop says the run must end now (between two transactions);
 * else, after the run's first transaction, the pause above. */
static int
must_stop(const ja__rollup_stop *stop, ja__rollup_report *r)
{
  if (stop && stop->expired && stop->expired(stop->payload))
    r->stopped = 1;
  else if (r->transactions > 0)
    let_writers_in();
  return r->stopped;
}

ja_status
ja__rollup_run(ja__db *d, const ja__emitter *e, int64_t now, int64_t wall,
               const ja__rollup_stop *stop, ja__rollup_report *r)
{
  JA_ASSERT(d->db != NULL);
  ja__rollup_report local = {0};
  if (!r)
    r = &local;
  memset(r, 0, sizeof *r);
  sigbuf b = {0};
  ja_status st = JA_OK;
  /* Statement journals in memory for the run (temp_store_memory.sql says
   * why); a connection that chose otherwise (the uploader's: memory
   * already) is left as it is. */
  int restore = 0;
  if (temp_store(d) == 0) {
    if ((st = ja__store_exec(d, ja__sql_temp_store_memory,
                             "cannot keep statement journals in memory for")) != JA_OK)
      return st;
    restore = 1;
  }
  uint32_t seq = ja__uuid_seq_start();
  ja__emitter run = *e;
  run.uuid_seq = &seq;
  e = &run;
  /* Sessions first: a day is summarised only after every session active
   * in it could be closed (its summary waits end of day + the idle time). */
  int64_t cursor = INT64_MIN; /* before every number, a hand-made one too */
  int more = 1;
  while (st == JA_OK && more && !must_stop(stop, r))
    st = close_batch(d, e, now, wall, &b, &cursor, r, &more);
  /* Then the keys of what was closed (or closed by a run killed before its
   * sweep), in hash order: each slice's pages are read and rewritten once.
   * A run stopped early leaves them to the next one, like a killed run. */
  char key[17] = "";
  more = 1;
  while (st == JA_OK && more && !must_stop(stop, r))
    st = sweep_keys(d, wall, key, r, &more);
  /* Days last, and only by a run that closed every due session first. */
  more = 1;
  while (st == JA_OK && more && !must_stop(stop, r))
    st = emit_days(d, e, now, wall, r, &more);
  free(b.v);
  free(b.no);
  free(b.firsts);
  if (restore) {
    ja_status st2 = ja__store_exec(d, ja__sql_temp_store_default,
                                   "cannot restore temp_store of");
    if (st == JA_OK)
      st = st2;
  }
  return st;
}
