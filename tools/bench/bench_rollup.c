/*
 * bench_rollup.c — the two costs of local aggregation:
 *
 * 1. ja_session_inference against a plain ja_capture of one event, one
 *    durable transaction each, alternating in one run (target <= 1.5x).
 * 2. ja_rollup of N sessions of 10 turns (9 inferences + 1 tool signal,
 *    then an end), for N = --small and --large (default 10 000 and
 *    100 000): seconds, and the growth from small to large (linear = 10x
 *    for 10x the sessions; the target is linear or better). The signals are
 *    seeded in one transaction with the library's own ja__rollup_signal_store
 *    (the per-signal commit is what part 1 measures); the rollup is timed
 *    alone. Both sizes are run --reps times (default 3), alternating, each
 *    in a fresh store; the growth is the ratio of the medians, since one
 *    run on a shared machine swings by 10 %.
 *
 * --profile N runs one rollup of N sessions and nothing else (the filter
 * warmed up first): what tools/bench/profile_rollup.py counts under
 * callgrind.
 *
 *   bench_rollup [--ops N] [--small N] [--large N] [--reps N] [--dir DIR]
 *   bench_rollup --profile N [--dir DIR]
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "util/clock.h"
#include "util/hash.h"
#include "rollup/rollup.h"

static double
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process (user + system): less swayed than the wall
 * clock by other work on a shared machine; both are reported. */
static double
cpu_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void
die(const char *what, const char *detail)
{
  fprintf(stderr, "bench_rollup: %s: %s\n", what, detail);
  exit(1);
}

/* A fresh home under @p dir with caps that keep every event. */
static void
make_home(const char *dir, const char *name, char *home, size_t n)
{
  snprintf(home, n, "%s/%s", dir, name);
  if (mkdir(home, 0700) != 0)
    die("mkdir", home);
  char cfg[JA_PATH_MAX + 32];
  snprintf(cfg, sizeof cfg, "%s/config.toml", home);
  FILE *f = fopen(cfg, "w");
  if (!f)
    die("config", cfg);
  fprintf(f, "[analytics]\nenabled = true\nmax_events = 100000000\nmax_age_days = 3650\n");
  fclose(f);
  chmod(cfg, 0600);
  setenv("OPENJARVIS_HOME", home, 1);
}

static ja_store *
open_store(void)
{
  ja_store *s = NULL;
  if (ja_store_open(&s, NULL) != JA_OK)
    die("ja_store_open", ja_last_error());
  return s;
}

/* Part 1: one signal vs one capture. */
static void
bench_signal(long ops)
{
  ja_store *s = open_store();
  double *t_sig = malloc((size_t)ops * sizeof(double));
  double *t_cap = malloc((size_t)ops * sizeof(double));
  if (!t_sig || !t_cap)
    die("malloc", "out of memory");
  for (int i = 0; i < 5; i++) { /* warm up: statements, anon_id, first uses */
    ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL);
    ja_session_inference(s, "warm", 1, 1, 1, "llama3.1:8b", "ollama", 0);
  }
  double sig_total = 0, cap_total = 0;
  for (long i = 0; i < ops; i++) {
    for (int k = 0; k < 2; k++) {
      int sig = (k == 0) == (i % 2 == 0);
      double t0 = now_s();
      if (sig) {
        char id[32];
        snprintf(id, sizeof id, "chat-%ld", i / 10); /* 10 turns a session */
        if (ja_session_inference(s, id, 120, 340, 850.5, "llama3.1:8b", "ollama", 0) != JA_OK)
          die("ja_session_inference", ja_last_error());
        t_sig[i] = now_s() - t0;
        sig_total += t_sig[i];
      } else {
        if (ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL) != JA_OK)
          die("ja_capture", ja_last_error());
        t_cap[i] = now_s() - t0;
        cap_total += t_cap[i];
      }
    }
  }
  qsort(t_sig, (size_t)ops, sizeof(double), cmp_double);
  qsort(t_cap, (size_t)ops, sizeof(double), cmp_double);
  printf("one durable call each, %ld calls (synchronous=FULL, WAL)\n", ops);
  printf("  %-30s median %9.1f us   mean %9.1f us\n", "ja_capture (baseline)",
         t_cap[ops / 2] * 1e6, cap_total / (double)ops * 1e6);
  printf("  %-30s median %9.1f us   mean %9.1f us\n", "ja_session_inference",
         t_sig[ops / 2] * 1e6, sig_total / (double)ops * 1e6);
  printf("  ratio inference / capture: median %.3fx   mean %.3fx   (target <= 1.5x)\n",
         t_sig[ops / 2] / t_cap[ops / 2], sig_total / cap_total);
  ja_store_close(s);
  free(t_sig);
  free(t_cap);
}

/* @p n sessions of 10 signals + an end, all ended an hour before the
 * rollup, into the open store @p s in one transaction with the library's
 * own ja__rollup_signal_store (part 1 measures the per-signal commit). */
static void
seed(ja_store *s, long n, int64_t t0)
{
  ja__db *d = &s->db;
  if (ja__store_begin(d, ja__now_ms()) != JA_OK)
    die("seed", ja_last_error());
  ja_status st = JA_OK;
  for (long i = 0; i < n && st == JA_OK; i++) {
    char id[32];
    snprintf(id, sizeof id, "session-%ld", i);
    int64_t at = t0 + (i % 3600) * 1000; /* spread over an hour */
    for (int k = 0; k < 11 && st == JA_OK; k++, at += 2000) {
      ja__signal sig = {.kind = k == 10 ? JA__SIG_END : k == 5 ? JA__SIG_TOOL : JA__SIG_INFERENCE,
                        .session = id, .at_ms = at};
      if (sig.kind == JA__SIG_INFERENCE) {
        sig.tokens_in = 100 + k, sig.tokens_out = 200 + k, sig.latency_ms = 300.0 + 10 * k;
        sig.model = "llama3.1:8b", sig.engine = "ollama";
      } else if (sig.kind == JA__SIG_TOOL) {
        sig.tool = "search_web";
      }
      st = ja__rollup_signal_store(d, &sig);
    }
  }
  if (ja__store_end(d, st) != JA_OK)
    die("seed", ja_last_error());
  /* The seed is one giant transaction, a shape real use never makes
   * (signals commit one by one and the WAL is checkpointed every 1 000
   * pages). Left in the WAL, the timed rollup would also checkpoint the
   * seed's 10x larger WAL and wait for its writeback: start from the state
   * a real queue is in. */
  if (sqlite3_exec(d->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    die("checkpoint", sqlite3_errmsg(d->db));
}

/* Part 2: seconds to roll up @p n sessions in a fresh home @p dir/@p name
 * (wall; CPU in *cpu). */
static double
bench_rollup(const char *dir, const char *name, long n, double *cpu)
{
  char home[JA_PATH_MAX];
  make_home(dir, name, home, sizeof home);
  ja_store *s = open_store();
  int64_t day = (ja__now_ms() / 86400000 - 2) * 86400000;
  /* An end alone creates and migrates the queue (a session without
   * activity: closed, nothing queued). */
  if (ja_session_end(s, "open-the-store", day) != JA_OK)
    die("ja_session_end", ja_last_error());
  seed(s, n, day + 3600000);
  double t0 = now_s(), c0 = cpu_s();
  int64_t queued = 0;
  if (ja_rollup(s, day + 86400000 + 600000, &queued) != JA_OK)
    die("ja_rollup", ja_last_error());
  double dt = now_s() - t0;
  *cpu = cpu_s() - c0;
  if (queued != n + 1)
    die("ja_rollup", "did not queue one event per session plus the day");
  ja_store_close(s);
  printf("  rollup of %7ld sessions x 10 turns: %8.3f s wall, %8.3f s CPU  (%6.1f us a session, "
         "%ld events)\n", n, dt, *cpu, dt / (double)n * 1e6, (long)queued);
  return dt;
}

/* Leave nothing behind. */
static void
remove_dir(const char *dir)
{
  char cmd[JA_PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (strchr(dir, '\'') == NULL && system(cmd) != 0)
    fprintf(stderr, "bench_rollup: could not remove %s\n", dir);
}

int
main(int argc, char **argv)
{
  long ops = 1000, small = 10000, large = 100000, reps = 3, profile = 0;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc)
      ops = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--small") == 0 && i + 1 < argc)
      small = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--large") == 0 && i + 1 < argc)
      large = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
      profile = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
      reps = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else
      die("usage", "bench_rollup [--ops N] [--small N] [--large N] [--reps N] [--dir DIR] | "
                   "--profile N [--dir DIR]");
  }
  if (ops < 10)
    ops = 10;
  if (small < 1 || large < small)
    die("usage", "need 1 <= --small <= --large");
  if (reps < 1 || reps > 99)
    die("usage", "need 1 <= --reps <= 99");
  char tmpl[] = "ja-bench-rollup-XXXXXX";
  if (!dir && !(dir = mkdtemp(tmpl)))
    die("mkdtemp", "failed");
  unsetenv("DO_NOT_TRACK");
  unsetenv("OPENJARVIS_LOG_LEVEL");

  char home[JA_PATH_MAX];
  if (profile > 0) {
    /* The filter compiles its patterns on first use (~ 70 M instructions):
     * a capture first, so the rollup counted is the rollup alone. */
    make_home(dir, "warm", home, sizeof home);
    ja_store *w = open_store();
    if (ja_capture(w, "feature_used", "{\"feature_name\":\"chat\"}", NULL) != JA_OK)
      die("ja_capture", ja_last_error());
    ja_store_close(w);
    double cpu;
    bench_rollup(dir, "profile", profile, &cpu);
    remove_dir(dir);
    return 0;
  }
  make_home(dir, "signal", home, sizeof home);
  bench_signal(ops);
  printf("rollup (one transaction per %d sessions; each queues chat_session_ended)\n",
         JA__ROLLUP_BATCH);
  double wa[99], wb[99], ca[99], cb[99];
  for (long r = 0; r < reps; r++) {
    char na[32], nb[32];
    snprintf(na, sizeof na, "small-%ld", r);
    snprintf(nb, sizeof nb, "large-%ld", r);
    wa[r] = bench_rollup(dir, na, small, &ca[r]);
    wb[r] = bench_rollup(dir, nb, large, &cb[r]);
  }
  qsort(wa, (size_t)reps, sizeof(double), cmp_double);
  qsort(wb, (size_t)reps, sizeof(double), cmp_double);
  qsort(ca, (size_t)reps, sizeof(double), cmp_double);
  qsort(cb, (size_t)reps, sizeof(double), cmp_double);
  double a = wa[reps / 2], b = wb[reps / 2];
  printf("  median of %ld: %.3f s and %.3f s wall (%.1f and %.1f us a session)\n", reps, a, b,
         a / (double)small * 1e6, b / (double)large * 1e6);
  printf("  growth %ld -> %ld sessions (%.1fx): %.2fx the wall time, %.2fx the CPU time "
         "(linear = %.1fx; target: linear or better)\n", small, large,
         (double)large / (double)small, b / a, cb[reps / 2] / ca[reps / 2],
         (double)large / (double)small);
  remove_dir(dir);
  return 0;
}
