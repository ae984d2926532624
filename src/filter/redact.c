/*
 * filter/redact.c — the value-level PII filter: one string in,
 * one verdict out (keep, empty, too_long or pii + the pattern's kind). Owns
 * the engine that runs the pattern table of redact_rules.c: compiling it
 * (PCRE2 JIT, rows grouped into units, each unit when a value first opens
 * its gate), the cheap gates that skip units a value cannot match, the
 * normalised views and a shaped value's second reading, and the
 * fail-closed rule.
 */
#include "boot.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter/catalog.h"
#include "filter/drop.h"
#include "filter/normalize.h"
#include "filter/redact.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

/* A unit: one or more consecutive rows of the table as one regex, plus
 * what any match needs, so that a value which cannot match is skipped
 * without calling PCRE2 at all (the gate). The rows' promises are known
 * from the start; the regex is compiled (and what PCRE2 learns of it
 * added to the gate) only when a value first passes those promises, and
 * JIT-compiled when a value first passes the whole gate: a process that
 * captures one event compiles a handful of the table's units, not all. */
typedef struct unit {
  atomic_int state;           /* UNIT_NEW, UNIT_READY or UNIT_BROKEN; set
                                 (release) after code and what PCRE2 learnt,
                                 read (acquire) before either is used */
  pcre2_code *code;           /* compiled when READY */
  atomic_int jit;             /* JIT_UNDECIDED until its first match, then
                                 JIT_YES, or JIT_NO (unsupported CPU, W^X
                                 policy: interpreted, same answers) */
  size_t first_row, nrows;    /* rows [first_row, first_row + nrows) */
  uint32_t minlen;            /* no match is shorter (characters); 0 until
                                 READY */
  int first_cu, last_cu;      /* a code unit every match starts with /
                                 contains, or -1; either case counts */
  uint64_t first_set[4];      /* bytes a match can start with (all ones
                                 when PCRE2 gives no set, or until READY) */
  uint64_t needs[4];          /* a match holds one of these bytes (from the
                                 rows' `needs`; all ones when a row has none) */
  unsigned min_digits;        /* a match holds this many digits (least of
                                 the rows' min_digits) */
  int count_class;            /* a match holds min_count bytes of byte class
                                 count_class (rows' count_of), or -1 */
  unsigned min_count;
  unsigned min_run;           /* ... and a run this long of letters and
                                 digits (least of the rows' min_run) */
  size_t lit_first, nlits;    /* literals [lit_first, +nlits) of lits[], one
                                 of which every match holds; nlits 0: no
                                 such promise (some row made none) */
} unit;

/* A literal a match must hold (a row's `lits`), lower-cased, with the
 * bigram the byte pass looks for. */
#define LIT_MAX 32
typedef struct lit {
  char text[LIT_MAX + 1];
  size_t len;
  size_t unit;                /* whose literal it is */
  size_t rare;                /* text[rare], text[rare + 1]: its rarest bigram */
  uint16_t bucket;            /* that bigram's bucket */
} lit;

enum { UNIT_NEW, UNIT_READY, UNIT_BROKEN };
enum { JIT_UNDECIDED, JIT_YES, JIT_NO };

/* The kind reported when the patterns cannot be used: fail closed. */
static const char kind_unavailable[] = "redaction_unavailable";
/* The kind reported for a value whose normalised view cannot be built
 * (encoded deeper than JA__NORM_MAX_ROUNDS, or expanding past its bound). */
static const char kind_unnormalizable[] = "unnormalizable";

/* Built once per process by compile_all() under pthread_once, then only
 * read, which is what makes matching thread-safe — but for each unit's
 * compiled code, made later under unit_lock and published through its
 * state and jit (unit_ready, unit_jitted), and the bits learn() clears.
 * Never freed: the process keeps them until exit (they stay reachable for
 * LeakSanitizer). */
static const ja__redact_rule *rules;
static size_t nrules;
static unit *units;
static size_t nunits;
static lit *lits;
static size_t nlits_all;
static int unavailable;               /* 1 when the table cannot be set up */
/* The gates' tests, transposed so one pass over a value answers them for
 * all units at once. A unit set is UW words of bits (unit i is bit i%64
 * of word i/64); units past UW*64 have no bit, so the pass cannot skip
 * them and gate_open() tests them one by one. Bit i of by_byte[b].needs
 * is set when byte b satisfies unit i's needs, of by_byte[b].lit when b (either
 * case) is a one-byte literal of unit i, and of no_lits_units when unit i
 * promises no literals; these are ORed once per distinct byte of the
 * value. Longer literals are filed under the bucket of their rarest
 * bigram (bucket_lits), and bit i of bucket_units[h] is set when unit i
 * has a literal in bucket h: the pass ORs the buckets of the value's
 * bigrams, and only units that owe a literal and whose bucket came up are
 * confirmed, by a second pass comparing the literals at the bigrams that
 * filed them. What PCRE2 learns of a unit (its least length, its first
 * bytes) is known once it is compiled: until then its bits in
 * len_units[] are set everywhere, and learn() clears those its regex
 * rules out (atomically: other threads may be reading; a reader that
 * misses a clearing only sees a weaker gate). The first bytes are tested
 * per candidate (learnt): in the byte pass, reading them atomically per
 * distinct byte cost more than the candidates they removed. */
#define UW 4
typedef struct uset {
  uint64_t w[UW];
} __attribute__((aligned(UW * 8))) uset;
/* The same as two 128-bit vectors (SSE2 on x86-64, NEON on arm64): the
 * byte pass ORs and ANDs whole sets in registers. A set is read in place
 * (GCC and Clang let a vector alias its element type; uset is aligned for
 * it). Wider vectors (one 256-bit type) were lowered by the compiler
 * through the stack on a baseline x86-64 build: 13 instructions a byte
 * instead of 2. */
#if UW != 4
#error "uvec is written for UW == 4"
#endif
typedef uint64_t v2 __attribute__((vector_size(16)));
typedef struct uvec {
  v2 lo, hi;
} uvec;
static inline uvec
uv(const uset *set)
{
  uvec v = {*(const v2 *)(const void *)&set->w[0], *(const v2 *)(const void *)&set->w[2]};
  return v;
}
/* uv() of a set learn() may be clearing in another thread: word by word,
 * each read atomically (relaxed: a stale word is a weaker gate). */
static inline uvec
uv_atomic(const uset *set)
{
  uvec v = {{__atomic_load_n(&set->w[0], __ATOMIC_RELAXED), __atomic_load_n(&set->w[1], __ATOMIC_RELAXED)},
            {__atomic_load_n(&set->w[2], __ATOMIC_RELAXED), __atomic_load_n(&set->w[3], __ATOMIC_RELAXED)}};
  return v;
}
static inline void
uv_or(uvec *a, uvec b)
{
  a->lo |= b.lo;
  a->hi |= b.hi;
}
static inline uvec
uv_and(uvec a, uvec b)
{
  uvec v = {a.lo & b.lo, a.hi & b.hi};
  return v;
}
static inline uvec
uv_andnot(uvec a, uvec b) /* a & ~b */
{
  uvec v = {a.lo & ~b.lo, a.hi & ~b.hi};
  return v;
}
static inline int
uv_any(uvec v)
{
  v2 x = v.lo | v.hi;
  return (x[0] | x[1]) != 0;
}
static size_t nwords;                 /* words in use: (nunits + 63) / 64, at most UW */
/* Per byte, what the byte pass ORs together, side by side for locality. */
typedef struct byte_sets {
  uset needs, lit;
} byte_sets;
static byte_sets by_byte[256];
/* 4 096 buckets (128 KiB of unit sets), one per pair of six-bit byte
 * codes (code6): with 1 024 hashed ones, bigrams a value holds often
 * shared a bucket with an unrelated literal ("pu" of "pul-" in
 * "ui.theme.dark_mode_enabled", "bd" in "qwen3.5:2b"), sending its unit to
 * the second pass for nothing. */
#define BIGRAMS 4096
static uset no_lits_units;
static uset bucket_units[BIGRAMS];
/* The literals filed under bucket h are bucket_lits[bucket_start[h] ..
 * bucket_start[h + 1]), each with what the second pass needs at hand: its
 * unit as a word and a bit, so that a literal of a unit owing nothing is
 * passed over in one test (a bucket of a common bigram holds literals of
 * many units, most of which the value no longer owes; through lits[] and
 * the unit's index that test cost about four times as much). */
typedef struct bucket_lit {
  uint64_t bit;               /* the unit's bit in word w of a unit set */
  const char *text;           /* the literal, lower-cased (lits[].text) */
  uint8_t w;                  /* that word; UW for a unit past the sets'
                                 bits (never confirmed here: gate_open()
                                 tests its literals) */
  uint8_t rare, len;          /* where its bucket's bigram is in it; length */
} bucket_lit;
static uint32_t bucket_start[BIGRAMS + 1];
static bucket_lit *bucket_lits;

/* Byte classes the pass counts: class 0 is the ASCII digits (min_digits),
 * the others are the rows' count_of sets, as many as fit (a promise over
 * one more set is not used: a weaker gate, never a wrong one). The pass
 * adds class_add[b] per byte: 1 << (CLASS_BITS * k) for each class k
 * holding b, so the count of class k is bits CLASS_BITS * k and up of the
 * sum: eight 8-bit fields in one word, exact for values under 256 bytes;
 * a longer value is counted again, in pieces of 255 bytes
 * (class_counts_long). Eight, not six 10-bit ones: the table names seven
 * sets, and with six fields the last one named (the capitals of the bare
 * full-name rows) had no class, so its promise went unused. */
#define NCLASS 8
#define CLASS_BITS 8
#define CLASS_MAX_LEN (1u << CLASS_BITS)
static uint64_t class_set[NCLASS][4];
static size_t nclasses = 1;
static uint64_t class_add[256];
/* Likewise bit i of len_units[n] (atomic, see above) is set when unit i's
 * minlen is at most n,
 * of count_units[k][d] when it promises at most d bytes of class k (none
 * when it promises nothing there: every entry), of run_units[r] when its
 * min_run is at most r; values longer than LEN_CAP (counts over COUNT_CAP,
 * runs over RUN_CAP) use the last entry, which has every unit. */
#define LEN_CAP 64
#define COUNT_CAP 24
#define RUN_CAP 32
static uset len_units[LEN_CAP + 1], count_units[NCLASS][COUNT_CAP + 1], run_units[RUN_CAP + 1];
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;
/* Set (release) once compile_all() has run: every call but the first
 * reads it instead of calling pthread_once (a call through the PLT, about
 * thirty instructions a value). */
static atomic_int set_up;
static pthread_mutex_t unit_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* Called by PCRE2 at the end of the alternative of the unit's row n-1
 * (callout n, counted from the unit's first row, so a unit may hold 255
 * rows and the table any number), i.e. when that row has matched
 * [start_match, current_position). A validator saying "look-alike" makes
 * PCRE2 backtrack as if the regex had failed there. @p data: the unit's
 * first row in, the row that matched out. */
static int
on_row_matched(pcre2_callout_block *cb, void *data)
{
  size_t *row = data;
  const ja__redact_rule *r = &rules[row[0] + cb->callout_number - 1];
  if (r->validate && !r->validate((const char *)cb->subject + cb->start_match,
                                  cb->current_position - cb->start_match))
    return 1;
  row[1] = row[0] + cb->callout_number - 1;
  return 0;
}

static unsigned char
lower(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* lower() as a table, for the byte pass. */
static unsigned char folded[256];

/* Separators of the key and version shapes, read as spaces in a shaped
 * value's second reading. */
static int
shape_separator(char c)
{
  return c == '/' || c == '_' || c == '.' || c == ':' || c == '-';
}

/* Each byte's part in a shaped value: a separator, an ASCII letter, or
 * anything else (filled by compile_all). */
enum { SHAPE_OTHER, SHAPE_LETTER, SHAPE_SEP };
static unsigned char shape_kind[256];
/* All ones for ASCII letters and digits, for the longest run. */
static unsigned alnum_mask[256];

/* A byte's six-bit code for bigram buckets: letters (either case), digits
 * and the 27 commonest punctuation bytes each have their own, every other
 * byte (non-ASCII included) shares the last. 64 × 64 = BIGRAMS buckets, so
 * two bigrams of those bytes never share one: a bucket comes up only when
 * its bigram is in the value (a hash into the same number of buckets sent
 * units to the second pass for bigrams they do not hold). */
static unsigned char code6[256];

static void
code6_init(void)
{
  static const char punct[] = " .-_:/@=+,#$%&*()[]\"'!?;<>\\";
  memset(code6, 63, sizeof code6);
  for (unsigned c = 0; c < 26; c++)
    code6['a' + c] = code6['A' + c] = (unsigned char)c;
  for (unsigned c = 0; c < 10; c++)
    code6['0' + c] = (unsigned char)(26 + c);
  for (unsigned k = 0; punct[k]; k++)
    code6[(unsigned char)punct[k]] = (unsigned char)(36 + k);
}

/* The bucket of two adjacent bytes (either case): what the byte pass, the
 * second pass and the filing of literals all compute. */
static inline unsigned
bucket_of(unsigned char a, unsigned char b)
{
  return (unsigned)code6[a] << 6 | code6[b];
}

/* Append the literals of @p spec ("a|bc|def") to lits[]; returns 0 when a
 * literal is empty or longer than LIT_MAX (a table error: fail closed). */
static int
lits_add(const char *spec)
{
  for (const char *p = spec;;) {
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    if (n == 0 || n > LIT_MAX)
      return 0;
    lit *l = &lits[nlits_all++];
    for (size_t k = 0; k < n; k++)
      l->text[k] = (char)lower((unsigned char)p[k]);
    l->text[n] = 0;
    l->len = n;
    if (!bar)
      return 1;
    p = bar + 1;
  }
}

/* Drop the unit's literals (those from @p first on) that another one of
 * them makes redundant: a repeat, or one holding another ("passord" when
 * "pass" is there: a value holding the longer holds the shorter). Fewer
 * literals, fewer to compare in the second pass. */
static void
lits_prune(size_t first)
{
  size_t n = nlits_all - first;
  uint64_t *bytes = calloc(n ? n : 1, sizeof *bytes);
  unsigned char *drop = calloc(n ? n : 1, 1);
  if (!bytes || !drop) { /* keep them all: more to compare, same answers */
    free(bytes);
    free(drop);
    return;
  }
  /* Which bytes (mod 64) each holds: a literal can only hold another
   * whose bytes it has, which rules out most pairs without a search. */
  for (size_t k = 0; k < n; k++)
    for (const char *c = lits[first + k].text; *c; c++)
      bytes[k] |= (uint64_t)1 << ((unsigned char)*c & 63);
  for (size_t k = 0; k < n; k++)
    for (size_t j = 0; j < n && !drop[k]; j++) {
      const lit *big = &lits[first + k], *small = &lits[first + j];
      if (j == k || drop[j] || small->len > big->len || (bytes[j] & ~bytes[k]))
        continue;
      if (small->len == big->len && j > k)
        continue; /* of two equal ones, the first stays */
      drop[k] = strstr(big->text, small->text) != NULL;
    }
  size_t keep = first;
  for (size_t k = 0; k < n; k++)
    if (!drop[k])
      lits[keep++] = lits[first + k];
  nlits_all = keep;
  free(bytes);
  free(drop);
}

/* Fill @p u's gate from its rows' promises; what PCRE2 learns of the
 * regex comes when it is compiled (learn). */
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
    if (i == u->first_row || rules[i].min_run < u->min_run)
      u->min_run = rules[i].min_run;
  }
  /* A count: only when every row of the unit promises one over the same
   * set (the least of their counts), and the set has a class. */
  u->count_class = -1;
  u->min_count = 0;
  for (size_t i = u->first_row; i < u->first_row + u->nrows; i++)
    if (!rules[i].count_of || strcmp(rules[i].count_of, rules[u->first_row].count_of) != 0) {
      u->min_count = 0;
      break;
    } else if (i == u->first_row || rules[i].min_count < u->min_count)
      u->min_count = rules[i].min_count;
  if (u->min_count > 0) {
    uint64_t set[4] = {0, 0, 0, 0};
    for (const char *c = rules[u->first_row].count_of; *c; c++)
      set[(unsigned char)*c >> 6] |= (uint64_t)1 << ((unsigned char)*c & 63);
    size_t k = 1;
    while (k < nclasses && memcmp(class_set[k], set, sizeof set) != 0)
      k++;
    if (k == nclasses && nclasses < NCLASS) {
      memcpy(class_set[k], set, sizeof set);
      for (unsigned c = 0; c < 256; c++)
        if ((set[c >> 6] >> (c & 63)) & 1)
          class_add[c] += (uint64_t)1 << (CLASS_BITS * k);
      nclasses++;
    }
    if (k < nclasses)
      u->count_class = (int)k;
  }
  /* Literals: only when every row of the unit promises some. */
  u->lit_first = nlits_all;
  u->nlits = 0;
  for (size_t i = u->first_row; i < u->first_row + u->nrows; i++)
    if (!rules[i].lits) {
      nlits_all = u->lit_first;
      break;
    } else if (!lits_add(rules[i].lits)) {
      ja__log_warn("redaction row %zu ('%s') has an empty or over-long literal; "
                   "every string will be dropped",
                   i, rules[i].kind);
      unavailable = 1;
    }
  lits_prune(u->lit_first);
  u->nlits = nlits_all - u->lit_first;
  /* Until the regex is compiled: no promise of its own. */
  u->minlen = 0;
  u->first_cu = u->last_cu = -1;
  memset(u->first_set, 0xFF, sizeof u->first_set);
}

static void
uset_clear_atomic(uset *set, size_t i)
{
  if (i < UW * 64)
    __atomic_fetch_and(&set->w[i / 64], ~((uint64_t)1 << (i % 64)), __ATOMIC_RELAXED);
}

/* Add to unit @p i's gate what PCRE2 learnt about its compiled regex, in
 * the unit and in the byte pass's tables. */
static void
learn(size_t i)
{
  unit *u = &units[i];
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
  for (unsigned n = 0; n < LEN_CAP && n < u->minlen; n++)
    uset_clear_atomic(&len_units[n], i);
}

/* The unit's regex: each row as "(?:row)(?C<n>)" where n-1 is its index,
 * joined by '|'. Returns a malloc'ed string or NULL. */
static char *
unit_regex(size_t first, size_t n)
{
  ja__buf b = {0};
  for (size_t i = first; i < first + n; i++)
    if (ja__buf_printf(&b, "%s(?:%s)(?C%zu)", i > first ? "|" : "", rules[i].regex, i - first + 1) !=
        JA_OK) {
      ja__buf_free(&b);
      return NULL;
    }
  return b.ptr;
}

/* How common a (lower-cased) byte is in the values we see: English
 * letter frequency per mille, separators as common as the commonest
 * letters, digits in between, anything else rare. */
static unsigned
commonness(unsigned char c)
{
  static const unsigned short letters[26] = {82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24,
                                             67, 75, 19, 1,  60, 63, 91, 28, 10, 24, 2,  20, 1};
  if (c >= 'a' && c <= 'z')
    return letters[c - 'a'];
  if (c == '.' || c == '_' || c == '-' || c == ' ' || c == ':' || c == '/')
    return 100;
  if (c >= '0' && c <= '9')
    return 30;
  return 5;
}

/* The pairs (lower case) commonest in English text and in identifiers
 * ("th", "er", "e_", "_s" …): letter frequencies alone rank "re" or "th"
 * as rarer than they are, and a literal filed under one sends its unit
 * to the second pass for most values ("gr": program, group, agree,
 * integrate; "greetings" and "groet" were filed under it). As a bit per bucket (every byte of
 * them has a code6 of its own, so a bucket is one pair), set by
 * common_pairs_init: looking each pair up in the list cost half of the
 * table's set-up. */
static uint64_t common_pairs[BIGRAMS / 64];

static void
common_pairs_init(void)
{
  static const char pairs[] =
      "th he in er an re nd on en at ou ed ha to or it is hi es ng st ar te se me nt ve ea al as ti le ne "
      "co de ri ra li ro ic io el ma ta ce na la ll ca si pe om ec ur us ch di ge ac il ot be ni ss ns gr "
      "tr un ly ow wi ho ct lo ai nc mo ad ol so ie sh ly et ly em im ro fi ut ke ag ue id op ig "
      "e_ _s s_ t_ _t _c _m d_ _p _i r_ n_ _d _a _e _f _n _r _l y_ _u _b e. .s e- -s .c -c 1. .0 0. "
      "e  s  t  d  n  y  r  o   t  a  s  c  i  w  m  p  f  b ";
  for (size_t i = 0; pairs[i] && pairs[i + 1]; i += 3) {
    unsigned h = bucket_of((unsigned char)pairs[i], (unsigned char)pairs[i + 1]);
    common_pairs[h / 64] |= (uint64_t)1 << (h % 64);
  }
}

static int
common_pair(unsigned char a, unsigned char b)
{
  unsigned h = bucket_of(a, b);
  return (int)((common_pairs[h / 64] >> (h % 64)) & 1);
}

/* The index of @p l's rarest bigram: the one the byte pass indexes, so a
 * unit is confirmed only on values holding the literal's least common
 * pair (any pair of it is a necessary condition; a rare one is a strong
 * one). */
static uint16_t bucket_load[BIGRAMS]; /* literals filed so far, per bucket */

static size_t
rarest_bigram(const lit *l)
{
  size_t best = 0;
  unsigned best_score = ~0u;
  for (size_t k = 0; k + 1 < l->len; k++) {
    unsigned char a = (unsigned char)l->text[k], b = (unsigned char)l->text[k + 1];
    /* ... and, of pairs alike, the one whose bucket holds fewest so far:
     * every literal in a bucket is compared when the bucket comes up. */
    unsigned score = commonness(a) * commonness(b) * (common_pair(a, b) ? 16 : 1) *
                     (1u + bucket_load[bucket_of(a, b)]);
    if (score < best_score) {
      best_score = score;
      best = k;
    }
  }
  return best;
}

static void
uset_add(uset *set, size_t i)
{
  if (i < UW * 64)
    set->w[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Units whose bit is set in every entry of a table, added to all the
 * entries at once when the table is done (masks_done): most units promise
 * nothing in most of them, and setting a bit entry by entry was most of
 * the set-up. */
static uset every_byte_needs, every_count[NCLASS], every_run;

/* Give unit @p u, at index @p i, its bit in the transposed tables. */
static void
masks_add(const unit *u, size_t i)
{
  if (u->needs[0] == ~(uint64_t)0 && u->needs[1] == ~(uint64_t)0 && u->needs[2] == ~(uint64_t)0 &&
      u->needs[3] == ~(uint64_t)0)
    uset_add(&every_byte_needs, i);
  else
    for (unsigned w = 0; w < 4; w++)
      for (uint64_t todo = u->needs[w]; todo; todo &= todo - 1)
        uset_add(&by_byte[w * 64 + (unsigned)__builtin_ctzll(todo)].needs, i);
  if (!u->nlits)
    uset_add(&no_lits_units, i);
  for (size_t k = u->lit_first; k < u->lit_first + u->nlits; k++) {
    const lit *l = &lits[k];
    if (l->len == 1) {
      uset_add(&by_byte[(unsigned char)l->text[0]].lit, i);
      if (l->text[0] >= 'a' && l->text[0] <= 'z') /* the other case */
        uset_add(&by_byte[(unsigned char)l->text[0] - 32u].lit, i);
    }
    lits[k].unit = i;
    if (l->len > 1) {
      lits[k].rare = rarest_bigram(l);
      lits[k].bucket = (uint16_t)bucket_of((unsigned char)l->text[lits[k].rare],
                                           (unsigned char)l->text[lits[k].rare + 1]);
      bucket_load[lits[k].bucket]++;
      uset_add(&bucket_units[lits[k].bucket], i);
    }
  }
  /* Every length until learn() knows better. The last entry of each
   * table stands for "that many or more": every unit. */
  for (size_t k = 0; k < NCLASS; k++) {
    unsigned least = k == 0 ? u->min_digits : (int)k == u->count_class ? u->min_count : 0;
    if (least == 0)
      uset_add(&every_count[k], i);
    else
      for (unsigned d = least < COUNT_CAP ? least : COUNT_CAP; d <= COUNT_CAP; d++)
        uset_add(&count_units[k][d], i);
  }
  if (u->min_run == 0)
    uset_add(&every_run, i);
  else
    for (unsigned r = u->min_run < RUN_CAP ? u->min_run : RUN_CAP; r <= RUN_CAP; r++)
      uset_add(&run_units[r], i);
}

static void
uset_or(uset *to, const uset *from)
{
  for (size_t w = 0; w < UW; w++)
    to->w[w] |= from->w[w];
}

/* Add the every_* sets to every entry, and every unit to every length. */
static void
masks_done(void)
{
  uset all = {{0}};
  for (size_t i = 0; i < nunits; i++)
    uset_add(&all, i);
  for (unsigned c = 0; c < 256; c++)
    uset_or(&by_byte[c].needs, &every_byte_needs);
  for (unsigned n = 0; n <= LEN_CAP; n++)
    len_units[n] = all;
  for (size_t k = 0; k < NCLASS; k++)
    for (unsigned d = 0; d <= COUNT_CAP; d++)
      uset_or(&count_units[k][d], &every_count[k]);
  for (unsigned r = 0; r <= RUN_CAP; r++)
    uset_or(&run_units[r], &every_run);
}

/* File every literal of two or more bytes under its rarest bigram's
 * bucket (counting sort into bucket_lits). */
static int
buckets_build(void)
{
  bucket_lits = calloc(nlits_all ? nlits_all : 1, sizeof *bucket_lits);
  if (!bucket_lits)
    return 0;
  for (size_t k = 0; k < nlits_all; k++)
    if (lits[k].len > 1)
      bucket_start[lits[k].bucket + 1]++;
  for (size_t h = 0; h < BIGRAMS; h++)
    bucket_start[h + 1] += bucket_start[h];
  uint32_t fill[BIGRAMS];
  memcpy(fill, bucket_start, sizeof fill);
  for (size_t k = 0; k < nlits_all; k++)
    if (lits[k].len > 1) {
      bucket_lit *b = &bucket_lits[fill[lits[k].bucket]++];
      b->w = lits[k].unit < UW * 64 ? (uint8_t)(lits[k].unit / 64) : UW;
      b->bit = (uint64_t)1 << (lits[k].unit % 64);
      b->text = lits[k].text;
      b->rare = (uint8_t)lits[k].rare;
      b->len = (uint8_t)lits[k].len;
    }
  return 1;
}

static void
compile_all(void)
{
  rules = ja__redact_rules(&nrules);
  code6_init();
  common_pairs_init();
  for (unsigned c = 0; c < 256; c++) {
    folded[c] = lower((unsigned char)c);
    alnum_mask[c] = (folded[c] >= 'a' && folded[c] <= 'z') || (c >= '0' && c <= '9') ? ~0u : 0;
    class_add[c] = c >= '0' && c <= '9'; /* class 0 */
    shape_kind[c] = shape_separator((char)c)                          ? SHAPE_SEP
                    : (folded[c] >= 'a' && folded[c] <= 'z' && c < 128) ? SHAPE_LETTER
                                                                      : SHAPE_OTHER;
  }
  units = calloc(nrules ? nrules : 1, sizeof *units);
  /* Each literal takes at least 2 bytes of a `lits` string ("x|"). */
  size_t lit_cap = 1;
  for (size_t i = 0; i < nrules; i++)
    lit_cap += rules[i].lits ? strlen(rules[i].lits) / 2 + 1 : 0;
  lits = calloc(lit_cap, sizeof *lits);
  if (!units || !lits || pthread_key_create(&scratch_key, scratch_free) != 0) {
    ja__log_warn("cannot set up the redaction patterns; every string will be dropped");
    unavailable = 1;
    return;
  }
  for (size_t i = 0; i < nrules;) {
    size_t n = 1;
    /* Callout numbers are 1..255: a unit holds at most 255 rows. */
    while (rules[i].unit && i + n < nrules && n < 255 && rules[i + n].unit &&
           strcmp(rules[i].unit, rules[i + n].unit) == 0)
      n++;
    unit *u = &units[nunits++];
    u->first_row = i;
    u->nrows = n;
    gate_init(u);
    if (unavailable)
      return;
    masks_add(u, nunits - 1);
    nwords = nunits > UW * 64 ? UW : (nunits + 63) / 64;
    i += n;
  }
  masks_done();
  if (!buckets_build()) {
    ja__log_warn("cannot set up the redaction patterns; every string will be dropped");
    unavailable = 1;
  }
}

/* Compile unit @p i and learn what its matches need; 0 when PCRE2
 * refuses it (a table error: logged). Caller holds unit_lock. */
static int
compile_unit(size_t i)
{
  unit *u = &units[i];
  char *re = unit_regex(u->first_row, u->nrows);
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
                 "every string it could match will be dropped",
                 u->first_row, rules[u->first_row].kind, (size_t)erroff, (const char *)msg);
    return 0;
  }
  learn(i);
  return 1;
}

/* Unit @p i compiled by whichever thread needs it first: 0 when it is
 * ready, -1 when it cannot be (a value that reaches it is dropped: fail
 * closed). */
static int
unit_compile_once(size_t i)
{
  unit *u = &units[i];
  pthread_mutex_lock(&unit_lock);
  int state = atomic_load_explicit(&u->state, memory_order_relaxed);
  if (state == UNIT_NEW) {
    state = compile_unit(i) ? UNIT_READY : UNIT_BROKEN;
    atomic_store_explicit(&u->state, state, memory_order_release);
  }
  pthread_mutex_unlock(&unit_lock);
  return state == UNIT_READY ? 0 : -1;
}

/* The same, inline where it is already ready (every value but the first
 * to reach the unit). */
static inline int
unit_ready(size_t i)
{
  int state = atomic_load_explicit(&units[i].state, memory_order_acquire);
  return state == UNIT_READY ? 0 : state == UNIT_BROKEN ? -1 : unit_compile_once(i);
}

/* Whether ready unit @p u runs JIT-compiled, decided on its first match:
 * most units never match anything in a process, and the JIT compiler was
 * most of a first call's cost when every unit was compiled up front. Until
 * the decision nothing has matched with the unit's code, so compiling it in
 * place races with no one. */
static int
unit_jit_once(unit *u)
{
  pthread_mutex_lock(&unit_lock);
  int jit = atomic_load_explicit(&u->jit, memory_order_relaxed);
  if (jit == JIT_UNDECIDED) {
    jit = pcre2_jit_compile(u->code, PCRE2_JIT_COMPLETE) == 0 ? JIT_YES : JIT_NO;
    atomic_store_explicit(&u->jit, jit, memory_order_release);
  }
  pthread_mutex_unlock(&unit_lock);
  return jit == JIT_YES;
}

static inline int
unit_jitted(unit *u)
{
  int jit = atomic_load_explicit(&u->jit, memory_order_acquire);
  return jit == JIT_UNDECIDED ? unit_jit_once(u) : jit == JIT_YES;
}

/* What a gate looks at: which bytes the value holds, and how many of
 * each counted class. */
typedef struct features {
  uint64_t present[4];           /* bit b set: byte b occurs */
  unsigned longest;              /* longest run of ASCII letters and digits */
  unsigned count[NCLASS];        /* bytes of each class (count[0]: digits;
                                    0 for a class no row names) */
  const unsigned char *s;        /* the value, for confirming a literal */
  size_t len;
  uset candidates;               /* units whose transposed tests pass */
} features;

/* Whether @p l occurs in @p s[0..len), ASCII case aside. */
static int
lit_in(const lit *l, const unsigned char *s, size_t len)
{
  const unsigned char first = (unsigned char)l->text[0];
  for (size_t i = 0; i + l->len <= len; i++) {
    if (folded[s[i]] != first)
      continue;
    size_t k = 1;
    while (k < l->len && folded[s[i + k]] == (unsigned char)l->text[k])
      k++;
    if (k == l->len)
      return 1;
  }
  return 0;
}

/* The second pass, for the units in @p owe (which owe a literal and whose
 * literals' buckets the value filled): at each bigram whose bucket holds
 * one of theirs, compare those literals where that bigram would put them;
 * a unit found is taken out of owe and put in @p held. Exact: a literal
 * occurs exactly where its rarest bigram does, at that offset. */
static inline void
lits_confirm_at(const unsigned char *p, size_t len, size_t i, unsigned h, uint64_t *owe, uint64_t *held)
{
  const size_t at0 = i - 1; /* where the bigram starts */
  for (uint32_t e = bucket_start[h], end = bucket_start[h + 1]; e < end; e++) {
    const bucket_lit *b = &bucket_lits[e];
    if (!(owe[b->w] & b->bit) || at0 < b->rare || at0 - b->rare + b->len > len)
      continue;
    const unsigned char *at = p + (at0 - b->rare);
    size_t k = 0;
    while (k < b->len && folded[at[k]] == (unsigned char)b->text[k])
      k++;
    if (k == b->len) {
      owe[b->w] &= ~b->bit;
      held[b->w] |= b->bit;
    }
  }
}

/* The same at every bigram of the value whose bucket holds a literal of
 * a unit still owing one (most hold none: one test each). */
static void
lits_confirm(const features *f, uvec *owe, uvec *held)
{
  uvec o = *owe;
  /* Word by word for lits_confirm_at (the extra word: units past UW * 64,
   * which never owe here). */
  uint64_t ow[UW + 1], hw[UW + 1];
  memcpy(hw, held, sizeof *held);
  hw[UW] = 0;
  unsigned prev = (unsigned)code6[f->s[0]] << 6;
  for (size_t i = 1; i < f->len; i++) {
    unsigned cur = code6[f->s[i]], h = prev | cur;
    prev = cur << 6;
    if (!uv_any(uv_and(uv(&bucket_units[h]), o)))
      continue;
    memcpy(ow, &o, sizeof o);
    ow[UW] = 0;
    lits_confirm_at(f->s, f->len, i, h, ow, hw);
    memcpy(&o, ow, sizeof o);
    if (!uv_any(o))
      break;
  }
  *owe = o;
  memcpy(held, hw, sizeof *held);
}

/* The class counts of a value too long for one sum's fields
 * (CLASS_MAX_LEN bytes or more): sums over pieces short enough, added up
 * field by field into @p cnt[0..NCLASS). Few values are that long. */
static __attribute__((noinline)) void
class_counts_long(const unsigned char *p, size_t len, unsigned *cnt)
{
  for (size_t k = 0; k < NCLASS; k++)
    cnt[k] = 0;
  for (size_t at = 0; at < len; at += CLASS_MAX_LEN - 1) {
    uint64_t sum = 0;
    for (size_t i = at; i < len && i < at + CLASS_MAX_LEN - 1; i++)
      sum += class_add[p[i]];
    for (size_t k = 0; k < NCLASS; k++)
      cnt[k] += (unsigned)(sum >> (CLASS_BITS * k)) & (CLASS_MAX_LEN - 1);
  }
}

/* One pass over the value: which bytes occur, how many of each counted
 * class, the longest letter/digit run, and the units whose literals'
 * buckets its bigrams fill; then, once per distinct byte, the byte sets;
 * from all that the units that may match (every transposed test at once).
 * The sets are vectors (uvec): this loop is most of what a value without
 * PII costs. */
static void
features_of(const char *s, size_t len, features *f)
{
  const unsigned char *p = (const unsigned char *)s;
  uvec n = {{0, 0}, {0, 0}}, bk = n, lt = uv(&no_lits_units);
  uint64_t pr[4] = {0, 0, 0, 0};
  uint64_t counts = 0;
  unsigned run = 0, longest = 0;
  f->s = p;
  f->len = len;
  unsigned prev = 0;
  if (len) { /* the first byte: no bigram ends there */
    unsigned c = p[0];
    pr[c >> 6] |= (uint64_t)1 << (c & 63);
    counts += class_add[c];
    run = longest = alnum_mask[c] & 1;
    prev = (unsigned)code6[c] << 6;
  }
  for (size_t i = 1; i < len; i++) {
    unsigned c = p[i];
    pr[c >> 6] |= (uint64_t)1 << (c & 63);
    counts += class_add[c];
    run = (run + 1) & alnum_mask[c];
    longest = run > longest ? run : longest;
    unsigned cur = code6[c];
    unsigned h = prev | cur;
    uv_or(&bk, uv(&bucket_units[h]));
    prev = cur << 6;
  }
  for (size_t w = 0; w < 4; w++)
    for (uint64_t todo = pr[w]; todo; todo &= todo - 1) {
      size_t b = w * 64 + (size_t)__builtin_ctzll(todo);
      uv_or(&n, uv(&by_byte[b].needs));
      uv_or(&lt, uv(&by_byte[b].lit));
    }
  uvec c = uv_and(n, uv_and(uv_atomic(&len_units[len < LEN_CAP ? len : LEN_CAP]),
                                        uv(&run_units[longest < RUN_CAP ? longest : RUN_CAP])));
  /* Fields cannot overflow below CLASS_MAX_LEN bytes; past that, count
   * again in pieces. All NCLASS, a constant the compiler unrolls: a class
   * no row names counts nothing (class_add has no bit there) and its
   * count_units entries hold every unit. */
  if (len >= CLASS_MAX_LEN)
    class_counts_long(p, len, f->count);
  else
    for (size_t k = 0; k < NCLASS; k++)
      f->count[k] = (unsigned)(counts >> (CLASS_BITS * k)) & (CLASS_MAX_LEN - 1);
  for (size_t k = 0; k < NCLASS; k++) {
    unsigned cnt = f->count[k];
    c = uv_and(c, uv(&count_units[k][cnt < COUNT_CAP ? cnt : COUNT_CAP]));
  }
  /* Units that pass every other test but still owe a literal, and hold a
   * bigram filing one of theirs: confirm (none, the common case: no
   * second pass). Units that owe and hold none of those bigrams are out. */
  uvec owe = uv_and(uv_andnot(c, lt), bk), held = lt;
  if (uv_any(owe) && len > 1)
    lits_confirm(f, &owe, &held);
  memcpy(f->present, pr, sizeof pr);
  f->longest = longest;
  uvec cand = uv_and(c, held);
  memcpy(f->candidates.w, &cand, sizeof cand);
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

/* Whether one of @p u's literals occurs in the value: a one-byte literal
 * when its byte does (either case), a longer one when a search finds it. */
static int
lits_present(const unit *u, const features *f)
{
  for (size_t k = u->lit_first; k < u->lit_first + u->nlits; k++) {
    const lit *l = &lits[k];
    if (l->len == 1 ? has_either_case(f, (unsigned char)l->text[0]) : lit_in(l, f->s, f->len))
      return 1;
  }
  return 0;
}

/* The gate, in two halves: 0 when unit @p i cannot match a value with
 * features @p f. Each test is a necessary condition — a match holds what
 * the rows promise in needs, min_digits, lits, min_run and count_of, has
 * at least minlen characters (hence bytes), holds its first and required
 * code units and starts with a byte of its first set — so skipping never
 * changes a verdict; tests and the fuzzer check that by comparing with
 * JA__REDACT_NO_GATES (the rows' promises are written by hand, and a
 * wrong one would hide real matches). The first half, the promises, is
 * known before the unit is compiled. */
static inline int
promised(size_t i, const features *f)
{
  const unit *u = &units[i];
  if (f->count[0] < u->min_digits || f->longest < u->min_run)
    return 0;
  if (u->count_class >= 0 && f->count[u->count_class] < u->min_count)
    return 0;
  if (i >= UW * 64) { /* no bit in the byte pass: test its sets here */
    if (u->nlits && !lits_present(u, f))
      return 0;
    uint64_t n = 0;
    for (size_t k = 0; k < 4; k++)
      n |= f->present[k] & u->needs[k];
    return n != 0;
  }
  return 1;
}

/* The second half, what PCRE2 learnt, once unit @p i is ready (the byte
 * pass has the least length too, but only for values after the unit was
 * made). */
static inline int
learnt(size_t i, size_t len, const features *f)
{
  const unit *u = &units[i];
  if (len < u->minlen)
    return 0;
  if (u->first_cu >= 0 && !has_either_case(f, u->first_cu))
    return 0;
  if (u->last_cu >= 0 && !has_either_case(f, u->last_cu))
    return 0;
  uint64_t st = 0;
  for (size_t k = 0; k < 4; k++)
    st |= f->present[k] & u->first_set[k];
  return st != 0;
}

/* Both halves, compiling the unit between them: 1 open, 0 closed, -1
 * when the unit cannot be compiled. */
static inline int
gate_open(size_t i, size_t len, const features *f)
{
  if (!promised(i, f))
    return 0;
  if (unit_ready(i) != 0)
    return -1;
  return learnt(i, len, f);
}

/* Run ready unit @p i over @p s[0..len): 1 with *kind set when it
 * matched, 0 when not, -1 when PCRE2 failed (out of memory, limits). */
static int
run_unit(scratch *t, size_t i, const char *s, size_t len, const char **kind)
{
  unit *u = &units[i];
  size_t row[2] = {u->first_row, 0};
  pcre2_set_callout(t->mc, on_row_matched, row);
  int rc = unit_jitted(u) ? pcre2_jit_match(u->code, (PCRE2_SPTR)s, len, 0, 0, t->md, t->mc)
                          : pcre2_match(u->code, (PCRE2_SPTR)s, len, 0, 0, t->md, t->mc);
  if (rc == PCRE2_ERROR_NOMATCH)
    return 0;
  if (rc < 0)
    return -1;
  *kind = rules[row[1]].kind;
  return 1;
}

/* Run the units over @p s[0..len) in table order (@p known: its features
 * when already computed, else NULL). Returns the kind of the first unit
 * that matches, NULL when none does, or kind_unavailable when PCRE2 failed
 * at match time: fail closed. */
static const char *
scan(scratch *t, const char *s, size_t len, unsigned flags, const features *known)
{
  const char *kind = NULL;
  int rc = 0;
  if (flags & JA__REDACT_NO_GATES) {
    for (size_t i = 0; i < nunits && rc == 0; i++)
      rc = unit_ready(i) != 0 ? -1 : run_unit(t, i, s, len, &kind);
  } else {
    features own;
    const features *f = known;
    if (!f) {
      features_of(s, len, &own);
      f = &own;
    }
    /* Only the candidates' bits, lowest (earliest) first. */
    for (size_t w = 0; w < nwords && rc == 0; w++)
      for (uint64_t todo = f->candidates.w[w]; todo && rc == 0; todo &= todo - 1) {
        size_t i = w * 64 + (size_t)__builtin_ctzll(todo);
        int open = gate_open(i, len, f);
        rc = open > 0 ? run_unit(t, i, s, len, &kind) : open;
      }
    for (size_t i = UW * 64; i < nunits && rc == 0; i++) {
      int open = gate_open(i, len, f);
      rc = open > 0 ? run_unit(t, i, s, len, &kind) : open;
    }
  }
  return rc < 0 ? kind_unavailable : rc ? kind : NULL;
}


/* Whether part @p w[0..n) of a shaped value is a word that opens a place
 * where an address, a path or a secret hides when written with
 * separators: "_at_"/"-dot-" (an e-mail), "home/", "Users/", "mnt/" (a
 * home directory without its leading slash), a password word (prose such
 * as "wifi_password_is_x"). */
static int
telling_part(const char *w, size_t n)
{
  char low[12];
  if (n < 2 || n > 10)
    return 0;
  for (size_t i = 0; i < n; i++)
    low[i] = (char)(w[i] | 0x20);
#define IS(lit) (sizeof(lit) - 1 == n && memcmp(low, lit, n) == 0)
  switch (n) {
  case 2: return IS("at") || IS("pw");
  case 3: return IS("dot") || IS("mnt") || IS("pwd") || IS("key");
  case 4: return IS("home") || IS("pass");
  case 5: return IS("users") || IS("token");
  case 6: return IS("passwd") || IS("secret");
  case 8: return IS("password");
  case 10: return IS("passphrase");
  default: return 0;
  }
#undef IS
}

/* The second reading of a key- or version-shaped value: its separators
 * as spaces ("ssn/367284913" -> "ssn 367284913", "owner/Jane_Doe" ->
 * "owner Jane Doe"), so that a label, a name or a number written with
 * the separators a shape allows meets the rows written for text, and
 * each part stands alone between spaces as a word of its own. From @p f,
 * the value's features (which bytes, how many digits), so that most
 * values are told apart without a second look at their bytes. Into @p
 * out (at least 65 bytes); returns its length, or 0 when the value has no
 * such shape or no separator (nothing to read twice). Unless @p flags has
 * JA__REDACT_NO_GATES, also 0 when the reading can tell the rows nothing
 * the value as written did not: no capital letter (names, plates, network
 * names), fewer than five digits (the numbers the rows know without a
 * label have more: phone, SSN, card, address, date) and no telling part
 * (telling_part, or with a digit any word a label could be). The corpus
 * tests and the fuzzer compare with and without. */
static inline size_t
shape_spaced(const char *s, size_t len, unsigned flags, const features *f, char *out)
{
  /* Letters, digits, the separators and '+': the bytes of both shapes. */
  static const uint64_t shape_bytes[4] = {
      ((uint64_t)0x3FF << '0') | ((uint64_t)1 << '.') | ((uint64_t)1 << '/') | ((uint64_t)1 << ':') |
          ((uint64_t)1 << '-') | ((uint64_t)1 << '+'),
      ((uint64_t)0x3FFFFFF << ('A' - 64)) | ((uint64_t)0x3FFFFFF << ('a' - 64)) | ((uint64_t)1 << ('_' - 64)),
      0, 0};
  const uint64_t seps0 = ((uint64_t)1 << '.') | ((uint64_t)1 << '/') | ((uint64_t)1 << ':') | ((uint64_t)1 << '-');
  const uint64_t seps1 = (uint64_t)1 << ('_' - 64), capitals1 = (uint64_t)0x3FFFFFF << ('A' - 64);
  if (len > 64 || len == 0 || (f->present[0] & ~shape_bytes[0]) || (f->present[1] & ~shape_bytes[1]) ||
      f->present[2] || f->present[3] || !((f->present[0] & seps0) || (f->present[1] & seps1)))
    return 0;
  int telling = (flags & JA__REDACT_NO_GATES) || (f->present[1] & capitals1) || f->count[0] >= 5;
  /* A telling part starts with one of these letters (either case): none,
   * no part to look at. With a digit, any part of two letters or more and
   * nothing else is telling too: it can be the label of a short number ("cvv/123",
   * "otp_4821", "ssn/367place3": labelled rows take as few as three
   * digits, and their label is a word of its own only in the second
   * reading). */
  const uint64_t initials1 = ((uint64_t)0x1C9489 << ('A' - 64)) | ((uint64_t)0x1C9489 << ('a' - 64));
  const uint64_t letters1 = capitals1 | ((uint64_t)0x3FFFFFF << ('a' - 64));
  /* A label has two letters or more: a value with one letter (x86_64)
   * has none. */
  const uint64_t lettered = f->present[1] & letters1;
  int digits = f->count[0] > 0 && (lettered & (lettered - 1)) != 0;
  /* Part by part: a word of letters alone (with a digit in the value),
   * or a telling_part (whose words all start with one of the initials). */
  if (!telling && (digits || (f->present[1] & initials1))) {
    for (size_t i = 0, part = 0, word = 1; i <= len; i++) {
      unsigned k = i < len ? shape_kind[(unsigned char)s[i]] : SHAPE_SEP;
      if (k != SHAPE_SEP) {
        word &= k == SHAPE_LETTER;
        continue;
      }
      unsigned c0 = i > part ? (unsigned char)s[part] : 0;
      if ((telling = (digits && word && i - part >= 2) ||
                     (c0 >= 64 && c0 < 128 && ((initials1 >> (c0 - 64)) & 1) && telling_part(s + part, i - part))) != 0)
        break;
      part = i + 1;
      word = 1;
    }
  }
  if (!telling)
    return 0;
  for (size_t i = 0; i < len; i++)
    out[i] = shape_separator(s[i]) ? ' ' : s[i];
  out[len] = 0;
  return ja__catalog_is_key(s, len) || ja__catalog_is_version(s, len) ? len : 0;
}

/* The kind of PII in @p s[0..len), or NULL for none: the table run over
 * the value as written and over its normalised views (filter/normalize.c).
 * Pure ASCII without '%', '&', '\\' or an encoded token has no view: one
 * scan, the common case. A non-ASCII value with a view is judged on the
 * view alone: it holds the same letters, without the invisible characters
 * that would otherwise join "icon<ZWSP>@2x.png" into an address-like run.
 * A value holding a base64 or hex token that decodes to text is judged
 * once more with the tokens decoded (a second view, so that decoding
 * never hides what the first one shows); @p views 0 skips that (a shaped
 * value's second reading: its pieces were tried with the value). */
static const char *
judge(scratch *t, const char *s, size_t len, unsigned flags, int views, features *fp)
{
  /* One byte pass answers the gates, ja__norm_needed() and the shape. */
  features own, *pf = fp ? fp : &own;
  features_of(s, len, pf);
  const features *f = pf;
  int needed = ja__norm_needed_of(f->present);
  const char *found = NULL;
  if (!(needed & JA__NORM_UNICODE) && (found = scan(t, s, len, flags, f)) != NULL)
    return found;
  /* Tokens decoded are 8 or more long and hold three different digits or
   * capitals (normalize.c's token rule): a value with fewer has none. */
  const uint64_t capitals = (uint64_t)0x3FFFFFF << ('A' - 64); /* word 1 */
  const uint64_t caps = f->present[1] & capitals;
  int maybe_encoded = (flags & JA__REDACT_NO_GATES) || needed ||
                      (len >= 8 && (f->count[0] >= 3 ||
                                    (caps && f->count[0] + (unsigned)__builtin_popcountll(caps) >= 3)));
  if (!views || (!needed && !maybe_encoded))
    return NULL;
  if (!t->norm && !(t->norm = malloc(sizeof *t->norm)))
    return kind_unavailable;
  const char *view = NULL;
  long n = 0;
  if (needed) {
    n = ja__norm_view(s, len, 0, t->norm, &view);
    if (n < 0)
      return kind_unnormalizable;
    if (n > 0)
      found = scan(t, view, (size_t)n, flags, NULL);
    else if (needed & JA__NORM_UNICODE)
      found = scan(t, s, len, flags, f);
    if (found)
      return found;
  }
  if (!ja__norm_encoded(n > 0 ? view : s, n > 0 ? (size_t)n : len, t->norm))
    return NULL;
  n = ja__norm_view(s, len, JA__NORM_DECODE, t->norm, &view);
  if (n < 0)
    return kind_unnormalizable;
  return n > 0 ? scan(t, view, (size_t)n, flags, NULL) : NULL;
}

/* The kind of PII in @p s[0..len) (at most 800 bytes), or NULL: judge()
 * on the value, then, for a key- or version-shaped one, on its reading
 * with separators as spaces (shape_spaced). */
static void
set_up_once(void)
{
  pthread_once(&compile_once, compile_all);
  atomic_store_explicit(&set_up, 1, memory_order_release);
}

/* A value shaped only once decoded ("cvv%2F123", "ssn&#47;367place3"):
 * the second reading of its normalised view, when that differs from the
 * value and is short enough to have a shape (64 bytes). Out of line: few
 * values have a view (judge() made the scratch for it). */
static __attribute__((noinline)) const char *
view_spaced(scratch *t, const char *s, size_t len, unsigned flags)
{
  const char *view = NULL;
  long vn = ja__norm_view(s, len, 0, t->norm, &view);
  if (vn <= 0 || vn > 64)
    return NULL;
  features vf;
  features_of(view, (size_t)vn, &vf);
  char spaced[65];
  size_t n = shape_spaced(view, (size_t)vn, flags, &vf, spaced);
  return n > 0 ? judge(t, spaced, n, flags, 0, NULL) : NULL;
}

static const char *
classify(const char *s, size_t len, unsigned flags)
{
  if (!atomic_load_explicit(&set_up, memory_order_acquire))
    set_up_once();
  if (unavailable)
    return kind_unavailable;
  scratch *t = scratch_get();
  if (!t)
    return kind_unavailable;
  features f;
  const char *found = judge(t, s, len, flags, 1, &f);
  char spaced[65];
  size_t n;
  if (!found && (n = shape_spaced(s, len, flags, &f, spaced)) > 0)
    found = judge(t, spaced, n, flags, 0, NULL);
  else if (!found && ja__norm_needed_of(f.present) && t->norm)
    found = view_spaced(t, s, len, flags);
  return found;
}

size_t
ja__redact_units_compiled(size_t *total)
{
  pthread_once(&compile_once, compile_all);
  size_t n = 0;
  for (size_t i = 0; i < nunits; i++)
    n += atomic_load_explicit(&units[i].state, memory_order_acquire) != UNIT_NEW;
  if (total)
    *total = nunits;
  return n;
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
  if (len > JA__MAX_STR_CODEPOINTS * 4 ||
      (len > JA__MAX_STR_CODEPOINTS && ja__utf8_count(s, len) > JA__MAX_STR_CODEPOINTS))
    return JA__DROP_TOO_LONG;

  const char *found = classify(s, len, flags);
  if (!found)
    return JA__DROP_NONE;
  if (kind)
    *kind = found;
  return JA__DROP_PII;
}
