/*
 * bench_capture.c — durable single-event capture through the public API
 * (ja_capture with JA_OPEN_SYNC: JSON parse, redaction, catalog, UUID v7,
 * the writer's group: BEGIN IMMEDIATE … caps … COMMIT with
 * synchronous=FULL) against a raw
 * SQLite insert of the same row into the same schema with the same pragmas,
 * one transaction per event. The two alternate in rounds in one run, so
 * both see the same disk and machine load; the ratio is what we report.
 *
 *   bench_capture [--ops N] [--dir DIR]     (default 2000 ops, a temp dir)
 */
#include "boot.h"
#include "api/api.h"
#include "util/clock.h"
#include "util/uuid.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sql_embed.h"
#include "bench_util.h"

static const char *PROPS = "{\"version\":\"0.1.0\",\"platform\":\"cli\"}";

/* The baseline: our schema and pragmas, but only the INSERT. */
static sqlite3 *
open_raw(const char *path)
{
  sqlite3 *db = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK)
    ja_bench_die("open raw", sqlite3_errmsg(db));
  sqlite3_busy_timeout(db, 250);
  if (sqlite3_exec(db, ja__sql_connection, NULL, NULL, NULL) != SQLITE_OK)
    ja_bench_die("pragmas", sqlite3_errmsg(db));
  for (int i = 0; i < ja__sql_migration_count; i++)
    if (sqlite3_exec(db, ja__sql_migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK)
      ja_bench_die("schema", sqlite3_errmsg(db));
  return db;
}

/* Pages a connection wrote to the WAL so far. */
static long
pages_written(sqlite3 *db)
{
  int cur = 0, hi = 0;
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 0);
  return cur;
}

/* Not inlined: callgrind counts it as the baseline's cost a row. */
__attribute__((noinline)) static void
raw_insert(sqlite3 *db, sqlite3_stmt *ins, const char *uuid, int64_t ts, const char *iso)
{
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    ja_bench_die("begin", sqlite3_errmsg(db));
  sqlite3_bind_text(ins, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64(ins, 2, ts);
  sqlite3_bind_text(ins, 3, iso, -1, SQLITE_STATIC);
  sqlite3_bind_text(ins, 4, "0b4a1f52-3c1e-4d7e-9a61-3f7c2f1d9e10", -1, SQLITE_STATIC);
  sqlite3_bind_text(ins, 5, "app_opened", -1, SQLITE_STATIC);
  sqlite3_bind_text(ins, 6, PROPS, -1, SQLITE_STATIC);
  if (sqlite3_step(ins) != SQLITE_DONE)
    ja_bench_die("insert", sqlite3_errmsg(db));
  sqlite3_reset(ins);
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    ja_bench_die("commit", sqlite3_errmsg(db));
}

int
main(int argc, char **argv)
{
  ja_bench_name("bench_capture");
  long ops = 2000;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc)
      ops = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else
      ja_bench_die("usage", "bench_capture [--ops N] [--dir DIR]");
  }
  if (ops < 10)
    ops = 10;
  char tmpl[] = "ja-bench-XXXXXX";
  int made_dir = !dir;
  if (!dir && !(dir = mkdtemp(tmpl)))
    ja_bench_die("mkdtemp", "failed");
  char home[JA_PATH_MAX], raw_path[JA_PATH_MAX];
  snprintf(home, sizeof home, "%s/home", dir);
  snprintf(raw_path, sizeof raw_path, "%s/raw.db", dir);
  setenv("OPENJARVIS_HOME", home, 1);
  unsetenv("DO_NOT_TRACK");
  unsetenv("OPENJARVIS_LOG_LEVEL");

  /* JA_OPEN_SYNC: durable on return, as the raw insert it is compared
   * with (the default mode, which returns before the commit, is
   * bench_writer's). */
  ja_options opts = JA_OPTIONS_INIT;
  opts.flags = JA_OPEN_SYNC;
  ja_store *s = NULL;
  if (ja_store_open(&s, &opts) != JA_OK)
    ja_bench_die("ja_store_open", ja_last_error());
  sqlite3 *raw = open_raw(raw_path);
  sqlite3_stmt *ins = NULL;
  if (sqlite3_prepare_v2(raw, ja__sql_insert_event, -1, &ins, NULL) != SQLITE_OK)
    ja_bench_die("prepare", sqlite3_errmsg(raw));

  /* Rows for the baseline are made up front: it measures the insert only. */
  char (*uuids)[37] = malloc((size_t)ops * 37);
  double *t_api = malloc((size_t)ops * sizeof(double));
  double *t_raw = malloc((size_t)ops * sizeof(double));
  if (!uuids || !t_api || !t_raw)
    ja_bench_die("malloc", "out of memory");
  int64_t base = ja__now_ms();
  char iso[32];
  ja__iso8601_ms(base, iso);
  for (long i = 0; i < ops; i++)
    ja__uuid_v7(base + i, uuids[i]);

  /* Warm up both paths (page cache, statement caches, anon_id). */
  for (int i = 0; i < 5; i++) {
    ja_capture(s, "app_opened", PROPS, NULL);
    char u[37];
    ja__uuid_v7(base, u);
    raw_insert(raw, ins, u, base, iso);
  }
  double api_total = 0, raw_total = 0;
  long api_pages0 = pages_written(s->db.db), raw_pages0 = pages_written(raw);
  for (long i = 0; i < ops; i++) {
    /* Alternate which goes first, so neither always follows the other. */
    for (int k = 0; k < 2; k++) {
      int api = (k == 0) == (i % 2 == 0);
      double t0 = ja_bench_now_s();
      if (api) {
        ja_outcome o = JA_OUTCOME_INIT;
        if (ja_capture(s, "app_opened", PROPS, &o) != JA_OK || o.result != JA_RESULT_STORED)
          ja_bench_die("ja_capture", ja_last_error());
        t_api[i] = ja_bench_now_s() - t0;
        api_total += t_api[i];
      } else {
        raw_insert(raw, ins, uuids[i], base + i, iso);
        t_raw[i] = ja_bench_now_s() - t0;
        raw_total += t_raw[i];
      }
    }
  }
  double api_pages = (double)(pages_written(s->db.db) - api_pages0) / (double)ops;
  double raw_pages = (double)(pages_written(raw) - raw_pages0) / (double)ops;
  qsort(t_api, (size_t)ops, sizeof(double), ja_bench_cmp_double);
  qsort(t_raw, (size_t)ops, sizeof(double), ja_bench_cmp_double);
  double med_api = t_api[ops / 2], med_raw = t_raw[ops / 2];
  printf("durable capture, %ld events each, one transaction per event (synchronous=FULL, WAL)\n", ops);
  printf("  %-34s median %9.1f us   mean %9.1f us   p95 %9.1f us\n", "raw SQLite insert (baseline)",
         med_raw * 1e6, raw_total / (double)ops * 1e6, t_raw[ops * 95 / 100] * 1e6);
  printf("  %-34s median %9.1f us   mean %9.1f us   p95 %9.1f us\n", "ja_capture (public API)",
         med_api * 1e6, api_total / (double)ops * 1e6, t_api[ops * 95 / 100] * 1e6);
  printf("  ratio ja_capture / raw insert: median %.3fx   mean %.3fx   (target <= 1.25x)\n",
         med_api / med_raw, api_total / raw_total);
  printf("  WAL pages a commit: ja_capture %.2f, raw insert %.2f\n", api_pages, raw_pages);

  sqlite3_finalize(ins);
  sqlite3_close(raw);
  ja_store_close(s);
  free(uuids);
  free(t_api);
  free(t_raw);
  if (made_dir) { /* leave nothing behind in the build folder */
    const char *files[] = {"home/analytics_queue.db", "home/analytics_queue.db-wal",
                           "home/analytics_queue.db-shm", "home/anon_id", "raw.db", "raw.db-wal",
                           "raw.db-shm"};
    char p[JA_PATH_MAX];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
      snprintf(p, sizeof p, "%s/%s", dir, files[i]);
      unlink(p);
    }
    rmdir(home);
    rmdir(dir);
  }
  return 0;
}
