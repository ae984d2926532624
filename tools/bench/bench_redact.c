/*
 * bench_redact.c — what redaction costs, beside a naive baseline
 * measured in the same run: every row of the pattern table compiled on its
 * own without JIT and matched one by one over the whole value (validators
 * applied, retry from the next character), no units, no gates, a fresh
 * match block per value. The two alternate in rounds so both see the same
 * machine load; we report medians and the ratio.
 *
 * Workloads:
 *   corpus   every value of tests/data/redact_corpus.tsv, ns per value
 *   event    three string properties of a real catalog event, ns per event:
 *            "redact" = the three ja__redact_string calls capture makes;
 *            "filter" = all of ja__event_prepare (JSON parse, redaction,
 *            catalog validation, JSON print), for context
 *
 *   bench_redact [--rounds N] [--corpus FILE]   (default 15 rounds)
 *
 * OpenJarvis' Python redaction + validation takes about 8 µs per event on
 * our CI machine. Targets: three free-text strings in 300 ns, three catalog
 * strings in 100 ns, and the first event of a process (table set-up and
 * the compiles its values need) in 15 ms.
 */
#include "boot.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/normalize.h"
#include "filter/redact.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"

#ifndef JA_BENCH_CORPUS
#define JA_BENCH_CORPUS "tests/data/redact_corpus.tsv"
#endif

/* A catalog event with three string properties, as OpenJarvis sends it. */
static const char *const EVENT_NAME = "install_started";
static const char *const EVENT_PROPS =
    "{\"os\":\"linux\",\"arch\":\"x86_64\",\"installer_version\":\"0.4.2\"}";
static const char *const EVENT_VALUES[3] = {"linux", "x86_64", "0.4.2"};

/* Three free-text values (a setting key, a model tag, an error-ish
 * string): the harder shape, reported too. */
static const char *const TEXT_VALUES[3] = {"ui.theme.dark_mode_enabled", "qwen3.5:2b",
                                           "engine_unreachable after 3 retries"};

static double
now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ------------------------------------------------------------ the corpus */

typedef struct values {
  char **v;
  size_t *len;
  size_t n;
} values;

static values
load_corpus(const char *path)
{
  values out = {0};
  FILE *f = fopen(path, "r");
  if (!f)
    ja_bench_die("cannot open the corpus (run from the source tree or pass --corpus)", NULL);
  char line[4096];
  size_t cap = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (line[0] == '#' || !t2)
      continue;
    if (out.n == cap) {
      cap = cap ? cap * 2 : 256;
      out.v = realloc(out.v, cap * sizeof *out.v);
      out.len = realloc(out.len, cap * sizeof *out.len);
      if (!out.v || !out.len)
        ja_bench_die("out of memory", NULL);
    }
    out.v[out.n] = strdup(t2 + 1);
    out.len[out.n] = strlen(t2 + 1);
    out.n++;
  }
  fclose(f);
  if (out.n == 0)
    ja_bench_die("empty corpus", NULL);
  return out;
}

/* ------------------------------------------------------- naive baseline */

static pcre2_code **naive;
static const ja__redact_rule *rules;
static size_t nrules;

static void
naive_compile(void)
{
  rules = ja__redact_rules(&nrules);
  naive = calloc(nrules, sizeof *naive);
  for (size_t i = 0; i < nrules; i++) {
    int err;
    PCRE2_SIZE off;
    naive[i] = pcre2_compile((PCRE2_SPTR)rules[i].regex, PCRE2_ZERO_TERMINATED,
                             PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
    if (!naive[i])
      ja_bench_die("a pattern does not compile on its own", NULL);
  }
}

/* 1 when some row matches @p s (and its validator agrees). */
static int
naive_scan(const char *s, size_t len)
{
  pcre2_match_data *md = pcre2_match_data_create(1, NULL);
  int hit = 0;
  for (size_t i = 0; i < nrules && !hit; i++) {
    PCRE2_SIZE start = 0;
    while (start <= len) {
      if (pcre2_match(naive[i], (PCRE2_SPTR)s, len, start, 0, md, NULL) < 0)
        break;
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
      if (!rules[i].validate || rules[i].validate(s + ov[0], ov[1] - ov[0])) {
        hit = 1;
        break;
      }
      start = ov[0] + 1;
    }
  }
  pcre2_match_data_free(md);
  return hit;
}

/* The same job as the engine: the value, then its normalised view (always
 * built: the naive way has no fast path). */
static int
naive_redact(const char *s, size_t len)
{
  static ja__norm_scratch w;
  const char *view = NULL;
  if (naive_scan(s, len))
    return 1;
  long n = ja__norm_view(s, len, JA__NORM_DECODE, &w, &view);
  return n < 0 || (n > 0 && naive_scan(view, (size_t)n));
}

/* ------------------------------------------------------------- workloads */

static volatile unsigned sink; /* keeps the calls from being optimised away */

static double
time_values(const char *const *v, const size_t *len, size_t n, int use_naive, int reps)
{
  double t0 = now_ns();
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < n; i++)
      sink += use_naive ? (unsigned)naive_redact(v[i], len[i])
                        : (unsigned)ja__redact_string(v[i], len[i], NULL);
  return (now_ns() - t0) / ((double)reps * (double)n);
}

static double
time_filter(int reps)
{
  double t0 = now_ns();
  for (int r = 0; r < reps; r++) {
    ja__event ev;
    if (ja__event_prepare(EVENT_NAME, EVENT_PROPS, &ev) != JA_OK || ev.ndrops != 0)
      ja_bench_die("the benchmark event no longer passes the filter", NULL);
    sink += (unsigned)strlen(ev.props_json);
    ja__event_free(&ev);
  }
  return (now_ns() - t0) / reps;
}

int
main(int argc, char **argv)
{
  ja_bench_name("bench_redact");
  int rounds = 15;
  const char *path = JA_BENCH_CORPUS;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = (int)strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
      path = argv[++i];
    else {
      fprintf(stderr, "usage: bench_redact [--rounds N] [--corpus FILE]\n");
      return 64;
    }
  }
  if (rounds < 1 || rounds > 10000)
    ja_bench_die("--rounds must be 1..10000", NULL);

  /* The first event sets the table up and compiles (PCRE2, then JIT) the
   * units its values reach: what every process pays on its first capture.
   * Measured once, before anything else, on the free-text values (they
   * reach more units than catalog ones). */
  double t_first = now_ns();
  for (int i = 0; i < 3; i++)
    (void)ja__redact_string(TEXT_VALUES[i], strlen(TEXT_VALUES[i]), NULL);
  t_first = now_ns() - t_first;

  values corpus = load_corpus(path);
  naive_compile();
  size_t ev_len[3], tx_len[3];
  for (int i = 0; i < 3; i++) {
    ev_len[i] = strlen(EVENT_VALUES[i]);
    tx_len[i] = strlen(TEXT_VALUES[i]);
    if (ja__redact_string(EVENT_VALUES[i], ev_len[i], NULL) != JA__DROP_NONE ||
        ja__redact_string(TEXT_VALUES[i], tx_len[i], NULL) != JA__DROP_NONE)
      ja_bench_die("a benchmark value is no longer kept", NULL);
  }
  /* The baseline retries a rejected match from the next character instead
   * of backtracking into shorter ones, so it may miss a few values the
   * engine catches; count them so the comparison stays honest. */
  size_t differ = 0;
  for (size_t i = 0; i < corpus.n; i++)
    differ += (ja__redact_string(corpus.v[i], corpus.len[i], NULL) == JA__DROP_PII) !=
              naive_redact(corpus.v[i], corpus.len[i]);

  double *c_ours = calloc((size_t)rounds, sizeof(double));
  double *c_naive = calloc((size_t)rounds, sizeof(double));
  double *e_ours = calloc((size_t)rounds, sizeof(double));
  double *e_naive = calloc((size_t)rounds, sizeof(double));
  double *t_ours = calloc((size_t)rounds, sizeof(double));
  double *t_naive = calloc((size_t)rounds, sizeof(double));
  double *f_ours = calloc((size_t)rounds, sizeof(double));
  if (!c_ours || !c_naive || !e_ours || !e_naive || !t_ours || !t_naive || !f_ours)
    ja_bench_die("out of memory", NULL);
  for (int r = 0; r < rounds; r++) {
    c_ours[r] = time_values((const char *const *)corpus.v, corpus.len, corpus.n, 0, 20);
    c_naive[r] = time_values((const char *const *)corpus.v, corpus.len, corpus.n, 1, 2);
    e_ours[r] = 3 * time_values(EVENT_VALUES, ev_len, 3, 0, 20000);
    e_naive[r] = 3 * time_values(EVENT_VALUES, ev_len, 3, 1, 500);
    t_ours[r] = 3 * time_values(TEXT_VALUES, tx_len, 3, 0, 5000);
    t_naive[r] = 3 * time_values(TEXT_VALUES, tx_len, 3, 1, 200);
    f_ours[r] = time_filter(5000);
  }
  printf("redaction: %zu rows in the pattern table, median of %d rounds\n", nrules, rounds);
  printf("first event in the process (sets the table up, compiles the units it needs): %.2f ms\n",
         t_first / 1e6);
  printf("%-44s %10s %10s %8s\n", "workload", "ours ns", "naive ns", "speedup");
  struct {
    const char *name;
    double *ours, *naive;
  } rows[] = {
      {"corpus, per value", c_ours, c_naive},
      {"event, 3 catalog strings (redact)", e_ours, e_naive},
      {"event, 3 free-text strings (redact)", t_ours, t_naive},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    double o = ja_bench_median(rows[i].ours, rounds), n = ja_bench_median(rows[i].naive, rounds);
    printf("%-44s %10.0f %10.0f %7.1fx\n", rows[i].name, o, n, n / o);
  }
  printf("%-44s %10.0f %10s %8s\n", "event, whole filter incl. JSON (ours only)",
         ja_bench_median(f_ours, rounds), "-", "-");
  printf("corpus: %zu values; the baseline judges %zu of them differently\n", corpus.n, differ);
  printf("targets: 3 free-text strings <= 300 ns, 3 catalog strings <= 100 ns, first event <= 15 ms\n"
         "(OpenJarvis' Python: ~8000 ns per event)\n");

  for (size_t i = 0; i < corpus.n; i++)
    free(corpus.v[i]);
  free(corpus.v);
  free(corpus.len);
  for (size_t i = 0; i < nrules; i++)
    pcre2_code_free(naive[i]);
  free(naive);
  free(c_ours), free(c_naive), free(e_ours), free(e_naive), free(t_ours), free(t_naive);
  free(f_ours);
  return 0;
}
