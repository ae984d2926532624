/*
 * rollup/stats.c — the pure part of a rollup: percentiles, one session's
 * chat_session_ended numbers from its signals, and the ENGINE/TOOL
 * normalisation. No SQLite, no clock.
 */
#include "boot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filter/catalog.h"
#include "rollup/rollup.h"

double
ja__rollup_percentile(const double *sorted, size_t n, double p)
{
  if (n == 0)
    return 0;
  double k = (double)(n - 1) * p;
  size_t lo = (size_t)floor(k), hi = (size_t)ceil(k);
  if (hi >= n)
    hi = n - 1;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (k - (double)lo);
}

int64_t
ja__rollup_sat_add(int64_t a, int64_t b)
{
  return a > INT64_MAX - b ? INT64_MAX : a + b; /* both >= 0 (validated) */
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Distinct non-empty strings among @p n (n is small: one session). */
static int64_t
count_distinct(const char *const *v, size_t n, const char **only)
{
  int64_t count = 0;
  *only = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!v[i][0])
      continue;
    size_t j = 0;
    while (j < i && strcmp(v[j], v[i]) != 0)
      j++;
    if (j == i) {
      count++;
      *only = v[i];
    }
  }
  return count;
}

ja_status
ja__rollup_stats(const ja__sig_row *rows, size_t n, ja__session_stats *out)
{
  memset(out, 0, sizeof *out);
  out->last_ms = -1;
  ja_status st = JA_OK;
  double *lat = malloc((n ? n : 1) * sizeof *lat);
  const char **models = malloc((n ? n : 1) * sizeof *models);
  const char **engines = malloc((n ? n : 1) * sizeof *engines);
  const char **tools = malloc((n ? n : 1) * sizeof *tools);
  if (!lat || !models || !engines || !tools) {
    st = ja__error_set(JA_ENOMEM, "out of memory rolling up a session of %zu signals", n);
    goto done;
  }
  size_t nm = 0, nt = 0;
  for (size_t i = 0; i < n; i++) {
    const ja__sig_row *r = &rows[i];
    if (r->kind == JA__SIG_END)
      continue; /* an end is not activity (DESIGN §6) */
    if (out->last_ms < 0 || r->at_ms < out->first_ms)
      out->first_ms = r->at_ms;
    if (r->at_ms > out->last_ms)
      out->last_ms = r->at_ms;
    if (r->kind == JA__SIG_INFERENCE) {
      lat[out->turns] = r->latency_ms;
      models[nm] = r->name;
      engines[nm++] = r->engine;
      out->turns++;
      out->tokens_in = ja__rollup_sat_add(out->tokens_in, r->tokens_in);
      out->tokens_out = ja__rollup_sat_add(out->tokens_out, r->tokens_out);
    } else if (r->kind == JA__SIG_TOOL) {
      tools[nt++] = r->name;
      out->tools++;
    } else {
      out->errors++;
    }
  }
  qsort(lat, (size_t)out->turns, sizeof *lat, cmp_double);
  out->p50 = ja__rollup_percentile(lat, (size_t)out->turns, 0.50);
  out->p95 = ja__rollup_percentile(lat, (size_t)out->turns, 0.95);
  const char *one;
  out->unique_tools = count_distinct(tools, nt, &one);
  out->unique_models = count_distinct(models, nm, &one);
  if (out->unique_models == 1)
    snprintf(out->model_hash, sizeof out->model_hash, "%s", one);
  out->unique_engines = count_distinct(engines, nm, &one);
  if (out->unique_engines == 1)
    snprintf(out->engine, sizeof out->engine, "%s", one);
  out->duration_ms = out->last_ms >= 0 ? out->last_ms - out->first_ms : 0;
done:
  free(lat);
  free(models);
  free(engines);
  free(tools);
  return st;
}

/* @p v if it is one of the values of enum @p enum_name, else NULL. */
static const char *
enum_value(const char *enum_name, const char *v)
{
  for (const ja__enum *const *e = ja__catalog_enums; *e; e++) {
    if (strcmp((*e)->name, enum_name) != 0)
      continue;
    for (const char *const *x = (*e)->values; *x; x++)
      if (strcmp(*x, v) == 0)
        return *x;
  }
  return NULL;
}

const char *
ja__rollup_engine(const char *engine)
{
  const char *v = engine ? enum_value("ENGINE", engine) : NULL;
  return v ? v : "unknown";
}

const char *
ja__rollup_tool(const char *tool)
{
  const char *v = tool ? enum_value("TOOL", tool) : NULL;
  return v ? v : "custom_tool";
}
