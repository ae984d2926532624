/*
 * tools/bench/bench_util.c — the helpers of bench_util.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *g_name = "bench";

static double
clock_s(clockid_t which)
{
  struct timespec ts;
  clock_gettime(which, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
ja_bench_now_s(void)
{
  return clock_s(CLOCK_MONOTONIC);
}

double
ja_bench_cpu_s(void)
{
  return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

int
ja_bench_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double
ja_bench_median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, ja_bench_cmp_double);
  return v[n / 2];
}

void
ja_bench_name(const char *name)
{
  g_name = name;
}

void
ja_bench_die(const char *what, const char *detail)
{
  if (detail)
    fprintf(stderr, "%s: %s: %s\n", g_name, what, detail);
  else
    fprintf(stderr, "%s: %s\n", g_name, what);
  exit(1);
}
