/*
 * api/writer.c — the handle's buffer and writer thread: callers put jobs
 * in (bounded in rows and bytes), the thread takes them out in groups and
 * has group.c write each group as one transaction, then wakes whoever waits
 * for it (a JA_OPEN_SYNC call, ja_flush, ja_store_close).
 *
 * Sections: set-up · the thread · putting jobs in · waiting (flush) ·
 * stopping.
 */
#include "boot.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "util/clock.h"

/* --------------------------------------------------------------- set-up */

ja_status
ja__writer_init(ja__writer *w, int64_t max_rows, int64_t max_bytes)
{
  memset(w, 0, sizeof *w);
  w->max_rows = max_rows > 0 ? (size_t)max_rows : JA__WRITER_MAX_ROWS;
  w->max_bytes = max_bytes > 0 ? (size_t)max_bytes : (size_t)JA__WRITER_MAX_BYTES;
  pthread_condattr_t ca;
  if (pthread_condattr_init(&ca) != 0)
    return ja__error_set(JA_ENOMEM, "cannot make the writer's condition");
  /* Timed waits on the monotonic clock: a wall clock set back must not
   * stretch a linger or a flush's timeout. */
  int bad = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0;
  if (!bad && pthread_mutex_init(&w->m, NULL) != 0)
    bad = 1;
  else if (!bad && pthread_cond_init(&w->work, &ca) != 0)
    bad = 2;
  else if (!bad && pthread_cond_init(&w->done, &ca) != 0)
    bad = 3;
  pthread_condattr_destroy(&ca);
  if (bad >= 3)
    pthread_cond_destroy(&w->work);
  if (bad >= 2)
    pthread_mutex_destroy(&w->m);
  if (bad)
    return ja__error_set(JA_ENOMEM, "cannot make the writer's lock");
  w->init = 1;
  return JA_OK;
}

ja__job *
ja__writer_job(size_t n)
{
  return calloc(1, sizeof(ja__job) + n * sizeof(ja__job_event));
}

void
ja__writer_job_free(ja__job *j)
{
  for (size_t i = 0; i < j->n; i++)
    ja__event_free(&j->ev[i].ev);
  free(j);
}

static void
jobs_free(ja__job *j)
{
  while (j) {
    ja__job *next = j->next;
    ja__writer_job_free(j);
    j = next;
  }
}

/* An absolute CLOCK_MONOTONIC time for pthread_cond_timedwait. */
static struct timespec
mono_at(int64_t ns)
{
  struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
  return ts;
}

/* ----------------------------------------------------------- the thread */

/* Take the next group off the buffer: whole jobs, up to
 * JA__WRITER_GROUP_ROWS rows (at least one job; everything when
 * closing). Caller holds m. */
static ja__job *
take_group(ja__writer *w, size_t *rows, size_t *bytes, uint64_t *last_seq)
{
  ja__job *first = w->head, *last = NULL;
  size_t n = 0;
  *bytes = 0;
  for (ja__job *j = w->head; j; j = j->next) {
    if (last && !w->stop && n + j->rows > JA__WRITER_GROUP_ROWS)
      break;
    n += j->rows;
    *bytes += j->bytes;
    last = j;
  }
  w->head = last->next;
  if (!w->head)
    w->tail = NULL;
  last->next = NULL;
  w->queued -= n;
  w->backlog = w->head != NULL;
  if (w->head)
    w->first_ns = ja__mono_ns(); /* what is left has waited long enough too */
  *rows = n;
  *last_seq = last->seq;
  return first;
}

/* After a group: account for it and wake whoever waited for it. Caller
 * holds m. */
static void
publish(ja__writer *w, size_t rows, size_t bytes, uint64_t last_seq, const ja__group_result *r)
{
  w->rows -= rows;
  w->bytes -= bytes;
  w->done_seq = last_seq;
  w->committed_ns = ja__mono_ns();
  if (r->status != JA_OK && r->reason != JA__DROP_NONE) { /* counted: a flush reports it */
    w->dropped += rows;
    w->failed = r->status;
    snprintf(w->failed_msg, sizeof w->failed_msg, "%s", r->msg);
  }
  for (ja__writer_wait *x = w->waits; x; x = x->next)
    if (!x->done && x->seq <= last_seq) {
      x->done = 1;
      x->status = r->status;
      x->reason = r->reason;
      x->dropped = w->dropped;
      if (r->status != JA_OK) /* its own copy: a later group may fail otherwise */
        snprintf(x->msg, sizeof x->msg, "%s", r->msg);
    }
  pthread_cond_broadcast(&w->done);
}

/* Wait until a group is due: it is full, someone waits for it, the handle
 * closes, or JA__WRITER_LINGER_MS passed since its first job — and, after a
 * group that left a backlog, JA__WRITER_GAP_MS after the last commit.
 * Caller holds m and has a job. */
static void
linger(ja__writer *w)
{
  int64_t until = w->first_ns + (int64_t)JA__WRITER_LINGER_MS * 1000000;
  int64_t gap = w->backlog ? w->committed_ns + (int64_t)JA__WRITER_GAP_MS * 1000000 : 0;
  for (;;) {
    int64_t now = ja__mono_ns();
    int due = w->waits || w->queued >= JA__WRITER_GROUP_ROWS || now >= until;
    if (w->stop || (due && now >= gap))
      return;
    struct timespec ts = mono_at(due ? gap : until);
    w->lingering = 1;
    pthread_cond_timedwait(&w->work, &w->m, &ts);
    w->lingering = 0;
  }
}

static void *
writer_main(void *arg)
{
  ja_store *s = arg;
  ja__writer *w = &s->writer;
  pthread_mutex_lock(&w->m);
  w->running = 1;
  pthread_cond_broadcast(&w->done);
  for (;;) {
    while (!w->head && !w->stop) {
      w->sleeping = 1;
      pthread_cond_wait(&w->work, &w->m);
      w->sleeping = 0;
    }
    if (!w->head)
      break; /* closing, and everything is written */
    linger(w);
    size_t rows, bytes;
    uint64_t last_seq;
    ja__job *group = take_group(w, &rows, &bytes, &last_seq);
    pthread_mutex_unlock(&w->m);
    ja__group_result r = {JA_OK, JA__DROP_NONE, ""};
    int locked = ja__group_write(s, group, rows, &r);
    /* Freed before the handle's lock goes: fork() takes that lock first,
     * so the thread is never inside the allocator when a child is made
     * (an allocator without fork handlers would stay locked there). And
     * the waiters are woken once the handle is free again. */
    jobs_free(group);
    if (locked)
      ja__api_unlock(s);
    ja__error_clear(); /* this thread's errors went to r.msg */
    pthread_mutex_lock(&w->m);
    publish(w, rows, bytes, last_seq, &r);
  }
  pthread_mutex_unlock(&w->m);
  return NULL;
}

/* Start the thread with every signal blocked in it: the host's handlers
 * must never run on a thread it does not know. Returns once the thread
 * runs its loop: a thread still being set up (its stack, the allocator's
 * per-thread state) is inside the allocator, and a fork() then would
 * leave the child an allocator locked forever where it has no fork
 * handlers (ASan's). Caller holds m. */
static ja_status
start(ja_store *s)
{
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&s->writer.thread, NULL, writer_main, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0)
    return ja__error_set(JA_ENOMEM, "cannot start the writer thread of '%s': %s", s->db.path,
                         strerror(rc));
  s->writer.started = 1;
  while (!s->writer.running)
    pthread_cond_wait(&s->writer.done, &s->writer.m);
  return JA_OK;
}

/* ------------------------------------------------------ putting jobs in */

/* Bytes one buffered event holds. */
static size_t
event_bytes(const ja__job_event *e)
{
  return sizeof *e + (e->ev.props_json ? strlen(e->ev.props_json) + 1 : 0);
}

/* Cut @p job to what fits in the buffer; the rows accepted. Caller holds m. */
static size_t
fit(ja__writer *w, ja__job *job)
{
  size_t rows = 0, bytes = sizeof *job;
  if (job->is_signal) {
    rows = 1;
  } else {
    for (; rows < job->n; rows++) {
      size_t b = event_bytes(&job->ev[rows]);
      if (w->rows + rows + 1 > w->max_rows || w->bytes + bytes + b > w->max_bytes)
        break;
      bytes += b;
    }
    for (size_t i = rows; i < job->n; i++)
      ja__event_free(&job->ev[i].ev);
    job->n = rows;
  }
  if (job->is_signal && (w->rows + 1 > w->max_rows || w->bytes + bytes > w->max_bytes))
    rows = 0;
  job->rows = rows;
  job->bytes = bytes;
  return rows;
}

/* Number @p job and link it at the buffer's tail, holding job->rows rows
 * and job->bytes bytes. Caller holds m. */
static void
append(ja__writer *w, ja__job *job)
{
  job->seq = ++w->seq;
  if (w->tail)
    w->tail->next = job;
  else
    w->head = job, w->first_ns = ja__mono_ns();
  w->tail = job;
  w->queued += job->rows;
  w->rows += job->rows;
  w->bytes += job->bytes;
}

/* Wait (m held) for @p x to be done: until @p until_ns (0: as long as it
 * takes; the writer bounds every group). 0 when done, -1 at the timeout. */
static int
wait_for(ja__writer *w, ja__writer_wait *x, int64_t until_ns)
{
  x->next = w->waits;
  w->waits = x;
  if (w->lingering || w->sleeping)
    pthread_cond_signal(&w->work); /* someone waits: no lingering */
  while (!x->done) {
    if (until_ns == 0) {
      pthread_cond_wait(&w->done, &w->m);
    } else {
      if (ja__mono_ns() >= until_ns)
        break;
      struct timespec ts = mono_at(until_ns);
      pthread_cond_timedwait(&w->done, &w->m, &ts);
    }
  }
  for (ja__writer_wait **p = &w->waits; *p; p = &(*p)->next)
    if (*p == x) {
      *p = x->next;
      break;
    }
  return x->done ? 0 : -1;
}

ja_status
ja__writer_put(ja_store *s, ja__job *job, ja__deadline dl, size_t *accepted, ja__drop *reason)
{
  ja__writer *w = &s->writer;
  int wait = (s->flags & JA_OPEN_SYNC) != 0; /* a caller waits for its status */
  if (wait)
    job->deadline_ns = dl.at_ns;
  int had_rows = job->is_signal || job->n > 0;
  *accepted = 0;
  *reason = JA__DROP_NONE;
  pthread_mutex_lock(&w->m);
  ja_status st = JA_OK;
  if (!w->started && (st = start(s)) != JA_OK) {
    pthread_mutex_unlock(&w->m);
    ja__writer_job_free(job);
    return st;
  }
  size_t rows = fit(w, job);
  if (rows == 0 && had_rows) {
    pthread_mutex_unlock(&w->m);
    ja__writer_job_free(job);
    return JA_OK;
  }
  *accepted = rows;
  append(w, job);
  /* Wake the thread only when it sleeps, or when a lingering group is now
   * full: a capture into a group that is filling costs no system call. */
  if (w->sleeping || (w->lingering && w->queued >= JA__WRITER_GROUP_ROWS))
    pthread_cond_signal(&w->work);
  if (wait) {
    ja__writer_wait x = {.seq = job->seq};
    wait_for(w, &x, 0);
    st = x.status;
    *reason = x.reason;
    if (st != JA_OK)
      ja__error_set(st, "%s", x.msg);
  }
  pthread_mutex_unlock(&w->m);
  return st;
}

/* ------------------------------------------------------- waiting (flush) */

/* Whether drops are counted in memory only (a full buffer, a group the
 * store could not take): a flush then needs a group to write them. */
static int
counts_in_memory(ja__db *d)
{
  return atomic_load(&d->pending_busy) || ja__store_pending_count(d);
}

ja_status
ja__writer_flush(ja_store *s, int64_t timeout_ms)
{
  ja__writer *w = &s->writer;
  int64_t until = ja__mono_ns() + timeout_ms * 1000000;
  if (until == 0)
    until = 1; /* 0 means "no timeout" to wait_for */
  ja__job *marker = NULL;
  if (counts_in_memory(&s->db) && !(marker = ja__writer_job(0)))
    return ja__error_set(JA_ENOMEM, "out of memory flushing '%s'", s->db.path);
  pthread_mutex_lock(&w->m);
  if (!w->started && !marker) {
    pthread_mutex_unlock(&w->m);
    return JA_OK; /* nothing was ever accepted */
  }
  if (marker) {
    /* An empty job: a group runs, and its transaction folds the counts. */
    ja_status st = w->started ? JA_OK : start(s);
    if (st != JA_OK) {
      pthread_mutex_unlock(&w->m);
      free(marker);
      return st;
    }
    marker->bytes = sizeof *marker;
    append(w, marker);
  }
  ja__writer_wait x = {.seq = w->seq};
  if (w->done_seq >= x.seq) {
    x.done = 1;
    x.dropped = w->dropped;
  } else {
    wait_for(w, &x, until);
  }
  ja_status st = JA_OK;
  if (!x.done) {
    st = ja__error_set(JA_ETIMEOUT, "ja_flush: not everything accepted on '%s' was committed "
                       "within %lld ms (the writer carries on)", s->db.path,
                       (long long)timeout_ms);
  } else if (x.dropped > w->reported) {
    st = ja__error_set(w->failed, "%llu event(s) or signal(s) accepted on '%s' could not be "
                       "stored and were counted as dropped: %s",
                       (unsigned long long)(x.dropped - w->reported), s->db.path, w->failed_msg);
    w->reported = x.dropped;
  }
  pthread_mutex_unlock(&w->m);
  return st;
}

/* -------------------------------------------------------------- stopping */

void
ja__writer_stop(ja_store *s)
{
  ja__writer *w = &s->writer;
  if (!w->init)
    return;
  pthread_mutex_lock(&w->m);
  int started = w->started;
  w->stop = 1;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->m);
  /* The thread writes what is left as one group (bounded like any group:
   * busy_timeout_ms for the lock, JA__WRITER_TRIES), then exits. */
  if (started)
    pthread_join(w->thread, NULL);
  jobs_free(w->head); /* never started: nothing can be buffered */
  pthread_cond_destroy(&w->done);
  pthread_cond_destroy(&w->work);
  pthread_mutex_destroy(&w->m);
  w->init = 0;
}

void
ja__writer_forget(ja__writer *w)
{
  /* The parent's thread does not exist here and m is held (fork.c took it
   * before the fork): nothing is waited for or destroyed, only freed. */
  jobs_free(w->head);
  w->head = w->tail = NULL;
  w->init = 0;
}

/* ---------------------------------------------------------- the public call */

ja_status
ja_flush(ja_store *s, int timeout_ms)
{
  ja__error_clear();
  ja_status st = ja__api_usable(s, "ja_flush");
  if (st != JA_OK)
    return st;
  if (timeout_ms < 0)
    return ja__error_set(JA_EINVALID, "ja_flush: negative timeout %d ms", timeout_ms);
  if (!s->cfg.enabled)
    return JA_OK; /* nothing is ever accepted */
  return ja__writer_flush(s, timeout_ms);
}
