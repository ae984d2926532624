/*
 * util/lock.h — the handle's lock: a mutex that hands itself to waiters in
 * the order they came, and whose timed wait runs on the monotonic clock.
 */
#ifndef JA_UTIL_LOCK_H
#define JA_UTIL_LOCK_H

#include "boot.h"
#include "util/clock.h"

#include <pthread.h>

/* One waiter, on its own stack while it waits. */
typedef struct ja__lock_waiter {
  struct ja__lock_waiter *next; /* next in line */
  int granted;                  /* the lock was handed to it */
} ja__lock_waiter;

/* Why not a plain pthread mutex: a thread that unlocks and locks again in
 * a loop (a capture loop) nearly always wins against a waiter that has to
 * be woken first, so the waiter can starve until its deadline and drop its
 * event as busy. Here unlock hands the lock to the oldest waiter directly.
 * And pthread_mutex_timedlock measures its deadline on CLOCK_REALTIME, so a
 * wall clock set back would stretch the wait. */
typedef struct ja__lock {
  pthread_mutex_t m;      /* guards the fields below, held for microseconds */
  pthread_cond_t cv;      /* waiters sleep here (CLOCK_MONOTONIC) */
  int held;               /* someone owns the lock */
  ja__lock_waiter *head;  /* oldest waiter, or NULL */
  ja__lock_waiter *tail;  /* newest waiter */
} ja__lock;

/* 0 on success (errno-style code otherwise). */
int ja__lock_init(ja__lock *l);
void ja__lock_destroy(ja__lock *l);
/* Take the lock, waiting as long as it takes. */
void ja__lock_take(ja__lock *l);
/* Take the lock by @p dl: 0 on success, -1 once it has passed (a lock free
 * at the call is always taken, even past the deadline). */
int ja__lock_take_until(ja__lock *l, ja__deadline dl);
/* Release it: to the oldest waiter if there is one. */
void ja__lock_give(ja__lock *l);

#endif
