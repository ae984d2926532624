/*
 * test_store_migrate.c — schema migrations keep the queue, the sent log,
 * the leases, ages and counts.
 */
#include "store_fixture.h"

/* Schema 9 (009_upload_lease.sql) on a store of version 7 with leases
 * taken the old way: a live one stays a lease (skipped by claims until it
 * expires), an expired one is reclaimable at once, the old uploader can
 * still delete what it sent by lease_owner, give rows back, but no longer
 * take new ones; the per-row lease triggers are gone. */
static void test_store_migrate__migration_9_keeps_old_leases(void **state)
{
  (void)state;
  int64_t now = ja__now_ms();
  char fill[1024];
  snprintf(fill, sizeof fill,
           "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms,"
           " lease_owner, lease_until_ms) VALUES"
           " ('a', %lld, 't', 'd', 'e', '{}', %lld, 'old', %lld),"
           " ('b', %lld, 't', 'd', 'e', '{}', %lld, 'old', %lld),"
           " ('c', %lld, 't', 'd', 'e', '{}', %lld, 'gone', %lld),"
           " ('d', %lld, 't', 'd', 'e', '{}', %lld, NULL, NULL);",
           (long long)now, (long long)now, (long long)(now + 600000), (long long)now,
           (long long)now, (long long)(now + 600000), (long long)now, (long long)now,
           (long long)(now - 1), (long long)now, (long long)now);
  jt_store_old(7, fill);
  ja__db d;
  jt_store_open_migrated(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sqlite_master where type = "
                                            "'trigger' and name like 'events_leased%'"), 0);
  assert_int_equal(jt_store_status_leased(&d, now), 2);
  /* A new claim takes the expired 'c' and the free 'd', not a or b. */
  ja__lease_batch b = {0};
  assert_int_equal(jt_store_claim(&d, "new", now, now + 60000, 10, &b), 2);
  assert_string_equal(b.rows[0].uuid, "c");
  assert_string_equal(b.rows[1].uuid, "d");
  ja__store_batch_free(&b);
  /* The old uploader, still running: taking rows fails, giving back and
   * deleting what it sent (its own statements, 006's shape) work. */
  assert_int_not_equal(sqlite3_exec(d.db, "UPDATE events SET lease_owner = 'old2' WHERE uuid = 'd'",
                                    NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(d.db, "DELETE FROM events WHERE uuid = 'a' AND lease_owner = 'old';"
                                      "UPDATE events SET lease_owner = NULL WHERE uuid = 'b'",
                                NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 3);
  /* Once the old leases expire, what is left is claimable. */
  assert_int_equal(jt_store_claim(&d, "new2", now + 600000, now + 660000, 10, &b), 3);
  ja__store_batch_free(&b);
  ja__store_close(&d);
}

/* A store already at schema version 13 (its inspection views and drops by
 * day in use) gets sent-in-place when it is next opened — version 14 comes
 * after 13, so no store can have skipped it — keeps its drops by day, and
 * then tells pending from sent in every view once an upload ran. */
static void test_store_migrate__store_at_13_upgrades_to_sent_in_place(void **state)
{
  (void)state;
  jt_store_old(13, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
               " WHERE i < 50) INSERT INTO events (uuid, ts_ms, timestamp,"
               " distinct_id, event, properties, age_ms) SELECT 'e-' || i,"
               " 1772323200000 + i, 'x', 'd', 'feature_used', '{}', 1 FROM k;"
               "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms)"
               " VALUES ('old-1', 'feature_used', '{}', 't', 5);"
               "INSERT INTO drop_day (day, reason, count) VALUES (20513, 'pii', 3);");
  /* As builds before sent-in-place made it: no sent_mark yet. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sqlite_master where name = 'sent_mark'"), 0);
  ja__db d;
  jt_store_db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"), 14);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 50);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops_by_day where reason = 'pii'"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_open"), 0);
  /* An upload of 20: they stay in events, marked, sent and not pending. */
  int64_t now = ja__now_ms(), nsent = 0;
  ja__lease_batch b = {0};
  assert_int_equal(jt_store_claim(&d, "up", now, now + 60000, 20, &b), 20);
  assert_int_equal(ja__store_ack(&d, "up", b.rows, b.n, 200, now, &nsent), JA_OK);
  assert_int_equal(nsent, 20);
  ja__store_batch_free(&b);
  assert_true(jt_store_ends_truth(&d));
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 50);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 30);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 21);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events * 100 + sent from queue_stats"), 3021);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from drops_by_day"), 1);
}

/* A store written by schema version 1 is migrated: its events keep being
 * aged by their capture time, and the counters start right. */
static void test_store_migrate__migration_from_version_1_keeps_ages_and_counts(void **state)
{
  (void)state;
  jt_store_old(1, "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event,"
               " properties, lease_owner) VALUES"
               " ('a', 1772323200000, 't', 'd', 'e', '{}', NULL),"
               " ('b', 1772323201000, 't', 'd', 'e', '{}', 'up');"
               "INSERT INTO sent_log VALUES ('c', 'e', '{}', 't', 1);");
  ja__db d;
  jt_store_db_init(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where age_ms = ts_ms"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events * 100 + sent from queue_stats"), 201);
  /* Its lease (no expiry) is an expired one-event lease since schema 9. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease where lo = 2 and "
                                            "hi = 2 and owner = 'up' and until_ms = 0"), 1);
}
