/*
 * test_api.c — the public API end to end in-process: capture outcomes,
 * concurrency across processes and threads, caps, busy handling, options.
 */
#include "support.h"
#include "api/api.h"
#include "util/clock.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *APP_OPENED = "{\"version\":\"0.1.0\",\"platform\":\"cli\"}";
static ja_store *g_busy_store; /* shared with capture_thread */

static ja_store *
open_with(int64_t max_events, int busy_ms)
{
  ja_options o;
  assert_int_equal(ja_options_init(&o, JA_OPTIONS_VERSION), JA_OK);
  o.max_events = max_events;
  o.busy_timeout_ms = busy_ms;
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, &o);
  if (st != JA_OK)
    fail_msg("open: %s", ja_last_error());
  return s;
}

static void test_api__capture_stores_one_row(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  ja_outcome o;
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_STORED);
  assert_int_equal(o.dropped_props, 0);
  assert_int_equal(strlen(o.uuid), 36);
  assert_int_equal(o.uuid[14], '7');
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 1);
  char *props = jt_sql_text(jt_db_path(), "select properties from pending");
  assert_string_equal(props, APP_OPENED);
  free(props);
}

static void test_api__property_drop_keeps_event(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  ja_outcome o;
  assert_int_equal(ja_capture(s, "app_opened", "{\"version\":\"alice@example.com\",\"platform\":\"cli\"}", &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_STORED);
  assert_int_equal(o.dropped_props, 1);
  assert_string_equal(o.reason, "pii");
  assert_string_equal(o.property, "version");
  ja_store_close(s);
  char *props = jt_sql_text(jt_db_path(), "select properties from pending");
  assert_string_equal(props, "{\"platform\":\"cli\"}");
  free(props);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='pii'"), 1);
}

static void test_api__unknown_property_name_never_echoed(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  ja_outcome o;
  assert_int_equal(ja_capture(s, "app_opened", "{\"bob@example.com\":1}", &o), JA_OK);
  assert_string_equal(o.reason, "unknown_property");
  assert_string_equal(o.property, "");
  ja_store_close(s);
}

static void test_api__unknown_event_dropped_and_counted(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  ja_outcome o;
  assert_int_equal(ja_capture(s, "not_a_real_event", "{\"any\":\"thing\"}", &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_DROPPED);
  assert_string_equal(o.reason, "unknown_event");
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='unknown_event'"), 1);
}

static void test_api__malformed_input_changes_nothing(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, NULL), JA_OK);
  const char *bad[][2] = {
      {"app_opened", "{"},
      {"app_opened", "[1,2]"},
      {"app_opened", "\"str\""},
      {"app_opened", "{\"version\":\"\xff\"}"},
      {"app_\x01opened", "{}"},
      {"app_opened\n", "{}"},
      {"", "{}"},
      {"app_opened", "{\"a\":1,\"a\":2}"},
      {"app_opened", "{} trailing"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ja_outcome o;
    ja_status st = ja_capture(s, bad[i][0], bad[i][1], &o);
    if (st != JA_EINVALID)
      fail_msg("case %zu: expected JA_EINVALID, got %d", i, st);
    assert_true(strlen(ja_last_error()) > 0);
  }
  /* A 1 MB properties document is refused before it is parsed. */
  size_t big = 1 << 20;
  char *huge = malloc(big + 1);
  assert_non_null(huge);
  memset(huge, ' ', big);
  huge[0] = '{';
  huge[big - 1] = '}';
  huge[big] = '\0';
  assert_int_equal(ja_capture(s, "app_opened", huge, NULL), JA_EINVALID);
  free(huge);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from drops"), 0);
}

static void test_api__disabled_writes_nothing(void **state)
{
  (void)state;
  jt_fresh_env();
  setenv("DO_NOT_TRACK", "yes", 1);
  ja_store *s = jt_open();
  const char *why = NULL;
  assert_int_equal(ja_store_enabled(s, &why), 0);
  assert_string_equal(why, "DO_NOT_TRACK is set");
  ja_outcome o;
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_DISABLED);
  ja_store_close(s);
  struct stat sb;
  assert_int_not_equal(stat(jt_home(), &sb), 0); /* not even the directory */
  unsetenv("DO_NOT_TRACK");
}

static void test_api__files_are_private(void **state)
{
  (void)state;
  jt_fresh_env();
  umask(022);
  ja_store *s = jt_open();
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, NULL), JA_OK);
  struct stat sb;
  assert_int_equal(stat(jt_home(), &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0700);
  char path[2048];
  const char *files[] = {"analytics_queue.db", "analytics_queue.db-wal", "analytics_queue.db-shm",
                         "anon_id"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", jt_home(), files[i]);
    assert_int_equal(stat(path, &sb), 0);
    if ((sb.st_mode & 0777) != 0600)
      fail_msg("%s has mode %o", files[i], sb.st_mode & 0777);
  }
  ja_store_close(s);
}

/* 4 processes × 500 captures, all at once, through their own handles. */
static void test_api__four_processes_concurrent(void **state)
{
  (void)state;
  jt_fresh_env();
  pid_t pids[4];
  int go[2];
  assert_int_equal(pipe(go), 0);
  for (int p = 0; p < 4; p++) {
    pids[p] = fork();
    assert_true(pids[p] >= 0);
    if (pids[p] == 0) {
      char c;
      close(go[1]);
      if (read(go[0], &c, 1) != 0) /* wait for the start signal (EOF) */
        _exit(3);
      /* A generous busy timeout: this test is about correctness under
       * contention; busy drops have their own test. */
      ja_options o = JA_OPTIONS_INIT;
      o.busy_timeout_ms = 30000;
      ja_store *s = NULL;
      if (ja_store_open(&s, &o) != JA_OK)
        _exit(1);
      for (int i = 0; i < 500; i++) {
        ja_outcome out;
        if (ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &out) != JA_OK ||
            out.result != JA_RESULT_STORED)
          _exit(2);
      }
      ja_store_close(s);
      _exit(0);
    }
  }
  close(go[0]);
  close(go[1]); /* all children start now */
  for (int p = 0; p < 4; p++) {
    int status = 0;
    assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 2000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(distinct uuid) from pending"), 2000);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(distinct distinct_id) from pending"), 1);
}

typedef struct {
  ja_store *s;
  int failures;
} thread_arg;

static void *
thread_main(void *p)
{
  thread_arg *a = p;
  for (int i = 0; i < 200; i++) {
    ja_outcome o;
    if (ja_capture(a->s, "feature_used", "{\"feature_name\":\"voice\"}", &o) != JA_OK ||
        o.result != JA_RESULT_STORED)
      a->failures++;
  }
  return NULL;
}

static void test_api__one_handle_many_threads(void **state)
{
  (void)state;
  jt_fresh_env();
  /* A generous busy timeout: this test is about sharing one handle
   * correctly; waits for the handle have their own tests (test_busy,
   * test_lock), and at 250 ms two CPU hogs made it drop events. */
  ja_store *s = open_with(0, 30000);
  pthread_t t[4];
  thread_arg args[4];
  for (int i = 0; i < 4; i++) {
    args[i].s = s;
    args[i].failures = 0;
    assert_int_equal(pthread_create(&t[i], NULL, thread_main, &args[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(args[i].failures, 0);
  }
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(distinct uuid) from pending"), 800);
}

static void test_api__queue_cap_drops_oldest_and_counts(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_with(5, 0);
  char first[37] = "";
  for (int i = 0; i < 8; i++) {
    ja_outcome o;
    assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &o), JA_OK);
    if (i == 3)
      memcpy(first, o.uuid, 37); /* the oldest survivor */
  }
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 5);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='queue_full'"), 3);
  char *oldest = jt_sql_text(jt_db_path(), "select uuid from events order by id limit 1");
  assert_string_equal(oldest, first);
  free(oldest);
}

static void test_api__age_cap_drops_old_and_counts(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  for (int i = 0; i < 3; i++)
    assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  ja_store_close(s);
  /* Age two of them past 30 days, as if the machine had been offline. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "update events set ts_ms = ts_ms - 31*86400000 "
                                    "where id in (select id from events order by id limit 2)",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  s = jt_open();
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='expired'"), 2);
}

/* Another process holds the write lock: capture gives up after the busy
 * timeout (the app is not stalled), and the drop is counted later. */
static void test_api__busy_drops_and_counts_later(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_with(0, 50);
  sqlite3 *locker = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &locker), SQLITE_OK);
  assert_int_equal(sqlite3_exec(locker, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
  ja_outcome o;
  int64_t t0 = ja__now_ms();
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &o), JA_EBUSY);
  int64_t waited = ja__now_ms() - t0;
  assert_int_equal(o.result, JA_RESULT_DROPPED);
  assert_string_equal(o.reason, "busy");
  assert_true(waited < 5000); /* bounded by busy_timeout, not forever */
  assert_int_equal(sqlite3_exec(locker, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(locker);
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &o), JA_OK);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='busy'"), 1);
}

static void test_api__options_version_checked(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_options o = JA_OPTIONS_INIT;
  o.version = 99;
  ja_store *s = (ja_store *)1;
  assert_int_equal(ja_store_open(&s, &o), JA_EINVALID);
  assert_null(s);
  assert_int_equal(ja_options_init(&o, 99), JA_EINVALID);
  assert_int_equal(ja_options_init(NULL, JA_OPTIONS_VERSION), JA_EINVALID);
}

static void test_api__no_home_is_config_error(void **state)
{
  (void)state;
  jt_fresh_env();
  char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  unsetenv("OPENJARVIS_HOME");
  unsetenv("HOME");
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, NULL), JA_ECONFIG);
  if (home) {
    setenv("HOME", home, 1);
    free(home);
  }
}

static void test_api__no_create_creates_nothing(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_NO_CREATE;
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  char *report = NULL;
  assert_int_equal(ja_report_json(s, &report), JA_OK);
  assert_non_null(strstr(report, "\"exists\":false"));
  ja_free(report);
  int64_t n = -1;
  assert_int_equal(ja_purge(s, JA_PURGE_PENDING, &n), JA_OK);
  assert_int_equal(n, 0);
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, NULL), JA_ECANTCREATE);
  ja_store_close(s);
  struct stat sb;
  assert_int_not_equal(stat(jt_home(), &sb), 0);
}

static void test_api__reset_id_keeps_queued_distinct_id(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, NULL), JA_OK);
  char before[37], after[37];
  assert_int_equal(ja_anon_id(s, before), JA_OK);
  assert_int_equal(ja_reset_id(s), JA_OK);
  assert_int_equal(ja_anon_id(s, after), JA_OK);
  assert_string_not_equal(before, after);
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, NULL), JA_OK);
  ja_store_close(s);
  char *old = jt_sql_text(jt_db_path(), "select distinct_id from events order by id limit 1");
  char *neu = jt_sql_text(jt_db_path(), "select distinct_id from events order by id desc limit 1");
  assert_string_equal(old, before);
  assert_string_equal(neu, after);
  free(old);
  free(neu);
}

static void test_api__purge_all(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  assert_int_equal(ja_capture(s, "app_opened", APP_OPENED, NULL), JA_OK);
  assert_int_equal(ja_capture(s, "nope", NULL, NULL), JA_OK);
  int64_t n = 0;
  assert_int_equal(ja_purge(s, JA_PURGE_PENDING | JA_PURGE_SENT | JA_PURGE_DROPS, &n), JA_OK);
  assert_int_equal(n, 2);
  assert_int_equal(ja_purge(s, 0, &n), JA_EINVALID);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from drops"), 0);
}

static void test_api__null_arguments_are_errors_not_crashes(void **state)
{
  (void)state;
  assert_int_equal(ja_store_open(NULL, NULL), JA_EINVALID);
  assert_int_equal(ja_capture(NULL, "app_opened", "{}", NULL), JA_EINVALID);
  assert_int_equal(ja_hash_id(NULL, NULL), JA_EINVALID);
  assert_int_equal(ja_reset_id(NULL), JA_EINVALID);
  assert_int_equal(ja_report_json(NULL, NULL), JA_EINVALID);
  ja_store_close(NULL);
  ja_free(NULL);
  assert_string_equal(ja_status_str(JA_OK), "ok");
  assert_string_equal(ja_version(), JA_VERSION);
  jt_fresh_env();
  ja_store *s = jt_open();
  assert_int_equal(ja_capture(s, NULL, "{}", NULL), JA_EINVALID);
  ja_store_close(s);
}

/* A busy drop outlives the process that saw it: it is noted in <db>-busy
 * and folded into the counters by whoever writes next. */
static void test_api__busy_drop_noted_for_other_processes(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_with(0, 30);
  sqlite3 *locker = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &locker), SQLITE_OK);
  assert_int_equal(sqlite3_exec(locker, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_EBUSY);
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_EBUSY);
  ja_store_close(s); /* the process that saw the drops is gone */
  assert_int_equal(sqlite3_exec(locker, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(locker);

  char busy[2100];
  snprintf(busy, sizeof busy, "%s-busy", jt_db_path());
  struct stat sb;
  assert_int_equal(stat(busy, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);

  s = jt_open();
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='busy'"), 2);
  assert_int_not_equal(stat(busy, &sb), 0); /* folded exactly once, then removed */
}

static void *
capture_thread(void *p)
{
  ja_outcome *o = p;
  ja_status st = ja_capture(g_busy_store, "feature_used", "{\"feature_name\":\"chat\"}", o);
  return (void *)(intptr_t)st;
}

/* A thread of the same handle that holds it (waiting out a locked database,
 * say) makes others wait at most busy_timeout, not forever, not 2x. */
static void test_api__handle_held_by_another_thread_drops_as_busy(void **state)
{
  (void)state;
  jt_fresh_env();
  g_busy_store = open_with(0, 40);
  ja__api_lock(g_busy_store); /* stands for the other thread */
  pthread_t t;
  ja_outcome o;
  assert_int_equal(pthread_create(&t, NULL, capture_thread, &o), 0);
  void *ret = NULL;
  pthread_join(t, &ret);
  ja__api_unlock(g_busy_store);
  assert_int_equal((ja_status)(intptr_t)ret, JA_EBUSY);
  assert_int_equal(o.result, JA_RESULT_DROPPED);
  assert_string_equal(o.reason, "busy");
  assert_int_equal(ja_capture(g_busy_store, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  ja_store_close(g_busy_store);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='busy'"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from pending"), 1);
}

/* Pruned events give their space back (auto_vacuum = INCREMENTAL). */
static void test_api__pruning_reclaims_space(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  char props[200];
  for (int i = 0; i < 600; i++) {
    snprintf(props, sizeof props, "{\"setting_key\":\"setting-%040d\"}", i);
    assert_int_equal(ja_capture(s, "settings_changed", props, NULL), JA_OK);
  }
  ja_store_close(s);
  int64_t pages_full = jt_sql_int(jt_db_path(), "pragma page_count");
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "update events set ts_ms = ts_ms - 40*86400000", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  s = jt_open();
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason='expired'"), 600);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma freelist_count"), 0);
  assert_true(jt_sql_int(jt_db_path(), "pragma page_count") < pages_full / 2);
}
