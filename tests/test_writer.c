/*
 * test_writer.c — the handle's writer: accepted = stored + counted drops
 * when the buffer overflows and when the store fails under a running
 * writer (disk full, I/O error, corruption found, busy), ja_flush and its
 * timeout, close flushing, JA_OPEN_SYNC, ja_capture_many, session signals
 * sharing groups, fork() while the writer works, and eight threads on one
 * handle. Nothing here sleeps to let the writer get somewhere: tests wait
 * with ja_flush, and hold the writer back with a lock another connection
 * holds (with a busy timeout no test reaches).
 */
#include "support.h"
#include "api/api.h"
#include "sql_embed.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *CHAT = "{\"feature_name\":\"chat\"}";
#define FOREVER_MS 600000 /* a busy timeout no test reaches */

/* A store with @p flags, busy timeout @p busy_ms and buffer bounds. */
static ja_store *
open_writer(unsigned flags, int busy_ms, int max_events, int64_t max_bytes)
{
  ja_options o = JA_OPTIONS_INIT;
  o.flags = flags;
  o.busy_timeout_ms = busy_ms;
  o.buffer_max_events = max_events;
  o.buffer_max_bytes = max_bytes;
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, &o);
  if (st != JA_OK)
    fail_msg("open: %s", ja_last_error());
  return s;
}

static int64_t
stored(void)
{
  return jt_sql_int(jt_db_path(), "select count(*) from events");
}

static int64_t
drops(const char *reason)
{
  char sql[160];
  snprintf(sql, sizeof sql, "select coalesce(sum(count), 0) from drop_counts where reason = '%s'",
           reason);
  return jt_sql_int(jt_db_path(), sql);
}

/* drops.<reason> in the status document of @p s. */
static int64_t
status_drops(ja_store *s, const char *reason)
{
  char *json = NULL;
  assert_int_equal(ja_report_json(s, &json), JA_OK);
  cJSON *doc = cJSON_Parse(json);
  ja_free(json);
  const cJSON *n = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(doc, "drops"), reason);
  assert_true(cJSON_IsNumber(n));
  int64_t v = (int64_t)n->valuedouble;
  cJSON_Delete(doc);
  return v;
}

/* Capture @p n feature_used events; how many came back stored (accepted),
 * asserting the others were dropped as @p why. */
static int
capture_n(ja_store *s, int n, const char *why)
{
  int accepted = 0;
  for (int i = 0; i < n; i++) {
    ja_outcome o = JA_OUTCOME_INIT;
    assert_int_equal(ja_capture(s, "feature_used", CHAT, &o), JA_OK);
    if (o.result == JA_RESULT_STORED) {
      accepted++;
      assert_int_equal(strlen(o.uuid), 36);
    } else {
      assert_int_equal(o.result, JA_RESULT_DROPPED);
      assert_string_equal(o.reason, why);
      assert_string_equal(o.uuid, "");
    }
  }
  return accepted;
}

/* ------------------------------------------------------------ overflow */

/* The writer is held back by a lock; the buffer takes exactly its bound
 * (counting the group waiting for the lock), the rest is queue_full —
 * in the status at once, in the counters after the next commit. */
static void test_writer__overflow_counted_as_queue_full(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_writer(0, FOREVER_MS, 8, 0);
  sqlite3 *locker = jt_lock_store();
  int accepted = capture_n(s, 50, "queue_full");
  assert_int_equal(accepted, 8);
  jt_unlock_store(locker);
  jt_flush(s);
  assert_int_equal(status_drops(s, "queue_full"), 42);
  ja_store_close(s);
  assert_int_equal(stored(), 8);
  assert_int_equal(drops("queue_full"), 42);
}

/* The byte bound: an event with long properties does not fit where
 * short ones do. */
static void test_writer__byte_bound_counted_as_queue_full(void **state)
{
  (void)state;
  jt_fresh_env();
  /* Room for the job header and about 3 small events, not a 4th. */
  ja_store *s = open_writer(0, FOREVER_MS, 0,
                            (int64_t)(sizeof(ja__job) + 3 * (sizeof(ja__job_event) + 32)));
  sqlite3 *locker = jt_lock_store();
  int accepted = capture_n(s, 20, "queue_full");
  assert_true(accepted >= 1 && accepted <= 3);
  jt_unlock_store(locker);
  ja_store_close(s);
  assert_int_equal(stored(), accepted);
  assert_int_equal(drops("queue_full"), 20 - accepted);
}

/* -------------------------------------------- the store failing mid-run */

/* Captures through a writer whose store fails with @p rc from the @p nth
 * write on (until cleared): each failing group is tried again, then
 * dropped and counted as @p reason; once the store works again, accepted
 * = stored + counted. Looped over where the failure starts. */
static void
failing_store(int rc, const char *reason, ja_status want)
{
  jt_fault_install();
  for (int nth = 1; nth <= 6; nth++) {
    jt_fresh_env();
    ja_store *s = open_writer(0, 2000, 0, 0);
    int accepted = capture_n(s, 5, "");
    jt_flush(s); /* a working store first */
    jt_fault_arm(JT_FAULT_WRITE, nth, -1, rc);
    accepted += capture_n(s, 20, "");
    ja_status st = ja_flush(s, FOREVER_MS);
    int wrote = jt_fault_calls(JT_FAULT_WRITE);
    jt_fault_clear();
    if (nth <= wrote) {
      assert_int_equal(st, want);
      assert_non_null(strstr(ja_last_error(), "dropped"));
    }
    /* The store works again: the next group counts what was dropped. */
    accepted += capture_n(s, 3, "");
    jt_flush(s);
    ja_store_close(s);
    int64_t dropped = drops(reason);
    assert_int_equal(stored() + dropped, accepted);
    if (nth <= wrote)
      assert_true(dropped > 0);
    assert_int_equal(jt_sql_int(jt_db_path(), "select events from queue_stats"), stored());
    char *ok = jt_sql_text(jt_db_path(), "pragma integrity_check");
    assert_string_equal(ok, "ok");
    free(ok);
  }
}

static void test_writer__disk_full_mid_run_counted(void **state)
{
  (void)state;
  failing_store(SQLITE_FULL, "disk_full", JA_EIO);
}

static void test_writer__io_error_mid_run_counted(void **state)
{
  (void)state;
  failing_store(SQLITE_IOERR_WRITE, "io_error", JA_EIO);
}

static void test_writer__corruption_mid_run_counted(void **state)
{
  (void)state;
  failing_store(SQLITE_CORRUPT, "corrupt", JA_ECORRUPT);
}

/* JA_OPEN_SYNC: a group the store fails (not busy) is its callers' error,
 * as a queue that cannot be opened is: each gets the status, nothing is
 * stored or counted (the caller knows; a drop counter the failing store
 * cannot take would only be warned about at close), and nothing is
 * reported again by a flush. */
static void test_writer__sync_failure_is_the_callers_error(void **state)
{
  (void)state;
  static const struct { int rc; ja_status want; } cases[] = {
      {SQLITE_IOERR_WRITE, JA_EIO}, {SQLITE_FULL, JA_EIO}, {SQLITE_CORRUPT, JA_ECORRUPT}};
  jt_fault_install();
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    jt_fresh_env();
    ja_store *s = open_writer(JA_OPEN_SYNC, 2000, 0, 0);
    assert_int_equal(capture_n(s, 2, ""), 2);
    jt_fault_arm(JT_FAULT_WRITE, 1, -1, cases[c].rc);
    ja_outcome o = JA_OUTCOME_INIT;
    assert_int_equal(ja_capture(s, "feature_used", CHAT, &o), cases[c].want);
    assert_string_equal(o.uuid, "");
    assert_int_not_equal(o.result, JA_RESULT_DROPPED); /* not a counted drop */
    assert_int_equal(ja_session_error(s, "sync-failure", 0), cases[c].want);
    jt_fault_clear();
    assert_int_equal(ja_flush(s, FOREVER_MS), JA_OK);
    assert_int_equal(capture_n(s, 1, ""), 1);
    ja_store_close(s);
    assert_int_equal(stored(), 3);
    assert_int_equal(drops("io_error") + drops("disk_full") + drops("corrupt"), 0);
    assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), 0);
  }
}

/* A failure that passes within the group's tries loses nothing. */
static void test_writer__one_failed_write_is_tried_again(void **state)
{
  (void)state;
  jt_fault_install();
  jt_fresh_env();
  ja_store *s = open_writer(0, 2000, 0, 0);
  jt_flush(s);
  jt_fault_arm(JT_FAULT_WRITE, 1, 1, SQLITE_IOERR_WRITE);
  int accepted = capture_n(s, 10, "");
  assert_int_equal(ja_flush(s, FOREVER_MS), JA_OK);
  assert_int_equal(jt_fault_calls(JT_FAULT_WRITE) > 1, 1);
  jt_fault_clear();
  ja_store_close(s);
  assert_int_equal(stored(), accepted);
  assert_int_equal(drops("io_error"), 0);
}

/* Another process holds the lock past busy_timeout: the writer gives the
 * group up after it (never stalls), counts it as busy beside the
 * database, and the status shows it before anything folds it. */
static void test_writer__busy_store_drops_group_counted(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_writer(0, 30, 0, 0);
  sqlite3 *locker = jt_lock_store();
  int accepted = capture_n(s, 12, "");
  assert_int_equal(accepted, 12); /* the caller never waits for the lock */
  assert_int_equal(ja_flush(s, FOREVER_MS), JA_EBUSY);
  /* Reported by one flush only. */
  assert_int_equal(ja_flush(s, FOREVER_MS), JA_OK);
  jt_unlock_store(locker);
  assert_int_equal(status_drops(s, "busy"), 12);
  accepted += capture_n(s, 2, "");
  ja_store_close(s);
  assert_int_equal(stored() + drops("busy"), accepted);
  assert_int_equal(drops("busy"), 12);
}

/* ---------------------------------------------------- flush, close, sync */

static void test_writer__flush_makes_accepted_events_durable(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  assert_int_equal(ja_flush(s, 0), JA_OK); /* nothing accepted yet */
  for (int round = 1; round <= 5; round++) {
    capture_n(s, 37, "");
    assert_int_equal(ja_flush(s, FOREVER_MS), JA_OK);
    /* Another connection sees every one of them. */
    assert_int_equal(stored(), 37 * round);
  }
  assert_int_equal(ja_flush(s, -1), JA_EINVALID);
  assert_int_equal(ja_flush(NULL, 0), JA_EINVALID);
  ja_store_close(s);
}

/* The timeout: the writer held back by a lock it waits out for long. */
static void test_writer__flush_timeout(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_writer(0, FOREVER_MS, 0, 0);
  sqlite3 *locker = jt_lock_store();
  capture_n(s, 3, "");
  assert_int_equal(ja_flush(s, 0), JA_ETIMEOUT);
  assert_non_null(strstr(ja_last_error(), "within 0 ms"));
  assert_int_equal(ja_flush(s, 20), JA_ETIMEOUT);
  assert_int_equal(stored(), 0);
  jt_unlock_store(locker);
  assert_int_equal(ja_flush(s, FOREVER_MS), JA_OK); /* nothing was lost */
  assert_int_equal(stored(), 3);
  ja_store_close(s);
}

static void test_writer__close_flushes(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  capture_n(s, 300, "");
  for (int i = 0; i < 20; i++)
    assert_int_equal(ja_session_inference(s, "close", 1, 2, 3, "m", "ollama", 0), JA_OK);
  ja_store_close(s);
  assert_int_equal(stored(), 300 + 1); /* + first_chat_sent */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), 20);
}

/* JA_OPEN_SYNC: committed when the call returns, seen by another
 * connection at once. */
static void test_writer__sync_capture_committed_on_return(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  for (int i = 1; i <= 5; i++) {
    capture_n(s, 1, "");
    assert_int_equal(stored(), i);
    assert_int_equal(ja_session_error(s, "sync", 0), JA_OK);
    assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), i);
  }
  ja_store_close(s);
}

/* Session signals of many sessions and captures share groups: 300 items
 * buffered behind a lock are written in at most two commits. */
static void test_writer__signals_of_many_sessions_share_groups(void **state)
{
  (void)state;
  jt_fault_install();
  jt_fresh_env();
  ja_store *s = open_writer(0, FOREVER_MS, 0, 0);
  jt_flush(s);
  capture_n(s, 1, "");
  jt_flush(s); /* anon_id, first group: done */
  sqlite3 *locker = jt_lock_store();
  jt_fault_arm(JT_FAULT_SYNC, 0, 0, 0); /* count syncs, fail none */
  for (int i = 0; i < 100; i++) {
    char id[32];
    snprintf(id, sizeof id, "session-%d", i);
    assert_int_equal(ja_session_inference(s, id, 1, 1, 1, "m", "ollama", 0), JA_OK);
    assert_int_equal(ja_session_tool(s, id, "search_web", 0), JA_OK);
    capture_n(s, 1, "");
  }
  jt_unlock_store(locker);
  jt_flush(s);
  int syncs = jt_fault_calls(JT_FAULT_SYNC);
  jt_fault_clear();
  print_message("300 signals and captures: %d syncs\n", syncs);
  assert_true(syncs >= 1 && syncs <= 2);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), 200);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"), 100);
}

/* ------------------------------------------------------ ja_capture_many */

static void test_writer__capture_many_mixed_batch(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  const char *events[] = {"feature_used", "no_such_event", "feature_used", "app_opened",
                          "feature_used", "settings_changed"};
  const char *props[] = {CHAT, "{}", "{\"feature_name\":", /* malformed */
                         "{\"version\":\"10.0.0.5\",\"platform\":\"cli\"}", NULL,
                         "[1]" /* not an object: malformed */};
  ja_outcome outs[6];
  for (int i = 0; i < 6; i++)
    outs[i] = (ja_outcome)JA_OUTCOME_INIT;
  assert_int_equal(ja_capture_many(s, 6, events, props, outs), JA_EINVALID);
  assert_non_null(strstr(ja_last_error(), "2 of 6"));
  assert_int_equal(outs[0].result, JA_RESULT_STORED);
  assert_int_equal(outs[1].result, JA_RESULT_DROPPED);
  assert_string_equal(outs[1].reason, "unknown_event");
  assert_int_equal(outs[2].result, JA_RESULT_INVALID);
  assert_string_equal(outs[2].uuid, "");
  assert_int_equal(outs[3].result, JA_RESULT_STORED);
  assert_int_equal(outs[3].dropped_props, 1);
  assert_string_equal(outs[3].reason, "pii");
  assert_int_equal(outs[4].result, JA_RESULT_STORED);
  assert_int_equal(outs[5].result, JA_RESULT_INVALID);
  for (int i = 0; i < 6; i++)
    assert_int_equal(outs[i].version, JA_OUTCOME_VERSION);
  jt_flush(s);
  assert_int_equal(stored(), 3);
  assert_int_equal(drops("unknown_event"), 1);
  assert_int_equal(drops("pii"), 1);
  char sql[200];
  snprintf(sql, sizeof sql, "select count(*) from events where uuid in ('%s', '%s', '%s')",
           outs[0].uuid, outs[3].uuid, outs[4].uuid);
  assert_int_equal(jt_sql_int(jt_db_path(), sql), 3);

  /* No outcomes, no properties at all; then nothing to do. */
  const char *two[] = {"setup_completed", "feature_used"};
  assert_int_equal(ja_capture_many(s, 2, two, NULL, NULL), JA_OK);
  assert_int_equal(ja_capture_many(s, 0, NULL, NULL, NULL), JA_OK);
  /* Outcomes of mixed versions: nothing handled. */
  outs[1].version = 99;
  assert_int_equal(ja_capture_many(s, 2, events, props, outs), JA_EINVALID);
  jt_flush(s);
  assert_int_equal(stored(), 5);
  ja_store_close(s);
}

/* A batch is one job: the part that does not fit is queue_full, the part
 * that fits is committed as one transaction. */
static void test_writer__capture_many_over_the_buffer(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_writer(JA_OPEN_SYNC, 0, 600, 0);
  const char *events[1000];
  ja_outcome outs[1000];
  for (int i = 0; i < 1000; i++) {
    events[i] = "setup_completed";
    outs[i] = (ja_outcome)JA_OUTCOME_INIT;
  }
  assert_int_equal(ja_capture_many(s, 1000, events, NULL, outs), JA_OK);
  /* JA_OPEN_SYNC: committed on return. */
  assert_int_equal(stored(), 600);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(outs[i].result, i < 600 ? JA_RESULT_STORED : JA_RESULT_DROPPED);
  assert_string_equal(outs[999].reason, "queue_full");
  ja_store_close(s);
  assert_int_equal(drops("queue_full"), 400);
}

/* ----------------------------------------------------------------- fork */

static ja_store *g_fork_store;
static atomic_int g_fork_stop;
static atomic_int g_fork_accepted; /* stored (accepted) */
static atomic_int g_fork_full;     /* dropped as queue_full */
static atomic_int g_fork_other;    /* any other outcome: none is expected */
/* The capturing thread parks while the main thread forks: an allocator
 * without fork handlers (ASan's) would be left locked in the child if
 * the fork caught that thread inside malloc. The writer goes on writing
 * its backlog meanwhile (the library's own fork handler deals with it). */
static atomic_int g_fork_pause, g_fork_parked;

static void *
capture_loop(void *arg)
{
  (void)arg;
  while (!atomic_load(&g_fork_stop)) {
    if (atomic_load(&g_fork_pause)) {
      atomic_store(&g_fork_parked, 1);
      while (atomic_load(&g_fork_pause))
        sched_yield();
      atomic_store(&g_fork_parked, 0);
    }
    ja_outcome o = JA_OUTCOME_INIT;
    ja_status st = ja_capture(g_fork_store, "feature_used", CHAT, &o);
    if (st == JA_OK && o.result == JA_RESULT_STORED)
      atomic_fetch_add(&g_fork_accepted, 1);
    else if (st == JA_OK && o.result == JA_RESULT_DROPPED && strcmp(o.reason, "queue_full") == 0)
      atomic_fetch_add(&g_fork_full, 1); /* the loop outruns the writer */
    else
      atomic_fetch_add(&g_fork_other, 1);
  }
  return NULL;
}

/* In a child: the parent's handle refuses clearly; a new one works. */
static int
forked_child(void)
{
  ja_outcome o = JA_OUTCOME_INIT;
  if (ja_capture(g_fork_store, "feature_used", CHAT, &o) != JA_EINVALID ||
      !strstr(ja_last_error(), "fork()"))
    return 1;
  if (ja_flush(g_fork_store, 1000) != JA_EINVALID ||
      ja_session_end(g_fork_store, "x", 0) != JA_EINVALID)
    return 2;
  ja_store_close(g_fork_store); /* only forgets it */
  /* Its writer must get in between the parent's groups (the parent's
   * writer leaves gaps for that): however long it takes here. */
  ja_options opts = JA_OPTIONS_INIT;
  opts.busy_timeout_ms = FOREVER_MS;
  ja_store *mine = NULL;
  if (ja_store_open(&mine, &opts) != JA_OK)
    return 3;
  for (int i = 0; i < 10; i++)
    if (ja_capture(mine, "setup_completed", NULL, &o) != JA_OK || o.result != JA_RESULT_STORED)
      return 4;
  if (ja_flush(mine, FOREVER_MS) != JA_OK)
    return 5;
  ja_store_close(mine);
  return 0;
}

static void test_writer__fork_while_the_writer_is_busy(void **state)
{
  (void)state;
  jt_fresh_env();
  /* A queue cap the capture loop cannot reach: nothing is pruned. */
  mkdir(jt_home(), 0700);
  char path[2048];
  snprintf(path, sizeof path, "%s/config.toml", jt_home());
  jt_write_file(path, "[analytics]\nmax_events = 100000000\n");
  /* Each child's group holds the store's lock for its commit, and on a
   * loaded disk that fsync alone can outlast the default busy timeout: the
   * parent's group waiting behind it would then be a counted busy drop
   * (right, but no test of fork). Neither side may give up here, so every
   * accepted event must be stored, exactly once. */
  g_fork_store = open_writer(0, FOREVER_MS, 0, 0);
  atomic_store(&g_fork_stop, 0);
  atomic_store(&g_fork_accepted, 0);
  atomic_store(&g_fork_full, 0);
  atomic_store(&g_fork_other, 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, capture_loop, NULL), 0);
  for (int k = 0; k < 5; k++) {
    /* Fork once the writer has work in hand. */
    int before = atomic_load(&g_fork_accepted);
    while (atomic_load(&g_fork_accepted) < before + 50)
      sched_yield();
    atomic_store(&g_fork_pause, 1);
    while (!atomic_load(&g_fork_parked))
      sched_yield();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
      _exit(forked_child());
    atomic_store(&g_fork_pause, 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
  atomic_store(&g_fork_stop, 1);
  pthread_join(t, NULL);
  ja_store_close(g_fork_store);
  /* The parent lost nothing and wrote nothing twice; each child's 10 are
   * in. Every capture was stored or counted as queue_full (the loop
   * outruns the writer), and nothing else was dropped: no busy, no
   * failure, no group the fork swallowed. */
  assert_int_equal(atomic_load(&g_fork_other), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where "
                                            "event = 'feature_used'"),
                   atomic_load(&g_fork_accepted));
  assert_int_equal(drops("queue_full"), atomic_load(&g_fork_full));
  assert_int_equal(jt_sql_int(jt_db_path(), "select coalesce(sum(count), 0) from drop_counts "
                                            "where reason <> 'queue_full'"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where "
                                            "event = 'setup_completed'"), 50);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(distinct uuid) from events"),
                   stored());
}

/* ------------------------------------------------- threads on one handle */

#define THREADS 8
#define PER_THREAD 400

static ja_store *g_threads_store;
static char g_thread_error[512]; /* the first failing thread's ja_last_error() */
static pthread_mutex_t g_thread_error_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
thread_failed(intptr_t step)
{
  pthread_mutex_lock(&g_thread_error_lock);
  if (!g_thread_error[0])
    snprintf(g_thread_error, sizeof g_thread_error, "%s", ja_last_error());
  pthread_mutex_unlock(&g_thread_error_lock);
  return (void *)step;
}

static void *
capture_and_signal(void *arg)
{
  intptr_t me = (intptr_t)arg;
  char session[32];
  snprintf(session, sizeof session, "thread-%d", (int)me);
  for (int i = 0; i < PER_THREAD; i++) {
    ja_outcome o = JA_OUTCOME_INIT;
    if (ja_capture(g_threads_store, "feature_used", CHAT, &o) != JA_OK ||
        o.result != JA_RESULT_STORED)
      return thread_failed(1);
    if (ja_session_inference(g_threads_store, session, i, i, 1.5, "m", "ollama", 0) != JA_OK)
      return thread_failed(2);
    if (i % 100 == 99 && ja_flush(g_threads_store, FOREVER_MS) != JA_OK)
      return thread_failed(3);
  }
  return NULL;
}

/* Eight threads capture, signal and flush on one handle (and clean under
 * ThreadSanitizer: tools/test.sh --tsan). Every event and signal is in. */
static void test_writer__eight_threads_capture_and_signal(void **state)
{
  (void)state;
  jt_fresh_env();
  /* The threads' first calls may wait for the handle behind one another
   * and the writer (one of them creates the anon_id): a test of races,
   * not of timeouts, so no wait here may end in a busy drop. */
  g_threads_store = open_writer(0, FOREVER_MS, 0, 0);
  pthread_t t[THREADS];
  for (intptr_t i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, capture_and_signal, (void *)i), 0);
  intptr_t failed = 0;
  for (int i = 0; i < THREADS; i++) {
    void *ret = NULL;
    pthread_join(t[i], &ret);
    if (ret && !failed)
      failed = (intptr_t)ret;
  }
  if (failed)
    fail_msg("a thread failed at step %d: %s", (int)failed, g_thread_error);
  ja_store_close(g_threads_store);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where "
                                            "event = 'feature_used'"), THREADS * PER_THREAD);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"),
                   THREADS * PER_THREAD);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where "
                                            "event = 'first_chat_sent'"), 1);
}

/* --------------------------------------------------- fixed costs per group */

/* The age cap's two statements that usually find nothing (expire old
 * events; age those captured under a wrong clock) are skipped on the
 * strength of index probes in the store-clock read: in the usual case
 * they are never even prepared. When there is something to do, they run. */
static void test_writer__empty_age_cap_statements_are_skipped(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  for (int round = 0; round < 3; round++) {
    capture_n(s, 40, "");
    jt_flush(s);
  }
  assert_null(s->db.q[JA__Q_PRUNE_EXPIRED]);
  assert_null(s->db.q[JA__Q_AGE_UNWITNESSED]);
  /* The probes read one index entry each, never the table. */
  sqlite3_stmt *q = NULL;
  char sql[1024];
  snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", ja__sql_clock_read);
  assert_int_equal(sqlite3_prepare_v2(s->db.db, sql, -1, &q, NULL), SQLITE_OK);
  while (sqlite3_step(q) == SQLITE_ROW) {
    const char *step = (const char *)sqlite3_column_text(q, 3);
    if (strncmp(step, "SCAN", 4) == 0 && strstr(step, "events") && !strstr(step, "COVERING INDEX"))
      fail_msg("the store-clock read scans events: %s", step);
    assert_null(strstr(step, "TEMP B-TREE"));
  }
  sqlite3_finalize(q);
  /* An event 40 days old, one aged later: now both have work. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "update events set age_ms = age_ms - 40*86400000 where id = 1;"
                                    "update events set age_ms = NULL where id = 2",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  capture_n(s, 1, "");
  jt_flush(s);
  assert_non_null(s->db.q[JA__Q_PRUNE_EXPIRED]);
  assert_non_null(s->db.q[JA__Q_AGE_UNWITNESSED]);
  ja_store_close(s);
  assert_int_equal(drops("expired"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where age_ms is null"), 0);
}
