/*
 * test_lock.c — the handle's lock (util/lock.c): waiters are served in the
 * order they came, even against an owner that unlocks and locks again in a
 * loop; a timed wait gives up at its monotonic deadline and never earlier.
 */
#include "support.h"
#include "util/clock.h"
#include "util/lock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static ja__lock g_lock;
static atomic_int g_served; /* order in which waiters got the lock */

/* Waiters in line (the test reads the lock's own list to know, instead of
 * sleeping and hoping the thread got there). */
static int
waiting(void)
{
  pthread_mutex_lock(&g_lock.m);
  int n = 0;
  for (ja__lock_waiter *w = g_lock.head; w; w = w->next)
    n++;
  pthread_mutex_unlock(&g_lock.m);
  return n;
}

static void
wait_for_waiters(int n)
{
  while (waiting() < n)
    usleep(200);
}

typedef struct {
  int id;
  int order; /* 1-based position in which it was served */
} taker;

static void *
taker_main(void *p)
{
  taker *t = p;
  ja__lock_take(&g_lock);
  t->order = atomic_fetch_add(&g_served, 1) + 1;
  ja__lock_give(&g_lock);
  return NULL;
}

/* The owner gives the lock up and at once asks for it again (a capture
 * loop): the thread already waiting gets it first. A plain mutex lets the
 * owner win nearly every time. */
static void test_lock__waiter_served_before_owner_that_relocks(void **state)
{
  (void)state;
  assert_int_equal(ja__lock_init(&g_lock), 0);
  atomic_store(&g_served, 0);
  ja__lock_take(&g_lock);
  taker t = {1, 0};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, taker_main, &t), 0);
  wait_for_waiters(1);
  ja__lock_give(&g_lock);
  ja__lock_take(&g_lock); /* queues behind the waiter */
  int mine = atomic_fetch_add(&g_served, 1) + 1;
  ja__lock_give(&g_lock);
  pthread_join(th, NULL);
  assert_int_equal(t.order, 1);
  assert_int_equal(mine, 2);
  ja__lock_destroy(&g_lock);
}

static void test_lock__waiters_served_in_arrival_order(void **state)
{
  (void)state;
  assert_int_equal(ja__lock_init(&g_lock), 0);
  atomic_store(&g_served, 0);
  ja__lock_take(&g_lock);
  enum { N = 4 };
  taker t[N];
  pthread_t th[N];
  for (int i = 0; i < N; i++) {
    t[i].id = i;
    t[i].order = 0;
    assert_int_equal(pthread_create(&th[i], NULL, taker_main, &t[i]), 0);
    wait_for_waiters(i + 1); /* each in line before the next starts */
  }
  ja__lock_give(&g_lock);
  for (int i = 0; i < N; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(t[i].order, i + 1);
  }
  ja__lock_destroy(&g_lock);
}

typedef struct {
  int64_t ms;
  int rc;
  int64_t waited_ns;
} timed;

static void *
timed_main(void *p)
{
  timed *t = p;
  int64_t t0 = ja__mono_ns();
  ja__deadline dl = {t0 + t->ms * 1000000};
  t->rc = ja__lock_take_until(&g_lock, dl);
  t->waited_ns = ja__mono_ns() - t0;
  if (t->rc == 0)
    ja__lock_give(&g_lock);
  return NULL;
}

/* Held throughout: the timed wait gives up, not before its deadline, and
 * leaves the line (the next owner is not handed a lock nobody takes). */
static void test_lock__timed_wait_gives_up_at_deadline_and_leaves_line(void **state)
{
  (void)state;
  assert_int_equal(ja__lock_init(&g_lock), 0);
  ja__lock_take(&g_lock);
  timed t = {60, 99, 0};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, timed_main, &t), 0);
  pthread_join(th, NULL);
  assert_int_equal(t.rc, -1);
  assert_true(t.waited_ns >= 60 * 1000000);
  assert_int_equal(waiting(), 0);
  ja__lock_give(&g_lock);
  ja__lock_take(&g_lock); /* free again: not handed to the one who left */
  ja__lock_give(&g_lock);
  ja__lock_destroy(&g_lock);
}

/* A free lock is taken even when the deadline has already passed. */
static void test_lock__free_lock_taken_past_deadline(void **state)
{
  (void)state;
  assert_int_equal(ja__lock_init(&g_lock), 0);
  ja__deadline past = {ja__mono_ns() - 1000000};
  assert_int_equal(ja__lock_take_until(&g_lock, past), 0);
  timed t = {0, 99, 0}; /* held now: a zero wait fails at once */
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, timed_main, &t), 0);
  pthread_join(th, NULL);
  assert_int_equal(t.rc, -1);
  ja__lock_give(&g_lock);
  ja__lock_destroy(&g_lock);
}
