/*
 * test_report.c — the status and show documents (api/report.c) under
 * memory pressure: with a cJSON allocator that fails after N allocations,
 * every N gives JA_ENOMEM and no document, until N is large enough and the
 * whole document comes out — never JA_OK with a part missing (hardening
 * issue: "report.c ignores cJSON_Add* failures").
 */
#include "support.h"
#include "api/api.h"
#include "cli/cli.h"

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

/* A queue with events, drops, and a drop reason from a "newer version"
 * (a counter this build does not know, added to the document as found). */
static ja_store *
store_with_rows(void)
{
  jt_fresh_env();
  ja_store *s = jt_open();
  for (int i = 0; i < 3; i++)
    assert_int_equal(ja_capture(s, "app_opened", "{\"version\":\"0.1.0\",\"platform\":\"cli\"}", NULL),
                     JA_OK);
  assert_int_equal(ja_capture(s, "app_opened", "{\"version\":\"10.0.0.5\"}", NULL), JA_OK);
  assert_int_equal(ja_capture(s, "zz_unknown", NULL, NULL), JA_OK);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO drop_counts (reason, count, last_ms) "
                                "VALUES ('from_the_future', 7, 0)",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
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
  ja_free(doc);
  expect_report_all_or_nothing(s);
  ja_store_close(s);
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

static void test_report__show_is_whole_or_enomem(void **state)
{
  (void)state;
  ja_store *s = store_with_rows();
  for (int mode = 0; mode < 4; mode++) {
    int sent = mode & 1;
    g_only_one = mode >> 1;
    cJSON *rows = NULL;
    fail_after(-1);
    assert_int_equal(ja__report_show(s, sent, 100, &rows), JA_OK);
    long needed = g_made;
    hooks_off();
    char *want = cJSON_PrintUnformatted(rows);
    cJSON_Delete(rows);
    for (long n = 0;; n++) {
      rows = (cJSON *)&rows;
      fail_after(n);
      ja_status st = ja__report_show(s, sent, 100, &rows);
      hooks_off();
      if (st == JA_OK) {
        char *got = cJSON_PrintUnformatted(rows);
        cJSON_Delete(rows);
        if (strcmp(got, want) != 0)
          fail_msg("with %ld allocations: JA_OK with a different listing:\n%s\nwant:\n%s", n,
                   got, want);
        cJSON_free(got);
        assert_int_equal(n, needed);
        break;
      }
      if (st != JA_ENOMEM || rows != NULL)
        fail_msg("with %ld allocations: status %d, rows %p", n, st, (void *)rows);
      assert_true(n < 1000);
    }
    cJSON_free(want);
  }
  g_only_one = 0;
  ja_store_close(s);
}

/* `status --json` and `show`: out of memory exits 71 with one line and
 * prints nothing, or exits 0 with the whole output. */
/* @p s with the one figure that moves between two runs of `status` (the
 * oldest pending event's age in seconds: a second may pass between them on
 * a loaded machine) replaced by "N". Malloc'ed. */
static char *
without_age(const char *s)
{
  static const char *const keys[] = {"\"oldest_age_seconds\":", "oldest pending for "};
  size_t n = strlen(s);
  char *o = malloc(n + 1), *w = o;
  assert_non_null(o);
  while (*s) {
    int hit = 0;
    for (size_t k = 0; k < 2 && !hit; k++) {
      size_t kl = strlen(keys[k]);
      if (strncmp(s, keys[k], kl) == 0) {
        memcpy(w, s, kl);
        w += kl;
        s += kl;
        while (*s == ' ' || *s == '\t')
          s++;
        while ((*s >= '0' && *s <= '9') || *s == '.')
          s++;
        *w++ = 'N';
        hit = 1;
      }
    }
    if (!hit)
      *w++ = *s++;
  }
  *w = '\0';
  return o;
}

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
        free(err);
        continue;
      }
      if (rc == 0) {
        char *a = without_age(out), *b = without_age(want);
        int differ = strcmp(a, b) != 0;
        free(a);
        free(b);
        if (differ || err[0])
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
}
