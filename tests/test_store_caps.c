/*
 * test_store_caps.c — the caps and the clock: expiry when two clocks agree,
 * pruning over the cap and expiry in bounded steps.
 */
#include "store_fixture.h"

/* ------------------------------------------------- caps and the clock */

#define DAY INT64_C(86400000)

/* Writer ids standing for three different processes. */
enum { PROC_A = 1001, PROC_B = 1002, PROC_C = 1003 };

/* One capture by process @p writer whose wall clock says @p now. */
static void
capture_at(ja__db *d, int64_t writer, int64_t now)
{
  char uuid[37];
  ja__uuid_v7(now > 0 ? now : 1, uuid);
  ja__row r = {uuid, "00000000-0000-4000-8000-000000000000", "feature_used",
               "{\"feature_name\":\"chat\"}", now, 0};
  d->writer = writer;
  ja_status st = ja__store_insert(d, &r, NULL, now);
  if (st != JA_OK)
    fail_msg("capture at %lld: %s", (long long)now, ja_last_error());
}

static int64_t
expired_count(void)
{
  return jt_sql_int(jt_db_path(), "select coalesce((select count from drop_counts "
                                  "where reason='expired'), 0)");
}

static int64_t
queued(void)
{
  return jt_sql_int(jt_db_path(), "select count(*) from events");
}

/* A store in use by two processes with correct clocks: three events. */
static void
open_in_use(ja__db *d)
{
  jt_store_open_fresh(d);
  capture_at(d, PROC_A, T0);
  capture_at(d, PROC_B, T0 + 1000);
  capture_at(d, PROC_A, T0 + 2000);
}

/* Issue: one capture whose clock is 31 days ahead expired the whole queue.
 * Now a process with a wrong clock — one capture or many — cannot move the
 * store clock the age cap compares with past another process's clock. */
static void test_store_caps__clock_ahead_expires_nothing(void **state)
{
  (void)state;
  ja__db d;
  open_in_use(&d);
  capture_at(&d, PROC_C, T0 + 31 * DAY);
  assert_int_equal(expired_count(), 0);
  for (int i = 1; i <= 20; i++) /* the same process keeps capturing */
    capture_at(&d, PROC_C, T0 + 31 * DAY + i * 1000);
  assert_int_equal(expired_count(), 0);
  capture_at(&d, PROC_A, T0 + 3000); /* then a correct clock again */
  capture_at(&d, PROC_B, T0 + 4000);
  ja__store_close(&d);
  assert_int_equal(expired_count(), 0);
  assert_int_equal(queued(), 3 + 21 + 2);
}

/* Events truly older than max_age_days (sane clocks) still expire, and
 * are counted — once two processes' clocks agree the time has come. */
static void test_store_caps__old_events_expire_when_two_clocks_agree(void **state)
{
  (void)state;
  ja__db d;
  open_in_use(&d);
  capture_at(&d, PROC_B, T0 + 31 * DAY); /* back after a month offline */
  assert_int_equal(expired_count(), 0);  /* one clock alone: not yet */
  capture_at(&d, PROC_A, T0 + 31 * DAY + 1000);
  ja__store_close(&d);
  assert_int_equal(expired_count(), 3);
  assert_int_equal(queued(), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where ts_ms < 1772409600000"), 0);
}

/* One long-lived process alone (an embedder): its own monotonic clock
 * witnesses the time that passes, so the age cap still works; the
 * store clock starts at the newest event's age. */
static void test_store_caps__store_clock_starts_from_newest_event(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  capture_at(&d, PROC_A, T0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select witnessed_ms from store_clock"), 0);
  capture_at(&d, PROC_A, T0 + 1000);
  assert_true(jt_sql_int(jt_db_path(), "select witnessed_ms from store_clock") >= T0);
  assert_true(jt_sql_int(jt_db_path(), "select witnessed_ms from store_clock") < T0 + DAY);
  ja__store_close(&d);
}

/* Issue: a capture at 1970 (no RTC) was stored, then expired by the next.
 * Now its age starts with the first sane clock after it; it expires
 * max_age_days after that, like any other event. */
static void test_store_caps__clock_1970_event_aged_from_arrival(void **state)
{
  (void)state;
  ja__db d;
  open_in_use(&d);
  capture_at(&d, PROC_C, 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events "
                                            "where ts_ms = 0 and age_ms is null"), 1);
  capture_at(&d, PROC_A, T0 + 5000);
  capture_at(&d, PROC_B, T0 + 6000);
  assert_int_equal(expired_count(), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select age_ms from events where ts_ms = 0"),
                   T0 + 5000);
  /* Kept as captured: the timestamp PostHog gets is not rewritten. */
  char *ts = jt_sql_text(jt_db_path(), "select timestamp from events where ts_ms = 0");
  assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
  free(ts);
  capture_at(&d, PROC_A, T0 + 25 * DAY);
  capture_at(&d, PROC_B, T0 + 25 * DAY + 1000);
  assert_int_equal(expired_count(), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where ts_ms = 0"), 1);
  capture_at(&d, PROC_A, T0 + 31 * DAY);
  capture_at(&d, PROC_B, T0 + 31 * DAY + 1000);
  ja__store_close(&d);
  /* the five from the first day and the 1970 one (aged from T0 + 5 s) */
  assert_int_equal(expired_count(), 6);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where ts_ms = 0"), 0);
}

/* A clock that is set but 40 days behind: its event is not expired by the
 * next correct capture just because of its wrong timestamp. */
static void test_store_caps__clock_behind_event_not_expired_by_next(void **state)
{
  (void)state;
  ja__db d;
  open_in_use(&d);
  capture_at(&d, PROC_C, T0 - 40 * DAY);
  capture_at(&d, PROC_A, T0 + 3000);
  capture_at(&d, PROC_B, T0 + 4000);
  capture_at(&d, PROC_A, T0 + 5000);
  ja__store_close(&d);
  assert_int_equal(expired_count(), 0);
  assert_int_equal(queued(), 7);
  assert_int_equal(jt_sql_int(jt_db_path(), "select age_ms from events where ts_ms = "
                                            "1772323200000 - 40*86400000"), T0 + 3000);
}

/* A fresh store capped at @p max_events, holding @p n rows at @p ts put
 * straight into the table. These tests are about counts: the fsyncs are
 * skipped, not the logic. */
static void
open_filled(ja__db *d, int64_t max_events, int n, int64_t ts)
{
  jt_store_open_fresh_capped(d, max_events);
  assert_int_equal(sqlite3_exec(d->db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
  jt_store_raw_fill(d, n, ts);
}

/* Issue: a queue over its cap made one unlucky capture delete the whole
 * excess under the write lock (4.6 s for 990 k rows). One capture now
 * deletes at most what it adds plus JA__PRUNE_STEP, and repeated captures
 * converge to the cap, every pruned row counted. */
static void test_store_caps__over_cap_prunes_in_bounded_steps(void **state)
{
  (void)state;
  ja__db d;
  open_filled(&d, 10000, 60000, ja__now_ms());
  capture_at(&d, PROC_A, ja__now_ms());
  int64_t full = jt_sql_int(jt_db_path(), "select count from drops where reason='queue_full'");
  assert_true(full >= 1);
  assert_true(full <= 1 + JA__PRUNE_STEP);
  assert_int_equal(queued(), 60001 - full);
  int captures = 1;
  while (queued() > 10000 && captures < 2000) {
    capture_at(&d, PROC_A, ja__now_ms());
    captures++;
  }
  ja__store_close(&d);
  assert_int_equal(queued(), 10000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 10000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='queue_full'"),
                   50000 + captures);
  /* Converging took many short steps, not one long one. */
  assert_true(captures >= 50000 / (1 + JA__PRUNE_STEP));
}

/* The same for the age cap: a month-old backlog expires step by step. */
static void test_store_caps__expiry_in_bounded_steps(void **state)
{
  (void)state;
  ja__db d;
  open_filled(&d, 1000000, 5000, T0);
  capture_at(&d, PROC_A, T0 + 31 * DAY);
  capture_at(&d, PROC_B, T0 + 31 * DAY + 1000);
  assert_true(expired_count() >= 1);
  assert_true(expired_count() <= 1 + JA__PRUNE_STEP);
  for (int i = 0; i < 200 && expired_count() < 5000; i++)
    capture_at(&d, i % 2 ? PROC_A : PROC_B, T0 + 31 * DAY + 2000 + i);
  ja__store_close(&d);
  assert_int_equal(expired_count(), 5000);
}

/* Space is given back in bounded steps too: a freelist left by a big
 * delete is not all vacuumed inside one capture. */
static void test_store_caps__reclaim_is_bounded_per_transaction(void **state)
{
  (void)state;
  ja__db d;
  open_filled(&d, 10, 30000, ja__now_ms());
  assert_int_equal(sqlite3_exec(d.db, "DELETE FROM events WHERE id > 100", NULL, NULL, NULL),
                   SQLITE_OK);
  int64_t before = jt_sql_int(jt_db_path(), "pragma freelist_count");
  assert_true(before > 1000);
  capture_at(&d, PROC_A, ja__now_ms()); /* prunes 91, so reclaims a step */
  int64_t after = jt_sql_int(jt_db_path(), "pragma freelist_count");
  ja__store_close(&d);
  assert_true(after < before);
  assert_true(before - after <= 256 + 64); /* the step, plus what this capture freed */
}

/* The store clock's row is written when a time in it moves by a second
 * or more, or another writer takes the latest place — not by every
 * transaction: a burst of one process's groups wrote one page more per
 * commit for it. What is stored lags by less than the step. */
static void test_store_caps__clock_row_written_once_a_second_per_writer(void **state)
{
  (void)state;
  ja__db d;
  open_in_use(&d); /* A at T0, B at T0 + 1 s, A at T0 + 2 s */
  int64_t writes = sqlite3_stmt_status(d.q[JA__Q_CLOCK_WRITE], SQLITE_STMTSTATUS_RUN, 0);
  /* The handle's own witness (its last time plus the monotonic time
   * since) would move the clock by however long a loaded machine takes
   * here: only the wall clocks given count in this test. */
  for (int i = 1; i <= 9; i++) { /* A again, within the second */
    d.seen_valid = 0;
    capture_at(&d, PROC_A, T0 + 2000 + i * 100);
  }
  d.seen_valid = 0;
  assert_int_equal(sqlite3_stmt_status(d.q[JA__Q_CLOCK_WRITE], SQLITE_STMTSTATUS_RUN, 0), writes);
  assert_int_equal(jt_sql_int(jt_db_path(), "select clock1 from store_clock"), T0 + 2000);
  capture_at(&d, PROC_A, T0 + 3000); /* a second on */
  assert_int_equal(sqlite3_stmt_status(d.q[JA__Q_CLOCK_WRITE], SQLITE_STMTSTATUS_RUN, 0),
                   writes + 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select clock1 from store_clock"), T0 + 3000);
  d.seen_valid = 0;
  capture_at(&d, PROC_B, T0 + 3100); /* another writer: at once */
  assert_int_equal(jt_sql_int(jt_db_path(), "select writer1 from store_clock"), PROC_B);
  assert_int_equal(jt_sql_int(jt_db_path(), "select writer2 from store_clock"), PROC_A);
  assert_int_equal(jt_sql_int(jt_db_path(), "select clock1 from store_clock"), T0 + 3100);
  ja__store_close(&d);
}

/* Sent events stay in events until their mark retires, up to 30 days
 * after they were sent, so once they pass the age cap every transaction
 * found an "oldest age" to expire and walked all of them again, deleting
 * nothing. A prune now starts where the connection's last complete one
 * stopped: it steps over them once. What truly ages past the cap still
 * expires, and no sent event does. */
static void test_store_caps__age_prune_steps_over_sent_events_once(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  jt_store_db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  /* 1 000 events captured 40 days ago, sent yesterday: kept in place. */
  jt_store_raw_fill(&d, 1000, T0 - 40 * DAY);
  ja__lease_batch b = {0};
  int64_t nsent = 0;
  assert_int_equal(jt_store_claim(&d, "up", T0 - DAY, T0 - DAY + 60000, 1000, &b), 1000);
  assert_int_equal(ja__store_ack(&d, "up", b.rows, b.n, 200, T0 - DAY, &nsent), JA_OK);
  assert_int_equal(nsent, 1000);
  ja__store_batch_free(&b);
  /* Two processes with correct clocks: the store clock is T0, the cutoff
   * T0 - 30 days, and every sent event is older. */
  capture_at(&d, PROC_A, T0);
  capture_at(&d, PROC_B, T0 + 1000);
  sqlite3_stmt *prune = d.q[JA__Q_PRUNE_EXPIRED];
  assert_non_null(prune); /* it ran: the oldest age was past the cutoff */
  int runs = sqlite3_stmt_status(prune, SQLITE_STMTSTATUS_RUN, 0);
  int steps = sqlite3_stmt_status(prune, SQLITE_STMTSTATUS_VM_STEP, 0);
  for (int i = 1; i <= 20; i++) /* a second apart: the cutoff moves on each time */
    capture_at(&d, i % 2 ? PROC_A : PROC_B, T0 + 1000 + i * 1000);
  int more_runs = sqlite3_stmt_status(prune, SQLITE_STMTSTATUS_RUN, 0) - runs;
  int more_steps = sqlite3_stmt_status(prune, SQLITE_STMTSTATUS_VM_STEP, 0) - steps;
  assert_true(more_runs > 0);
  if (more_steps > 100 * more_runs) /* stepping over 1 000 sent events is > 10 000 */
    fail_msg("%d prunes took %d VM steps: they walked the sent events again", more_runs,
             more_steps);
  assert_int_equal(expired_count(), 0);
  assert_int_equal(queued(), 1000 + 22);
  /* A month on, when both clocks agree: the 22 pending events expire, the
   * sent ones stay (their mark retires them). */
  capture_at(&d, PROC_A, T0 + 31 * DAY);
  capture_at(&d, PROC_B, T0 + 31 * DAY + 1000);
  ja__store_close(&d);
  assert_int_equal(expired_count(), 22);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where id <= 1000"), 1000);
  assert_int_equal(queued(), 1000 + 2);
}
