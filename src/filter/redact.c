/*
 * filter/redact.c — the value-level PII filter (DESIGN §5, filter 1): one string in,
 * one verdict out (keep, empty, too_long or pii + the pattern's kind). Owns
 * the engine that runs the pattern table of redact_rules.c: compiling it once
 * (PCRE2 JIT, rows grouped into units), the cheap gates that skip units a
 * value cannot match, percent-decoding, and the fail-closed rule.
 */
#include "boot.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "filter/drop.h"
#include "filter/normalize.h"
#include "filter/redact.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

/* A compiled unit: one or more consecutive rows of the table as one regex,
 * plus what PCRE2 says any match needs, so that a value which cannot match
 * is skipped without calling PCRE2 at all (the gate). */
typedef struct unit {
  pcre2_code *code;
  int jitted;                 /* pcre2_jit_compile succeeded */
  size_t first_row, nrows;    /* rows [first_row, first_row + nrows) */
  uint32_t minlen;            /* no match is shorter (characters) */
  int first_cu, last_cu;      /* a code unit every match starts with /
                                 contains, or -1; either case counts */
  uint64_t first_set[4];      /* bytes a match can start with (all ones
                                 when PCRE2 gives no set) */
  uint64_t needs[4];          /* a match holds one of these bytes (from the
                                 rows' `needs`; all ones when a row has none) */
  unsigned min_digits;        /* a match holds this many digits (least of
                                 the rows' min_digits) */
} unit;

/* The kind reported when the patterns cannot be used: fail closed. */
static const char kind_unavailable[] = "redaction_unavailable";
/* The kind reported for a value whose normalised view cannot be built
 * (encoded deeper than JA__NORM_MAX_ROUNDS, or expanding past its bound). */
static const char kind_unnormalizable[] = "unnormalizable";

/* Built once per process by compile_all() under pthread_once, then only
 * read, which is what makes matching thread-safe. Never freed: the process
 * keeps them until exit (they stay reachable for LeakSanitizer). */
static const ja__redact_rule *rules;
static size_t nrules;
static unit *units;
static size_t nunits;
static int unavailable;               /* 1 when any unit failed to compile */
/* The gates' byte tests, transposed so one pass over a value answers them
 * for all units at once: bit i of needs_units[b] is set when byte b
 * satisfies unit i's needs, of first_units[b] when a match of unit i can
 * start with b. Units past the 64th have no bit and are always tried. */
static uint64_t needs_units[256], first_units[256];
/* Likewise bit i of len_units[n] is set when unit i's minlen is at most n,
 * of digits_units[d] when its min_digits is at most d; values longer than
 * LEN_CAP (with more than DIGITS_CAP digits) use the last entry, which has
 * every unit. */
#define LEN_CAP 64
#define DIGITS_CAP 24
static uint64_t len_units[LEN_CAP + 1], digits_units[DIGITS_CAP + 1];
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

/* Per-thread match data, match context and JIT stack: made on a thread's
 * first call, freed by the key's destructor when the thread ends (the main
 * thread's stay reachable through the key until exit). */
typedef struct scratch {
  pcre2_match_data *md;
  pcre2_match_context *mc;
  pcre2_jit_stack *stack;
  ja__norm_scratch *norm;     /* made on the first value that needs a view */
} scratch;
static pthread_key_t scratch_key;

static void
scratch_free(void *p)
{
  scratch *t = p;
  if (!t)
    return;
  pcre2_match_data_free(t->md);
  pcre2_match_context_free(t->mc);
  pcre2_jit_stack_free(t->stack);
  free(t->norm);
  free(t);
}

static scratch *
scratch_get(void)
{
  scratch *t = pthread_getspecific(scratch_key);
  if (t)
    return t;
  t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  /* One ovector pair is enough: only the whole match is looked at (and the
   * callout tells the row). A JIT stack up to 1 MiB keeps the backtracking
   * of long values from failing (which would drop them: fail closed). */
  t->md = pcre2_match_data_create(1, NULL);
  t->mc = pcre2_match_context_create(NULL);
  t->stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
  if (!t->md || !t->mc || !t->stack || pthread_setspecific(scratch_key, t) != 0) {
    scratch_free(t);
    return NULL;
  }
  pcre2_jit_stack_assign(t->mc, NULL, t->stack);
  return t;
}

/* Called by PCRE2 at the end of row n-1's alternative, i.e. when that row
 * has matched [start_match, current_position). A validator saying
 * "look-alike" makes PCRE2 backtrack as if the regex had failed there. */
static int
on_row_matched(pcre2_callout_block *cb, void *data)
{
  const ja__redact_rule *r = &rules[cb->callout_number - 1];
  if (r->validate && !r->validate((const char *)cb->subject + cb->start_match,
                                  cb->current_position - cb->start_match))
    return 1;
  *(size_t *)data = cb->callout_number - 1;
  return 0;
}

/* Fill @p u's gate from its rows' promises and from what PCRE2 learnt
 * about its compiled pattern. */
static void
gate_init(unit *u)
{
  memset(u->needs, 0, sizeof u->needs);
  u->min_digits = UINT_MAX;
  for (size_t i = u->first_row; i < u->first_row + u->nrows; i++) {
    const char *need = rules[i].needs;
    if (!need)
      memset(u->needs, 0xFF, sizeof u->needs);
    for (; need && *need; need++)
      u->needs[(unsigned char)*need >> 6] |= (uint64_t)1 << ((unsigned char)*need & 63);
    if (rules[i].min_digits < u->min_digits)
      u->min_digits = rules[i].min_digits;
  }
  uint32_t type = 0, cu = 0;
  const uint8_t *bitmap = NULL;
  pcre2_pattern_info(u->code, PCRE2_INFO_MINLENGTH, &u->minlen);
  u->first_cu = u->last_cu = -1;
  if (pcre2_pattern_info(u->code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1 &&
      pcre2_pattern_info(u->code, PCRE2_INFO_FIRSTCODEUNIT, &cu) == 0)
    u->first_cu = (int)cu;
  if (pcre2_pattern_info(u->code, PCRE2_INFO_LASTCODETYPE, &type) == 0 && type == 1 &&
      pcre2_pattern_info(u->code, PCRE2_INFO_LASTCODEUNIT, &cu) == 0)
    u->last_cu = (int)cu;
  if (pcre2_pattern_info(u->code, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
    memset(u->first_set, 0, sizeof u->first_set);
    for (unsigned c = 0; c < 256; c++)
      if ((bitmap[c >> 3] >> (c & 7)) & 1)
        u->first_set[c >> 6] |= (uint64_t)1 << (c & 63);
  } else
    memset(u->first_set, 0xFF, sizeof u->first_set);
}

/* The unit's regex: each row as "(?:row)(?C<n>)" where n-1 is its index,
 * joined by '|'. Returns a malloc'ed string or NULL. */
static char *
unit_regex(size_t first, size_t n)
{
  ja__buf b = {0};
  for (size_t i = first; i < first + n; i++)
    if (ja__buf_printf(&b, "%s(?:%s)(?C%zu)", i > first ? "|" : "", rules[i].regex, i + 1) !=
        JA_OK) {
      ja__buf_free(&b);
      return NULL;
    }
  return b.ptr;
}

/* Give unit @p u, at index @p i (< 64), its bit in the transposed tables. */
static void
masks_add(const unit *u, size_t i)
{
  uint64_t bit = (uint64_t)1 << i;
  for (unsigned c = 0; c < 256; c++) {
    if ((u->needs[c >> 6] >> (c & 63)) & 1)
      needs_units[c] |= bit;
    if ((u->first_set[c >> 6] >> (c & 63)) & 1)
      first_units[c] |= bit;
  }
  /* The last entry stands for "that many or more": every unit. */
  for (unsigned n = 0; n <= LEN_CAP; n++)
    if (n == LEN_CAP || u->minlen <= n)
      len_units[n] |= bit;
  for (unsigned d = 0; d <= DIGITS_CAP; d++)
    if (d == DIGITS_CAP || u->min_digits <= d)
      digits_units[d] |= bit;
}

static void
compile_all(void)
{
  rules = ja__redact_rules(&nrules);
  units = calloc(nrules ? nrules : 1, sizeof *units);
  /* Callout numbers are 1..255. */
  if (!units || nrules > 255 || pthread_key_create(&scratch_key, scratch_free) != 0) {
    ja__log_warn("cannot set up the redaction patterns; every string will be dropped");
    unavailable = 1;
    return;
  }
  for (size_t i = 0; i < nrules;) {
    size_t n = 1;
    while (rules[i].unit && i + n < nrules && rules[i + n].unit &&
           strcmp(rules[i].unit, rules[i + n].unit) == 0)
      n++;
    unit *u = &units[nunits++];
    u->first_row = i;
    u->nrows = n;
    char *re = unit_regex(i, n);
    int err = 0;
    PCRE2_SIZE erroff = 0;
    u->code = re ? pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &erroff, NULL)
                 : NULL;
    free(re);
    if (!u->code) {
      PCRE2_UCHAR msg[256];
      if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
        msg[0] = 0;
      ja__log_warn("cannot compile redaction pattern %zu ('%s') at offset %zu: %s; "
                   "every string will be dropped",
                   i, rules[i].kind, (size_t)erroff, (const char *)msg);
      unavailable = 1;
      return;
    }
    gate_init(u);
    if (nunits <= 64)
      masks_add(u, nunits - 1);
    /* No JIT (unsupported CPU, W^X policy) is not a failure: the interpreter
     * gives the same answers, only slower. */
    u->jitted = pcre2_jit_compile(u->code, PCRE2_JIT_COMPLETE) == 0;
    i += n;
  }
}

/* What a gate looks at: which bytes the value holds. */
typedef struct features {
  uint64_t present[4];   /* bit b set: byte b occurs */
  unsigned digits;       /* number of ASCII digits */
  uint64_t candidates;   /* units (first 64) whose byte tests pass */
} features;

static void
features_of(const char *s, size_t len, features *f)
{
  uint64_t needs = 0, first = 0;
  memset(f->present, 0, sizeof f->present);
  f->digits = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    f->present[c >> 6] |= (uint64_t)1 << (c & 63);
    f->digits += (unsigned)(c - '0') < 10u;
    needs |= needs_units[c];
    first |= first_units[c];
  }
  f->candidates = needs & first & len_units[len < LEN_CAP ? len : LEN_CAP] &
                  digits_units[f->digits < DIGITS_CAP ? f->digits : DIGITS_CAP];
}

static int
has_byte(const features *f, int c)
{
  return (int)((f->present[c >> 6] >> (c & 63)) & 1);
}

/* Whether byte @p c, in either ASCII case, occurs. */
static int
has_either_case(const features *f, int c)
{
  if (has_byte(f, c))
    return 1;
  if (c >= 'a' && c <= 'z')
    return has_byte(f, c - 32);
  if (c >= 'A' && c <= 'Z')
    return has_byte(f, c + 32);
  return 0;
}

/* The gate: 0 when unit @p i cannot match a value of @p len bytes with
 * features @p f. Each test is a necessary condition — a match has at least
 * minlen characters (hence bytes), holds its first and required code
 * units, starts with a byte of its first set, and holds what the rows
 * promise in needs and min_digits — so skipping never changes a verdict;
 * tests and the fuzzer check that by comparing with JA__REDACT_NO_GATES. */
static int
gate_open(size_t i, size_t len, const features *f)
{
  const unit *u = &units[i];
  if (i < 64 && !((f->candidates >> i) & 1))
    return 0;
  if (len < u->minlen || f->digits < u->min_digits)
    return 0;
  if (u->first_cu >= 0 && !has_either_case(f, u->first_cu))
    return 0;
  if (u->last_cu >= 0 && !has_either_case(f, u->last_cu))
    return 0;
  if (i >= 64) { /* no bit in the tables: test the sets here */
    uint64_t n = 0, s = 0;
    for (size_t k = 0; k < 4; k++) {
      n |= f->present[k] & u->needs[k];
      s |= f->present[k] & u->first_set[k];
    }
    return n && s;
  }
  return 1;
}

/* Run unit @p i over @p s[0..len): 1 with *kind set when it matched, 0
 * when not, -1 when PCRE2 failed (out of memory, limits). */
static int
run_unit(scratch *t, size_t i, const char *s, size_t len, const char **kind)
{
  const unit *u = &units[i];
  size_t row = 0;
  pcre2_set_callout(t->mc, on_row_matched, &row);
  int rc = u->jitted ? pcre2_jit_match(u->code, (PCRE2_SPTR)s, len, 0, 0, t->md, t->mc)
                     : pcre2_match(u->code, (PCRE2_SPTR)s, len, 0, 0, t->md, t->mc);
  if (rc == PCRE2_ERROR_NOMATCH)
    return 0;
  if (rc < 0)
    return -1;
  *kind = rules[row].kind;
  return 1;
}

/* Run the units over @p s[0..len) in table order. Returns the kind of the
 * first unit that matches, NULL when none does, or kind_unavailable when
 * PCRE2 failed at match time: fail closed. */
static const char *
scan(scratch *t, const char *s, size_t len, unsigned flags)
{
  const char *kind = NULL;
  int rc = 0;
  if (flags & JA__REDACT_NO_GATES) {
    for (size_t i = 0; i < nunits && rc == 0; i++)
      rc = run_unit(t, i, s, len, &kind);
  } else {
    features f;
    features_of(s, len, &f);
    /* Units 0..63: only the candidates' bits, lowest (earliest) first. */
    for (uint64_t todo = f.candidates; todo && rc == 0; todo &= todo - 1) {
      size_t i = (size_t)__builtin_ctzll(todo);
      if (gate_open(i, len, &f))
        rc = run_unit(t, i, s, len, &kind);
    }
    for (size_t i = 64; i < nunits && rc == 0; i++)
      if (gate_open(i, len, &f))
        rc = run_unit(t, i, s, len, &kind);
  }
  return rc < 0 ? kind_unavailable : rc ? kind : NULL;
}

/* The kind of PII in @p s[0..len) (at most 800 bytes), or NULL for none.
 * The table runs over the value's normalised view (filter/normalize.c)
 * when it has one, and over the value as written when it has none or is
 * ASCII. Pure ASCII without '%', '&' or '\\' has no view: one scan, the
 * common case. A non-ASCII value with a view is judged on the view alone:
 * it holds the same letters, without the invisible characters that would
 * otherwise join "icon<ZWSP>@2x.png" into an address-like run. */
static const char *
classify(const char *s, size_t len, unsigned flags)
{
  pthread_once(&compile_once, compile_all);
  if (unavailable)
    return kind_unavailable;
  scratch *t = scratch_get();
  if (!t)
    return kind_unavailable;

  int needed = ja__norm_needed(s, len);
  const char *found = NULL;
  if (!(needed & JA__NORM_UNICODE) && (found = scan(t, s, len, flags)) != NULL)
    return found;
  if (!needed)
    return NULL;
  if (!t->norm && !(t->norm = malloc(sizeof *t->norm)))
    return kind_unavailable;
  const char *view = NULL;
  long n = ja__norm_view(s, len, t->norm, &view);
  if (n < 0)
    return kind_unnormalizable;
  if (n > 0)
    return scan(t, view, (size_t)n, flags);
  return (needed & JA__NORM_UNICODE) ? scan(t, s, len, flags) : NULL;
}

ja__drop
ja__redact_string(const char *s, size_t len, const char **kind)
{
  return ja__redact_string_ex(s, len, 0, kind);
}

ja__drop
ja__redact_string_ex(const char *s, size_t len, unsigned flags, const char **kind)
{
  if (kind)
    *kind = NULL;
  if (len == 0)
    return JA__DROP_EMPTY;
  /* Cheap bound first: more bytes than 200 four-byte code points can hold is
   * too long whatever they are, and it bounds classify()'s scratch buffers. */
  if (len > JA__MAX_STR_CODEPOINTS * 4 || ja__utf8_count(s, len) > JA__MAX_STR_CODEPOINTS)
    return JA__DROP_TOO_LONG;

  const char *found = classify(s, len, flags);
  if (!found)
    return JA__DROP_NONE;
  if (kind)
    *kind = found;
  return JA__DROP_PII;
}
