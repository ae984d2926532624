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

int
ja__rollup_row_valid(const ja__sig_row *r, int *not_finite)
{
  *not_finite = 0;
  if (r->at_ms < 0 || r->at_ms > JA__ROLLUP_MAX_MS)
    return 0;
  if (r->kind != JA__SIG_INFERENCE)
    return 1;
  if (!isfinite(r->latency_ms)) {
    *not_finite = 1;
    return 0;
  }
  return r->tokens_in >= 0 && r->tokens_out >= 0 && r->latency_ms >= 0 &&
         r->latency_ms <= JA__ROLLUP_LATENCY_MAX_MS;
}

/* A set of (kind, name) seen, open addressing over indices into the
 * session's signals: linear in the session's size (a pairwise comparison
 * was quadratic: 60 000 tools held the write lock for 10 s). */
typedef struct nameset {
  uint32_t *slot;            /* index + 1 of a signal, 0: empty */
  size_t mask;               /* slots - 1 (a power of two, >= 2 n) */
} nameset;

static uint64_t
name_hash(int kind, const char *name)
{
  uint64_t h = 1469598103934665603u ^ (uint64_t)kind; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * 1099511628211u;
  return h ^ (h >> 29);
}

/* Add rows[i] (kind, name); 1 when it was not in the set yet. */
static int
nameset_add(nameset *ns, const ja__sig_row *rows, size_t i)
{
  const ja__sig_row *r = &rows[i];
  for (size_t k = (size_t)name_hash((int)r->kind, r->name) & ns->mask;; k = (k + 1) & ns->mask) {
    if (!ns->slot[k]) {
      ns->slot[k] = (uint32_t)i + 1;
      return 1;
    }
    const ja__sig_row *o = &rows[ns->slot[k] - 1];
    if (o->kind == r->kind && strcmp(o->name, r->name) == 0)
      return 0;
  }
}

ja_status
ja__rollup_stats(const ja__sig_row *rows, size_t n, ja__session_stats *out, size_t *firsts,
                 size_t *nfirsts)
{
  memset(out, 0, sizeof *out);
  out->last_ms = -1;
  if (nfirsts)
    *nfirsts = 0;
  if (n > UINT32_MAX / 4)
    return ja__error_set(JA_ENOMEM, "a session of %zu signals is too large to roll up", n);
  size_t slots = 2;
  while (slots < 2 * n)
    slots *= 2;
  ja_status st = JA_OK;
  double *lat = malloc((n ? n : 1) * sizeof *lat);
  nameset ns = {calloc(slots, sizeof *ns.slot), slots - 1};
  if (!lat || !ns.slot) {
    st = ja__error_set(JA_ENOMEM, "out of memory rolling up a session of %zu signals", n);
    goto done;
  }
  const char *model = NULL, *engine = NULL;
  for (size_t i = 0; i < n; i++) {
    const ja__sig_row *r = &rows[i];
    int nf;
    if (!ja__rollup_row_valid(r, &nf)) {
      /* Left out: what a new signal would be refused for, stored by a
       * hand edit or an older build with looser bounds. */
      if (nf)
        out->not_finite++;
      else
        out->invalid++;
      continue;
    }
    if (r->kind == JA__SIG_END)
      continue; /* an end is not activity */
    if (out->last_ms < 0 || r->at_ms < out->first_ms)
      out->first_ms = r->at_ms;
    if (r->at_ms > out->last_ms)
      out->last_ms = r->at_ms;
    if (r->kind == JA__SIG_INFERENCE) {
      lat[out->turns++] = r->latency_ms;
      out->tokens_in = ja__rollup_sat_add(out->tokens_in, r->tokens_in);
      out->tokens_out = ja__rollup_sat_add(out->tokens_out, r->tokens_out);
      /* The engines given (an ENGINE value each): only "exactly one" is
       * reported, so counting stops at two. */
      if (r->engine[0] && !engine) {
        engine = r->engine;
        out->unique_engines = 1;
      } else if (r->engine[0] && out->unique_engines == 1 && strcmp(engine, r->engine) != 0) {
        out->unique_engines = 2;
      }
    } else if (r->kind == JA__SIG_TOOL) {
      out->tools++;
    } else {
      out->errors++;
    }
    if (!r->name[0] || (r->kind != JA__SIG_INFERENCE && r->kind != JA__SIG_TOOL))
      continue;
    if (!nameset_add(&ns, rows, i))
      continue;
    if (r->kind == JA__SIG_TOOL) {
      out->unique_tools++;
    } else {
      out->unique_models++;
      model = r->name;
    }
    if (firsts)
      firsts[(*nfirsts)++] = i;
  }
  qsort(lat, (size_t)out->turns, sizeof *lat, cmp_double);
  out->p50 = ja__rollup_percentile(lat, (size_t)out->turns, 0.50);
  out->p95 = ja__rollup_percentile(lat, (size_t)out->turns, 0.95);
  if (out->unique_models == 1)
    snprintf(out->model_hash, sizeof out->model_hash, "%s", model);
  if (out->unique_engines == 1)
    snprintf(out->engine, sizeof out->engine, "%s", engine);
  out->duration_ms = out->last_ms >= 0 ? out->last_ms - out->first_ms : 0;
done:
  free(lat);
  free(ns.slot);
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
