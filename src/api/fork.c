/*
 * api/fork.c — what fork() does to open handles. A handle belongs to the
 * process that opened it: its writer thread does not exist in a child, and
 * its SQLite connection must never be used there (SQLite's locks are per
 * process). So fork() first waits until no handle is inside a transaction
 * (the parent's writers finish their group in progress and carry on after
 * it), and in the child every handle opened before is stale: calls on it
 * fail with JA_EINVALID, and ja_store_close() only frees it.
 */
#include "boot.h"

#include <stdatomic.h>

#include "api/api.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* guards g_open */
static ja_store *g_open;        /* every open handle of this process */
static _Atomic unsigned g_gen;  /* bumped in every child */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* Before fork(): take every handle's lock (a writer in a group, a report,
 * a rollup finish their transaction first) and its buffer's lock, so the
 * child's copy holds no transaction and no half-linked buffer. */
static void
prepare(void)
{
  pthread_mutex_lock(&g_lock);
  for (ja_store *s = g_open; s; s = s->fork_next) {
    ja__lock_take(&s->lock);
    pthread_mutex_lock(&s->writer.m);
  }
}

static void
parent(void)
{
  for (ja_store *s = g_open; s; s = s->fork_next) {
    pthread_mutex_unlock(&s->writer.m);
    ja__lock_give(&s->lock);
  }
  pthread_mutex_unlock(&g_lock);
}

/* In the child: the handles stay locked (never used again here) and
 * untracked; the registry is free for handles the child opens. */
static void
child(void)
{
  atomic_fetch_add(&g_gen, 1);
  g_open = NULL;
  pthread_mutex_unlock(&g_lock); /* taken by this same thread in prepare() */
}

static void
install(void)
{
  pthread_atfork(prepare, parent, child);
}

void
ja__fork_track(ja_store *s)
{
  pthread_once(&g_once, install);
  pthread_mutex_lock(&g_lock);
  s->fork_gen = atomic_load(&g_gen);
  s->fork_prev = NULL;
  s->fork_next = g_open;
  if (g_open)
    g_open->fork_prev = s;
  g_open = s;
  pthread_mutex_unlock(&g_lock);
}

void
ja__fork_untrack(ja_store *s)
{
  if (ja__fork_stale(s))
    return; /* not in this process's registry */
  pthread_mutex_lock(&g_lock);
  if (s->fork_prev)
    s->fork_prev->fork_next = s->fork_next;
  else if (g_open == s)
    g_open = s->fork_next;
  if (s->fork_next)
    s->fork_next->fork_prev = s->fork_prev;
  s->fork_prev = s->fork_next = NULL;
  pthread_mutex_unlock(&g_lock);
}

int
ja__fork_stale(const ja_store *s)
{
  return s->fork_gen != atomic_load_explicit(&g_gen, memory_order_relaxed);
}
