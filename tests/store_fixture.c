/*
 * store_fixture.c — the helpers declared in store_fixture.h, shared by the
 * test_store_*.c files.
 */
#include "store_fixture.h"

void
jt_store_db_init(ja__db *d)
{
  memset(d, 0, sizeof *d);
  snprintf(d->path, sizeof d->path, "%s", jt_db_path());
  d->busy_timeout_ms = 250;
  d->max_events = 10000;
  d->max_age_ms = 30LL * 86400000;
  mkdir(jt_home(), 0700);
}

const char *
jt_store_fresh(ja__db *d)
{
  const char *dir = jt_fresh_env();
  jt_store_db_init(d);
  return dir;
}

void
jt_store_open_fresh(ja__db *d)
{
  jt_store_fresh(d);
  assert_int_equal(ja__store_open(d, 1), JA_OK);
}

void
jt_store_open_fresh_capped(ja__db *d, int64_t max_events)
{
  jt_store_fresh(d);
  d->max_events = max_events;
  assert_int_equal(ja__store_open(d, 1), JA_OK);
}

void
jt_store_expect_latest(void)
{
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"),
                   ja__sql_migrations[ja__sql_migration_count - 1].version);
}

void
jt_store_old(int version, const char *sql)
{
  jt_fresh_env();
  sqlite3 *db = jt_db_at_version(version);
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("%s: %s", sql, err ? err : "?");
  sqlite3_close(db);
}

void
jt_store_open_migrated(ja__db *d)
{
  jt_store_db_init(d);
  assert_int_equal(ja__store_open(d, 0), JA_OK);
  jt_store_expect_latest();
}

void
jt_store_insert_n(ja__db *d, int n)
{
  for (int i = 0; i < n; i++) {
    char uuid[37];
    int64_t now = ja__now_ms();
    ja__uuid_v7(now, uuid);
    ja__row r = {uuid, "00000000-0000-4000-8000-000000000000", "feature_used",
                 "{\"feature_name\":\"chat\"}", now, 0};
    assert_int_equal(ja__store_insert(d, &r, NULL, now), JA_OK);
  }
}

/* ja__store_claim_rows with no byte limit: how many @p owner got. */
int
jt_store_claim(ja__db *d, const char *owner, int64_t now, int64_t until, int limit, ja__lease_batch *b)
{
  assert_int_equal(ja__store_claim_rows(d, owner, now, until, limit, INT64_MAX, 0, b), JA_OK);
  return (int)b->n;
}

/* @p n rows straight into the table (the triggers keep the counters). */
void
jt_store_raw_fill(ja__db *d, int n, int64_t ts)
{
  char sql[1024];
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
           "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms) "
           "SELECT printf('00000000-0000-7000-8000-%%012d', i), %lld, 'x', 'd', 'feature_used', "
           "'{\"feature_name\":\"chat\"}', %lld FROM k",
           n, (long long)ts, (long long)ts);
  assert_int_equal(sqlite3_exec(d->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The leased figure of status (report_queue.sql) at @p now. */
int64_t
jt_store_status_leased(ja__db *d, int64_t now)
{
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(d->db, ja__sql_report_queue, -1, &q, NULL), SQLITE_OK);
  sqlite3_bind_int64(q, 1, now);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(q, 1);
  sqlite3_finalize(q);
  return n;
}

/* What status reads as oldest and newest (report_queue.sql, columns 2 and
 * 3) is the timestamp of the first and of the last pending event in
 * capture order, and the settled boundary has no pending event below it.
 * 1 if so. */
int
jt_store_ends_truth(ja__db *d)
{
  int64_t first = jt_sql_int(jt_db_path(), "SELECT coalesce((SELECT ts_ms FROM events WHERE id ="
                                           " (SELECT min(id) FROM " PENDING_IDS ")), -1)");
  int64_t last = jt_sql_int(jt_db_path(), "SELECT coalesce((SELECT ts_ms FROM events WHERE id ="
                                          " (SELECT max(id) FROM " PENDING_IDS ")), -1)");
  int64_t below = jt_sql_int(jt_db_path(), "SELECT count(*) FROM " PENDING_IDS
                                           " WHERE id < (SELECT settled FROM queue_stats)");
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(d->db, ja__sql_report_queue, -1, &q, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  int64_t lo = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 2);
  int64_t hi = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 3);
  int64_t pending = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  return lo == first && hi == last && below == 0 &&
         pending == jt_sql_int(jt_db_path(), "SELECT count(*) FROM " PENDING_IDS);
}
