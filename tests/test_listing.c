/*
 * test_listing.c — what `show` lists (store/listing.c): queued events
 * newest first by timestamp although a rollup's events are back-dated and
 * read span by span, filtered by event and time; the sent log most
 * recently sent first. Every listing is checked against the same question
 * asked of SQLite directly (sorting the whole table), on rows written apart
 * from the listing code.
 */
#include "store_fixture.h"
#include "store/listing.h"

/* A fresh store with room for every event a test writes, of any age. */
static void
open_db(ja__db *d)
{
  jt_store_fresh(d);
  d->max_events = 1000000;
  d->max_age_ms = 3650LL * 86400000;
  assert_int_equal(ja__store_open(d, 1), JA_OK);
}

static uint64_t g_rng = 88172645463325252ULL;
static uint64_t
rnd(void)
{
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}


/* @p n events in random order of kind: captures (feature_used, app_opened)
 * whose times mostly rise, with clock jumps back, and rollup-made events
 * (chat_session_ended, usage_daily_summary) back-dated by up to 40 days,
 * so that spans of made events overlap in time. Ties in time happen. */
static void
fill_mixed(ja__db *d, int n)
{
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(d->db,
                                      "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, "
                                      "event, properties, age_ms) VALUES (?1, ?2, 'x', 'd', ?3, "
                                      "'{}', ?2)",
                                      -1, &q, NULL),
                   SQLITE_OK);
  static const char *const captured[] = {"feature_used", "app_opened"};
  static const char *const made[] = {"chat_session_ended", "usage_daily_summary"};
  int64_t clock = T0;
  assert_int_equal(sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
  for (int i = 0; i < n; i++) {
    char uuid[40];
    snprintf(uuid, sizeof uuid, "00000000-0000-7000-8000-%012d", i);
    uint64_t r = rnd();
    int is_made = r % 3 == 0;
    int64_t ts;
    if (is_made) {
      ts = clock - (int64_t)(rnd() % (40ULL * 86400000)) / 1000 * 1000;
    } else {
      clock += (int64_t)(rnd() % 5000) - (r % 97 == 0 ? 3600000 : 0); /* now and then back */
      ts = clock;
    }
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, ts);
    sqlite3_bind_text(q, 3, is_made ? made[(r >> 8) & 1] : captured[(r >> 8) & 1], -1,
                      SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_reset(q);
  }
  assert_int_equal(sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_finalize(q);
}

/* The uuids SQLite gives for @p sql (one column) with ?1 = @p since,
 * ?2 = @p event, ?3 = @p limit. */
static char **
expected(ja__db *d, const char *sql, int64_t since, const char *event, int64_t limit, size_t *n)
{
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(d->db, sql, -1, &q, NULL), SQLITE_OK);
  sqlite3_bind_int64(q, 1, since);
  if (event)
    sqlite3_bind_text(q, 2, event, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 3, limit);
  char **out = calloc((size_t)limit + 1, sizeof *out);
  *n = 0;
  while (sqlite3_step(q) == SQLITE_ROW)
    out[(*n)++] = strdup((const char *)sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  return out;
}

static void
check_listing(ja__db *d, int sent, int64_t since, const char *event, int64_t limit)
{
  static const char *const pending_sql =
      "SELECT uuid FROM events WHERE ts_ms >= ?1 AND (?2 IS NULL OR event = ?2) "
      "ORDER BY ts_ms DESC, id DESC LIMIT ?3";
  static const char *const sent_sql =
      "SELECT uuid FROM sent_log WHERE sent_ms >= ?1 AND (?2 IS NULL OR event = ?2) "
      "ORDER BY rowid DESC LIMIT ?3";
  size_t nwant = 0;
  char **want = expected(d, sent ? sent_sql : pending_sql, since, event, limit, &nwant);
  ja__list got;
  ja__list_query q = {.sent = sent, .limit = limit, .event = event, .since_ms = since};
  assert_int_equal(ja__store_list(d, &q, &got), JA_OK);
  if (got.n != nwant)
    fail_msg("sent %d since %lld event %s limit %lld: %zu rows, want %zu", sent,
             (long long)since, event ? event : "-", (long long)limit, got.n, nwant);
  for (size_t i = 0; i < nwant; i++) {
    if (strcmp(got.rows[i].uuid, want[i]) != 0)
      fail_msg("sent %d since %lld event %s limit %lld: row %zu is %s, want %s", sent,
               (long long)since, event ? event : "-", (long long)limit, i, got.rows[i].uuid,
               want[i]);
    assert_non_null(sent ? got.rows[i].sent_at : got.rows[i].distinct_id);
    free(want[i]);
  }
  free(want);
  ja__list_free(&got);
}

static void test_listing__pending_newest_first_by_timestamp(void **state)
{
  (void)state;
  ja__db d;
  open_db(&d);
  fill_mixed(&d, 6000);
  static const int64_t limits[] = {1, 2, 7, 20, 255, 256, 257, 1000, 10000};
  static const char *const events[] = {NULL, "chat_session_ended", "feature_used",
                                       "usage_daily_summary", "install_started"};
  static const int64_t since[] = {0, T0 - 20LL * 86400000, T0 + 3600000, T0 + 400LL * 86400000};
  for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++)
    for (size_t e = 0; e < sizeof events / sizeof events[0]; e++)
      for (size_t s = 0; s < sizeof since / sizeof since[0]; s++)
        check_listing(&d, 0, since[s], events[e], limits[l]);
  ja__store_close(&d);
}

/* After the uploader and purges removed rows here and there: spans with
 * holes, empty spans gone. */
static void test_listing__pending_after_deletes(void **state)
{
  (void)state;
  ja__db d;
  open_db(&d);
  fill_mixed(&d, 3000);
  assert_int_equal(sqlite3_exec(d.db,
                                "DELETE FROM events WHERE id % 7 = 0 OR id BETWEEN 300 AND 900 "
                                "OR (id > 2000 AND event = 'chat_session_ended')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  for (int64_t limit = 1; limit <= 4096; limit *= 4)
    check_listing(&d, 0, 0, NULL, limit);
  check_listing(&d, 0, 0, "usage_daily_summary", 50);
  ja__store_close(&d);
}

static void test_listing__sent_most_recently_sent_first(void **state)
{
  (void)state;
  ja__db d;
  open_db(&d);
  assert_int_equal(sqlite3_exec(d.db,
                                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k "
                                "WHERE i < 500) INSERT INTO sent_log (uuid, event, properties, "
                                "timestamp, sent_ms) SELECT printf('s-%04d', i), CASE i % 3 WHEN "
                                "0 THEN 'app_opened' ELSE 'feature_used' END, '{}', 'x', "
                                "1772323200000 + i * 1000 FROM k",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  check_listing(&d, 1, 0, NULL, 20);
  check_listing(&d, 1, 0, "app_opened", 1000);
  check_listing(&d, 1, T0 + 250000, NULL, 1000);
  check_listing(&d, 1, T0 + 250000, "feature_used", 7);
  ja__store_close(&d);
}

/* An empty queue lists nothing, whatever the filters. */
static void test_listing__empty_queue(void **state)
{
  (void)state;
  ja__db d;
  open_db(&d);
  check_listing(&d, 0, 0, NULL, 20);
  check_listing(&d, 1, 0, NULL, 20);
  ja__store_close(&d);
}
