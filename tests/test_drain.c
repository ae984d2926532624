/*
 * test_drain.c — the drain loop (upload/run.c) and the store side of the
 * uploader (store/lease.c) against a scripted fake transport and a fake
 * clock: no socket, no sleeping (the fake's sleep, and a request's
 * delay_ms, advance the run's clock). Exactly-once by
 * uuid, every server answer, deadlines and the persisted backoff.
 */
#include "support.h"
#include "api/api.h"
#include "store/store.h"
#include "upload/transport.h"
#include "upload/upload.h"
#include "util/clock.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY "phc_secret_key_0123456789abcdef"
#define MAXREQ 512

/* The fake: answers from a script, then default_status; a body holding
 * bad_uuid gets bad_status instead. Keeps every body, inflated. */
typedef struct fake {
  ja__transport t;
  int script[64];
  const char *retry_after[64];
  int nscript, next;
  int default_status;
  const char *bad_uuid;
  int bad_status;
  int nreq;
  char *bodies[MAXREQ];
  int64_t timeouts[MAXREQ];
  int64_t slept[64];
  int nslept;
  int delay_ms;             /* each request takes this long (fake time) */
  int64_t wall0;            /* the fake wall clock at elapsed 0 */
  int64_t elapsed;          /* fake time passed (sleeps, request delays) */
  ja__upload_clock clock;   /* reads and advances the two above */
  void (*on_send)(struct fake *); /* run before each answer (hand edits) */
  const char *body;         /* every answer's body (NULL: PostHog's to a 2xx) */
} fake;

static char *
inflate_body(const char *gz, size_t len)
{
  size_t cap = len * 100 + 65536;
  char *out = malloc(cap);
  assert_non_null(out);
  out[jt_gunzip(gz, len, out, cap - 1)] = '\0';
  return out;
}

static ja_status
fake_send(ja__transport *t, const char *body, size_t len, int64_t timeout_ms, ja__http_answer *ans)
{
  fake *f = (fake *)t;
  memset(ans, 0, sizeof *ans);
  assert_true(f->nreq < MAXREQ);
  char *json = inflate_body(body, len);
  f->timeouts[f->nreq] = timeout_ms;
  f->elapsed += f->delay_ms;
  f->bodies[f->nreq++] = json;
  if (f->on_send)
    f->on_send(f);
  if (f->bad_uuid && strstr(json, f->bad_uuid)) {
    ans->status = f->bad_status;
    return JA_OK;
  }
  if (f->next < f->nscript) {
    ans->status = f->script[f->next];
    if (f->retry_after[f->next])
      snprintf(ans->retry_after, sizeof ans->retry_after, "%s", f->retry_after[f->next]);
    f->next++;
  } else {
    ans->status = f->default_status;
  }
  if (ans->status == 0)
    snprintf(ans->error, sizeof ans->error, "Connection refused");
  /* PostHog's answer to a 2xx, unless the test says otherwise. */
  const char *text = f->body ? f->body
                             : ans->status >= 200 && ans->status <= 299 ? "{\"status\": 1}" : "";
  ans->body_len = strlen(text);
  memcpy(ans->body, text, ans->body_len + 1);
  return JA_OK;
}

static void
fake_close(ja__transport *t)
{
  (void)t;
}

static void
fake_sleep(int64_t ms, void *payload)
{
  fake *f = payload;
  if (f->nslept < 64)
    f->slept[f->nslept++] = ms;
  f->elapsed += ms;
}

static int64_t
fake_wall(void *payload)
{
  fake *f = payload;
  return f->wall0 + f->elapsed;
}

static int64_t
fake_mono(void *payload)
{
  return ((fake *)payload)->elapsed;
}

static void
fake_init(fake *f)
{
  memset(f, 0, sizeof *f);
  f->t.send = fake_send;
  f->t.close = fake_close;
  f->default_status = 200;
  f->wall0 = ja__now_ms();
  f->clock = (ja__upload_clock){fake_wall, fake_mono, fake_sleep, f};
}

static void
fake_free(fake *f)
{
  for (int i = 0; i < f->nreq; i++)
    free(f->bodies[i]);
  f->nreq = 0;
}

static void
opts_init(ja__upload_opts *o, fake *f)
{
  memset(o, 0, sizeof *o);
  o->max_retries = 3;
  o->deadline_ms = 600000;
  o->clock = &f->clock;
}

/* A fresh home with the key set and @p n captured events. */
static ja_store *
store_with(int n)
{
  jt_fresh_env();
  setenv("OPENJARVIS_ANALYTICS_KEY", KEY, 1);
  ja_store *s = jt_open();
  for (int i = 0; i < n; i++) {
    ja_outcome o = JA_OUTCOME_INIT;
    assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &o), JA_OK);
    assert_int_equal(o.result, JA_RESULT_STORED);
  }
  jt_flush(s);
  return s;
}

static int64_t
queued(void)
{
  return jt_sql_int(jt_db_path(), "select count(*) from pending");
}

static int64_t
sql(const char *q)
{
  return jt_sql_int(jt_db_path(), q);
}

/* Events inside a lease (009_upload_lease.sql), any owner's or @p owner's. */
static int64_t
held(const char *owner)
{
  char q[512];
  snprintf(q, sizeof q,
           "select count(*) from upload_lease l join events e on e.id between l.lo and l.hi"
           " where %s%s%s", owner ? "l.owner = '" : "1", owner ? owner : "", owner ? "'" : "");
  return sql(q);
}

/* How many times @p uuid appears in all bodies sent. */
static int
times_sent(const fake *f, const char *uuid)
{
  int n = 0;
  for (int i = 0; i < f->nreq; i++)
    for (const char *p = f->bodies[i]; (p = strstr(p, uuid)) != NULL; p++)
      n++;
  return n;
}

/* The batch array of a body, sent_at removed: what must be identical
 * across attempts. */
static char *
batch_of(const char *body)
{
  cJSON *j = cJSON_Parse(body);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "api_key")->valuestring, KEY);
  assert_non_null(cJSON_GetObjectItem(j, "sent_at"));
  char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "batch"));
  cJSON_Delete(j);
  return b;
}

static int
batch_len(const char *body)
{
  cJSON *j = cJSON_Parse(body);
  assert_non_null(j);
  int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "batch"));
  cJSON_Delete(j);
  return n;
}

/* ------------------------------------------------------------ happy path */

static void test_drain__happy_path_sends_each_uuid_once(void **state)
{
  (void)state;
  ja_store *s = store_with(250);
  char **uuids = calloc(250, sizeof *uuids);
  for (int i = 0; i < 250; i++) {
    char q[128];
    snprintf(q, sizeof q, "select uuid from events order by id limit 1 offset %d", i);
    uuids[i] = jt_sql_text(jt_db_path(), q);
  }
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.sent, 250);
  assert_int_equal(f.nreq, 3); /* flush_at_size 100 */
  assert_int_equal(batch_len(f.bodies[0]), 100);
  assert_int_equal(batch_len(f.bodies[2]), 50);
  for (int i = 0; i < 250; i++) {
    assert_int_equal(times_sent(&f, uuids[i]), 1);
    free(uuids[i]);
  }
  free(uuids);
  assert_int_equal(queued(), 0);
  assert_int_equal(sql("select count(*) from sent"), 250);
  assert_int_equal(sql("select sent from queue_stats"), 250);
  assert_true(sql("select last_success_ms from upload_state") > 0);
  assert_int_equal(sql("select last_error is null from upload_state"), 1);
  assert_int_equal(f.nslept, 0);
  /* Nothing left: a second run sends nothing. */
  fake_free(&f);
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 0);
  ja_store_close(s);
}

/* How many times the cached statement @p which ran on @p d, its trigger
 * programs included (0: never prepared). */
static int
runs_of(ja__db *d, int which)
{
  return d->q[which] ? sqlite3_stmt_status(d->q[which], SQLITE_STMTSTATUS_RUN, 0) : 0;
}

/* The per-batch shape of a drain (009_upload_lease.sql,
 * 014_sent_in_place.sql): a claim writes one lease row and no event row;
 * an ack writes one sent mark for the batch and no event row either —
 * nothing is copied, rewritten or deleted —; and no lease is left. */
static void test_drain__batches_are_leased_and_acked_by_id_range(void **state)
{
  (void)state;
  ja_store *s = store_with(250);
  ja__db *d = &s->db;
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
  ja__upload_report r;
  /* Opened by the run on first use: open it now to arm the tripwire. */
  int present = 0;
  assert_int_equal(ja__api_open_existing(s, &present), JA_OK);
  assert_int_equal(sqlite3_exec(d->db, "CREATE TEMP TRIGGER no_row_writes AFTER UPDATE ON main.events"
                                       " BEGIN SELECT RAISE(ABORT, 'an event row was rewritten'); END;"
                                       "CREATE TEMP TRIGGER no_row_deletes AFTER DELETE ON main.events"
                                       " BEGIN SELECT RAISE(ABORT, 'an event row was deleted'); END;"
                                       "CREATE TEMP TRIGGER no_row_copies AFTER INSERT ON main.sent_log"
                                       " BEGIN SELECT RAISE(ABORT, 'an event row was copied'); END;",
                                NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.sent, 250);
  assert_int_equal(f.nreq, 3);
  assert_int_equal(runs_of(d, JA__Q_LEASE_ADD), 3);
  assert_int_equal(runs_of(d, JA__Q_MARK_ADD), 3);
  assert_int_equal(runs_of(d, JA__Q_ACK_DELETE_RANGE), 0);
  assert_int_equal(runs_of(d, JA__Q_ACK_DELETE), 0);
  assert_int_equal(sql("select count(*) from upload_lease"), 0);
  assert_int_equal(sql("select count(*) from sent_mark"), 3);
  assert_int_equal(sql("select count(*) from sent"), 250);
  assert_int_equal(sql("select count(*) from events"), 250); /* in place */
  assert_int_equal(queued(), 0);
  assert_int_equal(sql("select settled from queue_stats"), 251);
  fake_free(&f);
  ja_store_close(s);
}

/* An ack by id range never touches an event that is not the batch's: a
 * range emptied (purged) and refilled by a new capture, whose id SQLite
 * gives again, is acked by uuid — the new event stays, unsent, unlogged.
 * The batch's own events did leave: the sent log says so, from the copy
 * that was sent (status counts what the server took, whatever happened
 * to the queue meanwhile). */
static void test_drain__ack_of_a_refilled_range_deletes_only_the_batch(void **state)
{
  (void)state;
  ja_store *s = store_with(3);
  ja__db *d = &s->db;
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(ja__store_claim_rows(d, "A", now, now + 60000, 10, JA__UP_MAX_BODY, 256, &b), JA_OK);
  assert_int_equal(b.n, 3);
  assert_int_equal(b.rows[0].id, 1);
  /* Purged while in flight; then a capture takes id 1 again. */
  assert_int_equal(sqlite3_exec(d->db, "DELETE FROM events", NULL, NULL, NULL), SQLITE_OK);
  ja_outcome oc = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &oc), JA_OK);
  jt_flush(s);
  assert_int_equal(sql("select min(id) from events"), 1);
  int64_t del = -1;
  assert_int_equal(ja__store_ack(d, "A", b.rows, b.n, 200, now, &del), JA_OK);
  assert_int_equal(del, 3);
  assert_int_equal(queued(), 1);
  assert_int_equal(sql("select count(*) from sent"), 3);
  assert_int_equal(sql("select sent from queue_stats"), 3);
  char q[160];
  snprintf(q, sizeof q, "select count(*) from sent where uuid = '%s'", oc.uuid);
  assert_int_equal(sql(q), 0); /* the new event: not sent, not logged */
  assert_int_equal(sql("select count(*) from sent_mark"), 0); /* nothing of it was still queued */
  ja__store_batch_free(&b);
  ja_store_close(s);
}

static void test_drain__batch_size_and_max_batches(void **state)
{
  (void)state;
  ja_store *s = store_with(10);
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
  o.batch_size = 3;
  o.max_batches = 2;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 2);
  assert_int_equal(r.sent, 6);
  assert_int_equal(queued(), 4);
  assert_int_equal(held(NULL), 0);
  fake_free(&f);
  ja_store_close(s);
}

/* ---------------------------------------------------------------- retries */

/* Every retryable answer: exactly max_retries + 1 requests, the same
 * events byte for byte (only sent_at changes), growing waits, nothing
 * deleted, and the backoff persisted for the next run. */
static void test_drain__retryable_answers_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {500, 502, 503, 504, 408, 429, 0};
  for (size_t k = 0; k < sizeof statuses / sizeof statuses[0]; k++) {
    ja_store *s = store_with(5);
    fake f;
    fake_init(&f);
    f.default_status = statuses[k];
    ja__upload_opts o;
    opts_init(&o, &f);
    int64_t start = ja__now_ms();
    ja__upload_report r;
    assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
    assert_int_equal(r.outcome, JA__UP_TEMPFAIL);
    assert_int_equal(f.nreq, 4);
    assert_int_equal(f.nslept, 3);
    assert_int_equal(f.slept[0], 1000);
    assert_int_equal(f.slept[1], 2000);
    assert_int_equal(f.slept[2], 4000);
    char *first = batch_of(f.bodies[0]);
    for (int i = 1; i < 4; i++) {
      char *b = batch_of(f.bodies[i]);
      assert_string_equal(b, first);
      free(b);
    }
    free(first);
    assert_int_equal(queued(), 5);
    assert_int_equal(sql("select count(*) from sent"), 0);
    assert_int_equal(held(NULL), 0);
    /* The next attempt: after the 4th answer's backoff (8 s). */
    int64_t next = sql("select next_attempt_ms from upload_state");
    assert_true(next >= start + 7000 + 8000);
    assert_int_equal(r.next_attempt_ms, next);
    char *cls = jt_sql_text(jt_db_path(), "select last_error from upload_state");
    assert_string_equal(cls, ja__upload_error_class(statuses[k]));
    free(cls);
    fake_free(&f);
    ja_store_close(s);
  }
}

static void test_drain__retry_then_success(void **state)
{
  (void)state;
  ja_store *s = store_with(3);
  fake f;
  fake_init(&f);
  f.script[0] = 503;
  f.script[1] = 429;
  f.retry_after[1] = "5";
  f.nscript = 2;
  ja__upload_opts o;
  opts_init(&o, &f);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 3);
  assert_int_equal(f.nslept, 2);
  assert_int_equal(f.slept[0], 1000);
  assert_int_equal(f.slept[1], 5000); /* Retry-After over the 2 s backoff */
  assert_int_equal(queued(), 0);
  assert_int_equal(sql("select count(*) from sent"), 3);
  assert_int_equal(sql("select next_attempt_ms from upload_state"), 0);
  fake_free(&f);
  ja_store_close(s);
}

static void test_drain__max_retries_zero_is_one_request(void **state)
{
  (void)state;
  ja_store *s = store_with(2);
  fake f;
  fake_init(&f);
  f.default_status = 503;
  ja__upload_opts o;
  opts_init(&o, &f);
  o.max_retries = 0;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_TEMPFAIL);
  assert_int_equal(f.nreq, 1);
  assert_int_equal(queued(), 2);
  fake_free(&f);
  ja_store_close(s);
}

/* A wait that would pass the deadline is not waited: stop (75), keep
 * everything, persist when to come back; the next run honours it and a
 * run after that time sends. */
static void test_drain__deadline_then_next_run_honours_backoff(void **state)
{
  (void)state;
  ja_store *s = store_with(4);
  fake f;
  fake_init(&f);
  f.default_status = 503;
  ja__upload_opts o;
  opts_init(&o, &f);
  /* Waits of 10 s then 20 s (fake sleeps): the first fits the 25 s
   * deadline, the second does not. The run's own real time counts against
   * the deadline too, so the margin is wide (15 s): a loaded machine once
   * spent over 1.5 s when the waits were 1 s and 2 s. */
  o.backoff_base_ms = 10000;
  o.deadline_ms = 25000;
  int64_t t0 = ja__now_ms();
  o.now_ms = t0;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_TEMPFAIL);
  assert_int_equal(f.nreq, 2);
  assert_int_equal(f.nslept, 1);
  assert_int_equal(queued(), 4);
  int64_t next = sql("select next_attempt_ms from upload_state");
  assert_true(next >= t0 + 10000 + 20000);
  fake_free(&f);

  /* Before it: nothing sent, still 75, the events are not leased. (10 s
   * before, not 1 ms: a run's clock is its start plus the real time it has
   * run, and on a loaded machine a millisecond passes before the check.) */
  f.default_status = 200;
  o.deadline_ms = 600000;
  o.now_ms = next - 10000;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_TEMPFAIL);
  assert_int_equal(f.nreq, 0);
  assert_int_equal(held(NULL), 0);
  assert_int_equal(sql("select next_attempt_ms from upload_state"), next);

  /* After it: sent. */
  o.now_ms = next;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 1);
  assert_int_equal(queued(), 0);
  fake_free(&f);
  ja_store_close(s);
}

/* The request timeout never outlives the deadline. */
static void test_drain__request_timeout_bounded_by_deadline(void **state)
{
  (void)state;
  ja_store *s = store_with(1);
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
  o.deadline_ms = 5000;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(f.nreq, 1);
  assert_true(f.timeouts[0] > 0 && f.timeouts[0] <= 5000);
  fake_free(&f);
  ja_store_close(s);
}

/* ------------------------------------------------------- 413, 400, 401/403 */

static void
refuse_one(int status, const char *reason)
{
  ja_store *s = store_with(8);
  char *bad = jt_sql_text(jt_db_path(), "select uuid from events order by id limit 1 offset 5");
  fake f;
  fake_init(&f);
  f.bad_uuid = bad;
  f.bad_status = status;
  ja__upload_opts o;
  opts_init(&o, &f);
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
    assert_int_equal(batch_len(f.bodies[i]), sizes[i]);
  assert_int_equal(queued(), 0);
  assert_int_equal(sql("select count(*) from sent"), 7);
  char q[256];
  snprintf(q, sizeof q, "select count(*) from sent where uuid = '%s'", bad);
  assert_int_equal(sql(q), 0);
  snprintf(q, sizeof q, "select count from drop_counts where reason = '%s'", reason);
  assert_int_equal(sql(q), 1);
  assert_int_equal(f.nslept, 0); /* never retried the same events */
  free(bad);
  fake_free(&f);
  ja_store_close(s);
}

static void test_drain__413_halves_down_to_one_dropped_event(void **state)
{
  (void)state;
  refuse_one(413, "rejected"); /* the server's refusal: too_large is the local limit only */
}

static void test_drain__400_bisects_and_drops_only_the_bad_event(void **state)
{
  (void)state;
  refuse_one(400, "rejected");
}

/* A 413 for a single event: dropped at once, one request. */
/* A request-level 400 or 413 (a key the server cannot read, a wrong path,
 * a proxy refusing everything) drops nothing: every event of the batch is
 * refused down to single events, so the request is at fault. The run
 * stops as a configuration error with every event kept. */
static void test_drain__request_level_400_and_413_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {400, 413};
  for (int k = 0; k < 2; k++) {
    ja_store *s = store_with(8);
    fake f;
    fake_init(&f);
    f.default_status = statuses[k];
    ja__upload_opts o;
    opts_init(&o, &f);
    ja__upload_report r;
    assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
    assert_int_equal(r.outcome, JA__UP_CONFIGFAIL);
    assert_string_equal(r.stopped, "request");
    assert_int_equal(r.ndropped, 0);
    assert_int_equal(r.sent, 0);
    assert_int_equal(f.nreq, 2 * 8 - 1); /* bisected down to every single event */
    assert_int_equal(queued(), 8);
    assert_int_equal(held(NULL), 0); /* given back, not left leased */
    assert_int_equal(sql("select coalesce(sum(count), 0) from drop_counts"), 0);
    char *cls = jt_sql_text(jt_db_path(), "select last_error from upload_state");
    assert_string_equal(cls, "request");
    free(cls);
    fake_free(&f);
    ja_store_close(s);
  }
}

/* One event alone, refused after another request of the run was
 * delivered: the event is at fault (dropped, counted as rejected). */
static void test_drain__single_event_refused_after_a_delivery_is_dropped(void **state)
{
  (void)state;
  ja_store *s = store_with(3);
  char *bad = jt_sql_text(jt_db_path(), "select uuid from events order by id desc limit 1");
  fake f;
  fake_init(&f);
  f.bad_uuid = bad;
  f.bad_status = 413;
  ja__upload_opts o;
  opts_init(&o, &f);
  o.batch_size = 1;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.sent, 2);
  assert_int_equal(f.nreq, 3);
  assert_int_equal(queued(), 0);
  assert_int_equal(sql("select count from drop_counts where reason = 'rejected'"), 1);
  assert_int_equal(sql("select count(*) from drop_counts where reason = 'too_large'"), 0);
  free(bad);
  fake_free(&f);
  ja_store_close(s);
}

static void test_drain__401_and_403_stop_and_keep_everything(void **state)
{
  (void)state;
  const int statuses[] = {401, 403, 404};
  for (int k = 0; k < 3; k++) {
    ja_store *s = store_with(150);
    fake f;
    fake_init(&f);
    f.default_status = statuses[k];
    ja__upload_opts o;
    opts_init(&o, &f);
    ja__upload_report r;
    assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
    assert_int_equal(r.outcome, JA__UP_CONFIGFAIL);
    assert_int_equal(f.nreq, 1);
    assert_int_equal(queued(), 150);
    assert_int_equal(held(NULL), 0);
    assert_null(strstr(r.why, KEY));
    fake_free(&f);
    ja_store_close(s);
  }
}

/* ----------------------------------------------------------- opt-out, keys */

static void test_drain__analytics_off_deletes_the_queue_sends_nothing(void **state)
{
  (void)state;
  ja_store *s = store_with(12);
  ja_store_close(s);
  setenv("DO_NOT_TRACK", "1", 1);
  s = jt_open();
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
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
  assert_int_equal(queued(), 0);
  ja_store_close(s);
  unsetenv("DO_NOT_TRACK");
}

static void test_drain__no_key_is_a_config_error(void **state)
{
  (void)state;
  ja_store *s = store_with(2);
  ja_store_close(s);
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  s = jt_open();
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_CONFIGFAIL);
  assert_int_equal(f.nreq, 0);
  assert_int_equal(queued(), 2);
  ja_store_close(s);
}

static void test_drain__dry_run_prints_masked_bodies_changes_nothing(void **state)
{
  (void)state;
  ja_store *s = store_with(5);
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
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
  assert_int_equal(queued(), 5);
  assert_int_equal(held(NULL), 0);
  assert_int_equal(sql("select attempts from events order by id limit 1"), 0);
  ja_store_close(s);
}

/* ------------------------------------------------------- leases, the store */

static void test_drain__claims_are_disjoint_until_the_lease_expires(void **state)
{
  (void)state;
  ja_store *s = store_with(10);
  ja__db *d = &s->db;
  int64_t now = ja__now_ms();
  ja__lease_batch a = {0}, b = {0}, c = {0};
  assert_int_equal(ja__store_claim_rows(d, "A", now, now + 1000, 6, JA__UP_MAX_BODY, 256, &a), JA_OK);
  assert_int_equal(ja__store_claim_rows(d, "B", now, now + 60000, 6, JA__UP_MAX_BODY, 256, &b), JA_OK);
  assert_int_equal(a.n, 6);
  assert_int_equal(b.n, 4);
  for (size_t i = 0; i < a.n; i++)
    for (size_t j = 0; j < b.n; j++)
      assert_string_not_equal(a.rows[i].uuid, b.rows[j].uuid);
  for (size_t i = 1; i < a.n; i++)
    assert_true(a.rows[i - 1].id < a.rows[i].id); /* oldest first */
  /* Nothing free now; after A's lease expires, C gets A's six. */
  assert_int_equal(ja__store_claim_rows(d, "C", now + 999, now + 60000, 10, JA__UP_MAX_BODY, 256, &c), JA_OK);
  assert_int_equal(c.n, 0);
  assert_int_equal(ja__store_claim_rows(d, "C", now + 1000, now + 60000, 10, JA__UP_MAX_BODY, 256, &c), JA_OK);
  assert_int_equal(c.n, 6);
  /* A (killed, or slow) acks late: it owns nothing any more. */
  int64_t del = -1;
  assert_int_equal(ja__store_ack(d, "A", a.rows, a.n, 200, now + 2000, &del), JA_OK);
  assert_int_equal(del, 0);
  assert_int_equal(sql("select count(*) from sent"), 0);
  assert_int_equal(queued(), 10);
  /* C's ack deletes exactly its six and logs them, once. */
  assert_int_equal(ja__store_ack(d, "C", c.rows, c.n, 200, now + 2000, &del), JA_OK);
  assert_int_equal(del, 6);
  assert_int_equal(sql("select count(*) from sent"), 6);
  assert_int_equal(sql("select sent from queue_stats"), 6);
  assert_int_equal(queued(), 4);
  assert_int_equal(held("B"), 4);
  assert_int_equal(held(NULL), 4);
  /* No event row was written by the claims: one lease row per claim. */
  assert_int_equal(sql("select count(*) from events where lease_owner is not null"), 0);
  assert_int_equal(sql("select count(*) from upload_lease where owner = 'B'"), 1);
  ja__store_batch_free(&a);
  ja__store_batch_free(&b);
  ja__store_batch_free(&c);
  ja_store_close(s);
}

/* A batch never passes the byte budget (the first event always goes). */
static void test_drain__claim_respects_the_byte_budget(void **state)
{
  (void)state;
  ja_store *s = store_with(10);
  ja__db *d = &s->db;
  int64_t one = sql("select length(properties) + length(uuid) + length(timestamp) + "
                    "length(distinct_id) + length(event) from events limit 1");
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(ja__store_claim_rows(d, "A", now, now + 1000, 100, 3 * (one + 10), 10, &b), JA_OK);
  assert_int_equal(b.n, 3);
  assert_int_equal(ja__store_claim_rows(d, "B", now, now + 1000, 100, 1, 10, &b), JA_OK);
  assert_int_equal(b.n, 1);
  ja__store_batch_free(&b);
  ja_store_close(s);
}

static void test_drain__release_and_reject(void **state)
{
  (void)state;
  ja_store *s = store_with(3);
  ja__db *d = &s->db;
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(ja__store_claim_rows(d, "A", now, now + 60000, 3, JA__UP_MAX_BODY, 256, &b), JA_OK);
  assert_int_equal(ja__store_reject(d, "A", &b.rows[0], JA__DROP_REJECTED, 400, now), JA_OK);
  /* Someone else's reject drops nothing, counts nothing. */
  assert_int_equal(ja__store_reject(d, "B", &b.rows[1], JA__DROP_REJECTED, 400, now), JA_OK);
  assert_int_equal(sql("select count from drop_counts where reason = 'rejected'"), 1);
  assert_int_equal(queued(), 2);
  assert_int_equal(ja__store_release(d, "A", b.rows, b.n, "server", 503, now, now + 5000), JA_OK);
  assert_int_equal(held(NULL), 0);
  ja__upload_state st;
  assert_int_equal(ja__store_upload_state(d, &st), JA_OK);
  assert_int_equal(st.next_attempt_ms, now + 5000);
  assert_int_equal(st.last_attempt_ms, now);
  assert_string_equal(st.last_error, "server");
  assert_int_equal(st.last_status, 503);
  ja__store_batch_free(&b);
  ja_store_close(s);
}

/* Ack, release and reject run once per batch over the uuids as a JSON
 * array (store/lease.c: uuid_array): a hand-edited uuid holding JSON's
 * own syntax is still exactly itself — never another row's uuid, never
 * a malformed array — and only the given rows are touched. */
static void test_drain__ack_and_release_touch_exactly_the_given_uuids(void **state)
{
  (void)state;
  ja_store *s = store_with(6);
  ja__db *d = &s->db;
  /* Row 2's uuid, unescaped inside a JSON array, would read as the two
   * uuids of rows 3 and 4. */
  assert_int_equal(sqlite3_exec(d->db,
                                "UPDATE events SET uuid = CASE id"
                                " WHEN 1 THEN 'q\"uo\\te'"
                                " WHEN 2 THEN 'x\",\"y'"
                                " WHEN 3 THEN 'x'"
                                " WHEN 4 THEN 'y'"
                                " WHEN 5 THEN 'nl' || char(10) || char(1) ELSE uuid END",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  int64_t now = ja__now_ms();
  ja__lease_batch b = {0};
  assert_int_equal(ja__store_claim_rows(d, "A", now, now + 60000, 10, JA__UP_MAX_BODY, 256, &b), JA_OK);
  assert_int_equal(b.n, 6);
  assert_string_equal(b.rows[1].uuid, "x\",\"y");
  /* Ack rows 1, 2 and 5 (not 3, 4, 6). */
  ja__lease_row acked[3] = {b.rows[0], b.rows[1], b.rows[4]};
  int64_t del = -1;
  assert_int_equal(ja__store_ack(d, "A", acked, 3, 200, now, &del), JA_OK);
  assert_int_equal(del, 3);
  assert_int_equal(sql("select count(*) from sent where uuid in"
                       " ('q\"uo\\te', 'x\",\"y', 'nl' || char(10) || char(1))"), 3);
  assert_int_equal(sql("select count(*) from sent"), 3);
  assert_int_equal(sql("select sent from queue_stats"), 3);
  char *left = jt_sql_text(jt_db_path(), "select group_concat(id) from (select id from events e"
                                         " where uuid in (select uuid from pending) order by id)");
  assert_string_equal(left, "3,4,6");
  free(left);
  assert_int_equal(held("A"), 3);
  /* Release row 3 only: 4 and 6 stay A's (its lease split around 3). */
  assert_int_equal(ja__store_release(d, "A", &b.rows[2], 1, NULL, 0, now, 0), JA_OK);
  assert_int_equal(sql("select count(*) from events e where uuid = 'x' and not exists"
                       " (select 1 from upload_lease l where e.id between l.lo and l.hi)"), 1);
  assert_int_equal(held("A"), 2);
  /* Another uploader now gets exactly row 3. */
  ja__lease_batch o = {0};
  assert_int_equal(ja__store_claim_rows(d, "B", now, now + 60000, 10, JA__UP_MAX_BODY, 256, &o), JA_OK);
  assert_int_equal(o.n, 1);
  assert_string_equal(o.rows[0].uuid, "x");
  assert_int_equal(ja__store_release(d, "B", o.rows, o.n, NULL, 0, now, 0), JA_OK);
  ja__store_batch_free(&o);
  /* An ack of the rest deletes only what A still holds (3 is no one's: it
   * stays queued, not logged). */
  ja__lease_row rest[3] = {b.rows[2], b.rows[3], b.rows[5]};
  assert_int_equal(ja__store_ack(d, "A", rest, 3, 200, now, &del), JA_OK);
  assert_int_equal(del, 2);
  assert_int_equal(queued(), 1);
  assert_int_equal(sql("select count(*) from sent"), 5);
  assert_int_equal(held(NULL), 0);
  assert_int_equal(sql("select count(*) from upload_lease"), 0); /* emptied leases go */
  ja__store_batch_free(&b);
  ja_store_close(s);
}

/* sent_log is kept 30 days: older rows go, in bounded steps. */
static void test_drain__sent_log_pruned_after_30_days(void **state)
{
  (void)state;
  ja_store *s = store_with(3);
  fake f;
  fake_init(&f);
  ja__upload_opts o;
  opts_init(&o, &f);
  int64_t t0 = ja__now_ms();
  o.now_ms = t0;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(sql("select count(*) from sent"), 3);
  fake_free(&f);
  o.now_ms = t0 + 29LL * 86400000;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(sql("select count(*) from sent"), 3);
  o.now_ms = t0 + 31LL * 86400000;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(sql("select count(*) from sent"), 0);
  assert_int_equal(sql("select sent from queue_stats"), 0);
  ja__db *d = &s->db;
  int64_t removed = -1;
  assert_int_equal(ja__store_prune_sent(d, t0, 10, t0, &removed), JA_OK);
  assert_int_equal(removed, 0);
  ja_store_close(s);
}

/* The deadline passing between two requests of one batch (a 413 halving
 * here) stops the run with the events given back, not left leased until
 * the lease expires. */
static void test_drain__deadline_between_halves_releases_the_batch(void **state)
{
  (void)state;
  ja_store *s = store_with(2);
  fake f;
  fake_init(&f);
  f.default_status = 413;
  /* The first request alone outlasts the deadline (fake time: no
   * margin for the machine's load is needed). */
  f.delay_ms = 4000;
  ja__upload_opts o;
  opts_init(&o, &f);
  o.deadline_ms = 3000;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_TEMPFAIL);
  assert_int_equal(f.nreq, 1);
  assert_int_equal(queued(), 2);
  assert_int_equal(held(NULL), 0);
  fake_free(&f);
  ja_store_close(s);
}

/* ------------------------------------- counters with the triggers off */

/* @p q on a connection of its own, as a hand edit with sqlite3 would be. */
static void
hand_exec(const char *q)
{
  sqlite3 *db;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char *err = NULL;
  int rc = sqlite3_exec(db, q, NULL, NULL, &err);
  if (rc != SQLITE_OK)
    fail_msg("%s: %s", q, err ? err : "?");
  sqlite3_close(db);
}

/* queue_stats is what the rows say: pending events, and what the `sent`
 * view holds; no pending event lies below the settled boundary, and sent
 * marks never overlap. */
static void
assert_counts_exact(void)
{
  assert_int_equal(sql("select events from queue_stats"), sql("select count(*) from pending"));
  assert_int_equal(sql("select sent from queue_stats"), sql("select count(*) from sent"));
  assert_int_equal(sql("select count(*) from events where uuid in (select uuid from pending)"
                       " and id < (select settled from queue_stats)"), 0);
  assert_int_equal(sql("select count(*) from sent_mark a join sent_mark b on a.lo < b.lo"
                       " and b.lo <= a.hi"), 0);
  /* events_span holds the extremes of the rollup-made events (sent or not)
   * per 256 ids. */
  assert_int_equal(sql("select count(*) from (select span, lo, hi from events_span except"
                       " select id >> 8, min(ts_ms), max(ts_ms) from events where event in"
                       " ('chat_session_ended','first_chat_sent','tool_first_used',"
                       "'usage_daily_summary') group by id >> 8)"), 0);
  assert_int_equal(sql("select count(*) from (select id >> 8, min(ts_ms), max(ts_ms) from events"
                       " where event in ('chat_session_ended','first_chat_sent',"
                       "'tool_first_used','usage_daily_summary') group by id >> 8 except"
                       " select span, lo, hi from events_span)"), 0);
}

static int hand_round;

/* Mid-drain, between a claim and its ack: what someone with sqlite3 might
 * do — delete a queued event (one of the batch in flight, too), queue one
 * (a rollup-made one: its span), log and forget sent rows. */
static void
hand_edits(fake *f)
{
  (void)f;
  char q[1024];
  int k = hand_round++;
  snprintf(q, sizeof q,
           "delete from events where id = (select min(id) from events);"
           "delete from events where id = (select max(id) from events where event = 'feature_used');"
           "insert into events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms)"
           " values ('hand-%d', %d, '2026-03-01T00:00:00.000Z', 'anon', 'chat_session_ended',"
           " '{}', NULL);" /* NULL: not aged (001/003) */
           "insert into sent_log (uuid, event, properties, timestamp, sent_ms)"
           " values ('hand-sent-%d', 'e', '{}', 't', 1);"
           "delete from sent_log where rowid = (select min(rowid) from sent_log);",
           k, 1000 + k, k);
  hand_exec(q);
}

/* The uploader keeps queue_stats itself (its connection runs with
 * triggers off): exact after a drain of captured and rollup-made events,
 * with hand edits from another connection between its claims and acks,
 * and the triggers back on for the handle afterwards. */
static void test_drain__counts_exact_with_hand_edits_mid_drain(void **state)
{
  (void)state;
  ja_store *s = store_with(300);
  /* Rollup-made events spread over several spans (ids of 256). */
  hand_exec("insert into events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms)"
            " with recursive n(v) as (select 1 union all select v + 1 from n where v < 300)"
            " select 'made-' || v, 5000 - v, '2026-03-01T00:00:00.000Z', 'anon',"
            " 'usage_daily_summary', '{}', 5000 - v from n");
  assert_counts_exact();
  fake f;
  fake_init(&f);
  f.on_send = hand_edits;
  ja__upload_opts o;
  opts_init(&o, &f);
  o.max_batches = 3;
  ja__upload_report r;
  hand_round = 0;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(r.batches, 3);
  assert_counts_exact(); /* part of the queue sent */
  fake_free(&f);
  o.max_batches = 0;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_counts_exact();
  /* The handle's triggers are back on: a capture counts. */
  int64_t before = sql("select events from queue_stats");
  ja_outcome out = JA_OUTCOME_INIT;
  assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &out), JA_OK);
  assert_int_equal(out.result, JA_RESULT_STORED);
  jt_flush(s);
  assert_int_equal(sql("select count(*) from pending"), before + 1);
  assert_int_equal(sql("select events from queue_stats"), before + 1);
  assert_counts_exact();
  /* A sent_log prune on this handle outside a drain runs the triggers. */
  hand_exec("insert into sent_log (uuid, event, properties, timestamp, sent_ms)"
            " values ('old', 'e', '{}', 't', 5)");
  int64_t removed = 0;
  assert_int_equal(ja__store_prune_sent(&s->db, 10, 100, ja__now_ms(), &removed), JA_OK);
  assert_true(removed >= 1);
  assert_counts_exact();
  fake_free(&f);
  ja_store_close(s);
}

static int triggers_run;

static int
count_triggers(unsigned type, void *ctx, void *p, void *x)
{
  (void)type;
  (void)ctx;
  (void)p;
  if (x && strncmp((const char *)x, "-- TRIGGER ", 11) == 0)
    triggers_run++;
  return 0;
}

/* What the ack costs, as structure (never time): no trigger runs on the
 * uploader's connection during a drain, and acknowledging a batch costs
 * the same whatever its size — one sent mark, one count — with no event
 * row copied or deleted (each copy, delete or index entry per event
 * showed as VM operations per event). */
static void test_drain__ack_costs_the_same_for_any_batch_size(void **state)
{
  (void)state;
  int64_t steps[2];
  const int sizes[2] = {10, 1000};
  for (int k = 0; k < 2; k++) {
    ja_store *s = store_with(sizes[k]);
    assert_non_null(s->db.db);
    sqlite3_trace_v2(s->db.db, SQLITE_TRACE_STMT, count_triggers, NULL);
    triggers_run = 0;
    fake f;
    fake_init(&f);
    ja__upload_opts o;
    opts_init(&o, &f);
    o.batch_size = sizes[k];
    ja__upload_report r;
    assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
    assert_int_equal(r.sent, sizes[k]);
    assert_int_equal(r.batches, 1);
    assert_int_equal(triggers_run, 0);
    steps[k] = 0;
    const int ack[] = {JA__Q_MARK_ADD, JA__Q_COUNTS_MOVE, JA__Q_SETTLED_SET, JA__Q_LEASE_DROP};
    for (size_t i = 0; i < sizeof ack / sizeof ack[0]; i++)
      if (s->db.q[ack[i]])
        steps[k] += sqlite3_stmt_status(s->db.q[ack[i]], SQLITE_STMTSTATUS_VM_STEP, 0);
    assert_int_equal(sql("select count(*) from events"), sizes[k]);
    assert_int_equal(sql("select count(*) from sent_mark"), 1);
    assert_counts_exact();
    sqlite3_trace_v2(s->db.db, 0, NULL, NULL);
    /* A capture on the same handle after the run runs its triggers again. */
    triggers_run = 0;
    sqlite3_trace_v2(s->db.db, SQLITE_TRACE_STMT, count_triggers, NULL);
    ja_outcome out = JA_OUTCOME_INIT;
    assert_int_equal(ja_capture(s, "feature_used", "{\"feature_name\":\"chat\"}", &out), JA_OK);
    jt_flush(s);
    assert_true(triggers_run > 0);
    sqlite3_trace_v2(s->db.db, 0, NULL, NULL);
    fake_free(&f);
    ja_store_close(s);
  }
  print_message("ack VM steps: batch of %d %lld, batch of %d %lld\n", sizes[0], (long long)steps[0],
                sizes[1], (long long)steps[1]);
  assert_true(steps[0] > 0);
  assert_int_equal(steps[1], steps[0]);
}

static void
deliver_elsewhere(fake *f)
{
  (void)f;
  /* Another upload run (or a purge) takes every event while this request
   * is in flight. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "DELETE FROM events", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static void
mark_sent_elsewhere(fake *f)
{
  (void)f;
  /* Another upload run delivered every event while this request was in
   * flight (its lease had expired): sent events stay in place, marked. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "INSERT INTO sent_mark (lo, hi, sent_ms)"
                                    " SELECT min(id), max(id), 1 FROM events"
                                    " WHERE NOT EXISTS (SELECT 1 FROM sent_mark) HAVING count(*) > 0",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

/* Events another run marked sent while this run's request failed are not
 * this run's to send again, nor a failure to back off from. */
static void test_drain__events_sent_by_another_run_are_neither_resent_nor_a_failure(void **state)
{
  (void)state;
  ja_store *s = store_with(5);
  fake f;
  fake_init(&f);
  f.default_status = 503;
  f.on_send = mark_sent_elsewhere;
  ja__upload_opts o;
  opts_init(&o, &f);
  o.max_retries = 2;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 1); /* the retry found nothing left to send */
  assert_int_equal(sql("select last_error is null and next_attempt_ms = 0 from upload_state"), 1);
  fake_free(&f);
  ja_store_close(s);
}

/* A request that fails after every event of its batch left the queue
 * (delivered by another run, or purged) records no failure and no backoff:
 * nothing of this run is left undelivered. */
static void test_drain__failure_of_events_delivered_elsewhere_is_no_failure(void **state)
{
  (void)state;
  ja_store *s = store_with(5);
  fake f;
  fake_init(&f);
  f.default_status = 503;
  f.on_send = deliver_elsewhere;
  ja__upload_opts o;
  opts_init(&o, &f);
  o.max_retries = 0;
  ja__upload_report r;
  assert_int_equal(ja__upload_run(&s->db, &s->cfg, &f.t, &o, &r), JA_OK);
  assert_int_equal(r.outcome, JA__UP_DONE);
  assert_int_equal(f.nreq, 1);
  assert_int_equal(sql("select last_error is null and next_attempt_ms = 0 from upload_state"), 1);
  fake_free(&f);
  ja_store_close(s);
}
