/*
 * test_report.c — the status document (api/report.c) and the CLI's status
 * and show output under memory pressure: with a cJSON allocator that fails after N allocations,
 * every N gives JA_ENOMEM and no document, until N is large enough and the
 * whole document comes out — never JA_OK with a part missing (a bug
 * once: "report.c ignores cJSON_Add* failures").
 */
#include "support.h"
#include "api/api.h"
#include "cli/cli.h"
#include "util/clock.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------ a failing allocator */

static long g_fail_at;  /* index of the first allocation that fails; < 0: none */
static int g_only_one;  /* 1: only that one fails, later ones succeed again */
static long g_made;     /* allocations asked for since install */

static void *
failing_malloc(size_t n)
{
  long i = g_made++;
  if (g_fail_at >= 0 && (i == g_fail_at || (!g_only_one && i > g_fail_at)))
    return NULL;
  return malloc(n);
}

/* From allocation @p n on, every cJSON allocation fails (n < 0: none).
 * With g_only_one, just the n-th fails: a builder that ignores one failure
 * and carries on would then hand out a document with a hole in it. */
static void
fail_after(long n)
{
  g_fail_at = n;
  g_made = 0;
  cJSON_Hooks h = {failing_malloc, free};
  cJSON_InitHooks(&h);
}

static void
hooks_off(void)
{
  cJSON_InitHooks(NULL);
}

/* ------------------------------------------------------------ fixtures */

/* The wall clock the library reads while a test runs: fixed, so that two
 * reports made one after the other are the same document however slowly
 * the test runs (the oldest event's age would otherwise tick between
 * them). */
static int64_t g_now_ms;
static int64_t (*realtime_saved)(void); /* the library's own clock */

static int64_t
fixed_clock(void)
{
  return g_now_ms;
}

static void
clock_fixed_at(int64_t ms)
{
  g_now_ms = ms;
  ja__wall_clock = fixed_clock;
}

static void
clock_real(void)
{
  ja__wall_clock = realtime_saved;
}

/* A queue with events, drops, and a drop reason from a "newer version"
 * (a counter this build does not know, added to the document as found),
 * captured at a fixed time; the clock then reads 90.5 s later, so the
 * oldest pending event is 90 s old. */
static ja_store *
store_with_rows(void)
{
  jt_fresh_env();
  if (!realtime_saved)
    realtime_saved = ja__wall_clock;
  clock_fixed_at(ja__now_ms());
  ja_store *s = jt_open();
  for (int i = 0; i < 3; i++)
    assert_int_equal(ja_capture(s, "app_opened", "{\"version\":\"0.1.0\",\"platform\":\"cli\"}", NULL),
                     JA_OK);
  assert_int_equal(ja_capture(s, "app_opened", "{\"version\":\"10.0.0.5\"}", NULL), JA_OK);
  assert_int_equal(ja_capture(s, "zz_unknown", NULL, NULL), JA_OK);
  jt_flush(s); /* the writer is done: the queue is not locked for the edit below */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO drop_counts (reason, count, last_ms) "
                                "VALUES ('from_the_future', 7, 0)",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  g_now_ms += 90500;
  return s;
}

/* ja_report_json with at most @p n cJSON allocations (< 0: any). */
static ja_status
report_with(ja_store *s, long n, char **out)
{
  fail_after(n);
  ja_status st = ja_report_json(s, out);
  hooks_off();
  return st;
}

/* Iterate N = 0, 1, … until the report succeeds; every earlier N must be
 * JA_ENOMEM with no output; the success must equal the unhindered report. */
static void
expect_report_all_or_nothing(ja_store *s)
{
  for (g_only_one = 0; g_only_one <= 1; g_only_one++) {
  char *want = NULL;
  assert_int_equal(report_with(s, -1, &want), JA_OK);
  long needed = g_made;
  assert_true(needed > 20);
  for (long n = 0;; n++) {
    char *got = (char *)&got;  /* must be reset to NULL on failure */
    ja_status st = report_with(s, n, &got);
    if (st == JA_OK) {
      if (strcmp(got, want) != 0)
        fail_msg("with %ld allocations: JA_OK with a different document:\n%s\nwant:\n%s", n,
                 got, want);
      ja_free(got);
      assert_int_equal(n, needed);
      break;
    }
    if (st != JA_ENOMEM)
      fail_msg("with %ld allocations: status %d (%s)", n, st, ja_last_error());
    if (got != NULL)
      fail_msg("with %ld allocations: JA_ENOMEM but output was handed out", n);
    assert_non_null(strstr(ja_last_error(), "out of memory"));
    if (n > needed)
      fail_msg("still failing with %ld allocations (%ld suffice)", n, needed);
  }
  ja_free(want);
  }
  g_only_one = 0;
}

/* --------------------------------------------------------------- tests */

static void test_report__status_json_is_whole_or_enomem(void **state)
{
  (void)state;
  ja_store *s = store_with_rows();
  char *doc = NULL;
  assert_int_equal(ja_report_json(s, &doc), JA_OK);
  assert_non_null(strstr(doc, "\"from_the_future\":7"));
  assert_non_null(strstr(doc, "\"pii\":1"));
  assert_non_null(strstr(doc, "\"pending\":4"));
  assert_non_null(strstr(doc, "\"oldest_age_seconds\":90"));
  ja_free(doc);
  expect_report_all_or_nothing(s);
  ja_store_close(s);
  clock_real();
}

static void test_report__status_without_queue_is_whole_or_enomem(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_NO_CREATE;
  ja_store *s = NULL;
  assert_int_equal(ja_store_open(&s, &o), JA_OK);
  expect_report_all_or_nothing(s);
  ja_store_close(s);
  assert_null(jt_read_file(jt_db_path(), NULL));
}

/* `status --json` and `show`: out of memory exits 71 with one line and
 * prints nothing, or exits 0 with the whole output. */
static void test_report__cli_prints_whole_output_or_exits_71(void **state)
{
  (void)state;
  ja_store *s = store_with_rows();
  ja_store_close(s);
  static const char *const cmds[][3] = {{"status", "--json", NULL},
                                        {"show", "--json", NULL},
                                        {"show", NULL, NULL},
                                        {"status", NULL, NULL}};
  for (size_t m = 0; m < 2 * sizeof cmds / sizeof cmds[0]; m++) {
    size_t c = m / 2;
    g_only_one = (int)(m & 1);
    char *want = NULL;
    long needed = 0;
    for (long n = -1;; n++) {
      char *argv[4] = {"jarvis-analytics", (char *)cmds[c][0], (char *)cmds[c][1], NULL};
      int argc = cmds[c][1] ? 3 : 2;
      char *out = NULL, *err = NULL;
      size_t olen = 0, elen = 0;
      FILE *fo = open_memstream(&out, &olen);
      FILE *fe = open_memstream(&err, &elen);
      fail_after(n);
      int rc = ja__cli_main(argc, argv, fo, fe);
      hooks_off();
      fclose(fo);
      fclose(fe);
      if (n < 0) {
        assert_int_equal(rc, 0);
        needed = g_made;
        want = out;  /* the unhindered output */
        /* The age at the fixed clock: 90 s, in both renderings. */
        if (strcmp(cmds[c][0], "status") == 0 && cmds[c][1]) {
          cJSON *doc = cJSON_Parse(want);
          cJSON *age = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "queue"), "oldest_age_seconds");
          assert_true(cJSON_IsNumber(age));
          assert_int_equal(age->valueint, 90);
          cJSON_Delete(doc);
        } else if (strcmp(cmds[c][0], "status") == 0) {
          assert_non_null(strstr(want, "oldest pending for 90 s\n"));
        }
        free(err);
        continue;
      }
      if (rc == 0) {
        if (strcmp(out, want) != 0 || err[0])
          fail_msg("%s %s with %ld allocations: exit 0 with different output:\n%s", cmds[c][0],
                   cmds[c][1] ? cmds[c][1] : "", n, out);
        free(out);
        free(err);
        assert_int_equal(n, needed);
        break;
      }
      if (rc != JA_EXIT_OSERR || out[0] || !strstr(err, "out of memory") || !strchr(err, '\n') ||
          strchr(err, '\n')[1])
        fail_msg("%s %s with %ld allocations: exit %d, out '%s', err '%s'", cmds[c][0],
                 cmds[c][1] ? cmds[c][1] : "", n, rc, out, err);
      free(out);
      free(err);
      assert_true(n < 2000);
    }
    free(want);
  }
  g_only_one = 0;
  clock_real();
}
