/*
 * test_busy.c — busy drops and the write lock: an event dropped because the
 * queue stayed locked is counted exactly once (across processes, crashes and
 * odd files at <db>-busy), the capture path never waits on a lock without a
 * bound, and one deadline covers the handle's mutex and SQLite's lock.
 * Timing is only ever asserted with margins far larger than the effect.
 */
#include "support.h"
#include "api/api.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sql_embed.h"

static const char *CHAT = "{\"feature_name\":\"chat\"}";

/* A hang on the capture path kills the test (SIGALRM) instead of letting it
 * wait for ctest's timeout: the old code blocked forever here. */
#define HANG_GUARD_S 30

/* JA_OPEN_SYNC: each capture returns once its group is written or dropped,
 * so a busy drop shows in its outcome (without it the capture returns at
 * once and the writer counts the drop the same way: test_writer). */
static ja_store *
open_ms(int busy_ms)
{
  ja_options o = JA_OPTIONS_INIT;
  o.busy_timeout_ms = busy_ms;
  o.flags = JA_OPEN_SYNC;
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, &o);
  if (st != JA_OK)
    fail_msg("open: %s", ja_last_error());
  return s;
}

static const char *
busy_path(void)
{
  static char p[2200];
  snprintf(p, sizeof p, "%s-busy", jt_db_path());
  return p;
}

static int64_t
busy_count(void)
{
  return jt_sql_int(jt_db_path(), "select coalesce(sum(count), 0) from drop_counts "
                                  "where reason = 'busy'");
}

/* drops.busy from the status document (ja_report_json). */
static int64_t
status_busy(ja_store *s)
{
  char *json = NULL;
  assert_int_equal(ja_report_json(s, &json), JA_OK);
  const char *k = strstr(json, "\"busy\":");
  assert_non_null(k);
  int64_t n = strtoll(k + 7, NULL, 10);
  ja_free(json);
  return n;
}

/* One capture that must be a busy drop, guarded against hanging. */
static void
capture_busy(ja_store *s)
{
  ja_outcome o = JA_OUTCOME_INIT;
  alarm(HANG_GUARD_S);
  ja_status st = ja_capture(s, "feature_used", CHAT, &o);
  alarm(0);
  assert_int_equal(st, JA_EBUSY);
  assert_int_equal(o.result, JA_RESULT_DROPPED);
  assert_string_equal(o.reason, "busy");
}

static void test_busy__fifo_at_busy_file_never_hangs_capture(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  assert_int_equal(mkfifo(busy_path(), 0600), 0);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s); /* the old code opened the FIFO for writing and hung */
  jt_unlock_store(locker);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 1); /* counted from memory instead */
  struct stat sb;
  assert_int_equal(lstat(busy_path(), &sb), 0);
  assert_true(S_ISFIFO(sb.st_mode)); /* not ours: left alone */
}

/* A folder or rotator stopped (Ctrl-Z, debugger) while it holds a lock on
 * the -busy file must not stall anyone else's capture. */
static void test_busy__locked_busy_file_never_blocks_capture(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s); /* creates the -busy file */
  int held = open(busy_path(), O_RDONLY | O_CLOEXEC);
  assert_true(held >= 0);
  assert_int_equal(flock(held, LOCK_EX), 0); /* a separate open file: conflicts */
  capture_busy(s); /* the old code waited in flock(LOCK_EX) for ever */
  jt_unlock_store(locker);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  close(held);
  ja_store_close(s);
  assert_int_equal(busy_count(), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 1);
}

/* A hard link at <db>-busy: its target is never truncated, and its size is
 * not taken for busy drops (1 GiB once counted as 1 073 741 839 drops). */
static void test_busy__hard_link_at_busy_file_not_counted_nor_truncated(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  char target[2200];
  snprintf(target, sizeof target, "%s/precious", jt_home());
  int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, 1 << 30), 0); /* sparse: costs no disk */
  close(fd);
  assert_int_equal(link(target, busy_path()), 0);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s);
  jt_unlock_store(locker);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  assert_int_equal(status_busy(s), 1);
  ja_store_close(s);
  assert_int_equal(busy_count(), 1);
  struct stat sb;
  assert_int_equal(stat(target, &sb), 0);
  assert_int_equal(sb.st_size, 1 << 30);
  assert_int_equal(sb.st_nlink, 2); /* and the link is left where it was */
}

/* The state a crash leaves between a fold's COMMIT and the rotation of the
 * -busy file: the database has counted the drops, and the file is still
 * there with them. The next fold must not count them again. */
static void test_busy__crash_between_commit_and_rotation_counts_once(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s);
  capture_busy(s);
  jt_unlock_store(locker);
  size_t len = 0;
  char *saved = jt_read_file(busy_path(), &len);
  assert_non_null(saved);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK); /* folds */
  assert_int_equal(busy_count(), 2);
  /* Put the file back exactly as the fold saw it: as if the process died
   * right after COMMIT. */
  unlink(busy_path());
  int fd = open(busy_path(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, saved, len), (ssize_t)len);
  close(fd);
  free(saved);
  assert_int_equal(status_busy(s), 2);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 2);
}

static int g_fail_writes;
static long
fail_write(int fd, const void *buf, size_t n)
{
  (void)fd;
  (void)buf;
  (void)n;
  if (g_fail_writes) {
    errno = ENOSPC;
    return -1;
  }
  return (long)write(fd, buf, n);
}

/* The -busy file cannot be written (disk full): the drop is held in memory
 * and counted by the next transaction — at the latest by ja_store_close,
 * which a short-lived process (the CLI) reaches without another capture. */
static void test_busy__unwritable_busy_file_counted_at_close(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK); /* anon_id made */
  sqlite3 *locker = jt_lock_store();
  ja__syscalls saved = ja__sys;
  ja__sys.write = fail_write;
  g_fail_writes = 1;
  capture_busy(s);
  jt_unlock_store(locker);
  ja_store_close(s); /* the file still cannot be written: the database */
  g_fail_writes = 0;
  ja__sys = saved;
  assert_int_equal(busy_count(), 1);
}

/* Same, but at close the queue is still locked and the file writable
 * again: the drop goes to the file, for whoever writes next. */
static void test_busy__unwritable_then_locked_at_close_noted_in_file(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  sqlite3 *locker = jt_lock_store();
  ja__syscalls saved = ja__sys;
  ja__sys.write = fail_write;
  g_fail_writes = 1;
  capture_busy(s);
  g_fail_writes = 0;
  ja__sys = saved;
  ja_store_close(s);
  jt_unlock_store(locker);
  s = open_ms(30);
  assert_int_equal(status_busy(s), 1);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 1);
}

/* status reports the busy drops still waiting in the -busy file. */
static void test_busy__status_includes_drops_waiting_in_busy_file(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s);
  capture_busy(s);
  capture_busy(s);
  jt_unlock_store(locker);
  ja_store_close(s); /* noted in the file, not folded yet */
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_NO_CREATE; /* what `status` opens */
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  assert_int_equal(status_busy(s), 3);
  ja_store_close(s);
  s = open_ms(30);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  assert_int_equal(status_busy(s), 3); /* folded: not counted twice */
  ja_store_close(s);
  assert_int_equal(busy_count(), 3);
}

/* An unknown event that meets a locked store cannot have its unknown_event
 * drop counted then: it is counted as busy, like any event that met it. */
static void test_busy__unknown_event_on_locked_store_counted(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  sqlite3 *locker = jt_lock_store();
  ja_outcome o = JA_OUTCOME_INIT;
  alarm(HANG_GUARD_S);
  ja_status st = ja_capture(s, "not_a_real_event", "{}", &o);
  alarm(0);
  assert_int_equal(st, JA_EBUSY);
  assert_int_equal(o.result, JA_RESULT_DROPPED);
  assert_string_equal(o.reason, "busy");
  jt_unlock_store(locker);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 1);
}

/* The queue is locked while a process opens it (another process is still
 * creating it): ja_store_open succeeds, and the capture that follows is a
 * counted busy drop instead of an uncounted failure to open. */
static void test_busy__store_busy_at_open_counts_the_capture(void **state)
{
  (void)state;
  jt_fresh_env();
  /* A queue another process holds exclusively while we open it: one in
   * rollback-journal mode (an old or foreign tool switched it), so that
   * even reading the schema version waits. (A new queue can no longer be
   * seen locked and empty: store/open.c builds it in a private file.) */
  ja_store *s = jt_open();
  ja_store_close(s);
  sqlite3 *locker = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &locker), SQLITE_OK);
  assert_int_equal(sqlite3_exec(locker, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(locker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
  ja_options o = JA_OPTIONS_INIT;
  o.busy_timeout_ms = 30;
  s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK); /* not an error: opened later */
  capture_busy(s);
  assert_int_equal(sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(locker);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 1);
}

typedef struct {
  ja_store *s;
  atomic_int started;
  int64_t ret_ns;
  ja_status st;
} waiter;

static void *
waiter_main(void *p)
{
  waiter *w = p;
  atomic_store(&w->started, 1);
  w->st = ja_capture(w->s, "feature_used", CHAT, NULL);
  w->ret_ns = ja__mono_ns();
  return NULL;
}

/* One deadline per call: time spent waiting for the handle (held by another
 * thread) is taken from the wait for SQLite's lock, so the caller waits
 * busy_timeout in all, not the mutex wait plus busy_timeout (482 ms at
 * 250 ms). The margins are 600 ms wide either side of the effect. */
static void test_busy__one_deadline_for_handle_and_store(void **state)
{
  (void)state;
  jt_fresh_env();
  const int64_t T = 1000, HOLD = 700;
  waiter w = {.s = open_ms((int)T)};
  sqlite3 *locker = jt_lock_store();
  ja__api_lock(w.s); /* stands for another thread using the handle */
  pthread_t t;
  int64_t t0 = ja__mono_ns();
  assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
  while (!atomic_load(&w.started))
    usleep(1000);
  /* sleep: the handle is held for HOLD of the call's T on purpose; what is
   * asserted is where the call returns relative to T (600 ms margins). */
  usleep((useconds_t)HOLD * 1000);
  int64_t unlocked = ja__mono_ns();
  ja__api_unlock(w.s);
  pthread_join(t, NULL);
  jt_unlock_store(locker);
  assert_int_equal(w.st, JA_EBUSY);
  assert_int_equal(status_busy(w.s), 1);
  /* Never before the deadline ... */
  assert_true(w.ret_ns - t0 >= T * 1000000);
  /* ... and not busy_timeout after the mutex came free (the old code
   * returned at unlocked + T at the earliest). */
  if (w.ret_ns - unlocked >= (T - 100) * 1000000)
    fail_msg("returned %lld ms after the handle came free (deadline: %lld ms after the call)",
             (long long)((w.ret_ns - unlocked) / 1000000), (long long)T);
  ja_store_close(w.s);
}

/* Two processes capturing in tight loops at the default busy timeout (the
 * backend and the desktop backend): every attempt is either stored or
 * counted as busy, exactly once. (How few busy drops there are is measured
 * by tools/bench/bench_contention, not asserted.) */
static void test_busy__two_tight_loop_writers_account_for_every_event(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store_close(jt_open()); /* create it once, outside the race */
  enum { N = 300 };
  int results[2];
  assert_int_equal(pipe(results), 0);
  pid_t pid[2];
  for (int p = 0; p < 2; p++) {
    pid[p] = fork();
    assert_true(pid[p] >= 0);
    if (pid[p] == 0) {
      ja_options opts = JA_OPTIONS_INIT;
      opts.flags = JA_OPEN_SYNC; /* each capture's status says stored or busy */
      ja_store *s = NULL;
      if (ja_store_open(&s, &opts) != JA_OK)
        _exit(1);
      int counts[2] = {0, 0}; /* stored, busy */
      for (int i = 0; i < N; i++) {
        ja_outcome o = JA_OUTCOME_INIT;
        ja_status st = ja_capture(s, "feature_used", CHAT, &o);
        if (st == JA_OK && o.result == JA_RESULT_STORED)
          counts[0]++;
        else if (st == JA_EBUSY && o.result == JA_RESULT_DROPPED)
          counts[1]++;
        else
          _exit(2);
      }
      ja_store_close(s);
      _exit(write(results[1], counts, sizeof counts) == sizeof counts ? 0 : 3);
    }
  }
  close(results[1]);
  int stored = 0, busy = 0;
  for (int p = 0; p < 2; p++) {
    int status = 0;
    assert_int_equal(waitpid(pid[p], &status, 0), pid[p]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    int counts[2];
    assert_int_equal(read(results[0], counts, sizeof counts), sizeof counts);
    stored += counts[0];
    busy += counts[1];
  }
  close(results[0]);
  assert_int_equal(stored + busy, 2 * N);
  ja_store *s = jt_open();
  assert_int_equal(status_busy(s), busy);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK); /* folds the rest */
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), stored + 1);
  assert_int_equal(busy_count(), busy);
}

/* The handler's policy, on a clock of its own: short first steps, never
 * more than 1 ms, never past the deadline, and the sleeps add up to the
 * deadline exactly — the last try happens at it, none after it. */
static void test_busy__handler_polls_in_short_steps_until_the_deadline(void **state)
{
  (void)state;
  const int64_t deadlines_ms[] = {250, 7, 1, 0};
  for (size_t i = 0; i < sizeof deadlines_ms / sizeof deadlines_ms[0]; i++) {
    int64_t left = deadlines_ms[i] * 1000000, prev = 0, ns;
    int count = 0;
    while ((ns = ja__store_busy_sleep_ns(count, left)) > 0) {
      assert_true(ns <= left);
      assert_true(ns <= 1000000);
      if (count == 0)
        assert_true(ns <= 200000);
      if (ns < left) /* not the last, clamped step: steps only grow */
        assert_true(ns >= prev);
      prev = ns;
      left -= ns;
      count++;
    }
    assert_int_equal(left, 0);
    if (deadlines_ms[i] == 250) /* SQLite's default: 11 tries in 250 ms */
      assert_true(count >= 250);
  }
  assert_int_equal(ja__store_busy_sleep_ns(0, -5), 0);
  assert_int_equal(ja__store_busy_sleep_ns(1 << 30, 1 << 30), 1000000); /* no overflow */
}

/* With the lock held by another connection: our handler (not SQLite's) is
 * what waits, and it gives up at the call's deadline, not before. */
static void test_busy__handler_gives_up_at_the_call_deadline(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(120);
  /* The anon_id (two fsyncs) is made by a first capture, outside the
   * measured call: on a loaded disk it alone could eat the deadline. */
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  sqlite3 *locker = jt_lock_store();
  uint64_t polls = s->db.busy_polls;
  int64_t t0 = ja__mono_ns();
  capture_busy(s);
  int64_t waited = ja__mono_ns() - t0;
  jt_unlock_store(locker);
  assert_true(waited >= 120 * 1000000);
  assert_true(s->db.busy_polls >= polls + 2);
  assert_int_equal(s->db.deadline.at_ns, 0); /* forgotten after the call */
  ja_store_close(s);
}

/* An appender holds its shared lock on the file (stopped between lock and
 * write): the fold counts what is there but does not rotate the file, and
 * the drop written later is counted by the next fold, once. */
static void test_busy__file_held_by_appender_not_rotated(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s);
  jt_unlock_store(locker);
  int held = open(busy_path(), O_RDWR | O_APPEND | O_CLOEXEC);
  assert_true(held >= 0);
  assert_int_equal(flock(held, LOCK_SH), 0);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  assert_int_equal(busy_count(), 1);
  struct stat sb;
  assert_int_equal(stat(busy_path(), &sb), 0); /* still there */
  assert_int_equal(write(held, "b", 1), 1);   /* the stopped appender goes on */
  close(held);
  assert_int_equal(status_busy(s), 2);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  assert_int_equal(busy_count(), 2);
  assert_int_not_equal(stat(busy_path(), &sb), 0); /* rotated now */
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 2);
}

/* A file from before generations (only 'b' bytes) is counted once and
 * removed; a file that is not ours is neither counted nor touched. */
static void test_busy__legacy_file_counted_once_foreign_file_left_alone(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = open_ms(30);
  jt_write_file(busy_path(), "bbb");
  assert_int_equal(status_busy(s), 3);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  assert_int_equal(busy_count(), 3);
  struct stat sb;
  assert_int_not_equal(stat(busy_path(), &sb), 0);
  jt_write_file(busy_path(), "bbb not mine");
  assert_int_equal(status_busy(s), 3);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  sqlite3 *locker = jt_lock_store();
  capture_busy(s); /* never appended to a foreign file: held in memory */
  jt_unlock_store(locker);
  assert_int_equal(ja_capture(s, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(s);
  assert_int_equal(busy_count(), 4);
  char *left = jt_read_file(busy_path(), NULL);
  assert_string_equal(left, "bbb not mine");
  free(left);
}

/* Two handles (two processes' worth) note drops into the same file; every
 * one is counted once, whoever folds. */
static void test_busy__drops_from_two_handles_share_the_file(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *a = open_ms(20), *b = open_ms(20);
  sqlite3 *locker = jt_lock_store();
  for (int i = 0; i < 3; i++) {
    capture_busy(a);
    capture_busy(b);
  }
  jt_unlock_store(locker);
  ja_store_close(a);
  assert_int_equal(status_busy(b), 6);
  assert_int_equal(ja_capture(b, "feature_used", CHAT, NULL), JA_OK);
  ja_store_close(b);
  assert_int_equal(busy_count(), 6);
}
