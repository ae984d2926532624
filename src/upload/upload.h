/*
 * upload/upload.h — the uploader, linked into jarvis-analytics-upload only
 * (never into the library hosts embed), split so every decision is
 * testable without a network: the retry policy (policy.c), the body
 * encoder (encode.c) and the send-time filters (recheck.c) are pure
 * functions, the transport is one small interface (transport.h: libcurl
 * in transport_curl.c, a scripted fake in the tests), and run.c drives
 * claim → filter → encode → send → ack/release.
 */
#ifndef JA_UPLOAD_UPLOAD_H
#define JA_UPLOAD_UPLOAD_H

#include "boot.h"

#include <signal.h>

#include "filter/drop.h"
#include "util/buf.h"

/* The signal (SIGINT, SIGTERM) that asked the run to stop, or 0. Set by the
 * program's handler, read by the run between steps and by the transport
 * during a request: the run then gives its reservations back and returns
 * JA__UP_INTERRUPTED. */
extern volatile sig_atomic_t ja__upload_signal;

/* ---------------------------------------------------------- policy.c */

/* Longest backoff between two attempts of a batch. */
#define JA__UP_BACKOFF_MAX_MS 30000
/* The first backoff (then 2x, 4x …). */
#define JA__UP_BACKOFF_BASE_MS 1000
/* A Retry-After further away than this is read as this (a broken or
 * hostile header must not park the queue for years). */
#define JA__UP_RETRY_AFTER_MAX_MS (INT64_C(24) * 3600 * 1000)

/* What to do with a batch after the server's answer. */
typedef enum ja__up_action {
  JA__UP_ACK,      /* 2xx: delete exactly the sent uuids, log them to sent_log */
  JA__UP_RETRY,    /* 408/429/5xx/network: send the same events again after delay_ms */
  JA__UP_GIVE_UP,  /* retryable, but the retries are spent: keep every event,
                      no attempt before now + delay_ms (persisted next_attempt_at) */
  JA__UP_SPLIT,    /* 413: halve the batch (a single event: drop it, counted) */
  JA__UP_BISECT,   /* 400: bisect (a single event: drop it, counted) */
  JA__UP_AUTH,     /* 401/403: stop, keep everything, configuration error */
  JA__UP_CONFIG    /* any other answer (3xx, 404 …): the host is wrong; stop, keep */
} ja__up_action;

typedef struct ja__up_decision {
  ja__up_action action;
  int64_t delay_ms;          /* RETRY/GIVE_UP: wait this long; else 0 */
} ja__up_decision;

/* The retry policy, a pure function (no clock, no socket). @p status is the
 * HTTP status, or 0 when no answer came (connection refused or dropped,
 * timeout, TLS failure). @p retries is how many retries of this batch were
 * already made in this run, @p max_retries the most allowed (so at most
 * max_retries + 1 requests). The backoff is base_ms · 2^retries, at most
 * JA__UP_BACKOFF_MAX_MS; a Retry-After (@p retry_after: delta-seconds or an
 * HTTP-date compared with @p now_ms; NULL or unparsable: none) is a floor.
 * @p base_ms <= 0 means JA__UP_BACKOFF_BASE_MS. */
ja__up_decision ja__upload_policy(int status, int retries, int max_retries,
                                  const char *retry_after, int64_t now_ms, int64_t base_ms);
/* The Retry-After header as a delay from @p now_ms in ms (0 for a date in
 * the past), at most JA__UP_RETRY_AFTER_MAX_MS; -1 when absent or unparsable. */
int64_t ja__upload_retry_after_ms(const char *retry_after, int64_t now_ms);
/* "server" (5xx), "rate_limited" (429), "timeout" (408), "network" (0),
 * "rejected" (400/413), "auth" (401/403), "unexpected" (anything else), or
 * "" for 2xx: the error class kept in the upload state and shown by status.
 * The run adds "request" (every event of a batch refused, down to single
 * events: the request is wrong, not the events). */
const char *ja__upload_error_class(int status);
/* Whether a 2xx answer's body is PostHog's: a JSON object whose "status" is
 * 1 (the capture API) or "Ok" (capture-rs). Anything else — a proxy's or a
 * captive portal's page, an empty body, another server — is no delivery.
 * @p cut: the body was longer than the @p len bytes kept. */
int ja__upload_answer_ok(const char *body, size_t len, int cut);

/* ---------------------------------------------------------- encode.c */

/* Most uncompressed bytes in one request body (the batch API's limit). */
#define JA__UP_MAX_BODY 5000000
/* What encode.c adds around each event besides the stored fields (the
 * $lib … properties, keys, quotes): used to size a batch before encoding. */
#define JA__UP_EVENT_OVERHEAD 256

/* One queued event as stored: the fields are spliced into the body as
 * they are (never re-printed: cJSON would round numbers and reorder). */
typedef struct ja__up_event {
  const char *uuid;         /* stored uuid (byte-identical on every attempt) */
  const char *timestamp;    /* stored ISO-8601 capture time */
  const char *distinct_id;  /* anon_id at capture */
  const char *event;        /* catalog event name */
  const char *properties;   /* stored redacted JSON object text */
} ja__up_event;

/* Start a body: `{"api_key":KEY,"sent_at":"<now_ms>","batch":[`. */
ja_status ja__upload_encode_begin(ja__buf *b, const char *api_key, int64_t now_ms);
/* Append one event (with a comma when it is not the first): its stored
 * properties with "$lib", "$lib_version", "$geoip_disable": true and
 * "$process_person_profile": false added. JA_EINVALID when the stored
 * properties are not a JSON object's text. */
ja_status ja__upload_encode_event(ja__buf *b, const ja__up_event *e, int first);
/* Close the body: `]}`. */
ja_status ja__upload_encode_end(ja__buf *b);
/* The whole body of @p n events (begin + each + end). */
ja_status ja__upload_encode(ja__buf *b, const char *api_key, int64_t now_ms,
                            const ja__up_event *ev, size_t n);
/* Append @p s as a JSON string (quotes, escapes). */
ja_status ja__upload_json_string(ja__buf *b, const char *s);
/* The key as shown anywhere (dry-run, --verbose, status): its first 4
 * characters then "***" (only "***" for a key under 12 characters; ""
 * stays ""). Never the key. */
void ja__upload_mask_key(const char *key, char out[16]);

/* --------------------------------------------------------- recheck.c */

/* What the filters of this build make of one claimed row. */
typedef struct ja__up_verdict {
  ja__drop drop;            /* JA__DROP_NONE: send it; else why it is dropped
                               (unknown_event, malformed) */
  char *props;              /* when sent: its properties as the filters leave
                               them (owned; ja__upload_verdict_free) */
  int changed;              /* props differ from the stored text */
  unsigned drops[JA__DROP_COUNT]; /* properties removed, by reason */
} ja__up_verdict;

/* Run the catalog and redaction of this build on a stored row (and check
 * its uuid, timestamp and distinct_id are well formed): JA_OK with the
 * verdict in @p out, or JA_ENOMEM. Never fails on what the row holds. */
ja_status ja__upload_recheck(const char *uuid, const char *timestamp, const char *distinct_id,
                             const char *event, const char *properties, ja__up_verdict *out);
void ja__upload_verdict_free(ja__up_verdict *v);

/* ------------------------------------------------------------- run.c */

typedef struct ja__transport ja__transport;
typedef struct ja__db ja__db;
typedef struct ja__config ja__config;

/* How a run ended (the program maps it to 0 / 75 / 78 / 128 + signal). */
typedef enum ja__up_outcome {
  JA__UP_DONE = 0,     /* queue drained (or --max-batches reached), nothing to
                          do, or analytics turned off (what was queued deleted) */
  JA__UP_TEMPFAIL,     /* offline, 5xx, deadline, backoff pending, events
                          reserved by another run: events kept */
  JA__UP_CONFIGFAIL,   /* 401/403, an unusable host or key, an answer that is
                          not PostHog's, every event of a batch refused: kept */
  JA__UP_INTERRUPTED   /* SIGINT/SIGTERM: reservations given back, events kept */
} ja__up_outcome;

/* The clocks a run reads, injected so that a test's fake can make time
 * pass in its sleep: deadline and backoff tests then run in milliseconds
 * and never depend on the machine's load. */
typedef struct ja__upload_clock {
  int64_t (*wall_ms)(void *payload);  /* UTC ms (sent_at, leases, backoff) */
  int64_t (*mono_ms)(void *payload);  /* monotonic ms (the deadline) */
  void (*sleep_ms)(int64_t ms, void *payload); /* wait between attempts */
  void *payload;
} ja__upload_clock;
/* CLOCK_REALTIME, CLOCK_MONOTONIC and nanosleep. */
extern const ja__upload_clock ja__upload_real_clock;

/* What a run does. */
typedef struct ja__upload_opts {
  int dry_run;              /* print the bodies (key masked) to out, change nothing */
  int64_t batch_size;       /* events per request; 0: [analytics] flush_at_size */
  int64_t max_batches;      /* batches claimed at most; 0: until the queue is empty */
  int max_retries;          /* retries per batch (so at most max_retries + 1 requests) */
  int64_t deadline_ms;      /* the whole run's budget (requests, waits) */
  int64_t now_ms;           /* the run's start on the wall clock; 0: the clock's */
  int verbose;              /* one line per request on err */
  int progress;             /* a progress line on err (a TTY) */
  int64_t backoff_base_ms;  /* 0: JA__UP_BACKOFF_BASE_MS */
  int64_t max_body;         /* most uncompressed bytes one request may hold, checked
                               on each encoded body; 0: JA__UP_MAX_BODY. Claims
                               size batches by JA__UP_MAX_BODY whatever this says.
                               A test lowers it: no row the send-time filters pass
                               comes near 5 MB, so only a lower limit reaches the
                               local too_large drop. */
  const ja__upload_clock *clock; /* NULL: ja__upload_real_clock */
  FILE *out, *err;          /* dry-run bodies / verbose lines */
} ja__upload_opts;

/* What a run did. */
typedef struct ja__upload_report {
  ja__up_outcome outcome;
  const char *stopped;      /* why it stopped, one word: "drained", "max_batches",
                               "nothing", "deadline", "backoff", "server",
                               "network", "auth", "host", "answer", "request",
                               "reserved", "opted_out", "no_key", "signal" */
  int64_t sent;             /* events the server accepted */
  int64_t dropped[JA__DROP_COUNT]; /* events this run dropped, by reason (the
                               filters at send time, the server's refusals,
                               the local size limit) */
  int64_t ndropped;         /* their total */
  int64_t props_removed;    /* properties the filters removed at send time */
  int64_t kept;             /* events still queued when it stopped */
  int64_t reserved;         /* of those, held by another upload run's lease … */
  int64_t reserved_until_ms;/* … until (the latest expiry; 0: none) */
  int64_t requests;         /* HTTP requests made */
  int64_t batches;          /* batches claimed (or printed, --dry-run) */
  int64_t purged;           /* analytics off: queued events deleted */
  int64_t next_attempt_ms;  /* TEMPFAIL: no attempt before this (0: none) */
  int signal;               /* JA__UP_INTERRUPTED: which */
  char why[512];            /* not DONE: one line (never the key, never user info) */
} ja__upload_report;

/* Drain the queue through @p t, below the public API: @p d is
 * an open connection to an existing queue (the caller opened it; the run
 * never creates one) and @p cfg the configuration read from the
 * environment and config.toml (host, key, batch size, analytics on/off).
 * @p t may be NULL for a dry run or when analytics is off. Returns JA_OK
 * with the outcome in @p r, or a store error (JA_EBUSY, JA_EIO …) — events
 * are kept then. */
ja_status ja__upload_run(ja__db *d, const ja__config *cfg, ja__transport *t,
                         const ja__upload_opts *o, ja__upload_report *r);

/* ----------------------------------------------------------- queue.c */

/* The uploader's own connection to the queue of @p cfg's home (never the
 * one a ja_store handle writes through): *present = 0 (JA_OK, nothing
 * opened, nothing created) when there is no home or no queue. */
ja_status ja__upload_open_queue(ja__db *d, const ja__config *cfg, int *present);

#endif
