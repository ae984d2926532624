/*
 * test_open.c — creating and opening the queue (store/open.c, api/handle.c):
 * racing first captures, homes under symlinks or too long for SQLite,
 * hostile files (the queue, -wal, -shm, the home itself), corrupt queues
 * moved aside, and readers of queues they cannot write or cannot read.
 */
#include "support.h"
#include "api/api.h"
#include "store/listing.h"
#include "store/store.h"
#include "util/fs.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sql_embed.h"

#define FEATURE "{\"feature_name\":\"chat\"}"
#define NOBODY 65534

/* ------------------------------------------------------------- helpers */

static ja_store *
open_home(const char *home, ja_status want)
{
  ja_options o = JA_OPTIONS_INIT;
  o.home = home;
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, &o);
  if (st != want)
    fail_msg("ja_store_open(%s): %s, want %s: %s", home ? home : "(env)", ja_status_str(st),
             ja_status_str(want), ja_last_error());
  return s;
}

/* A store at jt_home() holding @p n events, closed. */
static void
queue_with(int n)
{
  ja_store *s = open_home(NULL, JA_OK);
  for (int i = 0; i < n; i++)
    assert_int_equal(ja_capture(s, "feature_used", FEATURE, NULL), JA_OK);
  ja_store_close(s);
}

static void
path_of(char *out, size_t n, const char *suffix)
{
  snprintf(out, n, "%s%s", jt_db_path(), suffix);
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  close(fd);
}

static char *
read_all(const char *path, size_t *len)
{
  char *b = jt_read_file(path, len);
  assert_non_null(b);
  return b;
}

/* The status document of the store at jt_home() (a reader: creates
 * nothing), or NULL with *st set. */
static cJSON *
status_doc(ja_status *st)
{
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_NO_CREATE;
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  char *text = NULL;
  *st = ja_report_json(s, &text);
  ja_store_close(s);
  cJSON *doc = text ? cJSON_Parse(text) : NULL;
  ja_free(text);
  return doc;
}

static double
pending_in_status(void)
{
  ja_status st;
  cJSON *doc = status_doc(&st);
  if (st != JA_OK)
    fail_msg("status: %s: %s", ja_status_str(st), ja_last_error());
  cJSON *q = cJSON_GetObjectItemCaseSensitive(doc, "queue");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "exists")));
  double n = cJSON_GetObjectItemCaseSensitive(q, "pending")->valuedouble;
  cJSON_Delete(doc);
  return n;
}

/* Purge everything through a reader handle; returns its status. */
static ja_status
purge_all(int64_t *n)
{
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_NO_CREATE;
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  ja_status st = ja_purge(s, JA_PURGE_PENDING | JA_PURGE_SENT | JA_PURGE_DROPS, n);
  ja_store_close(s);
  return st;
}

/* Files in the home whose name starts with @p prefix. */
static int
count_named(const char *prefix)
{
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s' || true", jt_home(), prefix);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  int n = 0;
  assert_int_equal(fscanf(p, "%d", &n), 1);
  pclose(p);
  return n;
}

/* --------------------------------------------------------------- races */

typedef struct racer {
  pthread_barrier_t *go;
  ja_status st;       /* first failure, or JA_OK */
  int stored;         /* 1 when the capture was stored */
  char err[512];      /* ja_last_error() of the failure */
} racer;

/* One first capture, as install.sh's first call makes it: ja_store_open
 * with every default (so the 250 ms busy timeout) creates the store while
 * others race to do the same: that must never fail. The capture itself
 * then goes through a handle with a long busy timeout, so that only
 * creation may fail here (waiting out 19 other writers is not creation). */
static int
first_capture(char *err, size_t errsz, ja_status *out)
{
  ja_store *first = NULL, *s = NULL;
  ja_outcome oc = JA_OUTCOME_INIT;
  ja_status st = ja_store_open(&first, NULL);
  if (st == JA_OK) {
    ja_options o = JA_OPTIONS_INIT;
    o.busy_timeout_ms = 60000;
    st = ja_store_open(&s, &o);
  }
  if (st == JA_OK)
    st = ja_capture(s, "feature_used", FEATURE, &oc);
  if (st != JA_OK)
    snprintf(err, errsz, "%s: %s", ja_status_str(st), ja_last_error());
  ja_store_close(s);
  ja_store_close(first);
  *out = st;
  return st == JA_OK && oc.result == JA_RESULT_STORED;
}

/* Each of the @p n accepted captures is in the queue, or counted as a busy
 * drop: the racers' groups commit one after another, and one that waits
 * longer than its 60 s busy timeout behind the others (a disk beside a
 * full suite has held one fdatasync for 43-52 s) is dropped and counted,
 * as the library promises. No other drop. */
static void
assert_all_accounted(int round, int n)
{
  int64_t stored = jt_sql_int(jt_db_path(), "select count(*) from events");
  int64_t busy = 0, other = 0;
  jt_status_drops(&busy, &other);
  if (stored + busy != n || other != 0)
    fail_msg("round %d: %lld stored + %lld busy drops of %d captures, %lld other drops", round,
             (long long)stored, (long long)busy, n, (long long)other);
}

static void *
racer_main(void *p)
{
  racer *r = p;
  pthread_barrier_wait(r->go);
  r->stored = first_capture(r->err, sizeof r->err, &r->st);
  return NULL;
}

static void test_open__first_captures_race_threads(void **state)
{
  (void)state;
  for (int round = 0; round < 6; round++) {
    jt_fresh_env();
    /* The anon_id is made beforehand: threads of one process racing to
     * create it is another matter (ja__file_write_atomic's temp name); this
     * is about the queue. */
    assert_int_equal(mkdir(jt_home(), 0700), 0);
    char anon[2048];
    snprintf(anon, sizeof anon, "%s/anon_id", jt_home());
    write_bytes(anon, "00000000-0000-4000-8000-000000000000\n", 37);
    enum { N = 8 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    pthread_t t[N];
    racer r[N];
    for (int i = 0; i < N; i++) {
      memset(&r[i], 0, sizeof r[i]);
      r[i].go = &go;
      assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < N; i++)
      pthread_join(t[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < N; i++)
      if (!r[i].stored)
        fail_msg("round %d, thread %d: not stored: %s", round, i, r[i].err);
    assert_all_accounted(round, N);
    assert_int_equal(count_named(".aq-new-"), 0); /* no temp file left */
  }
}

static void test_open__first_captures_race_processes(void **state)
{
  (void)state;
  for (int round = 0; round < 4; round++) {
    jt_fresh_env();
    enum { N = 20 };
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
      kids[i] = fork();
      assert_true(kids[i] >= 0);
      if (kids[i] == 0) {
        close(gate[1]);
        char c;
        /* Every child starts when the parent closes the pipe. */
        while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
        }
        char err[512] = "";
        ja_status st;
        int ok = first_capture(err, sizeof err, &st);
        if (!ok)
          fprintf(stderr, "child %d: %s\n", i, err);
        _exit(ok ? 0 : 1);
      }
    }
    close(gate[0]);
    close(gate[1]);
    int failed = 0;
    for (int i = 0; i < N; i++) {
      int ws = 0;
      assert_int_equal(waitpid(kids[i], &ws, 0), kids[i]);
      failed += !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    }
    assert_int_equal(failed, 0);
    assert_all_accounted(round, N);
    assert_int_equal(count_named(".aq-new-"), 0);
  }
}

/* A reader never sees a half-made queue: it is absent, or complete. */
static void test_open__new_queue_appears_complete(void **state)
{
  (void)state;
  jt_fresh_env();
  queue_with(1);
  int latest = ja__sql_migrations[ja__sql_migration_count - 1].version;
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"), latest);
  char *mode = jt_sql_text(jt_db_path(), "pragma journal_mode");
  assert_string_equal(mode, "wal");
  free(mode);
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma auto_vacuum"), 2);
  struct stat sb;
  assert_int_equal(stat(jt_db_path(), &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(sb.st_nlink, 1);
}

/* ------------------------------------------------------------- symlinks */

static void test_open__home_under_symlinked_parent(void **state)
{
  (void)state;
  const char *dir = jt_fresh_env();
  char real[1200], link[1200], home[1300], db[1400];
  snprintf(real, sizeof real, "%s/real", dir);
  snprintf(link, sizeof link, "%s/link", dir);
  snprintf(home, sizeof home, "%s/home", link);
  snprintf(db, sizeof db, "%s/home/analytics_queue.db", real);
  assert_int_equal(mkdir(real, 0700), 0);
  assert_int_equal(symlink(real, link), 0);
  setenv("OPENJARVIS_HOME", home, 1);
  ja_store *s = open_home(NULL, JA_OK);
  ja_outcome o = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(s, "feature_used", FEATURE, &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_STORED);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(db, "select count(*) from events"), 1);
  /* The status of the same home reads it. */
  ja_status st;
  cJSON *doc = status_doc(&st);
  assert_int_equal(st, JA_OK);
  cJSON *q = cJSON_GetObjectItemCaseSensitive(doc, "queue");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "exists")));
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "pending")->valueint, 1);
  cJSON_Delete(doc);
}

static void test_open__symlinked_home_itself(void **state)
{
  (void)state;
  const char *dir = jt_fresh_env();
  char real[1200], link[1200], db[1300];
  snprintf(real, sizeof real, "%s/elsewhere", dir);
  snprintf(link, sizeof link, "%s/home", dir);
  snprintf(db, sizeof db, "%s/analytics_queue.db", real);
  assert_int_equal(mkdir(real, 0700), 0);
  assert_int_equal(symlink(real, link), 0);
  queue_with(2);
  assert_int_equal(jt_sql_int(db, "select count(*) from events"), 2);
}

/* A home (not made) whose queue path is exactly @p total bytes long, under
 * <dir>/<padding> (made: one directory level is all a store creates). */
static void
home_for_db_length(const char *dir, size_t total, char *home, size_t n)
{
  const size_t tail = strlen("/analytics_queue.db");
  char parent[1200];
  int w = snprintf(parent, sizeof parent, "%s/", dir);
  size_t pad = total - (size_t)w - tail - 1 - 240; /* leaves 240 for the home's name */
  assert_true(pad > 0 && pad < 255);
  memset(parent + w, 'p', pad);
  parent[(size_t)w + pad] = '\0';
  assert_int_equal(mkdir(parent, 0700), 0);
  w = snprintf(home, n, "%s/", parent);
  memset(home + w, 'h', 240);
  home[w + 240] = '\0';
  assert_int_equal(strlen(home) + tail, total);
}

static void test_open__home_too_long_for_sqlite_refused_first(void **state)
{
  (void)state;
  const char *dir = jt_fresh_env();
  char home[2048];
  home_for_db_length(dir, 505, home, sizeof home);
  open_home(home, JA_ECONFIG);
  assert_non_null(strstr(ja_last_error(), "OPENJARVIS_HOME"));
  struct stat sb;
  assert_int_not_equal(stat(home, &sb), 0); /* nothing made */
}

static void test_open__home_at_sqlite_limit_works(void **state)
{
  (void)state;
  const char *dir = jt_fresh_env();
  char home[2048], db[2100];
  home_for_db_length(dir, 504, home, sizeof home);
  ja_store *s = open_home(home, JA_OK);
  assert_int_equal(ja_capture(s, "feature_used", FEATURE, NULL), JA_OK);
  ja_store_close(s);
  snprintf(db, sizeof db, "%s/analytics_queue.db", home);
  assert_int_equal(strlen(db), 504);
  assert_int_equal(jt_sql_int(db, "select count(*) from events"), 1);
}

/* -------------------------------------------------------- hostile files */

/* An existing queue, then @p plant makes its companion @p suffix hostile:
 * opening must refuse it (JA_EUNSAFE) for writers and readers alike. */
static void
companion_refused(const char *suffix, void (*plant)(const char *path, const char *dir))
{
  const char *dir = jt_fresh_env();
  queue_with(1);
  char p[2048];
  path_of(p, sizeof p, suffix);
  unlink(p);
  plant(p, dir);
  open_home(NULL, JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), suffix));
  ja_status st;
  cJSON *doc = status_doc(&st);
  assert_null(doc);
  assert_int_equal(st, JA_EUNSAFE);
}

static void
plant_symlink(const char *path, const char *dir)
{
  char target[1200];
  snprintf(target, sizeof target, "%s/target", dir);
  write_bytes(target, "", 0);
  assert_int_equal(symlink(target, path), 0);
}

static void
plant_fifo(const char *path, const char *dir)
{
  (void)dir;
  assert_int_equal(mkfifo(path, 0600), 0);
}

static void
plant_hardlink(const char *path, const char *dir)
{
  char other[1200];
  snprintf(other, sizeof other, "%s/other", dir);
  write_bytes(other, "", 0);
  assert_int_equal(link(other, path), 0);
}

static void
plant_foreign(const char *path, const char *dir)
{
  (void)dir;
  write_bytes(path, "", 0);
  assert_int_equal(chown(path, NOBODY, NOBODY), 0);
  chmod(path, 0666);
}

static void test_open__symlinked_wal_refused(void **state)
{
  (void)state;
  companion_refused("-wal", plant_symlink);
}

static void test_open__fifo_wal_refused(void **state)
{
  (void)state;
  companion_refused("-wal", plant_fifo);
}

static void test_open__hardlinked_shm_refused(void **state)
{
  (void)state;
  companion_refused("-shm", plant_hardlink);
}

static void test_open__foreign_shm_refused(void **state)
{
  (void)state;
  if (geteuid() != 0)
    skip(); /* chown to another user needs root */
  companion_refused("-shm", plant_foreign);
}

static void test_open__symlinked_shm_refused(void **state)
{
  (void)state;
  companion_refused("-shm", plant_symlink);
}

static void test_open__foreign_world_writable_queue_refused(void **state)
{
  (void)state;
  if (geteuid() != 0)
    skip();
  jt_fresh_env();
  queue_with(1);
  assert_int_equal(chown(jt_db_path(), NOBODY, NOBODY), 0);
  assert_int_equal(chmod(jt_db_path(), 0666), 0);
  open_home(NULL, JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "another user"));
  struct stat sb;
  assert_int_equal(stat(jt_db_path(), &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0666); /* refused, not adopted */
}

static void test_open__own_readable_queue_narrowed(void **state)
{
  (void)state;
  jt_fresh_env();
  queue_with(1);
  assert_int_equal(chmod(jt_db_path(), 0644), 0);
  queue_with(1);
  struct stat sb;
  assert_int_equal(stat(jt_db_path(), &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 2);
}

static void test_open__foreign_home_refused(void **state)
{
  (void)state;
  if (geteuid() != 0)
    skip();
  jt_fresh_env();
  assert_int_equal(mkdir(jt_home(), 0700), 0);
  assert_int_equal(chown(jt_home(), NOBODY, NOBODY), 0);
  open_home(NULL, JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "another user"));
  char db[2048];
  path_of(db, sizeof db, "");
  struct stat sb;
  assert_int_not_equal(lstat(db, &sb), 0);
}

static void test_open__shared_home_refused(void **state)
{
  (void)state;
  static const unsigned modes[] = {01777, 0777, 0770, 0702};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    jt_fresh_env();
    assert_int_equal(mkdir(jt_home(), 0700), 0);
    assert_int_equal(chmod(jt_home(), modes[i]), 0);
    open_home(NULL, JA_EUNSAFE);
    assert_non_null(strstr(ja_last_error(), "others can write"));
    ja_status st;
    assert_null(status_doc(&st));
    assert_int_equal(st, JA_EUNSAFE);
    struct stat sb;
    assert_int_not_equal(lstat(jt_db_path(), &sb), 0);
  }
}

/* -------------------------------------------------------------- corrupt */

/* After a capture into a home whose queue held @p bytes: the capture is
 * stored in a fresh queue, the old bytes are kept aside (the only corrupt
 * copy), and the move is recorded and shown by status. */
static void
corrupt_moved_on_capture(const void *bytes, size_t len)
{
  jt_fresh_env();
  assert_int_equal(mkdir(jt_home(), 0700), 0);
  write_bytes(jt_db_path(), bytes, len);
  ja_store *s = open_home(NULL, JA_OK);
  ja_outcome o = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(s, "feature_used", FEATURE, &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_STORED);
  ja_store_close(s);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from store_events "
                                            "where kind = 'corrupt_moved'"), 1);
  char *aside = jt_sql_text(jt_db_path(), "select substr(detail, 11, instr(substr(detail, 11), "
                                          "'''') - 1) from store_events");
  assert_non_null(aside);
  assert_non_null(strstr(aside, "analytics_queue.db.corrupt-"));
  size_t got = 0;
  char *kept = read_all(aside, &got);
  assert_int_equal(got, len);
  assert_memory_equal(kept, bytes, len);
  free(kept);
  assert_int_equal(count_named("analytics_queue.db.corrupt-"), 1);
  ja_status st;
  cJSON *doc = status_doc(&st);
  assert_int_equal(st, JA_OK);
  cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "store_events"), 0);
  assert_non_null(ev);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev, "kind")->valuestring, "corrupt_moved");
  assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(ev, "detail")->valuestring, aside));
  cJSON_Delete(doc);
  free(aside);
}

static void test_open__garbage_queue_moved_aside(void **state)
{
  (void)state;
  char junk[8192];
  memset(junk, 'x', sizeof junk);
  corrupt_moved_on_capture(junk, sizeof junk);
}

static void test_open__random_bytes_queue_moved_aside(void **state)
{
  (void)state;
  unsigned char junk[4096 * 3];
  randombytes_buf(junk, sizeof junk);
  corrupt_moved_on_capture(junk, sizeof junk);
}

static void test_open__bad_header_queue_moved_aside(void **state)
{
  (void)state;
  unsigned char junk[100];
  memcpy(junk, "SQLite format 3", 16);
  memset(junk + 16, 0xff, sizeof junk - 16);
  corrupt_moved_on_capture(junk, sizeof junk);
}

static void test_open__truncated_queue_moved_aside(void **state)
{
  (void)state;
  jt_fresh_env();
  queue_with(300);
  size_t len = 0;
  char *whole = read_all(jt_db_path(), &len);
  assert_true(len > 8 * 4096);
  char *cut = malloc(len / 2);
  memcpy(cut, whole, len / 2);
  free(whole);
  corrupt_moved_on_capture(cut, len / 2);
  free(cut);
}

static void test_open__empty_queue_file_replaced(void **state)
{
  (void)state;
  jt_fresh_env();
  assert_int_equal(mkdir(jt_home(), 0700), 0);
  write_bytes(jt_db_path(), "", 0);
  /* A reader finds nothing to read in it, and leaves it. */
  ja_status st;
  cJSON *doc = status_doc(&st);
  assert_int_equal(st, JA_OK);
  assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(doc, "queue"), "exists")));
  cJSON_Delete(doc);
  queue_with(1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 1);
}

static void test_open__only_newest_corrupt_copy_kept(void **state)
{
  (void)state;
  jt_fresh_env();
  assert_int_equal(mkdir(jt_home(), 0700), 0);
  char old[2048], oldwal[2100];
  path_of(old, sizeof old, ".corrupt-20000101T000000Z");
  path_of(oldwal, sizeof oldwal, ".corrupt-20000101T000000Z-wal");
  write_bytes(old, "old", 3);
  write_bytes(oldwal, "old", 3);
  write_bytes(jt_db_path(), "not a database, not at all.", 27);
  queue_with(1);
  struct stat sb;
  assert_int_not_equal(lstat(old, &sb), 0);
  assert_int_not_equal(lstat(oldwal, &sb), 0);
  assert_int_equal(count_named("analytics_queue.db.corrupt-"), 1);
}

/* A creator killed mid-way leaves its temp file: the next creation removes
 * it once it is clearly stale, and leaves a live creator's alone. */
static void test_open__stale_temp_files_removed(void **state)
{
  (void)state;
  jt_fresh_env();
  assert_int_equal(mkdir(jt_home(), 0700), 0);
  char stale[2048], live[2048];
  snprintf(stale, sizeof stale, "%s/.aq-new-0badf00d", jt_home());
  snprintf(live, sizeof live, "%s/.aq-new-00c0ffee", jt_home());
  write_bytes(stale, "x", 1);
  write_bytes(live, "x", 1);
  struct timespec old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
  assert_int_equal(utimensat(AT_FDCWD, stale, old, 0), 0);
  queue_with(1);
  struct stat sb;
  assert_int_not_equal(lstat(stale, &sb), 0);
  assert_int_equal(lstat(live, &sb), 0);
}

static void test_open__newer_schema_refused_untouched(void **state)
{
  (void)state;
  jt_fresh_env();
  queue_with(2);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "pragma user_version = 999", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  size_t len = 0, len2 = 0;
  char *before = read_all(jt_db_path(), &len);
  ja_store *s = open_home(NULL, JA_EVERSION);
  (void)s;
  ja_status st;
  assert_null(status_doc(&st));
  assert_int_equal(st, JA_EVERSION);
  char *after = read_all(jt_db_path(), &len2);
  assert_int_equal(len, len2);
  assert_memory_equal(before, after, len);
  free(before);
  free(after);
  assert_int_equal(count_named("analytics_queue.db.corrupt-"), 0);
}

/* ----------------------------------------- unreadable, read-only homes */

static char g_fail_path[2048];

/* SQLite's own open(2) (its VFS syscall table; our checks of these files
 * never open them, see ja__file_check_private): EACCES for g_fail_path
 * opened at all (an unreadable queue), or — when g_ro_home — for creating
 * any file, as in a home that cannot be written. */
static int g_ro_home;
static sqlite3_syscall_ptr g_real_open;

static int
sqlite_open_hook(const char *p, int f, int m)
{
  int created = (f & O_CREAT) && access(p, F_OK) != 0;
  if ((g_fail_path[0] && strcmp(p, g_fail_path) == 0) || (g_ro_home && created)) {
    errno = EACCES;
    return -1;
  }
  return ((int (*)(const char *, int, int))g_real_open)(p, f, m);
}

static void
sqlite_hook(int on)
{
  sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
  if (on) {
    g_real_open = vfs->xGetSystemCall(vfs, "open");
    assert_int_equal(vfs->xSetSystemCall(vfs, "open", (sqlite3_syscall_ptr)sqlite_open_hook),
                     SQLITE_OK);
  } else {
    vfs->xSetSystemCall(vfs, "open", NULL);
    g_fail_path[0] = '\0';
    g_ro_home = 0;
  }
}

/* As root (CI) permission bits do not bite: the queue is made unreadable
 * where SQLite opens it. Before, CANTOPEN read as "no queue": status said
 * "not created yet" and purge "purged 0 rows" over a file full of events. */
static void test_open__unreadable_queue_is_an_error_not_absent(void **state)
{
  (void)state;
  jt_fresh_env();
  queue_with(2);
  snprintf(g_fail_path, sizeof g_fail_path, "%s", jt_db_path());
  sqlite_hook(1);
  ja_status st;
  cJSON *doc = status_doc(&st);
  int64_t n = -1;
  ja_status pst = purge_all(&n);
  sqlite_hook(0);
  assert_null(doc);
  assert_int_equal(st, JA_EIO);
  assert_int_not_equal(pst, JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 2);
}

static void test_open__read_only_home_still_readable(void **state)
{
  (void)state;
  jt_fresh_env();
  queue_with(4);
  struct stat sb;
  char wal[2048];
  path_of(wal, sizeof wal, "-wal");
  assert_int_not_equal(stat(wal, &sb), 0); /* checkpointed: nothing to miss */
  g_ro_home = 1;
  sqlite_hook(1);
  double pending = pending_in_status();
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_NO_CREATE;
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  ja__list rows;
  ja__list_query q = {.limit = 100};
  ja_status shown = ja__report_list(s, &q, &rows);
  ja_store_close(s);
  int64_t n = -1;
  ja_status pst = purge_all(&n);
  sqlite_hook(0);
  assert_int_equal((int)pending, 4);
  assert_int_equal(shown, JA_OK);
  assert_int_equal(rows.n, 4);
  ja__list_free(&rows);
  /* Purge cannot write there: it says so, and claims nothing. */
  assert_int_not_equal(pst, JA_OK);
  assert_int_equal(n, 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), 4);
}
