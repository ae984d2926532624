/*
 * api/writer.h — the handle's writer: callers put filtered events and
 * session signals in a bounded in-memory buffer and return; one thread per
 * handle commits what is buffered in groups (one transaction, one fsync).
 * writer.c owns the buffer and the thread, group.c what one group writes,
 * fork.c what a fork() does to handles.
 */
#ifndef JA_API_WRITER_H
#define JA_API_WRITER_H

#include "boot.h"

#include <pthread.h>

#include "filter/event.h"
#include "rollup/rollup.h"

/* A group holds at most this many events and signals (a batch from
 * ja_capture_many is never split: it is one transaction however large). */
#define JA__WRITER_GROUP_ROWS 256
/* How long the thread waits for a group to fill after its first job, when
 * nobody waits for it: one fsync per 10 ms at most under a steady trickle. */
#define JA__WRITER_LINGER_MS 10
/* After a group that left a backlog (a saturated writer), the next one
 * starts no sooner than this after the last commit: the store's lock must
 * stay free long enough for other processes (another writer, the
 * uploader), whose busy handler polls at most 1 ms apart, or they would
 * starve behind back-to-back groups. */
#define JA__WRITER_GAP_MS 2
/* Tries of one group (a failure that is not "busy": I/O error, disk full,
 * corruption found), all within busy_timeout_ms of the group's start. */
#define JA__WRITER_TRIES 3
/* Default bounds of the buffer (ja_options buffer_max_events / _bytes). */
#define JA__WRITER_MAX_ROWS 10000
#define JA__WRITER_MAX_BYTES (INT64_C(8) << 20)

typedef struct ja_store ja_store;

/* One event of a job: filtered on the caller's thread. */
typedef struct ja__job_event {
  ja__event ev;              /* spec NULL: unknown (only its drops are kept);
                                ev.props_json belongs to the job */
  char uuid[37];             /* given when accepted (the caller's outcome has it) */
  int64_t ts_ms;             /* capture time */
} ja__job_event;

/* What callers hand the writer: events (one capture, or a batch), one
 * session signal, or nothing (a flush that needs a group to run). One
 * allocation, freed by the writer thread after its group. */
typedef struct ja__job {
  struct ja__job *next;      /* next in the buffer */
  uint64_t seq;              /* acceptance order on this handle, from 1 */
  size_t rows;               /* events or signals it holds (0: nothing) */
  size_t bytes;              /* memory it holds (the buffer's byte bound) */
  int64_t deadline_ns;       /* a JA_OPEN_SYNC caller's: its group gives up
                                waiting for the store by then (0: none) */
  int is_signal;             /* sig is set (else ev[0 .. n)) */
  ja__sig_hashed sig;        /* the signal, checked and hashed */
  size_t n;                  /* events */
  ja__job_event ev[];        /* the events */
} ja__job;

/* A caller waiting for the job numbered @p seq (and all before it). */
typedef struct ja__writer_wait {
  struct ja__writer_wait *next; /* next waiter */
  uint64_t seq;              /* what it waits for */
  int done;                  /* set by the thread */
  ja_status status;          /* of the group that held job seq */
  ja__drop reason;           /* why that group was dropped (status != JA_OK) */
  uint64_t dropped;          /* rows the thread dropped up to that group */
  char msg[256];             /* ja_last_error() of that group's failure */
} ja__writer_wait;

/* The buffer and the thread. Lock order: the handle's lock (s->lock)
 * before m, never the other way round; m is held for microseconds. */
typedef struct ja__writer {
  pthread_mutex_t m;         /* guards every field below */
  pthread_cond_t work;       /* the thread waits here (CLOCK_MONOTONIC) */
  pthread_cond_t done;       /* waiters wait here */
  ja__job *head, *tail;      /* accepted, not yet taken by the thread */
  size_t queued;             /* rows in head..tail */
  size_t rows, bytes;        /* held in memory: buffered + being written */
  size_t max_rows;           /* bounds (ja_options buffer_max_*) */
  size_t max_bytes;
  uint64_t seq;              /* the last job number handed out */
  uint64_t done_seq;         /* every job up to here is written or dropped */
  int64_t first_ns;          /* when the oldest buffered job came (linger) */
  int64_t committed_ns;      /* when the last group was done */
  int backlog;               /* the last group left jobs behind (saturated) */
  ja__writer_wait *waits;    /* callers waiting (sync calls, flushes) */
  int sleeping;              /* the thread waits for a first job: wake it */
  int lingering;             /* the thread waits for a group to fill */
  int stop;                  /* closing: write everything left, then exit */
  int started;               /* the thread exists (started by the first job) */
  int running;               /* the thread reached its loop (start waits for
                                it: a fork() never finds it half made) */
  int init;                  /* m, work and done are initialised */
  pthread_t thread;
  uint64_t dropped;          /* rows the thread dropped, in all */
  uint64_t reported;         /* of those, reported by a ja_flush */
  ja_status failed;          /* the latest dropped group's status … */
  char failed_msg[256];      /* … and its message */
} ja__writer;

/* What one group came to (group.c → writer.c). */
typedef struct ja__group_result {
  ja_status status;          /* JA_OK: committed; else dropped (counted) */
  ja__drop reason;           /* the drop reason counted (JA__DROP_NONE
                                with a failed status: not counted — its
                                JA_OPEN_SYNC callers got the failure) */
  char msg[256];             /* ja_last_error() of the failure */
} ja__group_result;

/* ------------------------------------------------------- api/writer.c */

/* Set up @p w with its bounds (0: the defaults). JA_ENOMEM on failure. */
ja_status ja__writer_init(ja__writer *w, int64_t max_rows, int64_t max_bytes);
/* A job with room for @p n events (zeroed), or NULL. */
ja__job *ja__writer_job(size_t n);
/* Free @p j and its events' memory (a job never handed to the writer). */
void ja__writer_job_free(ja__job *j);
/* Hand @p job to the writer (starting its thread the first time). The
 * buffer takes as many of its rows as it has room for (a prefix of
 * ev[]; a signal is one row): *accepted. Rows past that are freed here
 * and the caller counts them as queue_full; a job with nothing accepted
 * is freed. With JA_OPEN_SYNC its group waits for the store no later
 * than the call's deadline @p dl, and this returns once that group is
 * written: its status (the group's) and, when dropped, @p *reason.
 * JA_ENOMEM when the thread cannot be started (nothing accepted). */
ja_status ja__writer_put(ja_store *s, ja__job *job, ja__deadline dl, size_t *accepted,
                         ja__drop *reason);
/* ja_flush: wait until every job accepted before the call is done. */
ja_status ja__writer_flush(ja_store *s, int64_t timeout_ms);
/* Closing: write what is left as one group, stop and join the thread,
 * free the buffer. */
void ja__writer_stop(ja_store *s);
/* In a child after fork(): free the buffer without touching the parent's
 * thread or locks. */
void ja__writer_forget(ja__writer *w);

/* -------------------------------------------------------- api/group.c */

/* Write jobs @p jobs (a list of @p rows rows) in one transaction, on the
 * writer thread: the handle's lock and the store's lock waited for until
 * busy_timeout_ms from now, failures other than busy tried again within
 * it, then dropped and counted by reason. Returns 1 when it got the
 * handle's lock, which it then still holds (the caller releases it with
 * ja__api_unlock once done with the group), else 0. */
int ja__group_write(ja_store *s, ja__job *jobs, size_t rows, ja__group_result *r);

/* --------------------------------------------------------- api/fork.c */

/* Track @p s so that fork() leaves no transaction of it half done and
 * marks it stale in the child. */
void ja__fork_track(ja_store *s);
void ja__fork_untrack(ja_store *s);
/* Whether @p s was opened by another process (this is a forked child). */
int ja__fork_stale(const ja_store *s);

#endif
