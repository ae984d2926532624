/*
 * test_drain_refuse.c — what a drain does with refusals (413, 400, 401/403),
 * with analytics off, without a key, and in a dry run.
 */
#include "drain_fixture.h"

/* ------------------------------------------------------- 413, 400, 401/403 */

static void
refuse_one(int status, const char *reason)
{
  drain dr;
  jt_drain_begin(&dr, 8);
  char *bad = jt_sql_text(jt_db_path(), "select uuid from events order by id limit 1 offset 5");
  dr.f.bad_uuid = bad;
  dr.f.bad_status = status;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.r.sent, 7);
  assert_int_equal(dr.r.ndropped, 1);
  assert_int_equal(dr.r.dropped[JA__DROP_REJECTED], 1);
  /* Bad is the 6th: 8 → [0,4) ok, [4,8) → [4,6) → [4] ok, [5] dropped;
   * then [6,8) ok. */
  assert_int_equal(dr.f.nreq, 7);
  int sizes[] = {8, 4, 4, 2, 1, 1, 2};
  for (int i = 0; i < 7; i++)
    assert_int_equal(jt_drain_batch_len(dr.f.bodies[i]), sizes[i]);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 7);
  char q[256];
  snprintf(q, sizeof q, "select count(*) from sent where uuid = '%s'", bad);
  assert_int_equal(jt_drain_sql(q), 0);
  snprintf(q, sizeof q, "select count from drop_counts where reason = '%s'", reason);
  assert_int_equal(jt_drain_sql(q), 1);
  assert_int_equal(dr.f.nslept, 0); /* never retried the same events */
  free(bad);
  jt_drain_end(&dr);
}

static void test_drain_refuse__413_halves_down_to_one_dropped_event(void **state)
{
  (void)state;
  refuse_one(413, "rejected"); /* the server's refusal: too_large is the local limit only */
}

static void test_drain_refuse__400_bisects_and_drops_only_the_bad_event(void **state)
{
  (void)state;
  refuse_one(400, "rejected");
}

/* A 413 for a single event: dropped at once, one request. */
/* A request-level 400 or 413 (a key the server cannot read, a wrong path,
 * a proxy refusing everything) drops nothing: every event of the batch is
 * refused down to single events, so the request is at fault. The run
 * stops as a configuration error with every event kept. */
static void test_drain_refuse__request_level_400_and_413_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {400, 413};
  for (int k = 0; k < 2; k++) {
    drain dr;
    jt_drain_begin(&dr, 8);
    dr.f.default_status = statuses[k];
    assert_int_equal(jt_drain_run(&dr), JA__UP_CONFIGFAIL);
    assert_string_equal(dr.r.stopped, "request");
    assert_int_equal(dr.r.ndropped, 0);
    assert_int_equal(dr.r.sent, 0);
    assert_int_equal(dr.f.nreq, 2 * 8 - 1); /* bisected down to every single event */
    jt_drain_expect_kept(8); /* given back, not left leased */
    assert_int_equal(jt_drain_sql("select coalesce(sum(count), 0) from drop_counts"), 0);
    jt_drain_expect_last_error("request");
    jt_drain_end(&dr);
  }
}

/* One event alone, refused after another request of the run was
 * delivered: the event is at fault (dropped, counted as rejected). */
static void test_drain_refuse__single_event_refused_after_a_delivery_is_dropped(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 3);
  char *bad = jt_sql_text(jt_db_path(), "select uuid from events order by id desc limit 1");
  dr.f.bad_uuid = bad;
  dr.f.bad_status = 413;
  dr.o.batch_size = 1;
  assert_int_equal(jt_drain_run(&dr), JA__UP_DONE);
  assert_int_equal(dr.r.sent, 2);
  assert_int_equal(dr.f.nreq, 3);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count from drop_counts where reason = 'rejected'"), 1);
  assert_int_equal(jt_drain_sql("select count(*) from drop_counts where reason = 'too_large'"), 0);
  free(bad);
  jt_drain_end(&dr);
}

static void test_drain_refuse__401_and_403_stop_and_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {401, 403, 404};
  for (int k = 0; k < 3; k++) {
    drain dr;
    jt_drain_begin(&dr, 150);
    dr.f.default_status = statuses[k];
    assert_int_equal(jt_drain_run(&dr), JA__UP_CONFIGFAIL);
    assert_int_equal(dr.f.nreq, 1);
    jt_drain_expect_kept(150);
    assert_null(strstr(dr.r.why, KEY));
    jt_drain_end(&dr);
  }
}

/* ----------------------------------------------------------- opt-out, keys */

static void test_drain_refuse__analytics_off_deletes_the_queue_sends_nothing(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 12);
  setenv("DO_NOT_TRACK", "1", 1);
  jt_drain_reopen(&dr);
  /* The uploader's own connection (the handle opens none when off). */
  ja__db d;
  int present = 0;
  assert_int_equal(ja__upload_open_queue(&d, &dr.s->cfg, &present), JA_OK);
  assert_int_equal(present, 1);
  assert_int_equal(ja__upload_run(&d, &dr.s->cfg, &dr.f.t, &dr.o, &dr.r), JA_OK);
  ja__store_close(&d);
  assert_int_equal(dr.r.outcome, JA__UP_DONE);
  assert_int_equal(dr.r.purged, 12);
  assert_int_equal(dr.f.nreq, 0);
  assert_int_equal(jt_drain_queued(), 0);
  jt_drain_end(&dr);
  unsetenv("DO_NOT_TRACK");
}

static void test_drain_refuse__no_key_is_a_config_error(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 2);
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  jt_drain_reopen(&dr);
  assert_int_equal(jt_drain_run(&dr), JA__UP_CONFIGFAIL);
  assert_int_equal(dr.f.nreq, 0);
  assert_int_equal(jt_drain_queued(), 2);
  jt_drain_end(&dr);
}

static void test_drain_refuse__dry_run_prints_masked_bodies_changes_nothing(void **state)
{
  (void)state;
  drain dr;
  jt_drain_begin(&dr, 5);
  dr.o.dry_run = 1;
  dr.o.batch_size = 2;
  char *text = NULL;
  size_t len = 0;
  dr.o.out = open_memstream(&text, &len);
  assert_int_equal(ja__upload_run(&dr.s->db, &dr.s->cfg, NULL, &dr.o, &dr.r), JA_OK);
  fclose(dr.o.out);
  assert_int_equal(dr.r.outcome, JA__UP_DONE);
  assert_int_equal(dr.r.batches, 3);
  assert_null(strstr(text, KEY));
  assert_non_null(strstr(text, "\"api_key\":\"phc_***\""));
  /* Three lines, each a whole body with its events. */
  int lines = 0, events = 0;
  for (char *line = text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
    *nl = '\0';
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    events += cJSON_GetArraySize(cJSON_GetObjectItem(j, "batch"));
    cJSON_Delete(j);
    lines++;
  }
  assert_int_equal(lines, 3);
  assert_int_equal(events, 5);
  free(text);
  jt_drain_expect_kept(5);
  assert_int_equal(jt_drain_sql("select attempts from events order by id limit 1"), 0);
  jt_drain_end(&dr);
}
