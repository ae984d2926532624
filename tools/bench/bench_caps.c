/*
 * bench_caps.c — the two costs the queue size must not drive, as ratios
 * measured in one run: (1) `status` (ja_report_json) on a queue of --rows
 * events vs one of 1 000; (2) one durable capture into a queue that is
 * --rows - 10 000 events over its cap (config.toml max_events = 10000:
 * the capture prunes one bounded step) vs a capture into a queue under
 * its cap. Before the fixes these were 253 ms at 1 M rows for status, and
 * 4.6 s for the one capture that pruned 990 k rows.
 *
 *   bench_caps [--rows N] [--rounds R] [--dir DIR]   (default 1000000, 31)
 */
#include "boot.h"

#include <jarvis_analytics.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bench_util.h"

/* A store in @p home holding @p rows events (plus one real capture), with
 * max_events = @p cap in config.toml. */
static ja_store *
make_store(const char *home, long rows, long cap)
{
  if (mkdir(home, 0700) != 0)
    ja_bench_die("mkdir", home);
  char path[4096], text[128];
  snprintf(path, sizeof path, "%s/config.toml", home);
  FILE *f = fopen(path, "w");
  if (!f)
    ja_bench_die("config", path);
  snprintf(text, sizeof text, "[analytics]\nmax_events = %ld\n", cap);
  fputs(text, f);
  fclose(f);
  ja_options o = JA_OPTIONS_INIT;
  o.home = home;
  o.busy_timeout_ms = 30000;
  o.flags = JA_OPEN_SYNC; /* a capture's whole durable write is what is timed */
  ja_store *s = NULL;
  if (ja_store_open(&s, &o) != JA_OK)
    ja_bench_die("open", ja_last_error());
  if (ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL) != JA_OK)
    ja_bench_die("capture", ja_last_error());
  /* Fill fast with raw SQL (one transaction, no fsync): what we measure is
   * reading and pruning a big queue, not making one. */
  snprintf(path, sizeof path, "%s/analytics_queue.db", home);
  sqlite3 *db = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK)
    ja_bench_die("open raw", sqlite3_errmsg(db));
  char sql[1024];
  snprintf(sql, sizeof sql,
           "PRAGMA synchronous = OFF;"
           "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %ld) "
           "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms) "
           "SELECT printf('00000000-0000-7000-8000-%%012d', i), e.ts_ms, e.timestamp, "
           "e.distinct_id, e.event, e.properties, e.age_ms FROM k, "
           "(SELECT * FROM events LIMIT 1) AS e;"
           "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
           "SELECT uuid, event, properties, timestamp, ts_ms FROM events;",
           rows);
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
    ja_bench_die("fill", sqlite3_errmsg(db));
  sqlite3_close(db);
  return s;
}

/* One status document, timed. */
static double
one_status(ja_store *s)
{
  char *doc = NULL;
  double t0 = ja_bench_now_s();
  if (ja_report_json(s, &doc) != JA_OK)
    ja_bench_die("status", ja_last_error());
  double t = ja_bench_now_s() - t0;
  ja_free(doc);
  return t;
}

/* One durable capture, timed. */
static double
one_capture(ja_store *s)
{
  double t0 = ja_bench_now_s();
  if (ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL) != JA_OK)
    ja_bench_die("capture", ja_last_error());
  return ja_bench_now_s() - t0;
}

/* Medians of @p fn on @p a and @p b, alternating in rounds so that both
 * see the same disk and load; one untimed warm-up call each. */
static void
alternate(double (*fn)(ja_store *), ja_store *a, ja_store *b, int rounds, double *ma,
          double *mb)
{
  double *ta = calloc((size_t)rounds, sizeof *ta), *tb = calloc((size_t)rounds, sizeof *tb);
  if (!ta || !tb)
    ja_bench_die("calloc", "out of memory");
  fn(a);
  fn(b);
  for (int r = 0; r < rounds; r++) {
    ta[r] = fn(a);
    tb[r] = fn(b);
  }
  *ma = ja_bench_median(ta, rounds);
  *mb = ja_bench_median(tb, rounds);
  free(ta);
  free(tb);
}

static long
pending_of(ja_store *s)
{
  char *doc = NULL;
  if (ja_report_json(s, &doc) != JA_OK)
    ja_bench_die("status", ja_last_error());
  const char *p = strstr(doc, "\"pending\":");
  long n = p ? strtol(p + 10, NULL, 10) : -1;
  ja_free(doc);
  return n;
}

int
main(int argc, char **argv)
{
  ja_bench_name("bench_caps");
  long rows = 1000000;
  int rounds = 31;
  const char *dir = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--rows") == 0)
      rows = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--rounds") == 0)
      rounds = (int)strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
  }
  if (rows < 20000 || rounds < 1)
    ja_bench_die("usage", "bench_caps [--rows N>=20000] [--rounds R>=1] [--dir DIR]");
  char tmpl[] = "/tmp/bench_caps.XXXXXX";
  if (!dir && !(dir = mkdtemp(tmpl)))
    ja_bench_die("mkdtemp", "/tmp");
  char small_home[4096], big_home[4096];
  snprintf(small_home, sizeof small_home, "%s/small", dir);
  snprintf(big_home, sizeof big_home, "%s/big", dir);

  ja_store *small = make_store(small_home, 1000, 10000);
  ja_store *big = make_store(big_home, rows, 10000);
  double st_small, st_big;
  alternate(one_status, small, big, rounds, &st_small, &st_big);
  printf("status:  %7ld events %9.1f us   1000 events %9.1f us   ratio %.2f\n", rows + 1,
         st_big * 1e6, st_small * 1e6, st_big / st_small);

  long before = pending_of(big);
  double cap_small, cap_big;
  alternate(one_capture, small, big, rounds, &cap_small, &cap_big);
  long after = pending_of(big);
  printf("capture: %7ld over cap %9.1f us   under cap %9.1f us   ratio %.2f"
         "   (%d captures pruned %.1f events each)\n",
         before - 10000, cap_big * 1e6, cap_small * 1e6, cap_big / cap_small, rounds + 1,
         (double)(before + rounds + 1 - after) / (rounds + 1));
  ja_store_close(small);
  ja_store_close(big);
  if (dir == tmpl) { /* ours: remove what the two stores made */
    static const char *const files[] = {"config.toml", "anon_id", "analytics_queue.db",
                                        "analytics_queue.db-wal", "analytics_queue.db-shm",
                                        "analytics_queue.db-busy"};
    const char *homes[] = {small_home, big_home};
    for (int h = 0; h < 2; h++) {
      for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", homes[h], files[i]);
        unlink(p);
      }
      rmdir(homes[h]);
    }
    rmdir(dir);
  }
  return 0;
}
