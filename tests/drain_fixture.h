/*
 * drain_fixture.h — the fake transport and clocks the test_drain_*.c files
 * drain against, and the queries they check the store with.
 */
#ifndef JA_TEST_DRAIN_FIXTURE_H
#define JA_TEST_DRAIN_FIXTURE_H

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

char * jt_drain_inflate_body(const char *gz, size_t len);

ja_status jt_drain_fake_send(ja__transport *t, const char *body, size_t len, int64_t timeout_ms, ja__http_answer *ans);

void jt_drain_fake_close(ja__transport *t);

void jt_drain_fake_sleep(int64_t ms, void *payload);

int64_t jt_drain_fake_wall(void *payload);

int64_t jt_drain_fake_mono(void *payload);

void jt_drain_fake_init(fake *f);

/* How many times @p uuid appears in all bodies the fake was sent. */
int jt_drain_times_sent(const fake *f, const char *uuid);

void jt_drain_fake_free(fake *f);

void jt_drain_opts_init(ja__upload_opts *o, fake *f);

/* A fresh home with the key set and @p n captured events. */
ja_store * jt_drain_store_with(int n);

int64_t jt_drain_queued(void);

int64_t jt_drain_sql(const char *q);

/* Events inside a lease (009_upload_lease.sql), any owner's or @p owner's. */
int64_t jt_drain_held(const char *owner);

int jt_drain_batch_len(const char *body);

/* One drain against the fake: a store with events, the fake answering
 * 200 (change its fields before running), the uploader's options set by
 * jt_drain_opts_init, and the report of the last run. */
typedef struct drain {
  ja_store *s;
  fake f;
  ja__upload_opts o;
  ja__upload_report r;
} drain;

/* @p dr with a fresh store of @p n captured events (jt_drain_store_with). */
void jt_drain_begin(drain *dr, int n);

/* One upload run of @p dr's store to its fake, which must return JA_OK:
 * the run's outcome (also in dr->r). */
ja__up_outcome jt_drain_run(drain *dr);

/* The store closed and opened again (the environment changed). */
void jt_drain_reopen(drain *dr);

/* The bodies sent freed, the store closed. */
void jt_drain_end(drain *dr);

/* Every one of the @p n events is still queued and none is leased:
 * nothing was sent, nothing is left held by a run that gave up. */
void jt_drain_expect_kept(int64_t n);

/* The failure class the last run recorded (upload_state.last_error). */
void jt_drain_expect_last_error(const char *cls);

/* ja__store_claim_rows with the uploader's byte budget and 256 bytes of
 * framing an event, which must return JA_OK: how many events @p owner
 * got in @p b. */
size_t jt_drain_claim(ja__db *d, const char *owner, int64_t now, int64_t until, int limit,
                      ja__lease_batch *b);

#endif
