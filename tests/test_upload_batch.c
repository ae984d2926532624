/*
 * test_upload_batch.c — the batch layer's local request limit: an event
 * whose encoded body is over the limit on its own is dropped as
 * too_large, never sent, never retried, and the rest of its batch still
 * leaves. The send-time filters keep every real row far under 5 MB, so
 * the tests lower the limit (ja__upload_opts.max_body).
 */
#include "drain_fixture.h"

/* The stored row of event @p id, as the uploader reads it. */
static char *
field(int64_t id, const char *column)
{
  char q[160];
  snprintf(q, sizeof q, "select %s from events where id = %lld", column, (long long)id);
  return jt_sql_text(jt_db_path(), q);
}

/* The size of a request holding event @p id alone, encoded by the
 * uploader's own encoder (the layer the limit is checked at). */
static size_t
alone_len(int64_t id)
{
  char *f[5] = {field(id, "uuid"), field(id, "timestamp"), field(id, "distinct_id"),
                field(id, "event"), field(id, "properties")};
  ja__up_event e = {f[0], f[1], f[2], f[3], f[4]};
  ja__buf b = {0};
  assert_int_equal(ja__upload_encode(&b, KEY, ja__now_ms(), &e, 1), JA_OK);
  size_t n = b.len;
  ja__buf_free(&b);
  for (int i = 0; i < 5; i++)
    free(f[i]);
  return n;
}

/* A capture of @p event with @p props, stored. */
static void
capture(ja_store *s, const char *event, const char *props)
{
  ja_outcome o = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(s, event, props, &o), JA_OK);
  assert_int_equal(o.result, JA_RESULT_STORED);
}

/* The widest catalog event: twelve properties, about twice the bytes of a
 * feature_used. */
#define WIDE_PROPS                                                                               \
  "{\"turn_count\":5,\"tokens_in\":1200,\"tokens_out\":3400,\"latency_ms_p50\":250.5,"          \
  "\"latency_ms_p95\":900.25,\"tool_count\":3,\"unique_tools\":2,\"unique_models\":1,"          \
  "\"error_count\":0,\"model_hash\":\"8754b77c7eee26e4\",\"engine\":\"ollama\","                \
  "\"duration_ms\":60000}"
#define NARROW_PROPS "{\"feature_name\":\"chat\"}"

/* A limit between what a narrow event and the wide one need alone: any
 * request of narrow events can be cut small enough to pass it, the wide
 * one never. */
static int64_t
limit_between(int64_t narrow_id, int64_t wide_id)
{
  size_t narrow = alone_len(narrow_id), wide = alone_len(wide_id);
  assert_true(narrow + 64 < wide);
  return (int64_t)((narrow + wide) / 2);
}

/* Eight events in one batch, the wide one fifth: the batch is halved
 * locally until the wide one stands alone, which is dropped (too_large,
 * counted, gone from the queue); the seven others each leave once; no
 * request holds the wide one, no wait, no retry; a second run has
 * nothing to send. */
static void test_upload_batch__over_limit_event_alone_is_dropped_the_rest_delivered(void **state)
{
  (void)state;
  jt_fresh_env();
  setenv("OPENJARVIS_ANALYTICS_KEY", KEY, 1);
  ja_store *s = jt_open();
  for (int i = 0; i < 8; i++)
    capture(s, i == 4 ? "chat_session_ended" : "feature_used", i == 4 ? WIDE_PROPS : NARROW_PROPS);
  jt_flush(s);
  char *wide = field(5, "uuid");
  char *name = field(5, "event");
  assert_string_equal(name, "chat_session_ended");
  free(name);
  fake f;
  jt_drain_fake_init(&f);
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  o.max_body = limit_between(1, 5);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.sent, 7);
  assert_int_equal(r.ndropped, 1);
  assert_int_equal(r.dropped[JA__DROP_TOO_LARGE], 1);
  assert_int_equal(r.dropped[JA__DROP_REJECTED], 0);
  assert_int_equal(jt_drain_times_sent(&f, wide), 0); /* never asked of the server */
  for (int64_t id = 1; id <= 8; id++) {
    if (id == 5)
      continue;
    char *u = field(id, "uuid");
    assert_int_equal(jt_drain_times_sent(&f, u), 1);
    free(u);
  }
  for (int i = 0; i < f.nreq; i++)
    assert_true((int64_t)strlen(f.bodies[i]) <= o.max_body);
  assert_true(f.nreq <= 7); /* halves only: at most one request per other event */
  assert_int_equal(f.nslept, 0);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count(*) from sent"), 7);
  assert_int_equal(jt_drain_sql("select count from drop_counts where reason = 'too_large'"), 1);
  assert_int_equal(jt_drain_sql("select count(*) from drop_counts where reason = 'rejected'"), 0);
  char q[200];
  snprintf(q, sizeof q, "select count(*) from events where uuid = '%s'", wide);
  assert_int_equal(jt_drain_sql(q), 0);
  assert_int_equal(jt_drain_held(NULL), 0);
  /* Nothing left to try again. */
  jt_drain_fake_free(&f);
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 0);
  assert_int_equal(r.ndropped, 0);
  free(wide);
  ja_store_close(s);
}

/* The queue holds only the over-limit event: no request at all, the
 * event dropped, the run done. The server said nothing, so the upload
 * state says nothing either: no attempt, no error, no backoff. */
static void test_upload_batch__over_limit_event_alone_makes_no_request_and_no_attempt(void **state)
{
  (void)state;
  jt_fresh_env();
  setenv("OPENJARVIS_ANALYTICS_KEY", KEY, 1);
  ja_store *s = jt_open();
  capture(s, "feature_used", NARROW_PROPS);
  capture(s, "chat_session_ended", WIDE_PROPS);
  jt_flush(s);
  int64_t limit = limit_between(1, 2);
  /* The narrow one leaves in an ordinary run first: the state now holds
   * that success. */
  fake f;
  jt_drain_fake_init(&f);
  ja__upload_opts o;
  jt_drain_opts_init(&o, &f);
  o.batch_size = 1;
  o.max_batches = 1;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.sent, 1);
  assert_int_equal(f.nreq, 1);
  int64_t attempt = jt_drain_sql("select last_attempt_ms from upload_state");
  assert_true(attempt > 0);
  assert_int_equal(jt_drain_sql("select last_status from upload_state"), 200);
  jt_drain_fake_free(&f);
  /* Later, with the lower limit: the wide one alone. */
  f.elapsed += 60000;
  o.max_batches = 0;
  o.max_body = limit;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 0);
  assert_int_equal(r.requests, 0);
  assert_int_equal(r.sent, 0);
  assert_int_equal(r.dropped[JA__DROP_TOO_LARGE], 1);
  assert_int_equal(jt_drain_queued(), 0);
  assert_int_equal(jt_drain_sql("select count(*) from events where id = 2"), 0);
  assert_int_equal(jt_drain_sql("select count from drop_counts where reason = 'too_large'"), 1);
  assert_int_equal(jt_drain_sql("select last_attempt_ms from upload_state"), attempt);
  assert_int_equal(jt_drain_sql("select last_error is null from upload_state"), 1);
  assert_int_equal(jt_drain_sql("select last_status from upload_state"), 200);
  assert_int_equal(jt_drain_sql("select next_attempt_ms from upload_state"), 0);
  jt_drain_fake_free(&f);
  ja_store_close(s);
}
