/*
 * test_drain_lease.c — the store side of a drain: disjoint claims, the byte
 * budget, release, reject, ack and the sent log's pruning.
 */
#include "drain_fixture.h"

/* ------------------------------------------------------- leases, the store */

static void test_drain_lease__claims_are_disjoint_until_the_lease_expires(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(10);
  ja__db *d = &s->db;
  int64_t now = ja__now_ms();
  ja__lease_batch a = {0}, b = {0}, c = {0};
  assert_int_equal(jt_drain_claim(d, "A", now, now + 1000, 6, &a), 6);
  assert_int_equal(jt_drain_claim(d, "B", now, now + 60000, 6, &b), 4);
  for (size_t i = 0; i < a.n; i++)
    for (size_t j = 0; j < b.n; j++)
      assert_string_not_equal(a.rows[i].uuid, b.rows[j].uuid);
  for (size_t i = 1; i < a.n; i++)
    assert_true(a.rows[i - 1].id < a.rows[i].id); /* oldest first */
  /* Nothing free now; after A's lease expires, C gets A's six. */
  assert_int_equal(jt_drain_claim(d, "C", now + 999, now + 60000, 10, &c), 0);
  assert_int_equal(jt_drain_claim(d, "C", now + 1000, now + 60000, 10, &c), 6);
  /* A (killed, or slow) acks late: it owns nothing any more. */
  int64_t del = -1;
  assert_int_equal(ja__store_ack(d, "A", a.rows, a.n, 200, now + 2000, &del), JA_OK);
  assert_int_equal(del, 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 0);
  assert_int_equal(jt_drain_queued(), 10);
  /* C's ack deletes exactly its six and logs them, once. */
  assert_int_equal(ja__store_ack(d, "C", c.rows, c.n, 200, now + 2000, &del), JA_OK);
  assert_int_equal(del, 6);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 6);
  assert_int_equal(jt_drain_sql("select sent from queue_stats"), 6);
  assert_int_equal(jt_drain_queued(), 4);
  assert_int_equal(jt_drain_held("B"), 4);
  assert_int_equal(jt_drain_held(NULL), 4);
  /* No event row was written by the claims: one lease row per claim. */
  assert_int_equal(jt_drain_sql("select count(*) from events where lease_owner is not null"), 0);
  assert_int_equal(jt_drain_sql("select count(*) from upload_lease where owner = 'B'"), 1);
  ja__store_batch_free(&a);
  ja__store_batch_free(&b);
  ja__store_batch_free(&c);
  ja_store_close(s);
}

/* A batch never passes the byte budget (the first event always goes). */
static void test_drain_lease__claim_respects_the_byte_budget(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(10);
  ja__db *d = &s->db;
  int64_t one = jt_drain_sql("select length(properties) + length(uuid) + length(timestamp) + "
                    "length(distinct_id) + length(event) from events limit 1");
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(ja__store_claim_rows(d, "A", now, now + 1000, 100, 3 * (one + 10), 10, &b), JA_OK);
  assert_int_equal(b.n, 3);
  assert_int_equal(ja__store_claim_rows(d, "B", now, now + 1000, 100, 1, 10, &b), JA_OK);
  assert_int_equal(b.n, 1);
  ja__store_batch_free(&b);
  ja_store_close(s);
}

static void test_drain_lease__release_and_reject(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(3);
  ja__db *d = &s->db;
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  jt_drain_claim(d, "A", now, now + 60000, 3, &b);
  assert_int_equal(ja__store_reject(d, "A", &b.rows[0], JA__DROP_REJECTED, 400, now), JA_OK);
  /* Someone else's reject drops nothing, counts nothing. */
  assert_int_equal(ja__store_reject(d, "B", &b.rows[1], JA__DROP_REJECTED, 400, now), JA_OK);
  assert_int_equal(jt_drain_sql("select count from drop_counts where reason = 'rejected'"), 1);
  assert_int_equal(jt_drain_queued(), 2);
  assert_int_equal(ja__store_release(d, "A", b.rows, b.n, "server", 503, now, now + 5000), JA_OK);
  assert_int_equal(jt_drain_held(NULL), 0);
  ja__upload_state st;
  assert_int_equal(ja__store_upload_state(d, &st), JA_OK);
  assert_int_equal(st.next_attempt_ms, now + 5000);
  assert_int_equal(st.last_attempt_ms, now);
  assert_string_equal(st.last_error, "server");
  assert_int_equal(st.last_status, 503);
  ja__store_batch_free(&b);
  ja_store_close(s);
}

/* Ack, release and reject run once per batch over the uuids as a JSON
 * array (store/lease.c: uuid_array): a hand-edited uuid holding JSON's
 * own syntax is still exactly itself — never another row's uuid, never
 * a malformed array — and only the given rows are touched. */
static void test_drain_lease__ack_and_release_touch_exactly_the_given_uuids(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(6);
  ja__db *d = &s->db;
  /* Row 2's uuid, unescaped inside a JSON array, would read as the two
   * uuids of rows 3 and 4. */
  assert_int_equal(sqlite3_exec(d->db,
                                "UPDATE events SET uuid = CASE id"
                                " WHEN 1 THEN 'q\"uo\\te'"
                                " WHEN 2 THEN 'x\",\"y'"
                                " WHEN 3 THEN 'x'"
                                " WHEN 4 THEN 'y'"
                                " WHEN 5 THEN 'nl' || char(10) || char(1) ELSE uuid END",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(jt_drain_claim(d, "A", now, now + 60000, 10, &b), 6);
  assert_string_equal(b.rows[1].uuid, "x\",\"y");
  /* Ack rows 1, 2 and 5 (not 3, 4, 6). */
  ja__lease_row acked[3] = {b.rows[0], b.rows[1], b.rows[4]};
  int64_t del = -1;
  assert_int_equal(ja__store_ack(d, "A", acked, 3, 200, now, &del), JA_OK);
  assert_int_equal(del, 3);
  assert_int_equal(jt_drain_sql("select count(*) from sent where uuid in"
                       " ('q\"uo\\te', 'x\",\"y', 'nl' || char(10) || char(1))"), 3);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 3);
  assert_int_equal(jt_drain_sql("select sent from queue_stats"), 3);
  char *left = jt_sql_text(jt_db_path(), "select group_concat(id) from (select id from events e"
                                         " where uuid in (select uuid from pending) order by id)");
  assert_string_equal(left, "3,4,6");
  free(left);
  assert_int_equal(jt_drain_held("A"), 3);
  /* Release row 3 only: 4 and 6 stay A's (its lease split around 3). */
  assert_int_equal(ja__store_release(d, "A", &b.rows[2], 1, NULL, 0, now, 0), JA_OK);
  assert_int_equal(jt_drain_sql("select count(*) from events e where uuid = 'x' and not exists"
                       " (select 1 from upload_lease l where e.id between l.lo and l.hi)"), 1);
  assert_int_equal(jt_drain_held("A"), 2);
  /* Another uploader now gets exactly row 3. */
  ja__lease_batch o = {0};
  assert_int_equal(jt_drain_claim(d, "B", now, now + 60000, 10, &o), 1);
  assert_string_equal(o.rows[0].uuid, "x");
  assert_int_equal(ja__store_release(d, "B", o.rows, o.n, NULL, 0, now, 0), JA_OK);
  ja__store_batch_free(&o);
  /* An ack of the rest deletes only what A still holds (3 is no one's: it
   * stays queued, not logged). */
  ja__lease_row rest[3] = {b.rows[2], b.rows[3], b.rows[5]};
  assert_int_equal(ja__store_ack(d, "A", rest, 3, 200, now, &del), JA_OK);
  assert_int_equal(del, 2);
  assert_int_equal(jt_drain_queued(), 1);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 5);
  assert_int_equal(jt_drain_held(NULL), 0);
  assert_int_equal(jt_drain_sql("select count(*) from upload_lease"), 0); /* emptied leases go */
  ja__store_batch_free(&b);
  ja_store_close(s);
}

/* sent_log is kept 30 days: older rows go, in bounded steps. */
static void test_drain_lease__sent_log_pruned_after_30_days(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 3);
  int64_t t0 = ja__now_ms();
  dr.o.now_ms = t0;
  jt_drain_run(&dr);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 3);
  jt_drain_fake_free(&dr.f);
  dr.o.now_ms = t0 + 29LL * 86400000;
  jt_drain_run(&dr);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 3);
  dr.o.now_ms = t0 + 31LL * 86400000;
  jt_drain_run(&dr);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 0);
  assert_int_equal(jt_drain_sql("select sent from queue_stats"), 0);
  ja__db *d = &dr.s->db;
  int64_t removed = -1;
  assert_int_equal(ja__store_prune_sent(d, t0, 10, t0, &removed), JA_OK);
  assert_int_equal(removed, 0);
  jt_drain_end(&dr);
}

/* The deadline passing between two requests of one batch (a 413 halving
 * here) stops the run with the events given back, not left leased until
 * the lease expires. */
static void test_drain_lease__deadline_between_halves_releases_the_batch(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 2);
  dr.f.default_status = 413;
  /* The first request alone outlasts the deadline (fake time: no
   * margin for the machine's load is needed). */
  dr.f.delay_ms = 4000;
  dr.o.deadline_ms = 3000;
  assert_int_equal(jt_drain_run(&dr), JA__UP_TEMPFAIL);
  assert_int_equal(dr.f.nreq, 1);
  jt_drain_expect_kept(2);
  jt_drain_end(&dr);
}
