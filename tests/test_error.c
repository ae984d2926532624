/*
 * test_error.c — the last-error contract (util/error.c and the first line
 * of every public call): ja_last_error() describes the last failure on this
 * thread, and a call that succeeds leaves it "" (a bug once: "keeps a
 * stale message after successful calls").
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

static const char *APP_OPENED = "{\"version\":\"0.1.0\",\"platform\":\"cli\"}";

/* A failing call, so that the next call starts with a message set. */
static void make_stale(void)
{
  assert_int_equal(ja_capture(NULL, "app_opened", NULL, NULL), JA_EINVALID);
  assert_string_not_equal(ja_last_error(), "");
}

static void expect_cleared(const char *call, ja_status st)
{
  if (st != JA_OK)
    fail_msg("%s failed: %s", call, ja_last_error());
  if (ja_last_error()[0] != '\0')
    fail_msg("%s returned JA_OK but ja_last_error() is still '%s'", call, ja_last_error());
}

static void test_error__every_call_clears_a_stale_message(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_options o;
  make_stale();
  expect_cleared("ja_options_init", ja_options_init(&o, JA_OPTIONS_VERSION));

  ja_store *s = NULL;
  make_stale();
  expect_cleared("ja_store_open", ja_store_open(&s, &o));

  ja_outcome out = JA_OUTCOME_INIT;
  make_stale();
  expect_cleared("ja_capture", ja_capture(s, "app_opened", APP_OPENED, &out));
  assert_int_equal(out.result, JA_RESULT_STORED);
  make_stale();
  expect_cleared("ja_capture (policy drop)", ja_capture(s, "zz_unknown", NULL, &out));
  assert_int_equal(out.result, JA_RESULT_DROPPED);

  char id[37];
  make_stale();
  expect_cleared("ja_anon_id", ja_anon_id(s, id));
  make_stale();
  expect_cleared("ja_reset_id", ja_reset_id(s));

  char hash[17];
  make_stale();
  expect_cleared("ja_hash_id", ja_hash_id("x", hash));

  char *report = NULL;
  make_stale();
  expect_cleared("ja_report_json", ja_report_json(s, &report));
  ja_free(report);

  int64_t n = 0;
  make_stale();
  expect_cleared("ja_purge", ja_purge(s, JA_PURGE_PENDING, &n));
  assert_int_equal(n, 1);
  ja_store_close(s);
}

static void test_error__failure_message_survives_close(void **state)
{
  /* The usual pattern: a call fails, the handle is closed, then the
   * message is logged. Calls that cannot fail leave it alone. */
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  assert_int_equal(ja_capture(s, "app_opened", "{\"version\":", NULL), JA_EINVALID);
  char msg[256];
  snprintf(msg, sizeof msg, "%s", ja_last_error());
  assert_non_null(strstr(msg, "malformed properties JSON"));
  (void)ja_store_enabled(s, NULL);
  (void)ja_status_str(JA_EIO);
  (void)ja_version();
  ja_free(NULL);
  ja_store_close(s);
  assert_string_equal(ja_last_error(), msg);
}

static void test_error__failing_call_replaces_the_message(void **state)
{
  (void)state;
  jt_fresh_env();
  ja_store *s = jt_open();
  make_stale();
  assert_int_equal(ja_purge(s, 0, NULL), JA_EINVALID);
  assert_string_equal(ja_last_error(), "ja_purge: bad arguments");
  ja_store_close(s);
}
