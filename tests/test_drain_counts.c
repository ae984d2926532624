/*
 * test_drain_counts.c — the queue counters with the triggers off: exact
 * through hand edits, an ack whose cost does not grow with the batch, and
 * events another run sent.
 */
#include "drain_fixture.h"

/* ------------------------------------- counters with the triggers off */

/* @p q on a connection of its own, as a hand edit with sqlite3 would be. */
static void
hand_exec(const char *q)
{
  sqlite3 *db;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char *err = NULL;
  int rc = sqlite3_exec(db, q, NULL, NULL, &err);
  if (rc != SQLITE_OK)
    fail_msg("%s: %s", q, err ? err : "?");
  sqlite3_close(db);
}

/* queue_stats is what the rows say: pending events, and what the `sent`
 * view holds; no pending event lies below the settled boundary, and sent
 * marks never overlap. */
static void
assert_counts_exact(void)
{
  assert_int_equal(jt_drain_sql("select events from queue_stats"), jt_drain_sql("select count(*) from pending"));
  assert_int_equal(jt_drain_sql("select sent from queue_stats"), jt_drain_sql("select count(*) from sent"));
  assert_int_equal(jt_drain_sql("select count(*) from events where uuid in (select uuid from pending)"
                       " and id < (select settled from queue_stats)"), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent_mark a join sent_mark b on a.lo < b.lo"
                       " and b.lo <= a.hi"), 0);
  /* events_span holds the extremes of the rollup-made events (sent or not)
   * per 256 ids. */
  assert_int_equal(jt_drain_sql("select count(*) from (select span, lo, hi from events_span except"
                       " select id >> 8, min(ts_ms), max(ts_ms) from events where event in"
                       " ('chat_session_ended','first_chat_sent','tool_first_used',"
                       "'usage_daily_summary') group by id >> 8)"), 0);
  assert_int_equal(jt_drain_sql("select count(*) from (select id >> 8, min(ts_ms), max(ts_ms) from events"
                       " where event in ('chat_session_ended','first_chat_sent',"
                       "'tool_first_used','usage_daily_summary') group by id >> 8 except"
                       " select span, lo, hi from events_span)"), 0);
}

static int hand_round;

/* Mid-drain, between a claim and its ack: what someone with sqlite3 might
 * do — delete a queued event (one of the batch in flight, too), queue one
 * (a rollup-made one: its span), log and forget sent rows. */
static void
hand_edits(fake *f)
{
  (void)f;
  char q[1024];
  int k = hand_round++;
  snprintf(q, sizeof q,
           "delete from events where id = (select min(id) from events);"
           "delete from events where id = (select max(id) from events where event = 'feature_used');"
           "insert into events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms)"
           " values ('hand-%d', %d, '2026-03-01T00:00:00.000Z', 'anon', 'chat_session_ended',"
           " '{}', NULL);" /* NULL: not aged (001/003) */
           "insert into sent_log (uuid, event, properties, timestamp, sent_ms)"
           " values ('hand-sent-%d', 'e', '{}', 't', 1);"
           "delete from sent_log where rowid = (select min(rowid) from sent_log);",
           k, 1000 + k, k);
  hand_exec(q);
}

/* The uploader keeps queue_stats itself (its connection runs with
 * triggers off): exact after a drain of captured and rollup-made events,
 * with hand edits from another connection between its claims and acks,
 * and the triggers back on for the handle afterwards. */
static void test_drain_counts__counts_exact_with_hand_edits_mid_drain(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 300);
  /* Rollup-made events spread over several spans (ids of 256). */
  hand_exec("insert into events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms)"
            " with recursive n(v) as (select 1 union all select v + 1 from n where v < 300)"
            " select 'made-' || v, 5000 - v, '2026-03-01T00:00:00.000Z', 'anon',"
            " 'usage_daily_summary', '{}', 5000 - v from n");
  assert_counts_exact();
  dr.f.on_send = hand_edits;
  dr.o.max_batches = 3;
  hand_round = 0;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.r.batches, 3);
  assert_counts_exact(); /* part of the queue sent */
  jt_drain_fake_free(&dr.f);
  dr.o.max_batches = 0;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_counts_exact();
  /* The handle's triggers are back on: a capture counts. */
  int64_t before = jt_drain_sql("select events from queue_stats");
  ja_outcome out = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(dr.s, "feature_used", "{\"feature_name\":\"chat\"}", &out), JA_OK);
  assert_int_equal(out.result, JA_RESULT_STORED);
  jt_flush(dr.s);
  assert_int_equal(jt_drain_sql("select count(*) from pending"), before + 1);
  assert_int_equal(jt_drain_sql("select events from queue_stats"), before + 1);
  assert_counts_exact();
  /* A sent_log prune on this handle outside a drain runs the triggers. */
  hand_exec("insert into sent_log (uuid, event, properties, timestamp, sent_ms)"
            " values ('old', 'e', '{}', 't', 5)");
  int64_t removed = 0;
  assert_int_equal(ja__store_prune_sent(&dr.s->db, 10, 100, ja__now_ms(), &removed), JA_OK);
  assert_true(removed >= 1);
  assert_counts_exact();
  jt_drain_end(&dr);
}

static int triggers_run;

static int
count_triggers(unsigned type, void *ctx, void *p, void *x)
{
  (void)type;
  (void)ctx;
  (void)p;
  if (x && strncmp((const char *)x, "-- TRIGGER ", 11) == 0)
    triggers_run++;
  return 0;
}

/* What the ack costs, as structure (never time): no trigger runs on the
 * uploader's connection during a drain, and acknowledging a batch costs
 * the same whatever its size — one sent mark, one count — with no event
 * row copied or deleted (each copy, delete or index entry per event
 * showed as VM operations per event). */
static void test_drain_counts__ack_costs_the_same_for_any_batch_size(void **state)
{
  (void)state;
  int64_t steps[2];
  const int sizes[2] = {10, 1000};
  for (int k = 0; k < 2; k++) {
    drain dr;
    jt_drain_begin(&dr, sizes[k]);
    assert_non_null(dr.s->db.db);
    sqlite3_trace_v2(dr.s->db.db, SQLITE_TRACE_STMT, count_triggers, NULL);
    triggers_run = 0;
    dr.o.batch_size = sizes[k];
    jt_drain_run(&dr);
    assert_int_equal(dr.r.sent, sizes[k]);
    assert_int_equal(dr.r.batches, 1);
    assert_int_equal(triggers_run, 0);
    steps[k] = 0;
    const int ack[] = {JA__Q_MARK_ADD, JA__Q_COUNTS_MOVE, JA__Q_SETTLED_SET, JA__Q_LEASE_DROP};
    for (size_t i = 0; i < sizeof ack / sizeof ack[0]; i++)
      if (dr.s->db.q[ack[i]])
        steps[k] += sqlite3_stmt_status(dr.s->db.q[ack[i]], SQLITE_STMTSTATUS_VM_STEP, 0);
    assert_int_equal(jt_drain_sql("select count(*) from events"), sizes[k]);
    assert_int_equal(jt_drain_sql("select count(*) from sent_mark"), 1);
    assert_counts_exact();
    sqlite3_trace_v2(dr.s->db.db, 0, NULL, NULL);
    /* A capture on the same handle after the run runs its triggers again. */
    triggers_run = 0;
    sqlite3_trace_v2(dr.s->db.db, SQLITE_TRACE_STMT, count_triggers, NULL);
    ja_outcome out = JA_OUTCOME_INIT;
    assert_int_equal(ja_capture(dr.s, "feature_used", "{\"feature_name\":\"chat\"}", &out), JA_OK);
    jt_flush(dr.s);
    assert_true(triggers_run > 0);
    sqlite3_trace_v2(dr.s->db.db, 0, NULL, NULL);
    jt_drain_end(&dr);
  }
  print_message("ack VM steps: batch of %d %lld, batch of %d %lld\n", sizes[0], (long long)steps[0],
                sizes[1], (long long)steps[1]);
  assert_true(steps[0] > 0);
  assert_int_equal(steps[1], steps[0]);
}

static void
deliver_elsewhere(fake *f)
{
  (void)f;
  /* Another upload run (or a purge) takes every event while this request
   * is in flight. */
  hand_exec("DELETE FROM events");
}

static void
mark_sent_elsewhere(fake *f)
{
  (void)f;
  /* Another upload run delivered every event while this request was in
   * flight (its lease had expired): sent events stay in place, marked. */
  hand_exec("INSERT INTO sent_mark (lo, hi, sent_ms)"
            " SELECT min(id), max(id), 1 FROM events"
            " WHERE NOT EXISTS (SELECT 1 FROM sent_mark) HAVING count(*) > 0");
}

/* A drain of 5 events whose every request fails (503, up to
 * @p max_retries retries) while @p elsewhere takes the events away: one
 * request only, the run done, no failure recorded and no backoff. */
static void
expect_one_failed_request_is_no_failure(void (*elsewhere)(fake *), int max_retries)
{
  drain dr;
  jt_drain_begin(&dr, 5);
  dr.f.default_status = 503;
  dr.f.on_send = elsewhere;
  dr.o.max_retries = max_retries;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.f.nreq, 1);
  assert_int_equal(jt_drain_sql("select last_error is null and next_attempt_ms = 0 from upload_state"), 1);
  jt_drain_end(&dr);
}

/* Events another run marked sent while this run's request failed are not
 * this run's to send again, nor a failure to back off from. */
static void test_drain_counts__events_sent_by_another_run_are_neither_resent_nor_a_failure(void **state)
{
  (void)state;
  expect_one_failed_request_is_no_failure(mark_sent_elsewhere, 2); /* the retry found nothing left to send */
}

/* A request that fails after every event of its batch left the queue
 * (delivered by another run, or purged) records no failure and no backoff:
 * nothing of this run is left undelivered. */
static void test_drain_counts__failure_of_events_delivered_elsewhere_is_no_failure(void **state)
{
  (void)state;
  expect_one_failed_request_is_no_failure(deliver_elsewhere, 0);
}
