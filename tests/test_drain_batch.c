/*
 * test_drain_batch.c — a drain's batches (leased and acked by id range,
 * batch size and count) and its retries, backoff and deadline.
 */
#include "drain_fixture.h"

/* The batch array of a body, sent_at removed: what must be identical
 * across attempts. */
static char *
batch_of(const char *body)
{
  cJSON *j = cJSON_Parse(body);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "api_key")->valuestring, KEY);
  assert_non_null(cJSON_GetObjectItem(j, "sent_at"));
  char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "batch"));
  cJSON_Delete(j);
  return b;
}

/* ------------------------------------------------------------ happy path */

static void test_drain_batch__happy_path_sends_each_uuid_once(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 250);
  char **uuids = calloc(250, sizeof *uuids);
  for (int i = 0; i < 250; i++) {
    char q[128];
    snprintf(q, sizeof q, "select uuid from events order by id limit 1 offset %d", i);
    uuids[i] = jt_sql_text(jt_db_path(), q);
  }
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.r.sent, 250);
  assert_int_equal(dr.f.nreq, 3); /* flush_at_size 100 */
  assert_int_equal(jt_drain_batch_len(dr.f.bodies[0]), 100);
  assert_int_equal(jt_drain_batch_len(dr.f.bodies[2]), 50);
  for (int i = 0; i < 250; i++) {
    assert_int_equal(jt_drain_times_sent(&dr.f, uuids[i]), 1);
    free(uuids[i]);
  }
  free(uuids);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 250);
  assert_int_equal(jt_drain_sql("select sent from queue_stats"), 250);
  assert_true(jt_drain_sql("select last_success_ms from upload_state") > 0);
  assert_int_equal(jt_drain_sql("select last_error is null from upload_state"), 1);
  assert_int_equal(dr.f.nslept, 0);
  /* Nothing left: a second run sends nothing. */
  jt_drain_fake_free(&dr.f);
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.f.nreq, 0);
  jt_drain_end(&dr);
}

/* How many times the cached statement @p which ran on @p d, its trigger
 * programs included (0: never prepared). */
static int
runs_of(ja__db *d, int which)
{
  return d->q[which] ? sqlite3_stmt_status(d->q[which], SQLITE_STMTSTATUS_RUN, 0) : 0;
}

/* The per-batch shape of a drain (009_upload_lease.sql,
 * 014_sent_in_place.sql): a claim writes one lease row and no event row;
 * an ack writes one sent mark for the batch and no event row either —
 * nothing is copied, rewritten or deleted —; and no lease is left. */
static void test_drain_batch__batches_are_leased_and_acked_by_id_range(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 250);
  ja__db *d = &dr.s->db;
  /* Opened by the run on first use: open it now to arm the tripwire. */
  int present = 0;
  assert_int_equal(ja__api_open_existing(dr.s, &present), JA_OK);
  assert_int_equal(sqlite3_exec(d->db, "CREATE TEMP TRIGGER no_row_writes AFTER UPDATE ON main.events"
                                       " BEGIN SELECT RAISE(ABORT, 'an event row was rewritten'); END;"
                                       "CREATE TEMP TRIGGER no_row_deletes AFTER DELETE ON main.events"
                                       " BEGIN SELECT RAISE(ABORT, 'an event row was deleted'); END;"
                                       "CREATE TEMP TRIGGER no_row_copies AFTER INSERT ON main.sent_log"
                                       " BEGIN SELECT RAISE(ABORT, 'an event row was copied'); END;",
                                NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.r.sent, 250);
  assert_int_equal(dr.f.nreq, 3);
  assert_int_equal(runs_of(d, JA__Q_LEASE_ADD), 3);
  assert_int_equal(runs_of(d, JA__Q_MARK_ADD), 3);
  assert_int_equal(runs_of(d, JA__Q_ACK_DELETE_RANGE), 0);
  assert_int_equal(runs_of(d, JA__Q_ACK_DELETE), 0);
  assert_int_equal(jt_drain_sql("select count(*) from upload_lease"), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent_mark"), 3);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 250);
  assert_int_equal(jt_drain_sql("select count(*) from events"), 250); /* in place */
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select settled from queue_stats"), 251);
  jt_drain_end(&dr);
}

/* An ack by id range never touches an event that is not the batch's: a
 * range emptied (purged) and refilled by a new capture, whose id SQLite
 * gives again, is acked by uuid — the new event stays, unsent, unlogged.
 * The batch's own events did leave: the sent log says so, from the copy
 * that was sent (status counts what the server took, whatever happened
 * to the queue meanwhile). */
static void test_drain_batch__ack_of_a_refilled_range_deletes_only_the_batch(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(3);
  ja__db *d = &s->db;
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(jt_drain_claim(d, "A", now, now + 60000, 10, &b), 3);
  assert_int_equal(b.rows[0].id, 1);
  /* Purged while in flight; then a capture takes id 1 again. */
  assert_int_equal(sqlite3_exec(d->db, "DELETE FROM events", NULL, NULL, NULL), SQLITE_OK);
  ja_outcome oc = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &oc), JA_OK);
  jt_flush(s);
  assert_int_equal(jt_drain_sql("select min(id) from events"), 1);
  int64_t del = -1;
  assert_int_equal(ja__store_ack(d, "A", b.rows, b.n, 200, now, &del), JA_OK);
  assert_int_equal(del, 3);
  assert_int_equal(jt_drain_queued(), 1);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 3);
  assert_int_equal(jt_drain_sql("select sent from queue_stats"), 3);
  char q[160];
  snprintf(q, sizeof q, "select count(*) from sent where uuid = '%s'", oc.uuid);
  assert_int_equal(jt_drain_sql(q), 0); /* the new event: not sent, not logged */
  assert_int_equal(jt_drain_sql("select count(*) from sent_mark"), 0); /* nothing of it was still queued */
  ja__store_batch_free(&b);
  ja_store_close(s);
}

static void test_drain_batch__batch_size_and_max_batches(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 10);
  dr.o.batch_size = 3;
  dr.o.max_batches = 2;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.f.nreq, 2);
  assert_int_equal(dr.r.sent, 6);
  jt_drain_expect_kept(4);
  jt_drain_end(&dr);
}

/* ---------------------------------------------------------------- retries */

/* Every retryable answer: exactly max_retries + 1 requests, the same
 * events byte for byte (only sent_at changes), growing waits, nothing
 * deleted, and the backoff persisted for the next run. */
static void test_drain_batch__retryable_answers_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {500, 502, 503, 504, 408, 429, 0};
  for (size_t k = 0; k < sizeof statuses / sizeof statuses[0]; k++) {
    drain dr;
    jt_drain_begin(&dr, 5);
    dr.f.default_status = statuses[k];
    int64_t start = ja__now_ms();
    assert_int_equal(jt_drain_run(&dr), JA__UP_TEMPFAIL);
    assert_int_equal(dr.f.nreq, 4);
    assert_int_equal(dr.f.nslept, 3);
    assert_int_equal(dr.f.slept[0], 1000);
    assert_int_equal(dr.f.slept[1], 2000);
    assert_int_equal(dr.f.slept[2], 4000);
    char *first = batch_of(dr.f.bodies[0]);
    for (int i = 1; i < 4; i++) {
      char *b = batch_of(dr.f.bodies[i]);
      assert_string_equal(b, first);
      free(b);
    }
    free(first);
    jt_drain_expect_kept(5);
    assert_int_equal(jt_drain_sql("select count(*) from sent"), 0);
    /* The next attempt: after the 4th answer's backoff (8 s). */
    int64_t next = jt_drain_sql("select next_attempt_ms from upload_state");
    assert_true(next >= start + 7000 + 8000);
    assert_int_equal(dr.r.next_attempt_ms, next);
    jt_drain_expect_last_error(ja__upload_error_class(statuses[k]));
    jt_drain_end(&dr);
  }
}

static void test_drain_batch__retry_then_success(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 3);
  dr.f.script[0] = 503;
  dr.f.script[1] = 429;
  dr.f.retry_after[1] = "5";
  dr.f.nscript = 2;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.f.nreq, 3);
  assert_int_equal(dr.f.nslept, 2);
  assert_int_equal(dr.f.slept[0], 1000);
  assert_int_equal(dr.f.slept[1], 5000); /* Retry-After over the 2 s backoff */
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 3);
  assert_int_equal(jt_drain_sql("select next_attempt_ms from upload_state"), 0);
  jt_drain_end(&dr);
}

static void test_drain_batch__max_retries_zero_is_one_request(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 2);
  dr.f.default_status = 503;
  dr.o.max_retries = 0;
  assert_int_equal(jt_drain_run(&dr), JA__UP_TEMPFAIL);
  assert_int_equal(dr.f.nreq, 1);
  assert_int_equal(jt_drain_queued(), 2);
  jt_drain_end(&dr);
}

/* A wait that would pass the deadline is not waited: stop (75), keep
 * everything, persist when to come back; the next run honours it and a
 * run after that time sends. */
static void test_drain_batch__deadline_then_next_run_honours_backoff(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 4);
  dr.f.default_status = 503;
  /* Waits of 10 s then 20 s (fake sleeps): the first fits the 25 s
   * deadline, the second does not. The run's own real time counts against
   * the deadline too, so the margin is wide (15 s): a loaded machine once
   * spent over 1.5 s when the waits were 1 s and 2 s. */
  dr.o.backoff_base_ms = 10000;
  dr.o.deadline_ms = 25000;
  int64_t t0 = ja__now_ms();
  dr.o.now_ms = t0;
  assert_int_equal(jt_drain_run(&dr), JA__UP_TEMPFAIL);
  assert_int_equal(dr.f.nreq, 2);
  assert_int_equal(dr.f.nslept, 1);
  assert_int_equal(jt_drain_queued(), 4);
  int64_t next = jt_drain_sql("select next_attempt_ms from upload_state");
  assert_true(next >= t0 + 10000 + 20000);
  jt_drain_fake_free(&dr.f);

  /* Before it: nothing sent, still 75, the events are not leased. (10 s
   * before, not 1 ms: a run's clock is its start plus the real time it has
   * run, and on a loaded machine a millisecond passes before the check.) */
  dr.f.default_status = 200;
  dr.o.deadline_ms = 600000;
  dr.o.now_ms = next - 10000;
  assert_int_equal(jt_drain_run(&dr), JA__UP_TEMPFAIL);
  assert_int_equal(dr.f.nreq, 0);
  assert_int_equal(jt_drain_held(NULL), 0);
  assert_int_equal(jt_drain_sql("select next_attempt_ms from upload_state"), next);

  /* After it: sent. */
  dr.o.now_ms = next;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.f.nreq, 1);
  assert_int_equal(jt_drain_queued(), 0);
  jt_drain_end(&dr);
}

/* The request timeout never outlives the deadline. */
static void test_drain_batch__request_timeout_bounded_by_deadline(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 1);
  dr.o.deadline_ms = 5000;
  jt_drain_run(&dr);
  assert_int_equal(dr.f.nreq, 1);
  assert_true(dr.f.timeouts[0] > 0 && dr.f.timeouts[0] <= 5000);
  jt_drain_end(&dr);
}
