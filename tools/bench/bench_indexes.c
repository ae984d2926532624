/*
 * bench_indexes.c — what each secondary index of `events` costs a capture
 * and what dropping it would cost its readers. tools/bench/profile_indexes.py
 * drives it: one store per variant (every index, or one of them gone),
 * filled alike, then the same groups written under callgrind; this program
 * makes the stores, writes the groups (WAL pages a commit from
 * SQLITE_DBSTATUS_CACHE_WRITE) and runs the readers (show, status), and
 * prints each reader statement's query plan and VM steps.
 *
 *   bench_indexes --dir D --variant V --fill N          make D/V, N events queued
 *   bench_indexes --dir D --variant V --groups G --per P    G groups of P events
 *   bench_indexes --dir D --variant V --readers         show and status, plans
 *
 * Variants: all (the schema as it is), or one index gone: no_uuid (the
 * uuid UNIQUE key), no_by_ts (events_by_ts), no_by_age (events_by_age),
 * no_made_span (events_made_by_span).
 */
#include "boot.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "bench_util.h"
#include "sql_embed.h"
#include "store/listing.h"
#include "store/report.h"
#include "util/clock.h"

static const char *PROPS = "{\"version\":\"0.4.2\",\"platform\":\"cli\"}";

/* What makes a variant out of a store that has every index (run on a
 * side connection, the store closed). The uuid key is part of the table:
 * the table is rebuilt without it (its triggers made again). */
static const char *
variant_sql(const char *v)
{
  if (strcmp(v, "all") == 0)
    return "";
  if (strcmp(v, "no_by_ts") == 0)
    return "DROP INDEX events_by_ts;";
  if (strcmp(v, "no_by_age") == 0)
    return "DROP INDEX events_by_age;";
  if (strcmp(v, "no_made_span") == 0)
    return "DROP INDEX events_made_by_span;";
  if (strcmp(v, "no_uuid") == 0)
    return NULL; /* rebuild_without_uuid_key */
  ja_bench_die("unknown variant", v);
}

static void
exec_or_die(sqlite3 *db, const char *sql)
{
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    ja_bench_die(sql, err ? err : sqlite3_errmsg(db));
}

static void
rebuild_without_uuid_key(sqlite3 *db)
{
  exec_or_die(db, "PRAGMA legacy_alter_table = ON; BEGIN;");
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND "
                             "type IN ('index', 'trigger') AND sql IS NOT NULL", -1, &s, NULL))
    ja_bench_die("schema", sqlite3_errmsg(db));
  char *keep[64];
  int n = 0;
  while (sqlite3_step(s) == SQLITE_ROW && n < 64)
    keep[n++] = strdup((const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  exec_or_die(db, "CREATE TABLE events_new (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, "
                  "ts_ms INTEGER NOT NULL, timestamp TEXT NOT NULL, distinct_id TEXT NOT NULL, "
                  "event TEXT NOT NULL, properties TEXT NOT NULL, lease_owner TEXT, "
                  "lease_until_ms INTEGER, attempts INTEGER NOT NULL DEFAULT 0, age_ms INTEGER);"
                  "INSERT INTO events_new SELECT id, uuid, ts_ms, timestamp, distinct_id, event, "
                  "properties, lease_owner, lease_until_ms, attempts, age_ms FROM events;"
                  "DROP TABLE events; ALTER TABLE events_new RENAME TO events;");
  for (int i = 0; i < n; i++) {
    exec_or_die(db, keep[i]);
    free(keep[i]);
  }
  exec_or_die(db, "COMMIT; PRAGMA legacy_alter_table = OFF;");
}

static char g_home[JA_PATH_MAX + 16];

static ja_store *
open_store(void)
{
  setenv("OPENJARVIS_HOME", g_home, 1);
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_SYNC;
  ja_store *s = NULL;
  if (ja_store_open(&s, &o) != JA_OK)
    ja_bench_die("ja_store_open", ja_last_error());
  return s;
}

/* @p n events in calls of @p per (each call one group: JA_OPEN_SYNC). */
static void
capture_groups(ja_store *s, long n, long per)
{
  const char **ev = malloc((size_t)per * sizeof *ev), **pr = malloc((size_t)per * sizeof *pr);
  ja_outcome *out = malloc((size_t)per * sizeof *out);
  if (!ev || !pr || !out)
    ja_bench_die("malloc", "out of memory");
  for (long i = 0; i < per; i++) {
    ev[i] = "app_opened";
    pr[i] = PROPS;
    out[i] = (ja_outcome)JA_OUTCOME_INIT;
  }
  for (long done = 0; done < n; done += per) {
    size_t k = (size_t)(n - done < per ? n - done : per);
    if (ja_capture_many(s, k, ev, pr, out) != JA_OK)
      ja_bench_die("ja_capture_many", ja_last_error());
    for (size_t i = 0; i < k; i++)
      if (out[i].result != JA_RESULT_STORED)
        ja_bench_die("ja_capture_many", "an event was not stored");
  }
  free(ev);
  free(pr);
  free(out);
}

static long
pages_written(ja_store *s)
{
  int cur = 0, hi = 0;
  sqlite3_db_status(s->db.db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 0);
  return cur;
}

static void
fill(const char *variant, long n)
{
  mkdir(g_home, 0700);
  ja_store *s = open_store();
  capture_groups(s, 1, 1); /* the queue exists now */
  ja_store_close(s);
  char path[JA_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/analytics_queue.db", g_home);
  sqlite3 *db = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK)
    ja_bench_die("open", sqlite3_errmsg(db));
  const char *sql = variant_sql(variant);
  if (sql)
    exec_or_die(db, sql);
  else
    rebuild_without_uuid_key(db);
  sqlite3_close(db);
  s = open_store();
  capture_groups(s, n - 1, 1000);
  ja_store_close(s); /* checkpoints: the measured run starts from an empty WAL */
}

static void
groups(long g, long per)
{
  ja_store *s = open_store();
  capture_groups(s, per, per); /* warm: the connection, its statements */
  long p0 = pages_written(s);
  capture_groups(s, g * per, per);
  long pages = pages_written(s) - p0;
  printf("groups %ld\nper_group %ld\nwal_pages %ld\nwal_pages_per_commit %.2f\n", g, per, pages,
         (double)pages / (double)g);
  ja_store_close(s);
}

/* The query plan of @p sql, one line, and the VM steps of one run with
 * @p bind applied. */
static void
plan(sqlite3 *db, const char *name, const char *sql, void (*bind)(sqlite3_stmt *))
{
  char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db, eqp, -1, &s, NULL) != SQLITE_OK)
    ja_bench_die(name, sqlite3_errmsg(db));
  printf("plan %s:", name);
  while (sqlite3_step(s) == SQLITE_ROW)
    printf(" [%s]", (const char *)sqlite3_column_text(s, 3));
  printf("\n");
  sqlite3_finalize(s);
  sqlite3_free(eqp);
  if (!bind)
    return;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
    ja_bench_die(name, sqlite3_errmsg(db));
  bind(s);
  while (sqlite3_step(s) == SQLITE_ROW)
    ;
  printf("vm_steps %s %d\n", name,
         sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0));
  sqlite3_finalize(s);
}

static void bind_now(sqlite3_stmt *s) { sqlite3_bind_int64(s, 1, ja__now_ms()); }
static void bind_none(sqlite3_stmt *s) { (void)s; }
/* The age cap, nothing old enough: the cutoff 30 days back. */
static void
bind_expired(sqlite3_stmt *s)
{
  sqlite3_bind_int64(s, 1, ja__now_ms() - INT64_C(30) * 86400000);
  sqlite3_bind_int64(s, 2, 100);
}
static void
bind_claim(sqlite3_stmt *s)
{
  sqlite3_bind_int64(s, 1, 0);
  sqlite3_bind_int64(s, 2, 100);
}
static void
bind_show(sqlite3_stmt *s)
{
  sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":since"), 0);
  sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":limit"), 20);
}

/* show (20 newest pending) and status, as the CLI reads them, repeated
 * (callgrind counts ja__store_list and ja__store_report), then the plans. */
static void
readers(int reps)
{
  ja_store *s = open_store();
  capture_groups(s, 1, 1);
  ja__db *d = &s->db;
  for (int i = 0; i < reps; i++) {
    ja__list_query q = {.sent = 0, .limit = 20};
    ja__list l = {0};
    if (ja__store_list(d, &q, &l) != JA_OK)
      ja_bench_die("list", ja_last_error());
    if (l.n != 20)
      ja_bench_die("list", "not 20 rows");
    ja__list_free(&l);
    ja__report r;
    if (ja__report_init(&r, ja__now_ms()) != JA_OK || ja__store_report(d, 0, &r) != JA_OK)
      ja_bench_die("report", ja_last_error());
    ja__report_free(&r);
  }
  plan(d->db, "show_captured", ja__sql_show_captured, bind_show);
  plan(d->db, "show_span", ja__sql_show_span, NULL);
  plan(d->db, "report_queue", ja__sql_report_queue, bind_now);
  plan(d->db, "claim_scan", ja__sql_claim_scan, bind_claim);
  plan(d->db, "clock_read", ja__sql_clock_read, bind_none);
  plan(d->db, "prune_expired", ja__sql_prune_expired, NULL);
  /* The prune's SELECT alone (a DELETE would change the store). */
  const char *sel = strstr(ja__sql_prune_expired, "(SELECT id FROM events");
  char *q = sqlite3_mprintf("%.*s", (int)(strrchr(sel, ')') - sel - 1), sel + 1);
  plan(d->db, "prune_expired_select", q, bind_expired);
  sqlite3_free(q);
  plan(d->db, "prune_oldest", ja__sql_prune_oldest, NULL);
  plan(d->db, "ack_delete", ja__sql_ack_delete, NULL);
  plan(d->db, "recheck_rewrite", ja__sql_recheck_rewrite, NULL);
  ja_store_close(s);
}

int
main(int argc, char **argv)
{
  ja_bench_name("bench_indexes");
  const char *dir = NULL, *variant = "all";
  long nfill = 0, g = 0, per = 1;
  int reps = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc)
      variant = argv[++i];
    else if (strcmp(argv[i], "--fill") == 0 && i + 1 < argc)
      nfill = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--groups") == 0 && i + 1 < argc)
      g = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--per") == 0 && i + 1 < argc)
      per = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--readers") == 0 && i + 1 < argc)
      reps = (int)strtol(argv[++i], NULL, 10);
    else
      ja_bench_die("usage", "bench_indexes --dir D --variant V (--fill N | --groups G --per P "
                            "| --readers REPS)");
  }
  if (!dir)
    ja_bench_die("usage", "--dir is required");
  unsetenv("DO_NOT_TRACK");
  unsetenv("OPENJARVIS_LOG_LEVEL");
  char vdir[JA_PATH_MAX];
  snprintf(vdir, sizeof vdir, "%s/%s", dir, variant);
  mkdir(dir, 0700);
  mkdir(vdir, 0700);
  snprintf(g_home, sizeof g_home, "%s/home", vdir);
  if (nfill > 0)
    fill(variant, nfill);
  else if (g > 0 && per > 0)
    groups(g, per);
  else if (reps > 0)
    readers(reps);
  else
    ja_bench_die("usage", "nothing to do");
  return 0;
}
