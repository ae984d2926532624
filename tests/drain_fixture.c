/*
 * drain_fixture.c — the helpers declared in drain_fixture.h, shared by the
 * test_drain_*.c files.
 */
#include "drain_fixture.h"

char *
jt_drain_inflate_body(const char *gz, size_t len)
{
  size_t cap = len * 100 + 65536;
  char *out = malloc(cap);
  assert_non_null(out);
  out[jt_gunzip(gz, len, out, cap - 1)] = '\0';
  return out;
}

ja_status
jt_drain_fake_send(ja__transport *t, const char *body, size_t len, int64_t timeout_ms, ja__http_answer *ans)
{
  fake *f = (fake *)t;
  memset(ans, 0, sizeof *ans);
  assert_true(f->nreq < MAXREQ);
  char *json = jt_drain_inflate_body(body, len);
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

int
jt_drain_times_sent(const fake *f, const char *uuid)
{
  int n = 0;
  for (int i = 0; i < f->nreq; i++)
    for (const char *p = f->bodies[i]; (p = strstr(p, uuid)) != NULL; p++)
      n++;
  return n;
}

void
jt_drain_fake_close(ja__transport *t)
{
  (void)t;
}

void
jt_drain_fake_sleep(int64_t ms, void *payload)
{
  fake *f = payload;
  if (f->nslept < 64)
    f->slept[f->nslept++] = ms;
  f->elapsed += ms;
}

int64_t
jt_drain_fake_wall(void *payload)
{
  fake *f = payload;
  return f->wall0 + f->elapsed;
}

int64_t
jt_drain_fake_mono(void *payload)
{
  return ((fake *)payload)->elapsed;
}

void
jt_drain_fake_init(fake *f)
{
  memset(f, 0, sizeof *f);
  f->t.send = jt_drain_fake_send;
  f->t.close = jt_drain_fake_close;
  f->default_status = 200;
  f->wall0 = ja__now_ms();
  f->clock = (ja__upload_clock){jt_drain_fake_wall, jt_drain_fake_mono, jt_drain_fake_sleep, f};
}

void
jt_drain_fake_free(fake *f)
{
  for (int i = 0; i < f->nreq; i++)
    free(f->bodies[i]);
  f->nreq = 0;
}

void
jt_drain_opts_init(ja__upload_opts *o, fake *f)
{
  memset(o, 0, sizeof *o);
  o->max_retries = 3;
  o->deadline_ms = 600000;
  o->clock = &f->clock;
}

/* A fresh home with the key set and @p n captured events. */
ja_store *
jt_drain_store_with(int n)
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

int64_t
jt_drain_queued(void)
{
  return jt_sql_int(jt_db_path(), "select count(*) from pending");
}

int64_t
jt_drain_sql(const char *q)
{
  return jt_sql_int(jt_db_path(), q);
}

/* Events inside a lease (009_upload_lease.sql), any owner's or @p owner's. */
int64_t
jt_drain_held(const char *owner)
{
  char q[512];
  snprintf(q, sizeof q,
           "select count(*) from upload_lease l join events e on e.id between l.lo and l.hi"
           " where %s%s%s", owner ? "l.owner = '" : "1", owner ? owner : "", owner ? "'" : "");
  return jt_drain_sql(q);
}

int
jt_drain_batch_len(const char *body)
{
  cJSON *j = cJSON_Parse(body);
  assert_non_null(j);
  int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "batch"));
  cJSON_Delete(j);
  return n;
}

void
jt_drain_begin(drain *dr, int n)
{
  dr->s = jt_drain_store_with(n);
  jt_drain_fake_init(&dr->f);
  jt_drain_opts_init(&dr->o, &dr->f);
  memset(&dr->r, 0, sizeof dr->r);
}

ja__up_outcome
jt_drain_run(drain *dr)
{
  ja_status st = ja__upload_run(&dr->s->db, &dr->s->cfg, &dr->f.t, &dr->o, &dr->r);
  if (st != JA_OK)
    fail_msg("ja__upload_run: %d: %s", st, ja_last_error());
  return dr->r.outcome;
}

void
jt_drain_reopen(drain *dr)
{
  ja_store_close(dr->s);
  dr->s = jt_open();
}

void
jt_drain_end(drain *dr)
{
  jt_drain_fake_free(&dr->f);
  ja_store_close(dr->s);
  dr->s = NULL;
}

void
jt_drain_expect_kept(int64_t n)
{
  assert_int_equal(jt_drain_queued(), n);
  assert_int_equal(jt_drain_held(NULL), 0);
}

void
jt_drain_expect_last_error(const char *cls)
{
  char *got = jt_sql_text(jt_db_path(), "select last_error from upload_state");
  assert_string_equal(got, cls);
  free(got);
}

size_t
jt_drain_claim(ja__db *d, const char *owner, int64_t now, int64_t until, int limit,
               ja__lease_batch *b)
{
  assert_int_equal(ja__store_claim_rows(d, owner, now, until, limit, JA__UP_MAX_BODY, 256, b), JA_OK);
  return b->n;
}
