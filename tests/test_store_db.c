/*
 * test_store_db.c — the store file: schema and views, refused opens (missing,
 * symlink, directory, corrupt, newer schema), claims, drop counters, purge.
 */
#include "store_fixture.h"

static void test_store_db__schema_is_current_and_views_exist(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  ja__store_close(&d);
  jt_store_expect_latest();
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sqlite_master where type='view' "
                                            "and name in ('pending','drops','sent')"), 3);
  char *mode = jt_sql_text(jt_db_path(), "pragma journal_mode");
  assert_string_equal(mode, "wal");
  free(mode);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma auto_vacuum"), 2); /* incremental */
}

static void test_store_db__reopen_does_not_remigrate(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  jt_store_insert_n(&d, 3);
  ja__store_close(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_OK);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), 3);
}

static void test_store_db__missing_without_create(void **state)
{
  (void)state;
  ja__db d;
  jt_store_fresh(&d);
  assert_int_equal(ja__store_open(&d, 0), JA_ECANTCREATE);
  assert_null(d.db);
  struct stat sb;
  assert_int_not_equal(stat(jt_db_path(), &sb), 0);
}

static void test_store_db__symlink_refused(void **state)
{
  (void)state;
  ja__db d;
  const char *dir = jt_store_fresh(&d);
  char target[2048];
  snprintf(target, sizeof target, "%s/elsewhere.db", dir);
  assert_int_equal(symlink(target, jt_db_path()), 0);
  assert_int_equal(ja__store_open(&d, 1), JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "symlink"));
  struct stat sb;
  assert_int_not_equal(stat(target, &sb), 0); /* nothing created through it */
}

static void test_store_db__directory_in_place_refused(void **state)
{
  (void)state;
  ja__db d;
  jt_store_fresh(&d);
  assert_int_equal(mkdir(jt_db_path(), 0700), 0);
  assert_int_equal(ja__store_open(&d, 1), JA_EUNSAFE);
}

static void test_store_db__corrupt_file_reported_to_readers(void **state)
{
  (void)state;
  ja__db d;
  jt_store_fresh(&d);
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

static void test_store_db__newer_schema_refused(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  ja__store_close(&d);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "pragma user_version = 999", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(ja__store_open(&d, 1), JA_EVERSION);
}

static void test_store_db__claim_then_delete_exactly_by_uuid(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  jt_store_insert_n(&d, 5);
  int64_t now = ja__now_ms();
  ja__lease_batch a = {0}, b = {0}, c = {0};
  assert_int_equal(jt_store_claim(&d, "upA", now, now + 60000, 3, &a), 3);
  /* A second uploader only gets what is not leased. */
  assert_int_equal(jt_store_claim(&d, "upB", now, now + 60000, 10, &b), 2);
  assert_int_equal(jt_store_claim(&d, "upC", now, now + 60000, 10, &c), 0);
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

static void test_store_db__expired_lease_is_reclaimable(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  jt_store_insert_n(&d, 2);
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(jt_store_claim(&d, "killed", now, now + 1000, 10, &b), 2);
  /* The owner was killed; once its lease expires another takes over. */
  assert_int_equal(jt_store_claim(&d, "next", now + 500, now + 60000, 10, &b), 0);
  assert_int_equal(jt_store_claim(&d, "next", now + 1000, now + 60000, 10, &b), 2);
  ja__store_batch_free(&b);
  ja__store_close(&d);
  /* The killed owner's lease is gone; the next one holds both. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease where owner = 'killed'"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from upload_lease where owner = 'next'"), 1);
}

static void test_store_db__drop_counters_accumulate(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
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

static void test_store_db__duplicate_uuid_rolls_back_whole_transaction(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
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

static void test_store_db__create_failure_reported(void **state)
{
  (void)state;
  ja__db d;
  jt_store_fresh(&d);
  ja__syscalls saved = ja__sys;
  ja__sys.open = fail_open;
  ja_status st = ja__store_open(&d, 1);
  ja__sys = saved;
  assert_int_equal(st, JA_ECANTCREATE);
  assert_non_null(strstr(ja_last_error(), "No space left"));
}

static void test_store_db__purge_sent_only(void **state)
{
  (void)state;
  ja__db d;
  jt_store_open_fresh(&d);
  jt_store_insert_n(&d, 2);
  assert_int_equal(sqlite3_exec(d.db, "insert into sent_log values ('u','e','{}','t',1)", NULL,
                                NULL, NULL), SQLITE_OK);
  int64_t n = 0;
  assert_int_equal(ja__store_purge(&d, JA_PURGE_SENT, ja__now_ms(), &n), JA_OK);
  assert_int_equal(n, 1);
  ja__store_close(&d);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from sent"), 0);
}
