/*
 * test_store.c — the SQLite queue below the API: schema and migrations,
 * refusal of symlinks / corrupt / newer files, the uploader's claim and
 * delete-by-uuid, pruning, and I/O failures while creating files.
 */
#include "support.h"
#include "api/api.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sql_embed.h"

static void
db_init(ja__db *d)
{
  memset(d, 0, sizeof *d);
  snprintf(d->path, sizeof d->path, "%s", jt_db_path());
  d->busy_timeout_ms = 250;
  d->max_events = 10000;
  d->max_age_ms = 30LL * 86400000;
  mkdir(jt_home(), 0700);
}

static void
insert_n(ja__db *d, int n)
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

static void test_store__schema_is_current_and_views_exist(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  ja__store_close(&d);
  int latest = ja__sql_migrations[ja__sql_migration_count - 1].version;
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"), latest);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sqlite_master where type='view' "
                                            "and name in ('pending','drops','sent')"), 3);
  char *mode = jt_sql_text(jt_db_path(), "pragma journal_mode");
  assert_string_equal(mode, "wal");
  free(mode);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma auto_vacuum"), 2); /* incremental */
}

static void test_store__reopen_does_not_remigrate(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  insert_n(&d, 3);
  ja__store_close(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 3);
}

static void test_store__missing_without_create(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_ECANTCREATE);
  assert_null(d.db);
  struct stat sb;
  assert_int_not_equal(stat(jt_db_path(), &sb), 0);
}

static void test_store__symlink_refused(void **state)
{
  (void)state;
  const char *dir = jt_fresh_env();
  ja__db d;
  db_init(&d);
  char target[2048];
  snprintf(target, sizeof target, "%s/elsewhere.db", dir);
  assert_int_equal(symlink(target, jt_db_path()), 0);
  assert_int_equal(ja__store_open(&d, 1), JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "symlink"));
  struct stat sb;
  assert_int_not_equal(stat(target, &sb), 0); /* nothing created through it */
}

static void test_store__directory_in_place_refused(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(mkdir(jt_db_path(), 0700), 0);
  assert_int_equal(ja__store_open(&d, 1), JA_EUNSAFE);
}

static void test_store__corrupt_file_reported_to_readers(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  char junk[8192];
  memset(junk, 'x', sizeof junk - 1);
  junk[sizeof junk - 1] = '\0';
  jt_write_file(jt_db_path(), junk);
  chmod(jt_db_path(), 0600);
  int present = 0;
  assert_int_equal(ja__store_open_existing(&d, &present), JA_ECORRUPT);
  assert_null(d.db);
  /* A reader leaves the file as it was; the next capture moves it aside. */
  assert_true(jt_file_contains(jt_db_path(), "xxxxxxxx"));
}

static void test_store__newer_schema_refused(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  ja__store_close(&d);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "pragma user_version = 999", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(ja__store_open(&d, 1), JA_EVERSION);
}

/* ja__store_claim_rows with no byte limit: how many @p owner got. */
static int
claim(ja__db *d, const char *owner, int64_t now, int64_t until, int limit, ja__lease_batch *b)
{
  assert_int_equal(ja__store_claim_rows(d, owner, now, until, limit, INT64_MAX, 0, b), JA_OK);
  return (int)b->n;
}

static void test_store__claim_then_delete_exactly_by_uuid(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  insert_n(&d, 5);
  int64_t now = ja__now_ms();
  ja__lease_batch a = {0}, b = {0}, c = {0};
  assert_int_equal(claim(&d, "upA", now, now + 60000, 3, &a), 3);
  /* A second uploader only gets what is not leased. */
  assert_int_equal(claim(&d, "upB", now, now + 60000, 10, &b), 2);
  assert_int_equal(claim(&d, "upC", now, now + 60000, 10, &c), 0);
  /* upA acks its first row, upB's first row and a row nobody has: only
   * its own is deleted (b's is upB's, the third does not exist). */
  ja__lease_row ghost = a.rows[0];
  char ghost_uuid[] = "01900000-0000-7000-8000-000000000000";
  ghost.uuid = ghost_uuid;
  ghost.id = -1;
  ja__lease_row mine[] = {a.rows[0], b.rows[0], ghost};
  int64_t del = 0;
  assert_int_equal(ja__store_ack(&d, "upA", mine, 3, 200, now, &del), JA_OK);
  assert_int_equal(del, 1);
  char q[256];
  snprintf(q, sizeof q, "select count(*) from events where uuid='%s'", b.rows[0].uuid);
  ja__store_close(&d);
  /* Sent stays in place (014_sent_in_place.sql): 4 pending, 1 sent. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 4);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), q), 1);
  ja__store_batch_free(&a);
  ja__store_batch_free(&b);
  ja__store_batch_free(&c);
}

static void test_store__expired_lease_is_reclaimable(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  insert_n(&d, 2);
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(claim(&d, "killed", now, now + 1000, 10, &b), 2);
  /* The owner was killed; once its lease expires another takes over. */
  assert_int_equal(claim(&d, "next", now + 500, now + 60000, 10, &b), 0);
  assert_int_equal(claim(&d, "next", now + 1000, now + 60000, 10, &b), 2);
  ja__store_batch_free(&b);
  ja__store_close(&d);
  /* The killed owner's lease is gone; the next one holds both. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease where owner = 'killed'"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease where owner = 'next'"), 1);
}

static void test_store__drop_counters_accumulate(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  unsigned drops[JA__DROP_COUNT] = {0};
  drops[JA__DROP_PII] = 2;
  drops[JA__DROP_TOO_LONG] = 1;
  assert_int_equal(ja__store_insert(&d, NULL, drops, ja__now_ms()), JA_OK);
  assert_int_equal(ja__store_insert(&d, NULL, drops, ja__now_ms()), JA_OK);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='pii'"), 4);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='too_long'"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 0);
}

static void test_store__duplicate_uuid_rolls_back_whole_transaction(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  unsigned drops[JA__DROP_COUNT] = {0};
  drops[JA__DROP_PII] = 1;
  ja__row r = {"01900000-0000-7000-8000-000000000001", "x", "feature_used", "{}", ja__now_ms(), 0};
  assert_int_equal(ja__store_insert(&d, &r, drops, r.ts_ms), JA_OK);
  assert_int_not_equal(ja__store_insert(&d, &r, drops, r.ts_ms), JA_OK);
  ja__store_close(&d);
  /* Neither the second row nor its drop counts were kept. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='pii'"), 1);
}

/* Creating files fails (a full disk); opening existing ones works. */
static int fail_open(const char *p, int f, unsigned m)
{
  if (!(f & O_CREAT))
    return open(p, f, (mode_t)m);
  errno = ENOSPC;
  return -1;
}

static void test_store__create_failure_reported(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  ja__syscalls saved = ja__sys;
  ja__sys.open = fail_open;
  ja_status st = ja__store_open(&d, 1);
  ja__sys = saved;
  assert_int_equal(st, JA_ECANTCREATE);
  assert_non_null(strstr(ja_last_error(), "No space left"));
}

static void test_store__purge_sent_only(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  insert_n(&d, 2);
  assert_int_equal(sqlite3_exec(d.db, "insert into sent_log values ('u','e','{}','t',1)", NULL,
                                NULL, NULL), SQLITE_OK);
  int64_t n = 0;
  assert_int_equal(ja__store_purge(&d, JA_PURGE_SENT, ja__now_ms(), &n), JA_OK);
  assert_int_equal(n, 1);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 0);
}

/* ------------------------------------------------- caps and the clock */

#define DAY INT64_C(86400000)
/* A fixed "today" for the clock tests: 2026-03-01T00:00:00Z. */
#define T0 INT64_C(1772323200000)

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
  jt_fresh_env();
  db_init(d);
  assert_int_equal(ja__store_open(d, 1), JA_OK);
  capture_at(d, PROC_A, T0);
  capture_at(d, PROC_B, T0 + 1000);
  capture_at(d, PROC_A, T0 + 2000);
}

/* Issue: one capture whose clock is 31 days ahead expired the whole queue.
 * Now a process with a wrong clock — one capture or many — cannot move the
 * store clock the age cap compares with past another process's clock. */
static void test_store__clock_ahead_expires_nothing(void **state)
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
static void test_store__old_events_expire_when_two_clocks_agree(void **state)
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
static void test_store__store_clock_starts_from_newest_event(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
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
static void test_store__clock_1970_event_aged_from_arrival(void **state)
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
static void test_store__clock_behind_event_not_expired_by_next(void **state)
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

/* @p n rows straight into the table (the triggers keep the counters). */
static void
raw_fill(ja__db *d, int n, int64_t ts)
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

/* Issue: a queue over its cap made one unlucky capture delete the whole
 * excess under the write lock (4.6 s for 990 k rows). One capture now
 * deletes at most what it adds plus JA__PRUNE_STEP, and repeated captures
 * converge to the cap, every pruned row counted. */
static void test_store__over_cap_prunes_in_bounded_steps(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  d.max_events = 10000;
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  /* This test is about counts: skip the fsyncs, not the logic. */
  assert_int_equal(sqlite3_exec(d.db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
  raw_fill(&d, 60000, ja__now_ms());
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
static void test_store__expiry_in_bounded_steps(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  d.max_events = 1000000;
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  assert_int_equal(sqlite3_exec(d.db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
  raw_fill(&d, 5000, T0);
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
static void test_store__reclaim_is_bounded_per_transaction(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  d.max_events = 10;
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  assert_int_equal(sqlite3_exec(d.db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
  raw_fill(&d, 30000, ja__now_ms());
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
static void test_store__status_and_show_plans_scan_nothing_whole(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
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

/* The same, measured: the work of every status/show statement is the
 * same with 1 000 and with 30 000 events (and sent rows — in the sent log
 * and kept in place under sent marks —, leased rows). */
static void test_store__status_and_show_work_independent_of_queue_size(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  d.max_events = 1000000;
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  int64_t small[NREPORT];
  raw_fill(&d, 1000, T0);
  raw_mark_sent(&d, 500);
  raw_fill_made(&d, 1000, T0);
  raw_fill_sent(&d, 1000);
  /* The same leases both times: they hold a few batches, never the queue. */
  assert_int_equal(sqlite3_exec(d.db, "INSERT INTO upload_lease VALUES (1, 50, 'u', 9e15),"
                                      " (51, 100, 'v', 9e15), (101, 200, 'w', 0)",
                                NULL, NULL, NULL), SQLITE_OK);
  /* The second span of the made events: a full one, 256 ids all made. */
  for (size_t i = 0; i < NREPORT; i++)
    small[i] = steps_of(&d, *report_queries[i].sql, 1001 / 256 + 1);
  assert_int_equal(sqlite3_exec(d.db, "DELETE FROM events; DELETE FROM sent_log;"
                                      " DELETE FROM upload_lease; DELETE FROM sent_mark;",
                                NULL, NULL, NULL), SQLITE_OK);
  raw_fill(&d, 30000, T0);
  raw_mark_sent(&d, 15000);
  raw_fill_made(&d, 30000, T0);
  raw_fill_sent(&d, 30000);
  assert_int_equal(sqlite3_exec(d.db, "INSERT INTO upload_lease VALUES (1, 50, 'u', 9e15),"
                                      " (51, 100, 'v', 9e15), (101, 200, 'w', 0)",
                                NULL, NULL, NULL), SQLITE_OK);
  for (size_t i = 0; i < NREPORT; i++) {
    int64_t big = steps_of(&d, *report_queries[i].sql, 30001 / 256 + 1);
    if (big != small[i])
      fail_msg("%s: %lld steps at 1 000 rows, %lld at 30 000", report_queries[i].name,
               (long long)small[i], (long long)big);
  }
  ja__store_close(&d);
}

/* The leased figure of status (report_queue.sql) at @p now. */
static int64_t
status_leased(ja__db *d, int64_t now)
{
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(d->db, ja__sql_report_queue, -1, &q, NULL), SQLITE_OK);
  sqlite3_bind_int64(q, 1, now);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(q, 1);
  sqlite3_finalize(q);
  return n;
}

/* The counters status reads stay equal to what they count, through
 * inserts, claims, re-claims of expired leases, deletes and purges. */
static void test_store__status_counters_match_the_tables(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  insert_n(&d, 10);
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(claim(&d, "upA", now, now + 1000, 4, &b), 4);
  assert_int_equal(status_leased(&d, now), 4);
  assert_int_equal(status_leased(&d, now + 1000), 0); /* expired: not leased */
  assert_int_equal(claim(&d, "upB", now + 2000, now + 60000, 6, &b), 6); /* 4 re-taken + 2 fresh */
  ja__store_batch_free(&b);
  raw_fill_sent(&d, 7);
  /* By hand: two leased events deleted, a third of the sent log. */
  assert_int_equal(sqlite3_exec(d.db, "DELETE FROM events WHERE id IN (2, 5);"
                                      "DELETE FROM sent_log WHERE rowid % 3 = 0;",
                                NULL, NULL, NULL), SQLITE_OK);
  const char *check = "SELECT (SELECT events FROM queue_stats) = (SELECT count(*) FROM events) "
                      "AND (SELECT sent FROM queue_stats) = (SELECT count(*) FROM sent_log)";
  assert_int_equal(jt_sql_int(jt_db_path(), check), 1);
  assert_int_equal(status_leased(&d, now + 2000), 4);
  int64_t removed = 0;
  assert_int_equal(ja__store_purge(&d, JA_PURGE_PENDING | JA_PURGE_SENT, ja__now_ms(), &removed),
                   JA_OK);
  assert_int_equal(status_leased(&d, now + 2000), 0);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), check), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent + events from queue_stats"), 0);
}

/* Schema 10 (010_sent_log_by_rowid.sql) on a store of version 9 with a
 * sent log: its rows stay, in the order the `sent` view had them (sent_ms,
 * then uuid), now as the rowid (send) order; the uuid key and the DESC
 * sent_by_time index are gone, one ascending sent_by_ms index is left; the
 * counter stays exact for hand edits and the 30-day prune. */
static void test_store__migration_10_keeps_the_sent_log_in_order(void **state)
{
  (void)state;
  jt_fresh_env();
  sqlite3 *db = jt_db_at_version(9);
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms)"
                                " VALUES ('z', 'e1', '{\"a\":1}', 't1', 100),"
                                " ('a', 'e2', '{}', 't2', 200), ('m', 'e3', '{}', 't3', 100);"
                                "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event,"
                                " properties, age_ms) VALUES ('q', 1, 't', 'd', 'e', '{}', 1);",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 3);
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"),
                   ja__sql_migrations[ja__sql_migration_count - 1].version);
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

/* Schema 9 (009_upload_lease.sql) on a store of version 7 with leases
 * taken the old way: a live one stays a lease (skipped by claims until it
 * expires), an expired one is reclaimable at once, the old uploader can
 * still delete what it sent by lease_owner, give rows back, but no longer
 * take new ones; the per-row lease triggers are gone. */
static void test_store__migration_9_keeps_old_leases(void **state)
{
  (void)state;
  jt_fresh_env();
  sqlite3 *db = jt_db_at_version(7);
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
  assert_int_equal(sqlite3_exec(db, fill, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"),
                   ja__sql_migrations[ja__sql_migration_count - 1].version);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sqlite_master where type = "
                                            "'trigger' and name like 'events_leased%'"), 0);
  assert_int_equal(status_leased(&d, now), 2);
  /* A new claim takes the expired 'c' and the free 'd', not a or b. */
  ja__lease_batch b = {0};
  assert_int_equal(claim(&d, "new", now, now + 60000, 10, &b), 2);
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
  assert_int_equal(claim(&d, "new2", now + 600000, now + 660000, 10, &b), 3);
  ja__store_batch_free(&b);
  ja__store_close(&d);
}

/* Pending events (no sent mark holds their id), by brute force. */
#define PENDING_IDS                                                                                \
  "(SELECT id FROM events e WHERE NOT EXISTS"                                                     \
  " (SELECT 1 FROM sent_mark m WHERE e.id BETWEEN m.lo AND m.hi))"

/* What status reads as oldest and newest (report_queue.sql, columns 2 and
 * 3) is the timestamp of the first and of the last pending event in
 * capture order, and the settled boundary has no pending event below it.
 * 1 if so. */
static int
ends_truth(ja__db *d)
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

/* Sent events stay in place (014_sent_in_place.sql): status's oldest and
 * newest are the ends of what is still pending, in capture order, through
 * captures, rollup-made (back-dated) events, runs marked sent in order and
 * out of order, deletes and purges — and the settled boundary never
 * leaves a pending event below it, even once everything pending above it
 * was purged and new events came. */
static void test_store__status_ends_are_the_pending_queue_s_through_marks_and_deletes(void **state)
{
  (void)state;
  jt_fresh_env();
  ja__db d;
  db_init(&d);
  d.max_events = 1000000;
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  assert_true(ends_truth(&d)); /* empty: both null */
  raw_fill(&d, 300, T0);
  raw_fill_made(&d, 600, T0);
  assert_true(ends_truth(&d));
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
    assert_true(ends_truth(&d));
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
    assert_true(ends_truth(&d));
  }
  /* An ack after the head of the pending queue went: the boundary stays at
   * the top mark + 1, not at the first pending event further up. */
  assert_int_equal(ja__store_begin(&d, ja__now_ms()), JA_OK);
  assert_int_equal(ja__store_settle(&d), JA_OK);
  assert_int_equal(ja__store_end(&d, JA_OK), JA_OK);
  assert_true(jt_sql_int(jt_db_path(), "select settled from queue_stats") <= 511);
  assert_true(ends_truth(&d));
  /* Everything pending purged, then new captures: they are pending (their
   * ids are above the boundary), what was sent is still sent. */
  int64_t removed = 0;
  int64_t sent = jt_sql_int(jt_db_path(), "select count(*) from sent");
  assert_int_equal(ja__store_purge(&d, JA_PURGE_PENDING, ja__now_ms(), &removed), JA_OK);
  assert_true(ends_truth(&d));
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), sent);
  assert_int_equal(sqlite3_exec(d.db, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                                      " FROM k WHERE i < 5) INSERT INTO events (uuid, ts_ms,"
                                      " timestamp, distinct_id, event, properties, age_ms)"
                                      " SELECT 'new-' || i, 7 + i, 'x', 'd', 'feature_used', '{}',"
                                      " 7 FROM k", NULL, NULL, NULL), SQLITE_OK);
  assert_true(ends_truth(&d));
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 5);
  /* purge --sent: the marked events and their marks go, the boundary too. */
  assert_int_equal(ja__store_purge(&d, JA_PURGE_SENT, ja__now_ms(), &removed), JA_OK);
  assert_int_equal(removed, sent);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent_mark"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select settled from queue_stats"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 5);
  assert_true(ends_truth(&d));
  ja__store_close(&d);
}

/* A store of schema version 11 (a sent log, rollup events over several
 * spans of 256 ids) migrates to 14: the sent log's rows stay in the `sent`
 * view, every event is pending, the spans stay right, and status reads
 * the ends of the pending queue. */
static void test_store__migration_to_14_keeps_the_sent_log_and_the_queue(void **state)
{
  (void)state;
  jt_fresh_env();
  sqlite3 *db = jt_db_at_version(11);
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
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"),
                   ja__sql_migrations[ja__sql_migration_count - 1].version);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events_span"), 4); /* ids 1..1000 */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 1000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 1000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select sent from queue_stats"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select settled from queue_stats"), 0);
  assert_true(ends_truth(&d));
  ja__store_close(&d);
}

/* A store already at schema version 13 (its inspection views and drops by
 * day in use) gets sent-in-place when it is next opened — version 14 comes
 * after 13, so no store can have skipped it — keeps its drops by day, and
 * then tells pending from sent in every view once an upload ran. */
static void test_store__store_at_13_upgrades_to_sent_in_place(void **state)
{
  (void)state;
  jt_fresh_env();
  sqlite3 *db = jt_db_at_version(13);
  assert_int_equal(sqlite3_exec(db,
                                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
                                " WHERE i < 50) INSERT INTO events (uuid, ts_ms, timestamp,"
                                " distinct_id, event, properties, age_ms) SELECT 'e-' || i,"
                                " 1772323200000 + i, 'x', 'd', 'feature_used', '{}', 1 FROM k;"
                                "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms)"
                                " VALUES ('old-1', 'feature_used', '{}', 't', 5);"
                                "INSERT INTO drop_day (day, reason, count) VALUES (20513, 'pii', 3);",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  /* As builds before sent-in-place made it: no sent_mark yet. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sqlite_master where name = 'sent_mark'"), 0);
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 1), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"), 14);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 50);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops_by_day where reason = 'pii'"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_open"), 0);
  /* An upload of 20: they stay in events, marked, sent and not pending. */
  int64_t now = ja__now_ms(), nsent = 0;
  ja__lease_batch b = {0};
  assert_int_equal(claim(&d, "up", now, now + 60000, 20, &b), 20);
  assert_int_equal(ja__store_ack(&d, "up", b.rows, b.n, 200, now, &nsent), JA_OK);
  assert_int_equal(nsent, 20);
  ja__store_batch_free(&b);
  assert_true(ends_truth(&d));
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 50);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 30);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 21);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events * 100 + sent from queue_stats"), 3021);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from drops_by_day"), 1);
}

/* A store written by schema version 1 is migrated: its events keep being
 * aged by their capture time, and the counters start right. */
static void test_store__migration_from_version_1_keeps_ages_and_counts(void **state)
{
  (void)state;
  jt_fresh_env();
  sqlite3 *db = jt_db_at_version(1);
  assert_int_equal(sqlite3_exec(db, "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event,"
                                    " properties, lease_owner) VALUES"
                                    " ('a', 1772323200000, 't', 'd', 'e', '{}', NULL),"
                                    " ('b', 1772323201000, 't', 'd', 'e', '{}', 'up');"
                                    "INSERT INTO sent_log VALUES ('c', 'e', '{}', 't', 1);",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  ja__db d;
  db_init(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where age_ms = ts_ms"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events * 100 + sent from queue_stats"), 201);
  /* Its lease (no expiry) is an expired one-event lease since schema 9. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease where lo = 2 and "
                                            "hi = 2 and owner = 'up' and until_ms = 0"), 1);
}
