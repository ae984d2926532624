/*
 * test_redact_corpus.c — runs tests/data/redact_corpus.tsv: every must-drop value must be dropped as PII of its kind and
 * every must-pass value must pass, through the code path `capture` uses;
 * the corpus must be big enough and cover every kind of the pattern table;
 * and the engine's gates must never change a verdict.
 *
 * And tests/data/redact_corpus2.tsv and redact_corpus3.tsv, each written
 * apart from the pattern table by someone who had not read it, when they
 * are in the tree: their KIND column is their author's category, not our
 * kind names, so a drop line must drop as anything and a pass line must
 * pass; misses are listed by that category with their line numbers (a
 * to-do list). For every corpus `redact` and `capture` must agree on every
 * value, and the gates must not change a verdict.
 *
 * The file format is in the corpus' own header: EXPECT<TAB>KIND<TAB>VALUE,
 * the value taken literally to the end of the line.
 */
#include "support.h"
#include "filter/catalog.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "store/store.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS JA_TEST_SRC_DIR "/tests/data/redact_corpus.tsv"
#define CORPUS2 JA_TEST_SRC_DIR "/tests/data/redact_corpus2.tsv"
#define CORPUS3 JA_TEST_SRC_DIR "/tests/data/redact_corpus3.tsv"

/* One corpus line. */
typedef struct row {
  int drop;       /* 1: must drop, 0: must pass */
  char *kind;     /* drop: the expected kind; pass: a category */
  char *value;    /* NUL-terminated */
  size_t len;
  unsigned line;  /* 1-based line number, for messages */
} row;

typedef struct corpus {
  row *rows;
  size_t n;
  char *text;     /* the file, cut into the rows' strings */
} corpus;

static corpus the;
static const char *the_path = CORPUS;

/* Load and parse the corpus at @p path into `the`; each test starts with
 * it (every test runs in its own process) and ends with unload(). */
static void
load_file(const char *path)
{
  size_t len = 0;
  the = (corpus){0};
  the_path = path;
  the.text = jt_read_file(path, &len);
  assert_non_null(the.text);
  size_t cap = 64;
  the.rows = malloc(cap * sizeof *the.rows);
  assert_non_null(the.rows);
  unsigned lineno = 0;
  for (char *line = the.text, *next; line && *line; line = next) {
    lineno++;
    next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    if (*line == '#' || *line == 0)
      continue;
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2 || (strncmp(line, "drop\t", 5) != 0 && strncmp(line, "pass\t", 5) != 0))
      fail_msg("%s:%u: not EXPECT<TAB>KIND<TAB>VALUE", path, lineno);
    *t1 = *t2 = 0;
    if (the.n == cap) {
      the.rows = realloc(the.rows, (cap *= 2) * sizeof *the.rows);
      assert_non_null(the.rows);
    }
    the.rows[the.n++] = (row){.drop = line[0] == 'd', .kind = t1 + 1, .value = t2 + 1,
                              .len = strlen(t2 + 1), .line = lineno};
  }
}

static void
load(void)
{
  load_file(CORPUS);
}

/* A corpus written apart (2 or 3) if it is in the tree (1), else 0: the
 * test is skipped. */
static int
load_apart(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  fclose(f);
  load_file(path);
  return 1;
}

static void
unload(void)
{
  free(the.rows);
  free(the.text);
}

/* Misses collected into one message, so a failing run lists them all, each
 * with its line, expected kind and what happened. */
typedef struct report {
  char text[32768];
  size_t used;
  unsigned misses;
} report;

static void miss(report *r, const row *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
miss(report *r, const row *w, const char *fmt, ...)
{
  r->misses++;
  if (r->used >= sizeof r->text - 200)
    return;
  int n = snprintf(r->text + r->used, sizeof r->text - r->used, "\n  line %u [%s %s] '%.60s': ",
                   w->line, w->drop ? "drop" : "pass", w->kind, w->value);
  if (n > 0)
    r->used += (size_t)n;
  va_list ap;
  va_start(ap, fmt);
  n = vsnprintf(r->text + r->used, sizeof r->text - r->used, fmt, ap);
  va_end(ap);
  if (n > 0)
    r->used += (size_t)n < sizeof r->text - r->used ? (size_t)n : sizeof r->text - r->used - 1;
}

static void
check(const report *r, const char *what)
{
  if (r->misses)
    fail_msg("%s: %u misses:%s", what, r->misses, r->text);
}

/* ------------------------------------------------------------------ tests */

/* The verdict of ja__redact_string (what capture calls for every string
 * value): drop rows as pii with exactly their kind, pass rows kept. */
static void test_redact_corpus__every_value_judged_right(void **state)
{
  (void)state;
  load();
  report r = {.used = 0};
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    const char *kind = NULL;
    ja__drop d = ja__redact_string(w->value, w->len, &kind);
    if (w->drop && d != JA__DROP_PII)
      miss(&r, w, "not dropped (%s)", ja__drop_name(d));
    else if (w->drop && strcmp(kind, w->kind) != 0)
      miss(&r, w, "dropped as %s, not %s", kind, w->kind);
    else if (!w->drop && d != JA__DROP_NONE)
      miss(&r, w, "dropped as %s %s", ja__drop_name(d), kind ? kind : "");
  }
  unload();
  check(&r, "corpus");
}

/* The same values inside a real event through ja__event_prepare, the
 * filter capture runs, under setting_key (a key: the shape comes before
 * redaction). A drop row never reaches the stored properties: it is
 * counted as pii when it has the key shape (redaction still runs inside
 * the shape), as invalid_value when it has not. A pass row is never
 * counted as pii, and is stored as given when it has the key shape. */
static void test_redact_corpus__same_verdicts_through_the_event_filter(void **state)
{
  (void)state;
  load();
  report r = {.used = 0};
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    int shaped = ja__catalog_is_key(w->value, w->len);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "setting_key", w->value);
    char *props = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    ja__event ev;
    ja_status st = ja__event_prepare("settings_changed", props, &ev);
    ja__drop want = !shaped ? JA__DROP_INVALID_VALUE : w->drop ? JA__DROP_PII : JA__DROP_NONE;
    if (st != JA_OK) {
      miss(&r, w, "event refused: %s", ja_last_error());
    } else if (want != JA__DROP_NONE &&
               (ev.drops[want] != 1 || ev.ndrops != 1 || strcmp(ev.props_json, "{}") != 0)) {
      miss(&r, w, "stored as %s, first reason %s, want %s", ev.props_json,
           ja__drop_name(ev.first_reason), ja__drop_name(want));
    } else if (want == JA__DROP_NONE && ev.ndrops != 0) {
      miss(&r, w, "key-shaped pass row dropped as %s", ja__drop_name(ev.first_reason));
    }
    ja__event_free(&ev);
    free(props);
  }
  unload();
  check(&r, "corpus through ja__event_prepare");
}

/* Percent-encoding every byte that is not a letter or digit must not hide
 * a drop row (the filter decodes once, or twice for double encoding). */
static void test_redact_corpus__percent_encoded_drops_still_drop(void **state)
{
  (void)state;
  load();
  report r = {.used = 0};
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    if (!w->drop)
      continue;
    char enc[3 * 800 + 1];
    size_t n = 0;
    for (size_t k = 0; k < w->len; k++) {
      unsigned char c = (unsigned char)w->value[k];
      int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (plain) {
        enc[n++] = (char)c;
      } else {
        enc[n++] = '%';
        enc[n++] = hex[c >> 4];
        enc[n++] = hex[c & 15];
      }
    }
    enc[n] = 0;
    if (ja__utf8_count(enc, n) > JA__MAX_STR_CODEPOINTS)
      continue; /* too_long: dropped anyway, nothing to learn */
    const char *kind = NULL;
    ja__drop d = ja__redact_string(enc, n, &kind);
    if (d != JA__DROP_PII)
      miss(&r, w, "encoded form '%.60s' not dropped (%s)", enc, ja__drop_name(d));
  }
  unload();
  check(&r, "percent-encoded corpus");
}

/* The gates (cheap pre-checks that skip units) are necessary conditions
 * only: with and without them every verdict and kind is the same, for each
 * value of the loaded corpus and for each value with text around it. */
static void
gates_check(void)
{
  report r = {.used = 0};
  static const char *const wraps[][2] = {{"", ""}, {"error: ", " (retrying)"}, {"x", "y"}};
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    for (size_t k = 0; k < sizeof wraps / sizeof wraps[0]; k++) {
      char buf[1024];
      int n = snprintf(buf, sizeof buf, "%s%s%s", wraps[k][0], w->value, wraps[k][1]);
      const char *k1 = NULL, *k2 = NULL;
      ja__drop d1 = ja__redact_string_ex(buf, (size_t)n, 0, &k1);
      ja__drop d2 = ja__redact_string_ex(buf, (size_t)n, JA__REDACT_NO_GATES, &k2);
      if (d1 != d2 || (k1 != k2 && (!k1 || !k2 || strcmp(k1, k2) != 0)))
        miss(&r, w, "gated %s, ungated %s", k1 ? k1 : ja__drop_name(d1),
             k2 ? k2 : ja__drop_name(d2));
    }
  }
  unload();
  check(&r, strcmp(the_path, CORPUS) == 0    ? "gates"
           : strcmp(the_path, CORPUS2) == 0 ? "gates, corpus 2"
                                            : "gates, corpus 3");
}

static void test_redact_corpus__gates_never_change_a_verdict(void **state)
{
  (void)state;
  load();
  gates_check();
}

static void test_redact_corpus__corpus2_gates_never_change_a_verdict(void **state)
{
  (void)state;
  if (!load_apart(CORPUS2))
    skip();
  gates_check();
}

static void test_redact_corpus__corpus3_gates_never_change_a_verdict(void **state)
{
  (void)state;
  if (!load_apart(CORPUS3))
    skip();
  gates_check();
}

/* The same under threads, in a fresh process (each ctest entry is one):
 * four threads start together on the three corpora, each from its own
 * place, so their first gated calls race each other on the table's set-up,
 * on compiling and JIT-compiling units, and on learn() clearing a unit's
 * bits in the byte pass's tables while other threads read them (a reader
 * that misses a clearing must see a weaker gate, never a wrong one); one
 * thread also runs every value without gates, compiling every unit while
 * the others judge. Each gated verdict is then compared with the ungated
 * one of the same text, computed alone after the threads end. */
#define GATE_THREADS 4

typedef struct gate_worker {
  pthread_barrier_t *start;
  const corpus *all;         /* the three corpora */
  size_t ncorpora;
  size_t seed;               /* where in each corpus the walk starts (odd: backwards) */
  int ungated_too;           /* also judge each value without gates */
  ja__drop *d;               /* per row of every corpus, in order */
  const char **k;
} gate_worker;

static void *
gate_work(void *arg)
{
  gate_worker *w = arg;
  pthread_barrier_wait(w->start);
  size_t base = 0;
  for (size_t c = 0; c < w->ncorpora; c++) {
    const corpus *cp = &w->all[c];
    for (size_t j = 0; j < cp->n; j++) {
      size_t i = (j + w->seed) % cp->n;
      if (w->seed & 1)
        i = cp->n - 1 - i; /* every other thread walks backwards */
      const row *r = &cp->rows[i];
      w->d[base + i] = ja__redact_string_ex(r->value, r->len, 0, &w->k[base + i]);
      if (w->ungated_too)
        (void)ja__redact_string_ex(r->value, r->len, JA__REDACT_NO_GATES, NULL);
    }
    base += cp->n;
  }
  return NULL;
}

static void test_redact_corpus__gates_never_change_a_verdict_under_threads(void **state)
{
  (void)state;
  static const char *const paths[] = {CORPUS, CORPUS2, CORPUS3};
  corpus all[3];
  size_t ncorpora = 0, total = 0;
  for (size_t c = 0; c < 3; c++) {
    if (c > 0 && !load_apart(paths[c]))
      continue;
    if (c == 0)
      load();
    all[ncorpora++] = the;
    total += the.n;
  }
  pthread_barrier_t start;
  pthread_t tid[GATE_THREADS];
  gate_worker w[GATE_THREADS];
  assert_int_equal(pthread_barrier_init(&start, NULL, GATE_THREADS), 0);
  for (size_t t = 0; t < GATE_THREADS; t++) {
    w[t] = (gate_worker){.start = &start, .all = all, .ncorpora = ncorpora, .seed = t * 101, /* odd t: backwards */
                         .ungated_too = t == GATE_THREADS - 1,
                         .d = calloc(total, sizeof(ja__drop)),
                         .k = calloc(total, sizeof(const char *))};
    assert_non_null(w[t].d);
    assert_non_null(w[t].k);
    assert_int_equal(pthread_create(&tid[t], NULL, gate_work, &w[t]), 0);
  }
  for (size_t t = 0; t < GATE_THREADS; t++)
    assert_int_equal(pthread_join(tid[t], NULL), 0);
  pthread_barrier_destroy(&start);
  report r = {.used = 0};
  size_t base = 0;
  for (size_t c = 0; c < ncorpora; c++) {
    for (size_t i = 0; i < all[c].n; i++) {
      const row *v = &all[c].rows[i];
      const char *k2 = NULL;
      ja__drop d2 = ja__redact_string_ex(v->value, v->len, JA__REDACT_NO_GATES, &k2);
      for (size_t t = 0; t < GATE_THREADS; t++) {
        ja__drop d1 = w[t].d[base + i];
        const char *k1 = w[t].k[base + i];
        if (d1 != d2 || (k1 != k2 && (!k1 || !k2 || strcmp(k1, k2) != 0)))
          miss(&r, v, "corpus %zu, thread %zu: gated %s, ungated %s", c + 1, t,
               k1 ? k1 : ja__drop_name(d1), k2 ? k2 : ja__drop_name(d2));
      }
    }
    base += all[c].n;
  }
  for (size_t t = 0; t < GATE_THREADS; t++) {
    free(w[t].d);
    free((void *)w[t].k);
  }
  for (size_t c = 0; c < ncorpora; c++) {
    the = all[c];
    unload();
  }
  check(&r, "gates under threads");
}

/* A corpus written apart: a drop line dropped (as any kind: the KIND column
 * is its author's category), a pass line kept. The misses come grouped by
 * that category, each with its line, so the failure reads as a to-do
 * list. */
static void
apart_judged(const char *name)
{
  unsigned char *missed = calloc(the.n ? the.n : 1, 1);
  const char **got = calloc(the.n ? the.n : 1, sizeof *got);
  assert_non_null(missed);
  assert_non_null(got);
  unsigned total = 0;
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    const char *kind = NULL;
    ja__drop d = ja__redact_string(w->value, w->len, &kind);
    if ((w->drop && d == JA__DROP_NONE) || (!w->drop && d != JA__DROP_NONE)) {
      missed[i] = 1;
      got[i] = kind ? kind : ja__drop_name(d);
      total++;
    }
  }
  /* Categories in order of first appearance, drop before pass. */
  char text[32768];
  size_t used = 0;
  for (size_t i = 0; i < the.n; i++) {
    if (!missed[i])
      continue;
    int first = 1;
    for (size_t j = 0; j < i && first; j++)
      first = !(missed[j] && the.rows[j].drop == the.rows[i].drop &&
                strcmp(the.rows[j].kind, the.rows[i].kind) == 0);
    if (!first)
      continue;
    unsigned n = 0;
    for (size_t j = i; j < the.n; j++)
      n += missed[j] && the.rows[j].drop == the.rows[i].drop &&
           strcmp(the.rows[j].kind, the.rows[i].kind) == 0;
    int k = snprintf(text + used, sizeof text - used, "\n  %s %s (%u):",
                     the.rows[i].drop ? "drop" : "pass", the.rows[i].kind, n);
    used += k > 0 && (size_t)k < sizeof text - used ? (size_t)k : 0;
    for (size_t j = i; j < the.n && used < sizeof text - 200; j++) {
      const row *w = &the.rows[j];
      if (!missed[j] || w->drop != the.rows[i].drop || strcmp(w->kind, the.rows[i].kind) != 0)
        continue;
      k = snprintf(text + used, sizeof text - used, "\n    line %u '%.60s'%s%s", w->line, w->value,
                   w->drop ? "" : ": dropped as ", w->drop ? "" : got[j]);
      used += k > 0 && (size_t)k < sizeof text - used ? (size_t)k : 0;
    }
  }
  free(missed);
  free(got);
  size_t rows = the.n;
  unload();
  if (total) {
    /* The whole list on stderr (cmocka cuts long failure messages). */
    fprintf(stderr, "%s: %u of %zu lines misjudged, by category:%s\n", name, total, rows, text);
    fail_msg("%s: %u of %zu lines misjudged (listed above)", name, total, rows);
  }
}

static void test_redact_corpus__corpus2_every_value_judged_right(void **state)
{
  (void)state;
  if (!load_apart(CORPUS2))
    skip();
  apart_judged("corpus 2");
}

static void test_redact_corpus__corpus3_every_value_judged_right(void **state)
{
  (void)state;
  if (!load_apart(CORPUS3))
    skip();
  apart_judged("corpus 3");
}

/* `redact` (ja__redact_string, what the CLI prints) and `capture`
 * (ja__event_prepare) agree on every value of @p path: a value redact calls
 * PII is counted as pii and never stored, any other value is never counted
 * as pii. Through a catalog str64 property (settings_changed.setting_key,
 * as capture sees it) and through a property the catalog does not know
 * (every string is redacted before the catalog looks at its name). A
 * value the catalog refuses for its shape before any pattern runs
 * (invalid_value, no pii) is not stored either: nothing to compare there,
 * the unknown property still compares it. */
static void
agree_check(const char *path, const char *what)
{
  load_file(path);
  report r = {.used = 0};
  static const char *const props[] = {"setting_key", "corpus_probe"};
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    const char *kind = NULL;
    int pii = ja__redact_string(w->value, w->len, &kind) == JA__DROP_PII;
    for (size_t k = 0; k < sizeof props / sizeof props[0]; k++) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, props[k], w->value);
      char *json = cJSON_PrintUnformatted(o);
      cJSON_Delete(o);
      ja__event ev;
      ja_status st = ja__event_prepare("settings_changed", json, &ev);
      if (st != JA_OK) {
        miss(&r, w, "%s: event refused: %s", props[k], ja_last_error());
        free(json);
        continue;
      }
      int counted = ev.drops[JA__DROP_PII] == 1, stored = strcmp(ev.props_json, "{}") != 0;
      int shaped_out = k == 0 && !counted && ev.drops[JA__DROP_INVALID_VALUE] == 1;
      if (pii && stored)
        miss(&r, w, "%s: redact says %s, capture stored %s", props[k], kind, ev.props_json);
      else if (!shaped_out && pii != counted)
        miss(&r, w, "%s: redact says %s, capture %s", props[k], pii ? kind : "pass",
             counted ? "counted pii" : "did not count pii");
      ja__event_free(&ev);
      free(json);
    }
  }
  unload();
  check(&r, what);
}

static void test_redact_corpus__redact_and_capture_agree(void **state)
{
  (void)state;
  agree_check(CORPUS, "redact vs capture, corpus 1");
}

static void test_redact_corpus__corpus2_redact_and_capture_agree(void **state)
{
  (void)state;
  if (!load_apart(CORPUS2))
    skip();
  unload();
  agree_check(CORPUS2, "redact vs capture, corpus 2");
}

static void test_redact_corpus__corpus3_redact_and_capture_agree(void **state)
{
  (void)state;
  if (!load_apart(CORPUS3))
    skip();
  unload();
  agree_check(CORPUS3, "redact vs capture, corpus 3");
}

/* The floor: 300 drop rows over 60 kinds, 150 pass rows, every kind
 * of the pattern table has cases, no kind in the corpus is unknown to the
 * table, no value twice. */
static void test_redact_corpus__size_and_coverage(void **state)
{
  (void)state;
  load();
  size_t nrules = 0, drops = 0, passes = 0;
  const ja__redact_rule *rules = ja__redact_rules(&nrules);
  report r = {.used = 0};
  for (size_t i = 0; i < the.n; i++) {
    const row *w = &the.rows[i];
    drops += w->drop;
    passes += !w->drop;
    int known = 0;
    for (size_t k = 0; w->drop && k < nrules; k++)
      known |= strcmp(rules[k].kind, w->kind) == 0;
    if (w->drop && !known)
      miss(&r, w, "kind not in the pattern table");
    for (size_t j = 0; j < i; j++)
      if (strcmp(the.rows[j].value, w->value) == 0)
        miss(&r, w, "value repeated");
  }
  size_t kinds = 0;
  for (size_t k = 0; k < nrules; k++) {
    int seen_before = 0, cases = 0;
    for (size_t j = 0; j < k; j++)
      seen_before |= strcmp(rules[j].kind, rules[k].kind) == 0;
    if (seen_before)
      continue;
    kinds++;
    for (size_t i = 0; i < the.n; i++)
      cases += the.rows[i].drop && strcmp(the.rows[i].kind, rules[k].kind) == 0;
    if (cases < 3) {
      row fake = {.drop = 1, .kind = (char *)rules[k].kind, .value = "", .line = 0};
      miss(&r, &fake, "only %d drop cases (want 3 or more)", cases);
    }
  }
  unload();
  check(&r, "corpus coverage");
  assert_true(drops >= 300);
  assert_true(passes >= 150);
  assert_true(kinds >= 60);
}
