/*
 * tools/bench/bench_util.h — what every benchmark here needs: a monotonic
 * clock, medians, and dying with the benchmark's name. Benchmarks report
 * ratios against a baseline measured in the same run (docs/benchmarks.md).
 */
#ifndef JA_BENCH_UTIL_H
#define JA_BENCH_UTIL_H

/* Seconds on CLOCK_MONOTONIC. */
double ja_bench_now_s(void);
/* CPU seconds of this process (user + system): on a shared machine the
 * wall clock also counts the time other processes held the cores. */
double ja_bench_cpu_s(void);
/* qsort comparator for doubles. */
int ja_bench_cmp_double(const void *a, const void *b);
/* The median of @p v[0..n) (sorts @p v). */
double ja_bench_median(double *v, int n);
/* "<name>: <what>[: <detail>]" on stderr, then exit(1). The name is set
 * once with ja_bench_name(). */
void ja_bench_name(const char *name);
void ja_bench_die(const char *what, const char *detail) __attribute__((noreturn));

#endif
