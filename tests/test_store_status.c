/*
 * test_store_status.c — status and show stay O(1): their query plans, work
 * independent of the queue size, counters and ends matching the tables.
 */
#include "store_fixture.h"

/* --------------------------------------- status and show stay O(1) */

/* The statements `status` and `show` run (api/report.c). */
static const struct {
  const char *name;
  const char *const *sql;
} report_queries[] = {
    {"report_queue", &ja__sql_report_queue}, {"report_sent", &ja__sql_report_sent},
    {"report_drops", &ja__sql_report_drops}, {"show_captured", &ja__sql_show_captured},
    {"show_spans", &ja__sql_show_spans}, {"show_span", &ja__sql_show_span},
    {"show_sent", &ja__sql_show_sent},
};

/* The parameters `status` and `show` bind: ?1 (status: now) and the
 * listing's :limit 3 (fewer than the spans of the smaller queue below, so
 * that a listing can fill it at both sizes), :since 0 (any time), :event
 * NULL (any) and :span @p span (one span of 256 ids, store/listing.c). */
static void
bind_report(sqlite3_stmt *q, int64_t span)
{
  if (sqlite3_bind_parameter_name(q, 1) == NULL || sqlite3_bind_parameter_name(q, 1)[0] == '?')
    sqlite3_bind_int64(q, 1, 20);
  int i;
  if ((i = sqlite3_bind_parameter_index(q, ":limit")) > 0)
    sqlite3_bind_int64(q, i, 3);
  if ((i = sqlite3_bind_parameter_index(q, ":since")) > 0)
    sqlite3_bind_int64(q, i, 0);
  if ((i = sqlite3_bind_parameter_index(q, ":span")) > 0)
    sqlite3_bind_int64(q, i, span);
}

#define NREPORT (sizeof report_queries / sizeof report_queries[0])

/* @p n rows into sent_log. */
static void
raw_fill_sent(ja__db *d, int n)
{
  char sql[512];
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
           "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
           "SELECT printf('00000000-0000-7000-9000-%%012d', i), 'feature_used', '{}', 'x', "
           "1772323200000 + i FROM k", n);
  assert_int_equal(sqlite3_exec(d->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The first @p n events sent in place (014_sent_in_place.sql), as the
 * uploader records them: one mark per 100 ids, sent one second apart,
 * the settled boundary after them. */
static void
raw_mark_sent(ja__db *d, int n)
{
  char sql[1024];
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 100 FROM k WHERE i + 100 < %d) "
           "INSERT INTO sent_mark (lo, hi, sent_ms) SELECT i + 1, min(i + 100, %d), "
           "1772323200000 + i * 10 FROM k; "
           "UPDATE queue_stats SET settled = %d + 1, events = events - %d, sent = sent + %d;",
           n, n, n, n, n);
  assert_int_equal(sqlite3_exec(d->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* @p n events as a rollup makes them (back-dated, in no order: ts_ms
 * spread over @p ts - 1 h .. @p ts), after what the queue holds. */
static void
raw_fill_made(ja__db *d, int n, int64_t ts)
{
  char sql[1024];
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
           "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms) "
           "SELECT printf('00000000-0000-7000-a000-%%012d', i), %lld - (i * 7919) %% 3600000, "
           "'x', 'd', 'chat_session_ended', '{}', %lld FROM k",
           n, (long long)ts, (long long)ts);
  assert_int_equal(sqlite3_exec(d->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Issue: status scanned the whole queue (253 ms at 1 M rows). Every plan
 * step on events or sent_log is an index SEARCH, or — only for a listing
 * with LIMIT — a scan in index order that the LIMIT stops; nothing is
 * sorted in a temporary b-tree. */
static void test_store_status__status_and_show_plans_scan_nothing_whole(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  for (size_t i = 0; i < NREPORT; i++) {
    char sql[2048];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", *report_queries[i].sql);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(d.db, sql, -1, &q, NULL), SQLITE_OK);
    bind_report(q, 1);
    /* A listing with LIMIT, or one span's events (256 ids at most). */
    int limited = strstr(*report_queries[i].sql, "LIMIT") != NULL ||
                  strstr(*report_queries[i].sql, ":span") != NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char *step = (const char *)sqlite3_column_text(q, 3);
      if (strstr(step, "TEMP B-TREE"))
        fail_msg("%s sorts everything: %s", report_queries[i].name, step);
      int big = strstr(step, " events") || strstr(step, " sent_log");
      if (big && strncmp(step, "SCAN", 4) == 0 && !limited)
        fail_msg("%s scans a whole table: %s", report_queries[i].name, step);
    }
    sqlite3_finalize(q);
  }
  ja__store_close(&d);
}

/* Rows (VM steps) each statement visits, summed over a full run; a span's
 * listing reads span @p span. */
static int64_t
steps_of(ja__db *d, const char *sql, int64_t span)
{
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(d->db, sql, -1, &q, NULL), SQLITE_OK);
  bind_report(q, span);
  while (sqlite3_step(q) == SQLITE_ROW)
    ;
  int64_t n = sqlite3_stmt_status(q, SQLITE_STMTSTATUS_VM_STEP, 0);
  sqlite3_finalize(q);
  return n;
}

/* @p n captured events, the first half of them sent in place, @p n
 * rollup-made ones after them, @p n rows in the sent log, and the same
 * leases whatever @p n: they hold a few batches, never the queue. */
static void
fill_all_kinds(ja__db *d, int n)
{
  jt_store_raw_fill(d, n, T0);
  raw_mark_sent(d, n / 2);
  raw_fill_made(d, n, T0);
  raw_fill_sent(d, n);
  assert_int_equal(sqlite3_exec(d->db, "INSERT INTO upload_lease VALUES (1, 50, 'u', 9e15),"
                                       " (51, 100, 'v', 9e15), (101, 200, 'w', 0)",
                                NULL, NULL, NULL), SQLITE_OK);
}

/* The same, measured: the work of every status/show statement is the
 * same with 1 000 and with 30 000 events (and sent rows — in the sent log
 * and kept in place under sent marks —, leased rows). */
static void test_store_status__status_and_show_work_independent_of_queue_size(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh_capped(&d, 1000000);
  int64_t small[NREPORT];
  fill_all_kinds(&d, 1000);
  /* The second span of the made events: a full one, 256 ids all made. */
  for (size_t i = 0; i < NREPORT; i++)
    small[i] = steps_of(&d, *report_queries[i].sql, 1001 / 256 + 1);
  assert_int_equal(sqlite3_exec(d.db, "DELETE FROM events; DELETE FROM sent_log;"
                                      " DELETE FROM upload_lease; DELETE FROM sent_mark;",
                                NULL, NULL, NULL), SQLITE_OK);
  fill_all_kinds(&d, 30000);
  for (size_t i = 0; i < NREPORT; i++) {
    int64_t big = steps_of(&d, *report_queries[i].sql, 30001 / 256 + 1);
    if (big != small[i])
      fail_msg("%s: %lld steps at 1 000 rows, %lld at 30 000", report_queries[i].name,
               (long long)small[i], (long long)big);
  }
  ja__store_close(&d);
}

/* The counters status reads stay equal to what they count, through
 * inserts, claims, re-claims of expired leases, deletes and purges. */
static void test_store_status__status_counters_match_the_tables(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  jt_store_insert_n(&d, 10);
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(jt_store_claim(&d, "upA", now, now + 1000, 4, &b), 4);
  assert_int_equal(jt_store_status_leased(&d, now), 4);
  assert_int_equal(jt_store_status_leased(&d, now + 1000), 0); /* expired: not leased */
  assert_int_equal(jt_store_claim(&d, "upB", now + 2000, now + 60000, 6, &b), 6); /* 4 re-taken + 2 fresh */
  ja__store_batch_free(&b);
  raw_fill_sent(&d, 7);
  /* By hand: two leased events deleted, a third of the sent log. */
  assert_int_equal(sqlite3_exec(d.db, "DELETE FROM events WHERE id IN (2, 5);"
                                      "DELETE FROM sent_log WHERE rowid % 3 = 0;",
                                NULL, NULL, NULL), SQLITE_OK);
  const char *check = "SELECT (SELECT events FROM queue_stats) = (SELECT count(*) FROM events) "
                      "AND (SELECT sent FROM queue_stats) = (SELECT count(*) FROM sent_log)";
  assert_int_equal(jt_sql_int(jt_db_path(), check), 1);
  assert_int_equal(jt_store_status_leased(&d, now + 2000), 4);
  int64_t removed = 0;
  assert_int_equal(ja__store_purge(&d, JA_PURGE_PENDING | JA_PURGE_SENT, ja__now_ms(), &removed),
                   JA_OK);
  assert_int_equal(jt_store_status_leased(&d, now + 2000), 0);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), check), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent + events from queue_stats"), 0);
}

/* Schema 10 (010_sent_log_by_rowid.sql) on a store of version 9 with a
 * sent log: its rows stay, in the order the `sent` view had them (sent_ms,
 * then uuid), now as the rowid (send) order; the uuid key and the DESC
 * sent_by_time index are gone, one ascending sent_by_ms index is left; the
 * counter stays exact for hand edits and the 30-day prune. */
static void test_store_status__migration_10_keeps_the_sent_log_in_order(void **state)
{
  (void)state;
  jt_store_old(9, "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms)"
               " VALUES ('z', 'e1', '{\"a\":1}', 't1', 100),"
               " ('a', 'e2', '{}', 't2', 200), ('m', 'e3', '{}', 't3', 100);"
               "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event,"
               " properties, age_ms) VALUES ('q', 1, 't', 'd', 'e', '{}', 1);");
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 3);
  ja__db d;
  jt_store_open_migrated(&d);
  char *order = jt_sql_text(jt_db_path(), "select group_concat(uuid) from"
                                          " (select uuid from sent_log order by rowid)");
  assert_string_equal(order, "m,z,a");
  free(order);
  char *view = jt_sql_text(jt_db_path(), "select group_concat(uuid || '/' || event || '/' ||"
                                         " properties || '/' || timestamp || '/' || sent_at)"
                                         " from sent");
  assert_string_equal(view, "m/e3/{}/t3/1970-01-01T00:00:00Z,z/e1/{\"a\":1}/t1/1970-01-01T00:00:00Z,"
                            "a/e2/{}/t2/1970-01-01T00:00:00Z");
  free(view);
  char *idx = jt_sql_text(jt_db_path(), "select group_concat(name) from pragma_index_list('sent_log')");
  assert_string_equal(idx, "sent_by_ms");
  free(idx);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 1);
  /* Five columns, as before: a hand insert by position still works and
   * is counted, so is a hand delete. */
  assert_int_equal(sqlite3_exec(d.db, "insert into sent_log values ('h', 'e', '{}', 't', 300);"
                                      "delete from sent_log where uuid = 'z'",
                                NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 3);
  int64_t removed = 0;
  assert_int_equal(ja__store_prune_sent(&d, 150, 10, ja__now_ms(), &removed), JA_OK);
  assert_int_equal(removed, 1); /* m */
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent_log"), 2);
  ja__store_close(&d);
}

/* Sent events stay in place (014_sent_in_place.sql): status's oldest and
 * newest are the ends of what is still pending, in capture order, through
 * captures, rollup-made (back-dated) events, runs marked sent in order and
 * out of order, deletes and purges — and the settled boundary never
 * leaves a pending event below it, even once everything pending above it
 * was purged and new events came. */
static void test_store_status__status_ends_are_the_pending_queue_s_through_marks_and_deletes(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh_capped(&d, 1000000);
  assert_true(jt_store_ends_truth(&d)); /* empty: both null */
  jt_store_raw_fill(&d, 300, T0);
  raw_fill_made(&d, 600, T0);
  assert_true(jt_store_ends_truth(&d));
  /* Marked sent: out of order first (the middle, then the head), as two
   * uploaders acking in the wrong order would. */
  const int64_t runs[][2] = {{401, 500}, {101, 200}, {1, 100}, {201, 400}, {501, 510}};
  for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
    assert_int_equal(ja__store_begin(&d, ja__now_ms()), JA_OK);
    assert_int_equal(ja__store_mark(&d, runs[k][0], runs[k][1], T0 + (int64_t)k), JA_OK);
    const int64_t n = runs[k][1] - runs[k][0] + 1;
    assert_int_equal(ja__store_run_ints(&d, JA__Q_COUNTS_MOVE, &n, 1, "test"), JA_OK);
    assert_int_equal(ja__store_settle(&d), JA_OK);
    assert_int_equal(ja__store_end(&d, JA_OK), JA_OK);
    assert_true(jt_store_ends_truth(&d));
  }
  assert_int_equal(jt_sql_int(jt_db_path(), "select settled from queue_stats"), 511);
  /* Deletes in queue order and at random, as the caps and hand edits do. */
  unsigned rnd = 12345;
  for (int j = 0; j < 20; j++) {
    rnd = rnd * 1103515245u + 12345u;
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM events WHERE id IN (SELECT id FROM " PENDING_IDS
             " ORDER BY id LIMIT 3 OFFSET %u)", (rnd >> 8) % 300);
    assert_int_equal(sqlite3_exec(d.db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_true(jt_store_ends_truth(&d));
  }
  /* An ack after the head of the pending queue went: the boundary stays at
   * the top mark + 1, not at the first pending event further up. */
  assert_int_equal(ja__store_begin(&d, ja__now_ms()), JA_OK);
  assert_int_equal(ja__store_settle(&d), JA_OK);
  assert_int_equal(ja__store_end(&d, JA_OK), JA_OK);
  assert_true(jt_sql_int(jt_db_path(), "select settled from queue_stats") <= 511);
  assert_true(jt_store_ends_truth(&d));
  /* Everything pending purged, then new captures: they are pending (their
   * ids are above the boundary), what was sent is still sent. */
  int64_t removed = 0;
  int64_t sent = jt_sql_int(jt_db_path(), "select count(*) from sent");
  assert_int_equal(ja__store_purge(&d, JA_PURGE_PENDING, ja__now_ms(), &removed), JA_OK);
  assert_true(jt_store_ends_truth(&d));
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), sent);
  assert_int_equal(sqlite3_exec(d.db, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                                      " FROM k WHERE i < 5) INSERT INTO events (uuid, ts_ms,"
                                      " timestamp, distinct_id, event, properties, age_ms)"
                                      " SELECT 'new-' || i, 7 + i, 'x', 'd', 'feature_used', '{}',"
                                      " 7 FROM k", NULL, NULL, NULL), SQLITE_OK);
  assert_true(jt_store_ends_truth(&d));
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 5);
  /* purge --sent: the marked events and their marks go, the boundary too. */
  assert_int_equal(ja__store_purge(&d, JA_PURGE_SENT, ja__now_ms(), &removed), JA_OK);
  assert_int_equal(removed, sent);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent_mark"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select settled from queue_stats"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 5);
  assert_true(jt_store_ends_truth(&d));
  ja__store_close(&d);
}

/* A store of schema version 11 (a sent log, rollup events over several
 * spans of 256 ids) migrates to 14: the sent log's rows stay in the `sent`
 * view, every event is pending, the spans stay right, and status reads
 * the ends of the pending queue. */
static void test_store_status__migration_to_14_keeps_the_sent_log_and_the_queue(void **state)
{
  (void)state;
  char sql[1024];
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000) "
           "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms) "
           "SELECT printf('00000000-0000-7000-8000-%%012d', i), "
           "CASE WHEN i %% 3 = 0 THEN %lld + i ELSE %lld - (i * 7919) %% 3600000 END, 'x', 'd', "
           "CASE WHEN i %% 3 = 0 THEN 'feature_used' ELSE 'chat_session_ended' END, '{}', %lld "
           "FROM k; "
           "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
           "VALUES ('old-1', 'feature_used', '{}', 't', 5), ('old-2', 'feature_used', '{}', 't', 6);",
           (long long)T0, (long long)T0, (long long)T0);
  jt_store_old(11, sql);
  ja__db d;
  jt_store_open_migrated(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events_span"), 4); /* ids 1..1000 */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 1000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 1000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select settled from queue_stats"), 0);
  assert_true(jt_store_ends_truth(&d));
  ja__store_close(&d);
}
