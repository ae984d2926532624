/*
 * bench_contention.c — busy drops and capture latency when two processes
 * write to one queue at the default busy timeout (250 ms): the backend and
 * the desktop backend, say. Each scenario runs twice in the same run, once
 * with the library's busy handler (store/db.c: short polls until the call's
 * deadline) and once with SQLite's own (sqlite3_busy_timeout: sleeps of
 * 1–100 ms), the baseline. A measurement, never a test: ctest only
 * smoke-runs it with a tiny count.
 *
 *   tight: two processes capture in a loop, --ops each.
 *   paced: one captures every 2 ms (--ops / 4 times) while another
 *          captures in a loop until it is done.
 *
 *   bench_contention [--ops N] [--dir DIR]     (default 2000, a temp dir)
 */
#include "boot.h"
#include "api/api.h"
#include "util/clock.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench_util.h"

static const char *PROPS = "{\"feature_name\":\"chat\"}";

/* What one writer process reports. */
typedef struct result {
  int attempts, stored, busy, other;
  double p50_ms, p99_ms, max_ms;
} result;

/* One writer: @p n captures (or until *stop when n < 0), one every
 * @p pace_us (0: a tight loop). */
static result
writer(const char *home, int baseline, int n, int pace_us, atomic_int *stop)
{
  result r = {0};
  ja_options o = JA_OPTIONS_INIT;
  o.home = home;
  o.flags = JA_OPEN_SYNC; /* each capture's fate (stored or busy) is its status */
  ja_store *s = NULL;
  if (ja_store_open(&s, &o) != JA_OK)
    ja_bench_die("open", ja_last_error());
  if (baseline) /* replaces the library's handler on this connection */
    sqlite3_busy_timeout(s->db.db, s->db.busy_timeout_ms);
  int cap = n > 0 ? n : 1 << 20;
  double *lat = malloc(sizeof *lat * (size_t)cap);
  if (!lat)
    ja_bench_die("malloc", "latencies");
  while (r.attempts < cap && (n > 0 || !atomic_load(stop))) {
    int64_t t0 = ja__mono_ns();
    ja_outcome out = JA_OUTCOME_INIT;
    ja_status st = ja_capture(s, "feature_used", PROPS, &out);
    lat[r.attempts++] = (double)(ja__mono_ns() - t0) / 1e6;
    if (st == JA_OK)
      r.stored++;
    else if (st == JA_EBUSY)
      r.busy++;
    else
      r.other++;
    if (pace_us) {
      struct timespec ts = {0, (long)pace_us * 1000};
      nanosleep(&ts, NULL);
    }
  }
  ja_store_close(s);
  qsort(lat, (size_t)r.attempts, sizeof *lat, ja_bench_cmp_double);
  if (r.attempts) {
    r.p50_ms = lat[r.attempts / 2];
    r.p99_ms = lat[(int)((r.attempts - 1) * 0.99)];
    r.max_ms = lat[r.attempts - 1];
  }
  free(lat);
  return r;
}

/* Fork two writers on a fresh queue under @p dir; fill out[2]. */
static void
run(const char *dir, const char *name, int baseline, int ops, result out[2])
{
  char home[JA_PATH_MAX];
  snprintf(home, sizeof home, "%s/%s-%s", dir, name, baseline ? "sqlite" : "ours");
  ja_options o = JA_OPTIONS_INIT;
  o.home = home;
  ja_store *s = NULL;
  if (ja_store_open(&s, &o) != JA_OK) /* create it outside the race */
    ja_bench_die("create", ja_last_error());
  ja_store_close(s);
  atomic_int *stop = mmap(NULL, sizeof *stop, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                          -1, 0);
  if (stop == MAP_FAILED)
    ja_bench_die("mmap", "stop flag");
  atomic_store(stop, 0);
  int paced = strcmp(name, "paced") == 0;
  int fds[2][2];
  pid_t pid[2];
  for (int w = 0; w < 2; w++) {
    if (pipe(fds[w]) != 0)
      ja_bench_die("pipe", "results");
    pid[w] = fork();
    if (pid[w] < 0)
      ja_bench_die("fork", "writer");
    if (pid[w] == 0) {
      result r = paced && w == 1 ? writer(home, baseline, -1, 0, stop)
                 : paced         ? writer(home, baseline, ops / 4, 2000, stop)
                                 : writer(home, baseline, ops, 0, stop);
      _exit(write(fds[w][1], &r, sizeof r) == sizeof r ? 0 : 1);
    }
    close(fds[w][1]);
  }
  /* In "paced", the loop writer runs until the paced one is done. */
  if (read(fds[0][0], &out[0], sizeof out[0]) != sizeof out[0])
    ja_bench_die("read", "writer 0");
  atomic_store(stop, 1);
  if (read(fds[1][0], &out[1], sizeof out[1]) != sizeof out[1])
    ja_bench_die("read", "writer 1");
  for (int w = 0; w < 2; w++) {
    int status = 0;
    waitpid(pid[w], &status, 0);
    close(fds[w][0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      ja_bench_die("writer", "failed");
  }
  munmap(stop, sizeof *stop);
}

static void
report(const char *name, const char *handler, const result r[2])
{
  for (int w = 0; w < 2; w++)
    printf("%-6s %-7s writer %d%s: %6d captures, %5d busy (%5.1f %%), p50 %6.2f ms, "
           "p99 %7.2f ms, max %7.2f ms%s\n",
           name, handler, w, strcmp(name, "paced") == 0 ? (w ? " (loop) " : " (paced)") : "",
           r[w].attempts, r[w].busy, r[w].attempts ? 100.0 * r[w].busy / r[w].attempts : 0.0,
           r[w].p50_ms, r[w].p99_ms, r[w].max_ms, r[w].other ? " OTHER ERRORS" : "");
}

int
main(int argc, char **argv)
{
  ja_bench_name("bench_contention");
  int ops = 2000;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc)
      ops = (int)strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else
      ja_bench_die("usage", "bench_contention [--ops N] [--dir DIR]");
  }
  if (ops < 4)
    ops = 4;
  char tmp[] = "/tmp/bench_contention-XXXXXX";
  if (!dir && !(dir = mkdtemp(tmp)))
    ja_bench_die("mkdtemp", "/tmp");
  unsetenv("DO_NOT_TRACK");
  printf("two writers, busy timeout 250 ms, %d ops; ours = library busy handler, "
         "sqlite = sqlite3_busy_timeout (baseline)\n", ops);
  int other = 0;
  const char *names[] = {"tight", "paced"};
  for (int n = 0; n < 2; n++) {
    for (int baseline = 0; baseline < 2; baseline++) {
      result r[2];
      run(dir, names[n], baseline, ops, r);
      report(names[n], baseline ? "sqlite" : "ours", r);
      other += r[0].other + r[1].other;
    }
  }
  if (!getenv("JA_BENCH_KEEP") && strcmp(dir, tmp) == 0) {
    char cmd[JA_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "bench_contention: could not remove %s\n", dir);
  }
  return other ? 1 : 0;
}
