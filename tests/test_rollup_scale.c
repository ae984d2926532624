/*
 * test_rollup_scale.c — what keeps a rollup linear in the number of
 * sessions, asserted on counts, never on time:
 * the pages a rollup writes per closed session do not grow with the
 * store, a run's event ids are in queueing order (uuid index appended to,
 * not written all over), and the bounded scan of open sessions still
 * finds every due one behind thousands that are not due.
 * The worked example and the rollup rules are in test_rollup.c. Stores
 * are opened with JA_OPEN_SYNC: a signal is committed when its call
 * returns, so the seeding may use the handle's connection right after.
 */
#include "support.h"
#include "api/api.h"
#include "cli/cli.h"
#include "upload/upload.h"
#include "rollup/rollup.h"
#include "sql_embed.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/uuid.h"

#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* 00:00Z two days ago: every replayed time is sane for the store clock. */
static int64_t
recent_day(void)
{
  return (ja__now_ms() / JA__DAY_MS - 2) * JA__DAY_MS;
}

/* Seed sessions "<prefix>-<i>", i < @p n, into the open store @p s in one
 * transaction, with the library's own ja__rollup_signal_store (one
 * durable call per signal would take minutes): 3 inferences and a tool,
 * every session's last activity at @p last — or, with @p spread, at one
 * of the 1 800 seconds before it, in no relation to the order a rollup
 * visits them (so its chat_session_ended are back-dated in no order, as in
 * real use and bench_rollup) — then an end 1 s to 1 h after it (by
 * session) unless @p ended is 0. */
static void
seed_spread(ja_store *s, const char *prefix, int n, int64_t last, int ended, int spread)
{
  assert_int_equal(ja__store_begin(&s->db, ja__now_ms()), JA_OK);
  ja_status st = JA_OK;
  for (int i = 0; i < n && st == JA_OK; i++) {
    char id[64];
    snprintf(id, sizeof id, "%s-%d", prefix, i);
    int64_t mine = spread ? last - (int64_t)((i * 7919) % 1800) * 1000 : last;
    for (int k = 0; k < 5 && st == JA_OK; k++) {
      ja__signal sig = {.kind = k == 4 ? JA__SIG_END : k == 1 ? JA__SIG_TOOL : JA__SIG_INFERENCE,
                        .session = id, .at_ms = mine + (k - 3) * 1000}; /* k = 3: the last */
      if (sig.kind == JA__SIG_END) /* ends spread over an hour after it */
        sig.at_ms = mine + 1000 + (int64_t)(i % 3600) * 1000;
      if (sig.kind == JA__SIG_END && !ended)
        continue;
      if (sig.kind == JA__SIG_INFERENCE) {
        sig.tokens_in = 10 + k, sig.tokens_out = 20 + k, sig.latency_ms = 100.0 * (k + 1);
        sig.model = "llama3.1:8b", sig.engine = "ollama";
      } else if (sig.kind == JA__SIG_TOOL) {
        sig.tool = "search_web";
      }
      st = ja__rollup_signal_store(&s->db, &sig);
    }
  }
  assert_int_equal(ja__store_end(&s->db, st), JA_OK);
}

static void
seed(ja_store *s, const char *prefix, int n, int64_t last, int ended)
{
  seed_spread(s, prefix, n, last, ended, 0);
}

/* Roll up @p n ended sessions in a fresh store; the pages the rollup
 * wrote to the WAL (every commit's dirty pages), per closed session. */
static double
pages_per_session_at(int n, int spread)
{
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day();
  /* A first signal through the API: the queue, the anon id and the first
   * uses exist before the seeding (the rollup then queues only sessions). */
  assert_int_equal(ja_session_inference(s, "warm-up", 1, 1, 1, "llama3.1:8b", "ollama",
                                        day + 3600000), JA_OK);
  seed_spread(s, "scale", n, day + 7200000, 1, spread);
  int cur = 0, hi = 0;
  sqlite3_db_status(s->db.db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 1); /* reset */
  int64_t queued = 0;
  assert_int_equal(ja_rollup(s, day + 7200000 + 2 * 3600000, &queued), JA_OK);
  assert_int_equal(queued, n + 1); /* every session and the warm-up one */
  assert_int_equal(sqlite3_db_status(s->db.db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 0),
                   SQLITE_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), 0);
  /* Every key swept (16 385 of them at 16 384 sessions: two slices). */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session_key"), 0);
  /* The run's statement journals were in memory; the connection is back
   * to its default (temp_store_memory.sql). */
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(s->db.db, "pragma temp_store", -1, &q, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(q, 0), 0);
  sqlite3_finalize(q);
  ja_store_close(s);
  print_message("rollup of %d sessions: %d pages written, %.3f a session\n", n, cur,
                (double)cur / n);
  return (double)cur / n;
}

static double
pages_per_session(int n)
{
  return pages_per_session_at(n, 1);
}

/* 16x the sessions, the same pages per session: what a rollup rewrites per
 * closed session does not depend on how many others the store holds.
 * Secondary indexes on the open sessions (deleted from at random places
 * while sessions are visited in hash order) and random uuids within the
 * run's one millisecond made the larger store write ~3x per session; so
 * did events_by_ts on the back-dated chat_session_ended (sessions whose
 * last activity is spread over 30 minutes: 008_events_made_span.sql). */
static void test_rollup_scale__pages_written_per_session_do_not_grow_with_the_store(void **state)
{
  (void)state;
  double small = pages_per_session(1024);
  double large = pages_per_session(16384);
  assert_true(small > 0);
  if (large > small * 1.5)
    fail_msg("%.3f pages a session at 16384 sessions vs %.3f at 1024: grows with the store",
             large, small);
}

/* Sessions whose last activities are spread over 30 minutes in no
 * relation to the order a rollup visits them in (so their
 * chat_session_ended are queued back-dated in random time order) cost the
 * rollup no more pages than sessions that all ended at one time: no index
 * a rollup writes is ordered by the events' own timestamps. With
 * events_by_ts on every event (before 008_events_made_span.sql) spread
 * sessions wrote 1.10x the pages at 16 384 sessions (batches of 1 024);
 * now 1.00x. */
static void test_rollup_scale__back_dated_events_write_no_more_pages_than_one_time(void **state)
{
  (void)state;
  double one_time = pages_per_session_at(16384, 0);
  double spread = pages_per_session_at(16384, 1);
  if (spread > one_time * 1.05)
    fail_msg("%.3f pages a session with back-dated sessions vs %.3f with one end time",
             spread, one_time);
}

/* A run's events are in queueing order in the uuid index too: ids made
 * from the run's one wall-clock millisecond by a counter, not at random. */
static void test_rollup_scale__a_runs_uuids_follow_queueing_order(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day();
  assert_int_equal(ja_session_end(s, "open-the-store", day), JA_OK);
  seed(s, "order", 700, day + 7200000, 1);
  int64_t queued = 0;
  assert_int_equal(ja_rollup(s, day + 7200000 + 2 * 3600000, &queued), JA_OK);
  assert_int_equal(queued, 700);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events "
                                            "where event = 'chat_session_ended'"), 700);
  /* Every next row (capture order) has a greater uuid. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events a join events b "
                                            "on b.id = (select min(id) from events where id > a.id) "
                                            "where b.uuid <= a.uuid"), 0);
  /* Still v7 (version nibble, RFC 4122 variant) and all distinct. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where "
                                            "substr(uuid, 15, 1) <> '7' or "
                                            "substr(uuid, 20, 1) not in ('8','9','a','b')"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(distinct uuid) from events"), 700);
}

/* ja__uuid_v7_seq: ordered within a millisecond, v7, the counter wraps
 * at 2^26 (after which ids are still distinct, no longer ordered). */
static void test_rollup_scale__uuid_seq_orders_ids_within_a_millisecond(void **state)
{
  (void)state;
  uint32_t seq = 0x3FFFFFF - 3;
  char prev[37] = "", id[37];
  for (int i = 0; i < 4; i++) {
    ja__uuid_v7_seq(INT64_C(1767225600000), &seq, id);
    assert_int_equal(id[14], '7');
    assert_non_null(strchr("89ab", id[19]));
    assert_true(strcmp(prev, id) < 0);
    memcpy(prev, id, sizeof id);
  }
  assert_int_equal(seq, 0); /* wrapped */
  ja__uuid_v7_seq(INT64_C(1767225600000), &seq, id);
  assert_memory_equal(id, "019b76da-a800-7000-8000", 23); /* ms, then counter 0 */
  for (int i = 0; i < 1000; i++)
    assert_true(ja__uuid_seq_start() < (UINT32_C(1) << 25));
}

/* More open sessions than one transaction scans (JA__ROLLUP_SCAN), none
 * due, mixed with due ones: one rollup closes every due one
 * and leaves the others open; a second finds nothing more. */
static void test_rollup_scale__due_sessions_among_many_open_ones_all_close(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day();
  assert_int_equal(ja_session_end(s, "open-the-store", day), JA_OK);
  int64_t now = day + 7200000 + 2 * 3600000;
  /* Mixed in the order sessions began (the order a rollup visits them):
   * five rounds of open, due and idle ones. */
  for (int round = 0; round < 5; round++) {
    char open[16], due[16], idle[16];
    snprintf(open, sizeof open, "open%d", round);
    snprintf(due, sizeof due, "due%d", round);
    snprintf(idle, sizeof idle, "idle%d", round);
    seed(s, open, (JA__ROLLUP_SCAN + 904) / 5, now - 10000, 0); /* active 10 s ago, no end */
    seed(s, due, 60, day + 7200000, 1);
    seed(s, idle, 60, day + 7200000, 0); /* no end, idle for an hour */
  }
  int64_t queued = 0;
  assert_int_equal(ja_rollup(s, now, &queued), JA_OK);
  assert_int_equal(queued, 600);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"),
                   JA__ROLLUP_SCAN + 904);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"),
                   (JA__ROLLUP_SCAN + 904) * 4);
  assert_int_equal(ja_rollup(s, now, &queued), JA_OK);
  assert_int_equal(queued, 0);
  /* 300 s later the recent ones are idle too. */
  assert_int_equal(ja_rollup(s, now + 300001, &queued), JA_OK);
  assert_int_equal(queued, JA__ROLLUP_SCAN + 904);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"), 0);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events "
                                            "where event = 'chat_session_ended'"),
                   600 + JA__ROLLUP_SCAN + 904);
}

/* A fresh store whose queue exists (an end alone: nothing queued), with a
 * seeding transaction begun on its connection; *t = 01:00Z of a recent
 * day. */
static ja_store *
seeding_store(int64_t *t)
{
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  *t = recent_day() + 3600000;
  assert_int_equal(ja_session_end(s, "open-the-store", *t), JA_OK);
  assert_int_equal(ja__store_begin(&s->db, ja__now_ms()), JA_OK);
  return s;
}

/* In the seeding transaction: one inference of session @p id at @p at. */
static ja_status
seed_inference(ja_store *s, const char *id, int64_t at, int64_t tokens_in)
{
  ja__signal sig = {.kind = JA__SIG_INFERENCE, .session = id, .at_ms = at,
                    .tokens_in = tokens_in, .tokens_out = 0, .latency_ms = 100,
                    .model = "llama3.1:8b", .engine = "ollama"};
  return ja__rollup_signal_store(&s->db, &sig);
}

/* Signals are stored in the order sessions began (011_rollup_arrival_order.sql):
 * rollup_signal's leaf pages, in key order — the order a rollup reads and
 * frees them — lie in ascending order in the file, so a rollup's commits
 * rewrite the pointer-map page of one region of the file, not of all of
 * them, and its checkpoints write runs of neighbouring pages. Keyed by
 * session hash, each new session went to a random place: about half the
 * steps between neighbouring leaves went backwards. Sessions here
 * interleave three at a time, as concurrent chats do. */
static void test_rollup_scale__signals_lie_in_the_file_in_the_order_they_are_read(void **state)
{
  (void)state;
  int64_t t;
  ja_store *s = seeding_store(&t);
  ja_status st = JA_OK;
  for (int i = 0; i < 6000 && st == JA_OK; i += 3)
    for (int k = 0; k < 8 && st == JA_OK; k++)
      for (int j = i; j < i + 3 && st == JA_OK; j++) {
        char id[32];
        snprintf(id, sizeof id, "chat-%d", j);
        st = seed_inference(s, id, t + k * 1000, 10);
      }
  assert_int_equal(ja__store_end(&s->db, st), JA_OK);
  ja_store_close(s);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(jt_db_path(), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db, "select pageno from dbstat where name = 'rollup_signal' and "
                             "pagetype = 'leaf' order by path", -1, &q, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    skip(); /* an SQLite built without SQLITE_ENABLE_DBSTAT_VTAB */
  }
  int64_t prev = -1, leaves = 0, ascending = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    int64_t p = sqlite3_column_int64(q, 0);
    leaves++;
    ascending += prev >= 0 && p > prev;
    prev = p;
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  print_message("%lld leaves, %lld steps forward\n", (long long)leaves, (long long)ascending);
  assert_true(leaves > 100);
  if (ascending < (leaves - 1) * 95 / 100)
    fail_msg("only %lld of %lld steps between neighbouring leaves go forward in the file",
             (long long)ascending, (long long)(leaves - 1));
}

/* A run of closable sessions holding more signals than a rollup keeps in
 * memory (JA__ROLLUP_RUN_ROWS) is closed in pieces, each ending with a
 * whole session, and a session larger than that alone is closed in parts
 * of JA__ROLLUP_RUN_ROWS signals (each its own chat_session_ended): every
 * signal is counted once. */
static void test_rollup_scale__a_run_larger_than_memory_closes_in_whole_sessions(void **state)
{
  (void)state;
  int64_t t;
  ja_store *s = seeding_store(&t);
  const int turns[] = {JA__ROLLUP_RUN_ROWS + 3000, JA__ROLLUP_RUN_ROWS / 2 + 1,
                       JA__ROLLUP_RUN_ROWS / 2 + 2, 1};
  ja_status st = JA_OK;
  for (int i = 0; i < 4 && st == JA_OK; i++) {
    char id[32];
    snprintf(id, sizeof id, "big-%d", i);
    for (int k = 0; k < turns[i] && st == JA_OK; k++)
      st = seed_inference(s, id, t + k, 1);
    ja__signal end = {.kind = JA__SIG_END, .session = id, .at_ms = t + turns[i]};
    if (st == JA_OK)
      st = ja__rollup_signal_store(&s->db, &end);
  }
  assert_int_equal(ja__store_end(&s->db, st), JA_OK);
  int64_t queued = 0;
  assert_int_equal(ja_rollup(s, t + 3600000, &queued), JA_OK);
  assert_int_equal(queued, 5);
  ja_store_close(s);
  /* big-0 in two parts: its first JA__ROLLUP_RUN_ROWS signals, then the rest. */
  const int ended[] = {JA__ROLLUP_RUN_ROWS, 3000, turns[1], turns[2], turns[3]};
  for (int i = 0; i < 5; i++) {
    char sql[200];
    snprintf(sql, sizeof sql, "select count(*) from events where event = 'chat_session_ended' "
                              "and instr(properties, '\"turn_count\":%d,\"tokens_in\":%d,') > 0",
             ended[i], ended[i]);
    assert_int_equal(jt_sql_int(jt_db_path(), sql), 1);
  }
  assert_int_equal(jt_sql_int(jt_db_path(), "select (select count(*) from rollup_signal) + "
                                            "(select count(*) from rollup_session) + "
                                            "(select count(*) from rollup_session_key)"), 0);
}

/* However large one session is, a rollup holds at most
 * JA__ROLLUP_RUN_ROWS signals and closes at most that many per
 * transaction: a session of 40 000 signals goes in parts, in the order
 * they were recorded, one transaction each, while the sessions around it
 * close whole. */
static void test_rollup_scale__one_huge_session_is_closed_in_bounded_parts(void **state)
{
  (void)state;
  int64_t t;
  ja_store *s = seeding_store(&t);
  ja_status st = seed_inference(s, "before", t, 7);
  for (int k = 0; k < 40000 && st == JA_OK; k++) {
    ja__signal sig = {.kind = k % 4 ? JA__SIG_TOOL : JA__SIG_INFERENCE, .session = "huge",
                      .at_ms = t + k, .latency_ms = 10, .tokens_in = 1};
    char tool[32];
    snprintf(tool, sizeof tool, "tool-%d", k);
    sig.tool = tool;
    st = ja__rollup_signal_store(&s->db, &sig);
  }
  if (st == JA_OK)
    st = seed_inference(s, "after", t, 9);
  assert_int_equal(ja__store_end(&s->db, st), JA_OK);
  ja__rollup_report r;
  assert_int_equal(ja__api_rollup(s, t + 3600000, NULL, &r), JA_OK);
  assert_true(r.most_held <= JA__ROLLUP_RUN_ROWS);
  assert_int_equal(r.most_held, JA__ROLLUP_RUN_ROWS);
  assert_int_equal(r.parts, 2);                 /* 16 384 + 16 384, then 7 232 whole */
  /* One session closed in parts, what became of it told; the others whole. */
  assert_int_equal(r.split_sessions, 1);
  assert_int_equal(r.splits[0].parts, 3);
  assert_int_equal(r.splits[0].signals, 40000);
  assert_int_equal(r.splits[0].events, 3);
  assert_int_equal(r.splitting, 0);
  assert_int_equal(r.sessions_closed, 4);       /* with open-the-store's */
  assert_int_equal(r.sessions_emitted, 5);
  assert_int_equal(r.stopped, 0);
  /* Parts: 4 096 inferences and 12 288 tools each, all distinct. */
  assert_int_equal(jt_sql_int(jt_db_path(),
                              "select count(*) from events where event = 'chat_session_ended' "
                              "and instr(properties, '\"turn_count\":4096,\"tokens_in\":4096,') > 0 "
                              "and instr(properties, '\"tool_count\":12288,\"unique_tools\":12288,') > 0"),
                   2);
  assert_int_equal(jt_sql_int(jt_db_path(),
                              "select count(*) from events where event = 'chat_session_ended' "
                              "and instr(properties, '\"turn_count\":1808,\"tokens_in\":1808,') > 0 "
                              "and instr(properties, '\"tool_count\":5424,\"unique_tools\":5424,') > 0"),
                   1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select (select count(*) from rollup_signal) + "
                                            "(select count(*) from rollup_session)"), 0);
  /* The day counts every tool once, across the parts. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_day_name where kind = 2"),
                   30000);
  ja_store_close(s);
}

/* A fresh store holding @p n sessions "s-<i>" of one inference each, at
 * *t + i (*t as seeding_store gives it), committed. */
static ja_store *
seed_sessions(int n, int64_t *t)
{
  ja_store *s = seeding_store(t);
  ja_status st = JA_OK;
  for (int i = 0; i < n && st == JA_OK; i++) {
    char id[32];
    snprintf(id, sizeof id, "s-%d", i);
    st = seed_inference(s, id, *t + i, 1);
  }
  assert_int_equal(ja__store_end(&s->db, st), JA_OK);
  return s;
}

/* The stop a rollup is given (the uploader's --deadline) is asked between
 * transactions: the run returns with what it committed kept, and the next
 * run continues; the day is summarised only by the run that closed every
 * due session first. A counting stop, no clock: deterministic. */
static int g_stop_after, g_stop_asked;
static int
stop_after(void *payload)
{
  (void)payload;
  return ++g_stop_asked > g_stop_after;
}

static void test_rollup_scale__a_stopped_rollup_continues_in_the_next_run(void **state)
{
  (void)state;
  int64_t t;
  ja_store *s = seed_sessions(3000, &t);
  int64_t later = t + JA__DAY_MS;
  ja__rollup_stop stop = {stop_after, NULL};
  ja__rollup_report r;
  g_stop_after = 2, g_stop_asked = 0;
  assert_int_equal(ja__api_rollup(s, later, &stop, &r), JA_OK);
  assert_int_equal(r.stopped, 1);
  assert_int_equal(r.sessions_closed, 2 * JA__ROLLUP_BATCH);
  assert_int_equal(r.transactions, 2);
  assert_int_equal(r.days_emitted, 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"),
                   3000 - 2 * JA__ROLLUP_BATCH + 1); /* + open-the-store's */
  /* Stopped before its first transaction: nothing at all. */
  g_stop_after = 0, g_stop_asked = 0;
  assert_int_equal(ja__api_rollup(s, later, &stop, &r), JA_OK);
  assert_int_equal(r.stopped, 1);
  assert_int_equal(r.transactions, 0);
  /* The next run finishes, and only then the day goes. */
  assert_int_equal(ja__api_rollup(s, later, NULL, &r), JA_OK);
  assert_int_equal(r.stopped, 0);
  assert_int_equal(r.sessions_closed, 3000 - 2 * JA__ROLLUP_BATCH + 1);
  assert_int_equal(r.days_emitted, 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'chat_session_ended'"), 3000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'usage_daily_summary' and instr(properties, "
                                            "'\"sessions\":3000,') > 0"), 1);
  ja_store_close(s);
}

/* The handle's own writer gets in between a rollup's transactions: held
 * for the whole run, the handle's lock kept the writer's group of
 * captures waiting past its busy timeout (a busy drop), however short each
 * transaction was. Made deterministic with the stop, asked before each
 * transaction with the handle's lock held: after the first transaction it
 * captures (the writer wakes and queues for the lock) and waits until the
 * writer is in line; before the third, the event must be committed — the
 * writer got the lock in between — and no drop counted. No timing: the
 * busy timeout is a minute. */
typedef struct turn_probe {
  ja_store *s;
  int asked;
  int committed_before_third; /* -1: not asked yet */
} turn_probe;

static int
lock_has_waiter(ja_store *s)
{
  pthread_mutex_lock(&s->lock.m);
  int waiting = s->lock.head != NULL;
  pthread_mutex_unlock(&s->lock.m);
  return waiting;
}

static int
capture_between_turns(void *payload)
{
  turn_probe *p = payload;
  p->asked++;
  if (p->asked == 2) {
    assert_int_equal(ja_capture(p->s, "app_opened", "{\"version\":\"9.9.9\",\"platform\":\"cli\"}",
                                NULL),
                     JA_OK);
    while (!lock_has_waiter(p->s))
      sched_yield(); /* the writer lingers a moment for more, then queues */
  } else if (p->asked == 3) {
    p->committed_before_third = jt_sql_int(jt_db_path(), "select count(*) from events where "
                                                         "event = 'app_opened'");
  }
  return 0;
}

static void test_rollup_scale__the_handles_writer_gets_in_between_transactions(void **state)
{
  (void)state;
  int64_t t;
  ja_store_close(seed_sessions(3000, &t)); /* three transactions of sessions */
  ja_options o = JA_OPTIONS_INIT;        /* not JA_OPEN_SYNC: the writer thread */
  o.busy_timeout_ms = 60000;
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  turn_probe probe = {s, 0, -1};
  ja__rollup_stop stop = {capture_between_turns, &probe};
  ja__rollup_report r;
  assert_int_equal(ja__api_rollup(s, t + JA__DAY_MS, &stop, &r), JA_OK);
  assert_int_equal(r.stopped, 0);
  assert_true(r.transactions >= 3);
  assert_int_equal(probe.committed_before_third, 1);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select coalesce(sum(count), 0) from drops"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'chat_session_ended'"), 3000);
}

/* jarvis-analytics-upload's --deadline bounds the rollup it runs first:
 * on a fake clock (each reading 600 ms later than the last), a 1 s
 * deadline lets one rollup transaction through, then the rollup stops,
 * the drain finds no time left and the run exits 75 with everything
 * kept; the next run goes on and finishes. No real time passes. */
static int64_t g_fake_mono;
static int64_t fake_wall(void *p) { (void)p; return ja__now_ms(); }
static int64_t fake_mono(void *p) { (void)p; return g_fake_mono += 600; }
static void fake_sleep(int64_t ms, void *p) { (void)p; g_fake_mono += ms; }

static int
upload_on_fake_clock(const char *deadline_s, const char *now_iso, char **err_text)
{
  const ja__upload_clock clock = {fake_wall, fake_mono, fake_sleep, NULL};
  char *argv[] = {"jarvis-analytics-upload", "--deadline", (char *)deadline_s, "--now",
                  (char *)now_iso, NULL};
  cli_args a;
  size_t olen = 0, elen = 0;
  char *out_text = NULL;
  FILE *out = open_memstream(&out_text, &olen), *err = open_memstream(err_text, &elen);
  assert_int_equal(ja__cli_parse(&ja__cli_jarvis_analytics_upload, 5, argv, &a, err), 0);
  int rc = ja__cli_upload_clocked(&a, &clock, out, err);
  ja__cli_args_free(&a);
  fclose(out);
  fclose(err);
  free(out_text);
  return rc;
}

static void test_rollup_scale__an_uploaders_deadline_bounds_the_rollup_it_runs_first(void **state)
{
  (void)state;
  int64_t t;
  ja_store_close(seed_sessions(5000, &t));
  char now[32];
  ja__iso8601_ms(t + JA__DAY_MS, now);
  /* A loopback port nothing listens on: never contacted, no time is left. */
  setenv("OPENJARVIS_ANALYTICS_HOST", "http://127.0.0.1:9", 1);
  setenv("OPENJARVIS_ANALYTICS_KEY", "phc_deadline_test", 1);
  char *err = NULL;
  g_fake_mono = 0;
  int rc = upload_on_fake_clock("1", now, &err);
  if (rc != JA_EXIT_TEMPFAIL || !strstr(err, "deadline reached"))
    fail_msg("rc %d, stderr: %s", rc, err);
  free(err);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"),
                   5001 - JA__ROLLUP_BATCH);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'usage_daily_summary'"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'chat_session_ended'"), JA__ROLLUP_BATCH - 1);
  /* The next run (local mode: it rolls up and sends nothing) finishes. */
  char cfg[JA_PATH_MAX + 32];
  snprintf(cfg, sizeof cfg, "%s/config.toml", jt_home());
  jt_write_file(cfg, "[analytics]\nmode = \"local\"\n");
  g_fake_mono = 0;
  rc = upload_on_fake_clock("600", now, &err);
  if (rc != JA_EXIT_OK)
    fail_msg("rc %d, stderr: %s", rc, err);
  free(err);
  unsetenv("OPENJARVIS_ANALYTICS_HOST");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'chat_session_ended'"), 5000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'usage_daily_summary' and instr(properties, "
                                            "'\"sessions\":5000,') > 0"), 1);
}
