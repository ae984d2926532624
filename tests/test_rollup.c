/*
 * test_rollup.c — local aggregation: the percentile,
 * the worked example with its exact numbers, the 300 s idle rule at its
 * edge, sessions without inference, model_hash, midnight, when a day's
 * summary is due, idempotence, first uses, bad input, what is stored (only
 * hashes), replayed old times against the age cap, and RFC 3339 parsing.
 * Multi-process cases (racing rollups, kill -9) are in e2e/test_rollup.py.
 * Stores are opened with JA_OPEN_SYNC, so what a test reads right after a
 * signal is committed (signals through the writer: test_writer).
 */
#include "support.h"
#include "rollup/rollup.h"
#include "util/clock.h"
#include "util/http_date.h"
#include "util/hash.h"
#include "sql_embed.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_MS INT64_C(1000)
#define MIN_MS (60 * S_MS)
#define HOUR_MS (60 * MIN_MS)

/* 00:00Z of a recent day: two days ago, so "the next day 00:05" is in the
 * past and every replayed time is a sane one for the store clock. */
static int64_t
recent_day(void)
{
  return (ja__now_ms() / JA__DAY_MS - 2) * JA__DAY_MS;
}

static int64_t
count_events(const char *name)
{
  char sql[256];
  snprintf(sql, sizeof sql, "select count(*) from events where event = '%s'", name);
  return jt_sql_int(jt_db_path(), sql);
}

/* Properties of the only event @p name (asserting there is exactly one). */
static char *
props_of(const char *name)
{
  assert_int_equal(count_events(name), 1);
  char sql[256];
  snprintf(sql, sizeof sql, "select properties from events where event = '%s'", name);
  return jt_sql_text(jt_db_path(), sql);
}

static int64_t
ts_of(const char *name)
{
  char sql[256];
  snprintf(sql, sizeof sql, "select ts_ms from events where event = '%s'", name);
  return jt_sql_int(jt_db_path(), sql);
}

static void
expect_props(const char *name, const char *want)
{
  char *got = props_of(name);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

/* The worked example (docs/design.md, rollups), session "s1" from @p t0. */
static void
worked_example(ja_store *s, int64_t t0)
{
  assert_int_equal(ja_session_inference(s, "s1", 10, 20, 100, "llama3.1:8b", "ollama", t0), JA_OK);
  assert_int_equal(ja_session_tool(s, "s1", "search_web", t0 + 5 * S_MS), JA_OK);
  assert_int_equal(ja_session_inference(s, "s1", 5, 15, 300, "llama3.1:8b", "ollama",
                                        t0 + 10 * S_MS), JA_OK);
  assert_int_equal(ja_session_tool(s, "s1", "search_web", t0 + 12 * S_MS), JA_OK);
  assert_int_equal(ja_session_tool(s, "s1", "my_plugin", t0 + 15 * S_MS), JA_OK);
  assert_int_equal(ja_session_error(s, "s1", t0 + 18 * S_MS), JA_OK);
  assert_int_equal(ja_session_inference(s, "s1", 0, 0, 200, "qwen3.5:2b", "ollama",
                                        t0 + 20 * S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "s1", t0 + 30 * S_MS), JA_OK);
}

static void test_rollup__percentile_interpolates_between_closest_ranks(void **state)
{
  (void)state;
  const double v[] = {100, 200, 300};
  assert_true(fabs(ja__rollup_percentile(v, 3, 0.50) - 200) < 1e-9);
  assert_true(fabs(ja__rollup_percentile(v, 3, 0.95) - 290) < 1e-9);
  assert_true(fabs(ja__rollup_percentile(v, 3, 0.0) - 100) < 1e-9);
  assert_true(fabs(ja__rollup_percentile(v, 3, 1.0) - 300) < 1e-9);
  const double one[] = {42};
  assert_true(fabs(ja__rollup_percentile(one, 1, 0.95) - 42) < 1e-9);
  const double two[] = {10, 20};
  assert_true(fabs(ja__rollup_percentile(two, 2, 0.5) - 15) < 1e-9);
  assert_true(ja__rollup_percentile(NULL, 0, 0.5) == 0);
}

static void test_rollup__worked_example_exact_numbers(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day(), t0 = day + 10 * HOUR_MS;
  worked_example(s, t0);
  int64_t queued = -1;
  assert_int_equal(ja_rollup(s, t0 + 31 * S_MS, &queued), JA_OK);
  assert_int_equal(queued, 1);
  expect_props("chat_session_ended",
               "{\"turn_count\":3,\"tokens_in\":15,\"tokens_out\":35,\"latency_ms_p50\":200,"
               "\"latency_ms_p95\":290,\"tool_count\":3,\"unique_tools\":2,\"unique_models\":2,"
               "\"error_count\":1,\"duration_ms\":20000,\"engine\":\"ollama\"}");
  assert_int_equal(ts_of("chat_session_ended"), t0 + 20 * S_MS); /* its last activity */
  expect_props("first_chat_sent", "{\"platform\":\"cli\"}");
  assert_int_equal(count_events("tool_first_used"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                   "'tool_first_used' and properties = '{\"tool_name\":\"search_web\"}'"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                   "'tool_first_used' and properties = '{\"tool_name\":\"custom_tool\"}'"), 1);
  assert_int_equal(count_events("usage_daily_summary"), 0);

  assert_int_equal(ja_rollup(s, day + JA__DAY_MS + 5 * MIN_MS, &queued), JA_OK);
  assert_int_equal(queued, 1);
  expect_props("usage_daily_summary",
               "{\"sessions\":1,\"total_tokens\":50,\"total_inferences\":3,\"total_errors\":1,"
               "\"total_duration_ms\":20000,\"unique_tools\":2,\"unique_models\":2}");
  assert_int_equal(ts_of("usage_daily_summary"), day + JA__DAY_MS - 1);
  /* Raw rows no rollup needs any more are gone. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select (select count(*) from rollup_signal) + "
                   "(select count(*) from rollup_session) + (select count(*) from rollup_day) + "
                   "(select count(*) from rollup_day_name)"), 0);
  /* Nothing the filter dropped: every property was in the catalog. */
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from drops"), 0);
  ja_store_close(s);
}

static void test_rollup__idle_more_than_300s_closes_exactly_300s_does_not(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 9 * HOUR_MS;
  assert_int_equal(ja_session_inference(s, "idle", 1, 2, 50, "m", "vllm", t), JA_OK);
  assert_int_equal(ja_session_tool(s, "idle", "shell", t + 10 * S_MS), JA_OK);
  int64_t last = t + 10 * S_MS;
  assert_int_equal(ja_rollup(s, last + 300 * S_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"), 1);
  assert_int_equal(ja_rollup(s, last + 301 * S_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session"), 0);
  ja_store_close(s);
}

/* duration_ms spans activity (inference, tool, error), never the end: one
 * inference ended a minute later lasts 0 ms, as the same session closed
 * by idleness does; a tool a minute later makes it last that minute. */
static void test_rollup__duration_spans_activity_not_the_end(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 7 * HOUR_MS;
  assert_int_equal(ja_session_inference(s, "ended", 1, 2, 50, NULL, NULL, t), JA_OK);
  assert_int_equal(ja_session_end(s, "ended", t + MIN_MS), JA_OK);
  assert_int_equal(ja_session_inference(s, "idle", 1, 2, 50, NULL, NULL, t), JA_OK);
  assert_int_equal(ja_session_inference(s, "tool", 1, 2, 50, NULL, NULL, t), JA_OK);
  assert_int_equal(ja_session_tool(s, "tool", "shell", t + MIN_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "tool", t + MIN_MS + S_MS), JA_OK);
  assert_int_equal(ja_rollup(s, t + HOUR_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 3);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                   "'chat_session_ended' and json_extract(properties, '$.duration_ms') = 0"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                   "'chat_session_ended' and json_extract(properties, '$.duration_ms') = 60000"), 1);
  ja_store_close(s);
}

static void test_rollup__session_without_inference_emits_nothing(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 8 * HOUR_MS;
  assert_int_equal(ja_session_tool(s, "quiet", "calculator", t), JA_OK);
  assert_int_equal(ja_session_error(s, "quiet", t + S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "quiet", t + 2 * S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "only-an-end", t), JA_OK);
  int64_t queued = -1;
  assert_int_equal(ja_rollup(s, recent_day() + JA__DAY_MS + HOUR_MS, &queued), JA_OK);
  assert_int_equal(queued, 0);
  assert_int_equal(count_events("chat_session_ended"), 0);
  assert_int_equal(count_events("usage_daily_summary"), 0);
  assert_int_equal(count_events("first_chat_sent"), 0);
  assert_int_equal(count_events("tool_first_used"), 1); /* the tool was used all the same */
  assert_int_equal(jt_sql_int(jt_db_path(), "select (select count(*) from rollup_signal) + "
                   "(select count(*) from rollup_session)"), 0);
  ja_store_close(s);
}

static void test_rollup__single_model_carries_model_hash(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 11 * HOUR_MS;
  assert_int_equal(ja_session_inference(s, "one", 3, 4, 120.5, "qwen3.5:2b", "llama_cpp", t), JA_OK);
  assert_int_equal(ja_session_inference(s, "one", 1, 1, 80, "qwen3.5:2b", "llama_cpp", t + S_MS), JA_OK);
  /* Another session with an engine outside the enum and no model. */
  assert_int_equal(ja_session_inference(s, "two", 1, 1, 10, NULL, "my-engine", t), JA_OK);
  assert_int_equal(ja_session_end(s, "one", t + 2 * S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "two", t + 2 * S_MS), JA_OK);
  assert_int_equal(ja_rollup(s, t + 3 * S_MS, NULL), JA_OK);
  char h[17];
  assert_int_equal(ja_hash_id("qwen3.5:2b", h), JA_OK);
  char want[512];
  snprintf(want, sizeof want,
           "{\"turn_count\":2,\"tokens_in\":4,\"tokens_out\":5,\"latency_ms_p50\":100.25,"
           "\"latency_ms_p95\":118.475,\"tool_count\":0,\"unique_tools\":0,\"unique_models\":1,"
           "\"error_count\":0,\"duration_ms\":1000,\"model_hash\":\"%s\",\"engine\":\"llama_cpp\"}",
           h);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where event = "
                                            "'chat_session_ended'"), 2);
  char sql[768];
  snprintf(sql, sizeof sql, "select count(*) from events where properties = '%s'", want);
  assert_int_equal(jt_sql_int(jt_db_path(), sql), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where properties = "
      "'{\"turn_count\":1,\"tokens_in\":1,\"tokens_out\":1,\"latency_ms_p50\":10,"
      "\"latency_ms_p95\":10,\"tool_count\":0,\"unique_tools\":0,\"unique_models\":0,"
      "\"error_count\":0,\"duration_ms\":0,\"engine\":\"unknown\"}'"), 1);
  ja_store_close(s);
}

static void test_rollup__session_spanning_midnight_counts_for_its_last_day(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day() - JA__DAY_MS; /* D; D+1 00:05 and D+2 00:05 are past */
  int64_t before = day + JA__DAY_MS - 2 * MIN_MS, after = day + JA__DAY_MS + 2 * MIN_MS;
  assert_int_equal(ja_session_inference(s, "late", 7, 3, 10, "m", "ollama", before), JA_OK);
  assert_int_equal(ja_session_inference(s, "late", 5, 5, 20, "m", "ollama", after), JA_OK);
  /* D is over by 300 s, but the session was active in D+1: no summary for D. */
  assert_int_equal(ja_rollup(s, day + JA__DAY_MS + 10 * MIN_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 1);
  assert_int_equal(count_events("usage_daily_summary"), 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select day from rollup_day"),
                   day / JA__DAY_MS + 1);
  assert_int_equal(ja_rollup(s, day + 2 * JA__DAY_MS + 5 * MIN_MS, NULL), JA_OK);
  expect_props("usage_daily_summary",
               "{\"sessions\":1,\"total_tokens\":20,\"total_inferences\":2,\"total_errors\":0,"
               "\"total_duration_ms\":240000,\"unique_tools\":0,\"unique_models\":1}");
  assert_int_equal(ts_of("usage_daily_summary"), day + 2 * JA__DAY_MS - 1);
  ja_store_close(s);
}

static void test_rollup__day_summary_waits_for_end_of_day_plus_300s(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day();
  assert_int_equal(ja_session_inference(s, "d", 1, 1, 1, "m", "ollama", day + HOUR_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "d", day + HOUR_MS + S_MS), JA_OK);
  int64_t due = day + JA__DAY_MS + 300 * S_MS;
  assert_int_equal(ja_rollup(s, due - 1, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 1);
  assert_int_equal(count_events("usage_daily_summary"), 0);
  assert_int_equal(ja_rollup(s, due, NULL), JA_OK);
  assert_int_equal(count_events("usage_daily_summary"), 1);
  /* A session closed into that day later (a replayed time) never makes a
   * second summary for it. */
  assert_int_equal(ja_session_inference(s, "late", 1, 1, 1, "m", "ollama", day + 2 * HOUR_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "late", day + 2 * HOUR_MS + S_MS), JA_OK);
  assert_int_equal(ja_rollup(s, due + HOUR_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 2);
  assert_int_equal(count_events("usage_daily_summary"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_day"), 0);
  ja_store_close(s);
}

static void test_rollup__running_twice_emits_nothing_new(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t day = recent_day(), t0 = day + 10 * HOUR_MS;
  worked_example(s, t0);
  /* More sessions than one batch, so the run takes several transactions. */
  for (int i = 0; i < JA__ROLLUP_BATCH + 10; i++) {
    char id[32];
    snprintf(id, sizeof id, "many-%d", i);
    assert_int_equal(ja_session_inference(s, id, i, 1, 5, "m", "ollama", t0 + i), JA_OK);
  }
  int64_t now = day + JA__DAY_MS + 5 * MIN_MS, queued = -1;
  assert_int_equal(ja_rollup(s, now, &queued), JA_OK);
  assert_int_equal(queued, JA__ROLLUP_BATCH + 10 + 1 + 1);
  int64_t total = jt_sql_int(jt_db_path(), "select count(*) from events");
  assert_int_equal(ja_rollup(s, now, &queued), JA_OK);
  assert_int_equal(queued, 0);
  assert_int_equal(ja_rollup(s, now + JA__DAY_MS, &queued), JA_OK);
  assert_int_equal(queued, 0);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events"), total);
  assert_int_equal(count_events("chat_session_ended"), JA__ROLLUP_BATCH + 10 + 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select json_extract(properties, '$.sessions') from "
                                            "events where event = 'usage_daily_summary'"),
                   JA__ROLLUP_BATCH + 10 + 1);
  ja_store_close(s);
}

static void test_rollup__first_uses_once_per_install_across_handles(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_options o = JA_OPTIONS_INIT;
  o.platform = "tauri-linux";
  ja_store *a = NULL, *b = NULL;
  assert_int_equal(ja_store_open(&a, &o), JA_OK);
  assert_int_equal(ja_store_open(&b, &o), JA_OK);
  assert_int_equal(ja_session_inference(a, "x", 1, 1, 1, "m", "ollama", 0), JA_OK);
  assert_int_equal(ja_session_inference(b, "y", 1, 1, 1, "m", "ollama", 0), JA_OK);
  assert_int_equal(ja_session_tool(a, "x", "github", 0), JA_OK);
  assert_int_equal(ja_session_tool(b, "y", "github", 0), JA_OK);
  assert_int_equal(ja_session_tool(b, "y", "plugin-one", 0), JA_OK);
  assert_int_equal(ja_session_tool(a, "x", "plugin-two", 0), JA_OK);
  ja_store_close(a);
  ja_store_close(b);
  a = jt_open_sync(); /* a restart */
  assert_int_equal(ja_session_inference(a, "z", 1, 1, 1, "m", "ollama", 0), JA_OK);
  assert_int_equal(ja_session_tool(a, "z", "github", 0), JA_OK);
  ja_store_close(a);
  expect_props("first_chat_sent", "{\"platform\":\"tauri-linux\"}");
  assert_int_equal(count_events("tool_first_used"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from events where properties = "
                                            "'{\"tool_name\":\"custom_tool\"}'"), 1);
  /* A platform outside the enum is refused at open. */
  o.platform = "amiga";
  assert_int_equal(ja_store_open(&a, &o), JA_EINVALID);
}

static void test_rollup__bad_input_refused_nothing_stored(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  assert_int_equal(ja_session_inference(s, "", 1, 1, 1, NULL, NULL, 0), JA_EINVALID);
  assert_non_null(strstr(ja_last_error(), "session id is empty"));
  assert_int_equal(ja_session_inference(s, NULL, 1, 1, 1, NULL, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", -1, 1, 1, NULL, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, -1, 1, NULL, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, NAN, NULL, NULL, 0), JA_EINVALID);
  assert_non_null(strstr(ja_last_error(), "latency"));
  assert_int_equal(ja_session_inference(s, "s", 1, 1, INFINITY, NULL, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, -0.5, NULL, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1, "\xff", NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1, NULL, "a\nb", 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "\xc0\xaf", 1, 1, 1, NULL, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1, NULL, NULL, -5), JA_EINVALID);
  assert_int_equal(ja_session_tool(s, "s", "", 0), JA_EINVALID);
  assert_int_equal(ja_session_tool(s, "s", NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_tool(s, "", "shell", 0), JA_EINVALID);
  assert_int_equal(ja_session_error(s, "", 0), JA_EINVALID);
  assert_int_equal(ja_session_error(s, "\x01", 0), JA_EINVALID);
  assert_int_equal(ja_session_end(s, NULL, 0), JA_EINVALID);
  assert_int_equal(ja_session_end(s, "s", -1), JA_EINVALID);
  assert_int_equal(ja_session_end(NULL, "s", 0), JA_EINVALID);
  assert_int_equal(ja_rollup(NULL, 0, NULL), JA_EINVALID);
  assert_int_equal(ja_rollup(s, -1, NULL), JA_EINVALID);
  /* Past 9999 (day arithmetic would overflow): refused. */
  assert_int_equal(ja_session_end(s, "s", INT64_MAX), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1, NULL, NULL, INT64_C(253402300800000)),
                   JA_EINVALID);
  assert_int_equal(ja_rollup(s, INT64_MAX, NULL), JA_EINVALID);
  assert_int_equal(jt_sql_int(jt_db_path(), "select (select count(*) from rollup_signal) + "
                   "(select count(*) from rollup_session) + (select count(*) from events) + "
                   "(select count(*) from first_use)"), 0);
  ja_store_close(s);
}

static void test_rollup__only_hashes_are_stored(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  assert_int_equal(ja_session_inference(s, "secret-session-id-1234", 1, 1, 1,
                                        "private-model-name-5678", "ollama", 0), JA_OK);
  assert_int_equal(ja_session_tool(s, "secret-session-id-1234", "private-tool-name-9012", 0),
                   JA_OK);
  char h[17];
  ja__hash_id("secret-session-id-1234", strlen("secret-session-id-1234"), h);
  char *got = jt_sql_text(jt_db_path(), "select session from rollup_session");
  assert_string_equal(got, h);
  free(got);
  ja_store_close(s);
  char wal[4200];
  snprintf(wal, sizeof wal, "%s-wal", jt_db_path());
  const char *paths[] = {jt_db_path(), wal};
  const char *raw[] = {"secret-session-id-1234", "private-model-name-5678",
                       "private-tool-name-9012"};
  for (int p = 0; p < 2; p++)
    for (int r = 0; r < 3; r++)
      assert_false(jt_file_contains(paths[p], raw[r]));
}

/* Run @p sql (no rows) on the queue. */
static void
sql_exec(const char *sql)
{
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

/* The age cap ages events by when the store received them (docs/design.md,
 * Rollups): a session replayed 38 days back is queued when it is rolled
 * up, so it must not be expired by its own old timestamp — not at the
 * rollup, and not once the store clock becomes known either (here a fresh
 * store: its clock is unknown until two witnesses agree). */
static void test_rollup__replayed_old_session_is_not_expired_at_rollup(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t old = recent_day() - 38 * JA__DAY_MS + 10 * HOUR_MS;
  assert_int_equal(ja_session_inference(s, "old", 1, 1, 1, "m", "ollama", old), JA_OK);
  assert_int_equal(ja_session_end(s, "old", old + S_MS), JA_OK);
  int64_t before = ja__now_ms();
  assert_int_equal(ja_rollup(s, 0, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 1);
  assert_int_equal(count_events("usage_daily_summary"), 1);
  assert_int_equal(ts_of("chat_session_ended"), old); /* PostHog still places it right */
  /* Aged from the rollup, not from its timestamp. */
  assert_true(jt_sql_int(jt_db_path(), "select min(age_ms) from events where event in "
                         "('chat_session_ended', 'usage_daily_summary')") >= before);
  /* The store clock becomes known (as after a second writer process), and
   * the next write applies the age cap: the rollup's events stay. */
  char sql[128];
  snprintf(sql, sizeof sql, "update store_clock set witnessed_ms = %lld", (long long)ja__now_ms());
  sql_exec(sql);
  ja_store_close(s);
  s = jt_open_sync();
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 1);
  assert_int_equal(count_events("usage_daily_summary"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from drops where reason = 'expired'"),
                   0);
  ja_store_close(s);
}

static void test_rollup__analytics_off_records_nothing(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  ja_store_close(s);
  setenv("DO_NOT_TRACK", "1", 1);
  s = jt_open_sync();
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1, "m", "ollama", 0), JA_OK);
  assert_int_equal(ja_session_end(s, "s", 0), JA_OK);
  assert_int_equal(ja_rollup(s, 0, NULL), JA_OK);
  ja_store_close(s);
  unsetenv("DO_NOT_TRACK");
  assert_int_equal(jt_sql_int(jt_db_path(), "select (select count(*) from rollup_signal) + "
                   "(select count(*) from events)"), 0);
}

static void test_rollup__iso8601_parse(void **state)
{
  (void)state;
  int64_t t = -1;
  assert_int_equal(ja__iso8601_parse("2026-03-01T10:00:00Z", &t), 0);
  assert_int_equal(t, INT64_C(1772359200000));
  assert_int_equal(ja__iso8601_parse("2026-03-01T10:00:00.5Z", &t), 0);
  assert_int_equal(t, INT64_C(1772359200500));
  assert_int_equal(ja__iso8601_parse("2026-03-01T12:00:00.123+02:00", &t), 0);
  assert_int_equal(t, INT64_C(1772359200123));
  assert_int_equal(ja__iso8601_parse("2024-02-29T00:00:00Z", &t), 0);
  assert_int_equal(ja__iso8601_parse("1970-01-01T00:00:00Z", &t), 0);
  assert_int_equal(t, 0);
  /* RFC 3339 allows a leap second; it is read as the minute's last second. */
  assert_int_equal(ja__iso8601_parse("2026-03-01T10:00:60Z", &t), 0);
  assert_int_equal(t, INT64_C(1772359259000));
  const char *bad[] = {"", "2026-03-01", "2026-03-01T10:00:00", "2026-02-29T00:00:00Z",
                       "2026-13-01T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T10:00:61Z",
                       "2026-03-01T10:00:00Zjunk", "2026-03-01T10:00:00.Z",
                       "yesterday", "2026-3-1T10:00:00Z", "2026-03-01T10:00:00+2:00"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ja__iso8601_parse(bad[i], &t) != -1)
      fail_msg("accepted '%s'", bad[i]);
  /* Well formed but before the epoch: said apart, so that a caller can say
   * "before 1970" instead of "not a time". */
  const char *early[] = {"1969-12-31T23:59:59Z", "1960-01-01T00:00:00Z",
                         "1970-01-01T00:30:00+01:00", "0000-01-01T00:00:00Z"};
  for (size_t i = 0; i < sizeof early / sizeof early[0]; i++)
    if (ja__iso8601_parse(early[i], &t) != JA__ISO8601_BEFORE_1970)
      fail_msg("'%s' is not before 1970", early[i]);
}

/* Token counts are any int64 >= 0: sums saturate instead of overflowing
 * (signed overflow is undefined: UBSan aborts on it in CI); a sum past
 * 2^53 is not an exact JSON integer, so the filter drops that property
 * (counted as invalid_value) and the rest of the event goes. */
static void test_rollup__huge_token_counts_saturate(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 7 * HOUR_MS;
  assert_int_equal(ja_session_inference(s, "big", INT64_MAX, INT64_MAX, 1, "m", "ollama", t), JA_OK);
  assert_int_equal(ja_session_inference(s, "big", INT64_MAX, 2, 1, "m", "ollama", t + S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "big", t + 2 * S_MS), JA_OK);
  assert_int_equal(ja_rollup(s, t + 3 * S_MS, NULL), JA_OK);
  char *p = props_of("chat_session_ended");
  assert_null(strstr(p, "\"tokens_in\""));
  assert_null(strstr(p, "\"tokens_out\""));
  assert_non_null(strstr(p, "\"turn_count\":2"));
  free(p);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason = "
                                            "'invalid_value'"), 2);
  assert_int_equal(ja_rollup(s, recent_day() + JA__DAY_MS + 5 * MIN_MS, NULL), JA_OK);
  p = props_of("usage_daily_summary");
  assert_null(strstr(p, "\"total_tokens\""));
  assert_non_null(strstr(p, "\"total_inferences\":2"));
  free(p);
  ja_store_close(s);
}

/* ------------------------------------------- numbers and keys (schema 11) */

static int64_t
sql_count(const char *table)
{
  char sql[128];
  snprintf(sql, sizeof sql, "select count(*) from %s", table);
  return jt_sql_int(jt_db_path(), sql);
}

/* chat_session_ended events whose properties contain @p fragment. */
static int64_t
ended_with(const char *fragment)
{
  char sql[256];
  snprintf(sql, sizeof sql, "select count(*) from events where event = 'chat_session_ended' "
                            "and instr(properties, '%s') > 0", fragment);
  return jt_sql_int(jt_db_path(), sql);
}

/* A closed session's number comes back for the next session (rowid: max
 * + 1 of an empty table), while the closed one's key is still there (a run
 * killed before its sweep leaves it; written here by hand): the key no
 * longer matches, so the old session id begins a session of its own and
 * is never joined to the one holding its old number. */
static void test_rollup__a_closed_sessions_key_never_joins_its_numbers_next_holder(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 6 * HOUR_MS;
  assert_int_equal(ja_session_inference(s, "A", 1, 1, 10, "m", "ollama", t), JA_OK);
  assert_int_equal(ja_session_end(s, "A", t + S_MS), JA_OK);
  int64_t a_no = jt_sql_int(jt_db_path(), "select no from rollup_session");
  assert_int_equal(ja_rollup(s, t + 2 * S_MS, NULL), JA_OK);
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":1,"), 1);
  assert_int_equal(sql_count("rollup_session") + sql_count("rollup_session_key") +
                   sql_count("rollup_signal"), 0); /* closed, and its key swept */
  char h[17], sql[160];
  ja__hash_id("A", 1, h);
  snprintf(sql, sizeof sql, "insert into rollup_session_key (session, no) values ('%s', %lld)", h,
           (long long)a_no);
  sql_exec(sql);

  assert_int_equal(ja_session_inference(s, "B", 2, 2, 20, "m", "ollama", t + 10 * S_MS), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "select no from rollup_session"), a_no);
  assert_int_equal(ja_session_inference(s, "A", 3, 3, 30, "m", "ollama", t + 11 * S_MS), JA_OK);
  assert_int_equal(sql_count("rollup_session"), 2);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(distinct no) from rollup_signal"), 2);
  assert_int_equal(ja_session_end(s, "A", t + 12 * S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "B", t + 12 * S_MS), JA_OK);
  assert_int_equal(ja_rollup(s, t + 13 * S_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 3);
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":2,"), 1); /* B alone */
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":3,"), 1); /* A's second life */
  assert_int_equal(sql_count("rollup_session") + sql_count("rollup_session_key") +
                   sql_count("rollup_signal"), 0);
  ja_store_close(s);
}

/* A rollup deletes the keys of the sessions it closed and keeps the open
 * ones' keys: a later signal of a session left open joins it. */
static void test_rollup__sweep_forgets_closed_keys_and_keeps_open_ones(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 5 * HOUR_MS;
  const char *ids[] = {"one", "two", "three", "four"};
  for (int i = 0; i < 4; i++)
    assert_int_equal(ja_session_inference(s, ids[i], 1, 1, 10, "m", "ollama", t + i * S_MS),
                     JA_OK);
  assert_int_equal(ja_session_end(s, "one", t + 5 * S_MS), JA_OK);
  assert_int_equal(ja_session_end(s, "three", t + 5 * S_MS), JA_OK);
  assert_int_equal(sql_count("rollup_session_key"), 4);
  assert_int_equal(ja_rollup(s, t + 6 * S_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 2);
  assert_int_equal(sql_count("rollup_session"), 2);
  assert_int_equal(sql_count("rollup_session_key"), 2);
  char h2[17], h4[17], sql[200];
  ja__hash_id("two", 3, h2);
  ja__hash_id("four", 4, h4);
  snprintf(sql, sizeof sql, "select count(*) from rollup_session_key k join rollup_session o "
                            "using (no, session) where session in ('%s', '%s')", h2, h4);
  assert_int_equal(jt_sql_int(jt_db_path(), sql), 2);
  assert_int_equal(ja_session_inference(s, "two", 1, 1, 10, "m", "ollama", t + 7 * S_MS), JA_OK);
  assert_int_equal(sql_count("rollup_session"), 2);
  assert_int_equal(ja_rollup(s, t + 7 * S_MS + 301 * S_MS, NULL), JA_OK);
  assert_int_equal(ended_with("\"turn_count\":2,"), 1); /* two, joined */
  assert_int_equal(ended_with("\"turn_count\":1,"), 3);
  assert_int_equal(sql_count("rollup_session_key"), 0);
  ja_store_close(s);
}

/* A schema-10 signal row of session id @p sess (stored hashed): @p kind,
 * @p at; an inference's tokens, latency and model @p name, a tool's
 * @p name (both hashed; NULL: none). */
static void
v10_signal(sqlite3 *db, const char *sess, int seq, int kind, int64_t at, int64_t in,
           int64_t out, double lat, const char *name)
{
  char h[17], n[17];
  ja__hash_id(sess, strlen(sess), h);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "insert into rollup_signal (session, seq, kind, at_ms,"
                                          " tokens_in, tokens_out, latency_ms, name, engine)"
                                          " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, seq);
  sqlite3_bind_int(st, 3, kind);
  sqlite3_bind_int64(st, 4, at);
  if (kind == JA__SIG_INFERENCE) {
    sqlite3_bind_int64(st, 5, in);
    sqlite3_bind_int64(st, 6, out);
    sqlite3_bind_double(st, 7, lat);
    sqlite3_bind_text(st, 9, "ollama", -1, SQLITE_STATIC);
  }
  if (name) {
    ja__hash_id(name, strlen(name), n);
    sqlite3_bind_text(st, 8, n, -1, SQLITE_STATIC);
  }
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

/* Schema 11 (011_rollup_arrival_order.sql) on a store of version 10 with
 * raw signals: an ended session, one still open, and signals whose session
 * row a hand edit removed. All three are carried over with their signals;
 * the open one keeps collecting signals under its old id; each closes
 * with its own numbers, and nothing is left behind. */
static void test_rollup__migration_11_carries_open_sessions_over(void **state)
{
  (void)state;
  jt_fresh_env();
  int64_t t = recent_day() + 4 * HOUR_MS;
  sqlite3 *db = jt_db_at_version(10);
  /* "ended": two inferences, a tool, an end. */
  v10_signal(db, "ended", 1, 1, t, 10, 20, 100, "llama3.1:8b");
  v10_signal(db, "ended", 2, 2, t + S_MS, 0, 0, 0, "search_web");
  v10_signal(db, "ended", 3, 1, t + 2 * S_MS, 5, 15, 300, "llama3.1:8b");
  v10_signal(db, "ended", 4, 4, t + 3 * S_MS, 0, 0, 0, NULL);
  /* "open": one inference, no end. */
  v10_signal(db, "open", 1, 1, t + 4 * S_MS, 7, 8, 50, "llama3.1:8b");
  /* "orphan": an inference and an end, its session row gone. */
  v10_signal(db, "orphan", 1, 1, t + S_MS, 1, 2, 10, "qwen3.5:2b");
  v10_signal(db, "orphan", 2, 4, t + 2 * S_MS, 0, 0, 0, NULL);
  char he[17], ho[17];
  ja__hash_id("ended", 5, he);
  ja__hash_id("open", 4, ho);
  char *sql = sqlite3_mprintf("insert into rollup_session (session, first_ms, last_ms, ended_ms)"
                              " values ('%q', %lld, %lld, %lld), ('%q', %lld, %lld, NULL)", he,
                              (long long)t, (long long)(t + 2 * S_MS), (long long)(t + 3 * S_MS),
                              ho, (long long)(t + 4 * S_MS), (long long)(t + 4 * S_MS));
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_free(sql);
  sqlite3_close(db);

  ja_store *s = jt_open_sync();
  assert_int_equal(ja_session_inference(s, "open", 1, 1, 70, "llama3.1:8b", "ollama",
                                        t + 5 * S_MS), JA_OK); /* opens and migrates */
  assert_int_equal(jt_sql_int(jt_db_path(), "pragma user_version"),
                   ja__sql_migrations[ja__sql_migration_count - 1].version);
  assert_int_equal(sql_count("rollup_session"), 3);
  assert_int_equal(sql_count("rollup_session_key"), 3);
  assert_int_equal(sql_count("rollup_signal"), 8);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_session where "
                                            "ended_ms is not null"), 2); /* orphan's own end */
  int64_t queued = 0;
  assert_int_equal(ja_rollup(s, t + 10 * S_MS, &queued), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 2);
  assert_int_equal(ended_with("\"turn_count\":2,\"tokens_in\":15,\"tokens_out\":35,"
                              "\"latency_ms_p50\":200,"), 1); /* ended */
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":1,\"tokens_out\":2,"), 1);
  assert_int_equal(sql_count("rollup_session"), 1);
  assert_int_equal(sql_count("rollup_session_key"), 1);
  assert_int_equal(ja_rollup(s, t + 5 * S_MS + 301 * S_MS, &queued), JA_OK);
  assert_int_equal(ended_with("\"turn_count\":2,\"tokens_in\":8,\"tokens_out\":9,"), 1); /* open */
  assert_int_equal(sql_count("rollup_session") + sql_count("rollup_session_key") +
                   sql_count("rollup_signal"), 0);
  ja_store_close(s);
}

/* Sessions closed together are read and forgotten as one range of
 * numbers (rollup_run_signals.sql): signals inside that range that belong
 * to no open session (a hand edit deleted B's session row) are not taken
 * for a session — no event for them — and go with the range; a session
 * left open between two closed ones cuts the range and keeps its signals. */
static void test_rollup__a_run_of_closed_sessions_skips_orphans_and_spares_open_ones(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 3 * HOUR_MS;
  const char *ids[] = {"A", "B", "C", "D", "E"};
  for (int i = 0; i < 5; i++)
    assert_int_equal(ja_session_inference(s, ids[i], i + 1, 1, 10, "m", "ollama", t), JA_OK);
  const char *ended[] = {"A", "C", "E"}; /* D stays open, between C and E */
  for (int i = 0; i < 3; i++)
    assert_int_equal(ja_session_end(s, ended[i], t + S_MS), JA_OK);
  char h[17], sql[128];
  ja__hash_id("B", 1, h);
  snprintf(sql, sizeof sql, "delete from rollup_session where session = '%s'", h);
  sql_exec(sql);
  assert_int_equal(ja_rollup(s, t + 2 * S_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 3);
  assert_int_equal(ended_with("\"tokens_in\":2,"), 0); /* B's orphaned signals */
  assert_int_equal(sql_count("rollup_session"), 1);  /* D */
  assert_int_equal(sql_count("rollup_signal"), 1);   /* D's, B's went with A..C */
  assert_int_equal(ja_rollup(s, t + 302 * S_MS, NULL), JA_OK);
  assert_int_equal(ended_with("\"tokens_in\":4,"), 1); /* D, whole */
  assert_int_equal(sql_count("rollup_signal") + sql_count("rollup_session"), 0);
  ja_store_close(s);
}

/* Session numbers are rowids: a hand-made session (sqlite3) may carry any
 * of them, zero or negative too, and is still found and closed. */
static void test_rollup__a_hand_made_session_with_a_negative_number_is_closed(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + 2 * HOUR_MS;
  assert_int_equal(ja_session_end(s, "open-the-store", t), JA_OK);
  char h[17], sql[800];
  ja__hash_id("hand", 4, h);
  snprintf(sql, sizeof sql,
           "insert into rollup_session (no, session, first_ms, last_ms, ended_ms) values "
           "(-7, '%s', %lld, %lld, %lld), (0, '%s', %lld, %lld, NULL);"
           "insert into rollup_signal (no, seq, kind, at_ms, tokens_in, tokens_out, latency_ms) "
           "values (-7, 1, 1, %lld, 4, 5, 6), (0, 1, 1, %lld, 7, 8, 9)",
           h, (long long)t, (long long)t, (long long)(t + S_MS), h, (long long)t, (long long)t,
           (long long)t, (long long)t);
  sql_exec(sql);
  assert_int_equal(ja_rollup(s, t + 302 * S_MS, NULL), JA_OK);
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":4,"), 1);
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":7,"), 1); /* idle */
  assert_int_equal(sql_count("rollup_session") + sql_count("rollup_signal"), 0);
  ja_store_close(s);
}

/* ------------------------------------------------------- bounds and poison */

/* A latency past a day is refused at entry, never clamped: 1e306 ms was
 * taken, and every later rollup failed on the non-finite number its
 * percentile became (issue: "no input stalls the pipeline"). */
static void test_rollup__latency_past_a_day_is_refused(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + HOUR_MS;
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1e306, NULL, NULL, t), JA_EINVALID);
  assert_string_equal(ja_last_error(),
                      "session inference: latency must be a number from 0 to 86400000 (ms, a day)");
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 86400000.001, NULL, NULL, t), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, JA__ROLLUP_LATENCY_MAX_MS, NULL, NULL, t),
                   JA_OK);
  assert_int_equal(ja_session_end(s, "s", t + S_MS), JA_OK);
  assert_int_equal(ja_rollup(s, t + 2 * S_MS, NULL), JA_OK);
  assert_int_equal(ended_with("\"latency_ms_p95\":86400000,"), 1);
  ja_store_close(s);
}

/* A signal's own time more than 5 minutes ahead of the clock is refused
 * (its session would stay open, never idle, until that date); a little
 * ahead is two clocks a moment apart, and taken. */
static void test_rollup__signal_times_ahead_of_the_clock_are_refused(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t now = ja__now_ms();
  assert_int_equal(ja_session_tool(s, "s", "shell", now + HOUR_MS), JA_EINVALID);
  assert_non_null(strstr(ja_last_error(), "s ahead of the clock (at most 300 s are taken)"));
  assert_int_equal(ja_session_end(s, "s", now + 10 * MIN_MS), JA_EINVALID);
  assert_int_equal(ja_session_error(s, "s", now + 6 * MIN_MS), JA_EINVALID);
  assert_int_equal(ja_session_inference(s, "s", 1, 1, 1, NULL, NULL, now + 24 * HOUR_MS),
                   JA_EINVALID);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), 0);
  assert_int_equal(ja_session_end(s, "s", now + 2 * MIN_MS), JA_OK);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count(*) from rollup_signal"), 1);
  /* The pure check, against the clock it is given. */
  ja__signal sig = {.kind = JA__SIG_END, .session = "x", .at_ms = 1000 + JA__ROLLUP_AHEAD_MS};
  assert_int_equal(ja__rollup_signal_check(&sig, 1000), JA_OK);
  sig.at_ms++;
  assert_int_equal(ja__rollup_signal_check(&sig, 1000), JA_EINVALID);
  ja_store_close(s);
}

/* Stored values out of bounds (a hand edit, an older build with looser
 * bounds): each is left out of its session and counted, the rest of the
 * session and its neighbours roll up, and the rollup never fails on them
 * (before, the session's JSON held "inf" and every rollup failed). */
static void test_rollup__out_of_bounds_rows_are_left_out_and_counted(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open_sync();
  int64_t t = recent_day() + HOUR_MS;
  for (int i = 0; i < 6; i++)
    assert_int_equal(ja_session_inference(s, "p", 1, 1, 10.0 * (i + 1), NULL, NULL, t + i), JA_OK);
  assert_int_equal(ja_session_inference(s, "n", 2, 2, 5, NULL, NULL, t), JA_OK);
  sql_exec("update rollup_signal set latency_ms = 1e306 where latency_ms = 20;"
           "update rollup_signal set latency_ms = 9e999 where latency_ms = 30;"
           "update rollup_signal set latency_ms = -9e999 where latency_ms = 40;"
           "update rollup_signal set latency_ms = NULL where latency_ms = 50;"
           "update rollup_signal set tokens_in = -5 where latency_ms = 60;");
  assert_int_equal(ja_rollup(s, t + HOUR_MS, NULL), JA_OK);
  assert_int_equal(count_events("chat_session_ended"), 2);
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":1,\"tokens_out\":1,"
                              "\"latency_ms_p50\":10,"), 1);
  assert_int_equal(ended_with("\"turn_count\":1,\"tokens_in\":2,"), 1);
  assert_int_equal(jt_sql_int(jt_db_path(), "select count from drops where reason = 'not_finite'"),
                   2);
  assert_int_equal(jt_sql_int(jt_db_path(),
                              "select count from drops where reason = 'invalid_value'"), 3);
  assert_int_equal(sql_count("rollup_signal") + sql_count("rollup_session"), 0);
  assert_int_equal(ja_rollup(s, t + 2 * HOUR_MS, NULL), JA_OK); /* nothing left to retry */
  assert_int_equal(count_events("chat_session_ended"), 2);
  ja_store_close(s);
}

/* The distinct counts are exact and linear: a set, not pairwise
 * comparisons (60 000 tools took 10 s inside the write transaction). */
static void test_rollup__stats_count_distinct_names_exactly(void **state)
{
  (void)state;
  enum { N = 60000 };
  ja__sig_row *rows = calloc(N, sizeof *rows);
  size_t *firsts = calloc(N, sizeof *firsts), nf = 0;
  assert_non_null(rows);
  assert_non_null(firsts);
  for (int i = 0; i < N; i++) {
    rows[i].kind = i % 10 == 0 ? JA__SIG_INFERENCE : JA__SIG_TOOL;
    rows[i].at_ms = 1000 + i;
    rows[i].latency_ms = 1;
    /* 20 000 tool names (each used about three times), 7 models; a model
     * and a tool with the same hash are two names. */
    snprintf(rows[i].name, sizeof rows[i].name, "%016x",
             rows[i].kind == JA__SIG_TOOL ? (unsigned)(i % 20000) : (unsigned)(i % 7));
    if (rows[i].kind == JA__SIG_INFERENCE)
      snprintf(rows[i].engine, sizeof rows[i].engine, "%s", i % 20 ? "ollama" : "vllm");
  }
  ja__session_stats x;
  assert_int_equal(ja__rollup_stats(rows, N, &x, firsts, &nf), JA_OK);
  assert_int_equal(x.turns, N / 10);
  assert_int_equal(x.tools, N - N / 10);
  assert_int_equal(x.unique_models, 7);
  /* Names n with n % 10 == 0 fall on inferences only (20 000 = 0 mod 10). */
  assert_int_equal(x.unique_tools, 18000);
  assert_int_equal(nf, 18007);
  assert_int_equal(x.unique_engines, 2);
  assert_string_equal(x.engine, "");
  /* Each first is the first use of its name. */
  assert_int_equal(firsts[0], 0);
  assert_int_equal(firsts[1], 1);
  free(rows);
  free(firsts);
}
