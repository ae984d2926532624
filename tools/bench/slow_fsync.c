/*
 * tools/bench/slow_fsync.c — an LD_PRELOAD shim for bench_writer: every
 * fsync and fdatasync of the process first sleeps $JA_BENCH_FSYNC_US
 * microseconds (a slow or busy disk), and is counted. The count is read
 * through ja_bench_fsyncs() (found with dlsym), so a benchmark can report
 * fsyncs per event.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static _Atomic long g_fsyncs;

long ja_bench_fsyncs(void);
long
ja_bench_fsyncs(void)
{
  return atomic_load(&g_fsyncs);
}

/* Sleep the configured delay (read once). */
static void
delay(void)
{
  static _Atomic long us = -1;
  long v = atomic_load(&us);
  if (v < 0) {
    const char *e = getenv("JA_BENCH_FSYNC_US");
    v = e ? strtol(e, NULL, 10) : 0;
    atomic_store(&us, v);
  }
  if (v > 0) {
    struct timespec ts = {v / 1000000, (v % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0)
      ;
  }
}

/* The real @p name (fsync or fdatasync) of @p fd, after the delay. */
static int
slowed(const char *name, int (**real)(int), int fd)
{
  if (!*real)
    *real = (int (*)(int))dlsym(RTLD_NEXT, name);
  delay();
  atomic_fetch_add(&g_fsyncs, 1);
  return (*real)(fd);
}

int fsync(int fd);
int
fsync(int fd)
{
  static int (*real)(int);
  return slowed("fsync", &real, fd);
}

int fdatasync(int fd);
int
fdatasync(int fd)
{
  static int (*real)(int);
  return slowed("fdatasync", &real, fd);
}
