/*
 * test_drain_refuse.c — what a drain does with refusals (413, 400, 401/403),
 * with analytics off, without a key, and in a dry run.
 */
#include "drain_fixture.h"

/* ------------------------------------------------------- 413, 400, 401/403 */

static void
refuse_one(int status, const char *reason)
{
  ja_store *s = jt_drain_store_with(8);
  char *bad = jt_sql_text(jt_db_path(), "select uuid from events order by id limit 1 offset 5");
  fake f;
  jt_drain_fake_init(&f);
  f.bad_uuid = bad;
  f.bad_status = status;
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.sent, 7);
  assert_int_equal(r.ndropped, 1);
  assert_int_equal(r.dropped[JA__DROP_REJECTED], 1);
  /* Bad is the 6th: 8 → [0,4) ok, [4,8) → [4,6) → [4] ok, [5] dropped;
   * then [6,8) ok. */
  assert_int_equal(f.nreq, 7);
  int sizes[] = {8, 4, 4, 2, 1, 1, 2};
  for (int i = 0; i < 7; i++)
    assert_int_equal(jt_drain_batch_len(f.bodies[i]), sizes[i]);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 7);
  char q[256];
  snprintf(q, sizeof q, "select count(*) from sent where uuid = '%s'", bad);
  assert_int_equal(jt_drain_sql(q), 0);
  snprintf(q, sizeof q, "select count from drop_counts where reason = '%s'", reason);
  assert_int_equal(jt_drain_sql(q), 1);
  assert_int_equal(f.nslept, 0); /* never retried the same events */
  free(bad);
  jt_drain_fake_free(&f);
  ja_store_close(s);
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
    ja_store *s = jt_drain_store_with(8);
    fake f;
    jt_drain_fake_init(&f);
    f.default_status = statuses[k];
    ja__upload_opts o;
    jt_drain_opts_init(&o, &f);
    ja__upload_report r;
    assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
    assert_int_equal(r.outcome, JA__UP_CONFIGFAIL);
    assert_string_equal(r.stopped, "request");
    assert_int_equal(r.ndropped, 0);
    assert_int_equal(r.sent, 0);
    assert_int_equal(f.nreq, 2 * 8 - 1); /* bisected down to every single event */
    assert_int_equal(jt_drain_queued(), 8);
    assert_int_equal(jt_drain_held(NULL), 0); /* given back, not left leased */
    assert_int_equal(jt_drain_sql("select coalesce(sum(count), 0) from drop_counts"), 0);
    char *cls = jt_sql_text(jt_db_path(), "select last_error from upload_state");
    assert_string_equal(cls, "request");
    free(cls);
    jt_drain_fake_free(&f);
    ja_store_close(s);
  }
}

/* One event alone, refused after another request of the run was
 * delivered: the event is at fault (dropped, counted as rejected). */
static void test_drain_refuse__single_event_refused_after_a_delivery_is_dropped(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(3);
  char *bad = jt_sql_text(jt_db_path(), "select uuid from events order by id desc limit 1");
  fake f;
  jt_drain_fake_init(&f);
  f.bad_uuid = bad;
  f.bad_status = 413;
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  o.batch_size = 1;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.sent, 2);
  assert_int_equal(f.nreq, 3);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count from drop_counts where reason = 'rejected'"), 1);
  assert_int_equal(jt_drain_sql("select count(*) from drop_counts where reason = 'too_large'"), 0);
  free(bad);
  jt_drain_fake_free(&f);
  ja_store_close(s);
}

static void test_drain_refuse__401_and_403_stop_and_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {401, 403, 404};
  for (int k = 0; k < 3; k++) {
    ja_store *s = jt_drain_store_with(150);
    fake f;
    jt_drain_fake_init(&f);
    f.default_status = statuses[k];
    ja__upload_opts o;
    jt_drain_opts_init(&o, &f);
    ja__upload_report r;
    assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
    assert_int_equal(r.outcome, JA__UP_CONFIGFAIL);
    assert_int_equal(f.nreq, 1);
    assert_int_equal(jt_drain_queued(), 150);
    assert_int_equal(jt_drain_held(NULL), 0);
    assert_null(strstr(r.why, KEY));
    jt_drain_fake_free(&f);
    ja_store_close(s);
  }
}

/* ----------------------------------------------------------- opt-out, keys */

static void test_drain_refuse__analytics_off_deletes_the_queue_sends_nothing(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(12);
  ja_store_close(s);
  setenv("DO_NOT_TRACK", "1", 1);
  s = jt_open();
  fake f;
  jt_drain_fake_init(&f);
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  ja__upload_report r;
  /* The uploader's own connection (the handle opens none when off). */
  ja__db d;
  int present = 0;
  assert_int_equal(ja__upload_open_queue(&d, &s->cfg, &present), JA_OK);
  assert_int_equal(present, 1);
  assert_int_equal(ja__upload_run(&d, &s->cfg, &f.t, &o, &r), JA_OK);
  ja__store_close(&d);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.purged, 12);
  assert_int_equal(f.nreq, 0);
  assert_int_equal(jt_drain_queued(), 0);
  ja_store_close(s);
  unsetenv("DO_NOT_TRACK");
}

static void test_drain_refuse__no_key_is_a_config_error(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(2);
  ja_store_close(s);
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  s = jt_open();
  fake f;
  jt_drain_fake_init(&f);
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_CONFIGFAIL);
  assert_int_equal(f.nreq, 0);
  assert_int_equal(jt_drain_queued(), 2);
  ja_store_close(s);
}

static void test_drain_refuse__dry_run_prints_masked_bodies_changes_nothing(void **state)
{
  (void)state;
  ja_store *s = jt_drain_store_with(5);
  fake f;
  jt_drain_fake_init(&f);
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  o.dry_run = 1;
  o.batch_size = 2;
  char *text = NULL;
  size_t len = 0;
  o.out = open_memstream(&text, &len);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, NULL, &o, &r), JA_OK);
  fclose(o.out);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.batches, 3);
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
  assert_int_equal(jt_drain_queued(), 5);
  assert_int_equal(jt_drain_held(NULL), 0);
  assert_int_equal(jt_drain_sql("select attempts from events order by id limit 1"), 0);
  ja_store_close(s);
}
