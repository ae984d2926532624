/*
 * util/lock.c — a FIFO hand-off lock with monotonic deadlines (see lock.h
 * for why the handle does not use a plain mutex).
 */
#include "boot.h"

#include <errno.h>
#include <time.h>

#include "util/lock.h"

int
ja__lock_init(ja__lock *l)
{
  pthread_condattr_t a;
  int rc = pthread_condattr_init(&a);
  if (rc != 0)
    return rc;
  rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  if (rc == 0)
    rc = pthread_cond_init(&l->cv, &a);
  pthread_condattr_destroy(&a);
  if (rc != 0)
    return rc;
  if ((rc = pthread_mutex_init(&l->m, NULL)) != 0) {
    pthread_cond_destroy(&l->cv);
    return rc;
  }
  l->held = 0;
  l->head = l->tail = NULL;
  return 0;
}

void
ja__lock_destroy(ja__lock *l)
{
  pthread_cond_destroy(&l->cv);
  pthread_mutex_destroy(&l->m);
}

/* Take @p w out of the line (it gave up). Caller holds l->m. */
static void
unlink_waiter(ja__lock *l, ja__lock_waiter *w)
{
  ja__lock_waiter **p = &l->head, *prev = NULL;
  while (*p && *p != w) {
    prev = *p;
    p = &(*p)->next;
  }
  if (!*p)
    return;
  *p = w->next;
  if (l->tail == w)
    l->tail = prev;
}

/* @p dl NULL: no deadline. */
static int
take(ja__lock *l, const ja__deadline *dl)
{
  pthread_mutex_lock(&l->m);
  if (!l->held && !l->head) {
    l->held = 1;
    pthread_mutex_unlock(&l->m);
    return 0;
  }
  ja__lock_waiter w = {NULL, 0};
  if (l->tail)
    l->tail->next = &w;
  else
    l->head = &w;
  l->tail = &w;
  struct timespec until = {0, 0};
  if (dl) {
    until.tv_sec = (time_t)(dl->at_ns / 1000000000);
    until.tv_nsec = (long)(dl->at_ns % 1000000000);
  }
  while (!w.granted) {
    int rc = dl ? pthread_cond_timedwait(&l->cv, &l->m, &until) : pthread_cond_wait(&l->cv, &l->m);
    if (rc == ETIMEDOUT && !w.granted) {
      unlink_waiter(l, &w);
      pthread_mutex_unlock(&l->m);
      return -1;
    }
  }
  pthread_mutex_unlock(&l->m); /* granted: ja__lock_give left held set for us */
  return 0;
}

void
ja__lock_take(ja__lock *l)
{
  take(l, NULL);
}

int
ja__lock_take_until(ja__lock *l, ja__deadline dl)
{
  return take(l, &dl);
}

void
ja__lock_give(ja__lock *l)
{
  pthread_mutex_lock(&l->m);
  ja__lock_waiter *w = l->head;
  if (w) {
    l->head = w->next;
    if (!l->head)
      l->tail = NULL;
    w->granted = 1; /* held stays 1: ownership passes without a gap */
    /* Every waiter wakes and checks its own flag: waiters are few (the
     * threads of one process sharing a handle). */
    pthread_cond_broadcast(&l->cv);
  } else {
    l->held = 0;
  }
  pthread_mutex_unlock(&l->m);
}
