/*
 * upload/run.h — the state of one upload run, shared by the files that
 * drive it: run.c (the run: claims, backoff, dry run, progress), batch.c
 * (one batch: the send-time filters, requests, ack/retry/split/release)
 * and gate.c (what may stop a run between two steps).
 */
#ifndef JA_UPLOAD_RUN_H
#define JA_UPLOAD_RUN_H

#include "boot.h"

#include <sys/stat.h>

#include "home/config.h"
#include "store/store.h"
#include "upload/transport.h"
#include "upload/upload.h"
#include "util/buf.h"
#include "util/gzip.h"

typedef struct ja__up_run {
  ja__db *d;                 /* the uploader's connection */
  const ja__config *cfg;     /* host, key, batch size, on/off (as the run began) */
  ja__transport *t;
  const ja__upload_opts *o;
  const ja__upload_clock *clock;
  ja__upload_report *r;
  char owner[40];            /* this run's lease owner (a UUID v4) */
  int64_t start_ms;          /* wall clock at the start (or --now) */
  int64_t t0_ms;             /* the monotonic clock at the start */
  ja__buf body;              /* the JSON body, reused */
  ja__buf gz;                /* its gzip, reused */
  ja__gzipper zip;           /* one deflate stream for every body */
  int any_ok;                /* a request of this run was delivered: the key,
                                host and path work, so a single event the
                                server refuses is the event's fault */
  /* gate.c: config.toml as last read, to re-read it only when it changed */
  struct stat cfg_st;
  int cfg_state;             /* 0 not read yet, 1 read (cfg_st valid), 2 absent */
  /* batch.c: single events the server refused (400/413) while no request of
   * the run had been delivered yet; their verdict waits for the batch's end */
  ja__lease_row *refused;
  size_t nrefused, caprefused;
  int refused_status;        /* the status of the last of them */
  /* run.c: progress on a terminal */
  int64_t total;             /* events queued when the run began */
  int64_t shown_ms;          /* when the progress line was last drawn */
} ja__up_run;

/* ------------------------------------------------------------ run.c */

/* Wall-clock now (ms) and what is left of the deadline (ms, >= 0). */
int64_t ja__up_now(const ja__up_run *u);
int64_t ja__up_left(const ja__up_run *u);
/* Stop the run with @p outcome (why is one printf line, never the key or
 * a host's user info), naming the cause @p stopped; events are released by
 * the caller. Returns JA_OK. */
ja_status ja__up_stop(ja__up_run *u, ja__up_outcome outcome, const char *stopped, int64_t next_ms,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* One --verbose line on err. */
void ja__up_say(ja__up_run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ----------------------------------------------------------- gate.c */

/* Before every claim and request, and after every wait: stop the run (1,
 * outcome set) on a signal, an opt-out written to config.toml since the
 * run began (outcome DONE, stopped "opted_out": the caller deletes what is
 * queued), a mistake written there (CONFIGFAIL, "paused": everything
 * kept), local mode (DONE, "local": everything kept), or the deadline;
 * 0: go on. */
int ja__up_gate(ja__up_run *u);
/* Sleep @p ms on the run's clock, cut short by a signal. */
void ja__up_wait(ja__up_run *u, int64_t ms);

/* ---------------------------------------------------------- batch.c */

/* The send-time filters on a claimed batch: rows the catalog or redaction
 * of this build drop are deleted and counted, rows they change are
 * rewritten and their removed properties counted (one transaction, only
 * when some row needs it). *send gets the rows to send (@p nsend of them;
 * their properties point into *props, n entries to free with
 * ja__up_filtered_free). With @p settle 0 (a dry run) nothing is written. */
ja_status ja__up_filter(ja__up_run *u, const ja__lease_batch *b, int settle,
                        ja__lease_row **send, size_t *nsend, char ***props);
void ja__up_filtered_free(ja__lease_row *send, char **props, size_t n);
/* Encode rows[0..n) into u->body with @p key. */
ja_status ja__up_encode(ja__up_run *u, const ja__lease_row *rows, size_t n, const char *key);
/* Send one filtered batch until the server takes it, refuses single events
 * while it takes others (dropped, counted), or the run must stop
 * (u->r->outcome set; the caller gives back what is still held). */
ja_status ja__up_send_batch(ja__up_run *u, const ja__lease_row *rows, size_t n);

#endif
