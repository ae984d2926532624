/*
 * home/toml.c — a small, strict reader for the [analytics] table of config.toml.
 * Only that table is parsed; the rest of the file is skimmed just enough to
 * find table headers reliably (multi-line strings and arrays are tracked).
 * Anything doubtful in or about [analytics] is an error: privacy wins ties.
 *
 * Sections: messages · lexing (strings, keys, headers) · skimming other
 * tables · values · the [analytics] key/value line · the driver.
 */
#include "boot.h"

#include <stdlib.h>
#include <string.h>

#include "home/config.h"
#include "util/suggest.h"
#include "util/utf8.h"

#define KEY_CAP 256        /* longest key name accepted inside [analytics] */
#define KEY_SHOWN_MAX 32   /* longer key names are not echoed in messages */

/* ------------------------------------------------------------- messages */

typedef struct reader {
  const char *text;  /* the whole file (offsets in ja__toml_where count from it) */
  const char *name;  /* file name printed in messages */
  char *err;         /* message buffer (may be NULL) */
  size_t errsz;      /* its size */
  long line;         /* current line, 1-based */
} reader;

/* Cut a truncated message back to a whole UTF-8 sequence, so a long file
 * name never leaves half a character at the end of `status`. */
static void trim_partial_utf8(char *s, size_t len)
{
  size_t i = len;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
    i--;
  if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (i - 1) < need)
      s[i - 1] = '\0';
  }
}

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write "<name>:<line>: <message>" and return -1. */
static int fail(reader *r, const char *fmt, ...)
{
  if (!r->err || r->errsz == 0)
    return -1;
  int n = snprintf(r->err, r->errsz, "%s:%ld: ", r->name, r->line);
  if (n < 0) {
    r->err[0] = '\0';
    return -1;
  }
  if ((size_t)n < r->errsz) {
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(r->err + n, r->errsz - (size_t)n, fmt, ap);
    va_end(ap);
  }
  if ((size_t)n >= r->errsz)
    trim_partial_utf8(r->err, r->errsz - 1);
  return -1;
}

static void warn(reader *r, ja__toml_analytics *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keep "<name>:<line>: <message>" as the next warning (counted even when
 * there is no room left to keep it). */
static void warn(reader *r, ja__toml_analytics *out, const char *fmt, ...)
{
  if (out->nwarnings++ >= JA__CONFIG_WARNINGS)
    return;
  char *w = out->warnings[out->nwarnings - 1];
  size_t cap = sizeof out->warnings[0];
  int n = snprintf(w, cap, "%s:%ld: ", r->name, r->line);
  if (n < 0) {
    w[0] = '\0';
    return;
  }
  if ((size_t)n < cap) {
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(w + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
  }
  if ((size_t)n >= cap)
    trim_partial_utf8(w, cap - 1);
}

/* Same format, into out->optout (the first one wins). */
static void note_optout(reader *r, ja__toml_analytics *out, const char *what)
{
  if (out->optout[0])
    return;
  snprintf(out->optout, sizeof out->optout,
           "%s:%ld: %s: its value is not true, so analytics is paused until it is spelt "
           "'enabled' in [analytics] (privacy wins a typo)",
           r->name, r->line, what);
  trim_partial_utf8(out->optout, strlen(out->optout));
}

/* ------------------------------------------------------------------ lexing */

static int is_ws(char c) { return c == ' ' || c == '\t'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_bare(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' ||
         c == '-';
}

static const char *skip_ws(const char *p, const char *end)
{
  while (p < end && is_ws(*p))
    p++;
  return p;
}

/* Where decoded string bytes go. With buf NULL the string is only measured
 * (and checked), which is how values of unknown keys are read. */
typedef struct strout {
  char *buf;     /* destination, or NULL */
  size_t cap;    /* size of buf, including room for the NUL */
  size_t len;    /* decoded length so far (may exceed cap: then too long) */
  int has_nul;   /* a \u0000 was decoded */
} strout;

static void put(strout *o, const char *b, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (o->buf && o->len + 1 < o->cap)
      o->buf[o->len] = b[i];
    if (b[i] == '\0')
      o->has_nul = 1;
    o->len++;
  }
}

static void terminate(strout *o)
{
  if (o->buf && o->cap)
    o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
}

/* A single-line basic string; *pp points at its opening quote and is moved
 * past the closing one. Raw control characters were rejected by the caller
 * (inside [analytics]) or do not matter (elsewhere). */
static int lex_basic(const char **pp, const char *end, strout *o, const char **why)
{
  const char *p = *pp + 1;
  while (p < end) {
    char c = *p;
    if (c == '"') {
      *pp = p + 1;
      terminate(o);
      return 0;
    }
    if (c != '\\') {
      put(o, p, 1);
      p++;
      continue;
    }
    if (p + 1 >= end)
      break;
    char e = p[1];
    p += 2;
    switch (e) {
    case 'b': put(o, "\b", 1); break;
    case 't': put(o, "\t", 1); break;
    case 'n': put(o, "\n", 1); break;
    case 'f': put(o, "\f", 1); break;
    case 'r': put(o, "\r", 1); break;
    case '"': put(o, "\"", 1); break;
    case '\\': put(o, "\\", 1); break;
    case 'u':
    case 'U': {
      int digits = e == 'u' ? 4 : 8;
      uint32_t cp = 0;
      if (end - p < digits) {
        *why = "invalid \\u escape (needs 4 or 8 hex digits)";
        return -1;
      }
      for (int i = 0; i < digits; i++) {
        int h = ja__hex_value((unsigned char)p[i]);
        if (h < 0) {
          *why = "invalid \\u escape (needs 4 or 8 hex digits)";
          return -1;
        }
        cp = (cp << 4) | (uint32_t)h;
      }
      p += digits;
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        *why = "\\u escape is not a Unicode scalar value";
        return -1;
      }
      char enc[4];
      put(o, enc, ja__utf8_encode(cp, enc));
      break;
    }
    default:
      *why = "invalid escape sequence in string";
      return -1;
    }
  }
  *why = "unterminated string";
  return -1;
}

/* A single-line literal string: no escapes at all. */
static int lex_literal(const char **pp, const char *end, strout *o, const char **why)
{
  const char *p = *pp + 1;
  const char *close = memchr(p, '\'', (size_t)(end - p));
  if (!close) {
    *why = "unterminated string";
    return -1;
  }
  put(o, p, (size_t)(close - p));
  terminate(o);
  *pp = close + 1;
  return 0;
}

/* One key segment: bare, "basic" or 'literal'. */
static int lex_key(const char **pp, const char *end, strout *o, const char **why)
{
  const char *p = *pp;
  if (p < end && (*p == '"' || *p == '\'')) {
    if (end - p >= 3 && p[1] == *p && p[2] == *p) {
      *why = "a multi-line string cannot be a key";
      return -1;
    }
    return *p == '"' ? lex_basic(pp, end, o, why) : lex_literal(pp, end, o, why);
  }
  const char *start = p;
  while (p < end && is_bare(*p))
    p++;
  if (p == start) {
    *why = "expected a key";
    return -1;
  }
  put(o, start, (size_t)(p - start));
  terminate(o);
  *pp = p;
  return 0;
}

static int is_analytics(const strout *o, const char *buf)
{
  return o->len == 9 && memcmp(buf, "analytics", 9) == 0;
}

/* 1 if @p s[0..n), ignoring ASCII case and surrounding spaces, is within one
 * edit of @p word: equal, one byte changed, added or removed, or two
 * neighbours swapped ([Analytics], [analytic], 'enable', 'enabeld').
 * One edit, not two: [analysis] is somebody else's table. */
static int near_word(const char *s, size_t n, const char *word)
{
  while (n > 0 && *s == ' ')
    s++, n--;
  while (n > 0 && s[n - 1] == ' ')
    n--;
  return ja__suggest_distance(s, n, word, strlen(word), 1) <= 1;
}

/* What a table header line names. */
typedef struct header {
  int is_array;      /* [[…]] */
  int nseg;          /* number of dotted key segments */
  int analytics;     /* the first segment is "analytics" */
  int near;          /* one segment, a near miss of "analytics" ([Analytics]) */
  int shown;         /* the name is printable ASCII, so messages may quote it */
  char first[16];    /* the first segment (cut at 15 bytes) */
} header;

/* Parse a header line; p points at its first '['. */
static int lex_header(const char *p, const char *end, header *h, const char **why)
{
  strout o = {h->first, sizeof h->first, 0, 0};
  memset(h, 0, sizeof *h);
  p++;
  if (p < end && *p == '[') {
    h->is_array = 1;
    p++;
  }
  p = skip_ws(p, end);
  if (lex_key(&p, end, &o, why) != 0)
    return -1;
  h->nseg = 1;
  h->analytics = is_analytics(&o, h->first);
  h->near = !h->analytics && o.len < sizeof h->first && !o.has_nul &&
            near_word(h->first, o.len, "analytics");
  h->shown = o.len < sizeof h->first;
  for (size_t i = 0; h->shown && i < o.len; i++)
    h->shown = h->first[i] >= 0x20 && h->first[i] < 0x7F && h->first[i] != '"';
  for (;;) {
    p = skip_ws(p, end);
    if (p >= end || *p != '.')
      break;
    p = skip_ws(p + 1, end);
    strout rest = {NULL, 0, 0, 0};
    if (lex_key(&p, end, &rest, why) != 0)
      return -1;
    h->nseg++;
  }
  for (int i = 0; i <= h->is_array; i++) {
    if (p >= end || *p != ']') {
      *why = h->is_array ? "expected ']]'" : "expected ']'";
      return -1;
    }
    p++;
  }
  p = skip_ws(p, end);
  if (p < end && *p != '#') {
    *why = "unexpected text after the table header";
    return -1;
  }
  h->near = h->near && h->nseg == 1;
  return 0;
}

/* ------------------------------------------------- skimming other tables */

/* What spans lines in the tables we skip. */
typedef struct skim {
  char ml;          /* '"' or '\'' while inside a multi-line string, else 0 */
  long depth;       /* open '[' / '{' of a multi-line array or inline table */
  long opened_at;   /* line where the pending multi-line construct began */
} skim;

static size_t run_of(const char *p, const char *end, char c)
{
  size_t n = 0;
  while (p + n < end && p[n] == c)
    n++;
  return n;
}

/* Follow strings, comments and brackets through one line of a table we do
 * not read, so that a "[analytics]" inside a multi-line string or array is
 * never taken for a header. Single-line strings may hold '#' and brackets. */
static void skim_line(skim *s, const char *p, const char *end, long line)
{
  while (p < end) {
    char c = *p;
    if (s->ml) {
      if (s->ml == '"' && c == '\\') {
        p = p + 1 < end ? p + 2 : end;  /* an escape, or a line-ending backslash */
        continue;
      }
      if (c == s->ml) {
        size_t n = run_of(p, end, c);
        if (n >= 3)
          s->ml = 0;  /* up to two extra quotes belong to the content */
        p += n;
        continue;
      }
      p++;
      continue;
    }
    if (c == '#')
      return;
    if (c == '"' || c == '\'') {
      if (run_of(p, end, c) >= 3) {
        if (s->depth == 0)
          s->opened_at = line;
        s->ml = c;
        p += 3;
        continue;
      }
      p++;
      while (p < end && *p != c) {
        if (c == '"' && *p == '\\' && p + 1 < end)
          p++;
        p++;
      }
      if (p < end)
        p++;
      continue;
    }
    if (c == '[' || c == '{') {
      if (s->depth == 0)
        s->opened_at = line;
      s->depth++;
    } else if ((c == ']' || c == '}') && s->depth > 0) {
      s->depth--;
    }
    p++;
  }
}

/* ------------------------------------------------------------------ values */

typedef enum vkind { V_NONE, V_BOOL, V_STR, V_INT } vkind;

/* A parsed value (strings land in the strout given to lex_value). */
typedef struct value {
  vkind kind;   /* what it is, or (on error) what it tried to be */
  int b;        /* V_BOOL */
  int64_t i;    /* V_INT */
} value;

/* TOML decimal integer: optional sign, no leading zero, '_' only between
 * digits, within int64. */
static int lex_int(const char *p, const char *end, int64_t *out, const char **why)
{
  int neg = *p == '-';
  const char *b = (*p == '+' || *p == '-') ? p + 1 : p;
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  uint64_t acc = 0;
  if (b == end) {
    *why = "invalid integer";
    return -1;
  }
  if (*b == '0' && end - b > 1) {
    *why = "invalid integer (leading zero)";
    return -1;
  }
  for (const char *s = b; s < end; s++) {
    if (*s == '_') {
      if (s == b || !is_digit(s[-1]) || s + 1 >= end || !is_digit(s[1])) {
        *why = "invalid integer ('_' must sit between digits)";
        return -1;
      }
      continue;
    }
    if (!is_digit(*s)) {
      *why = "invalid integer";
      return -1;
    }
    unsigned d = (unsigned)(*s - '0');
    if (acc > (limit - d) / 10) {
      *why = "integer out of range";
      return -1;
    }
    acc = acc * 10 + d;
  }
  if (!neg)
    *out = (int64_t)acc;
  else if (acc == (uint64_t)INT64_MAX + 1)
    *out = INT64_MIN;
  else
    *out = -(int64_t)acc;
  return 0;
}

/* A bare value token: boolean or decimal integer; everything else that TOML
 * allows here (floats, dates, hex/octal/binary) is named and refused. */
static int lex_token(const char *p, const char *end, value *v, const char **why)
{
  size_t n = (size_t)(end - p);
  if (n == 0) {
    *why = "missing value";
    return -1;
  }
  if ((n == 4 && memcmp(p, "true", 4) == 0) || (n == 5 && memcmp(p, "false", 5) == 0)) {
    v->kind = V_BOOL;
    v->b = n == 4;
    return 0;
  }
  const char *b = (*p == '+' || *p == '-') ? p + 1 : p;
  if (end - b == 3 && (memcmp(b, "inf", 3) == 0 || memcmp(b, "nan", 3) == 0)) {
    *why = "floats are not supported";
    return -1;
  }
  if (b == end || !is_digit(*b)) {
    if (b != p)
      v->kind = V_INT;
    *why = b != p ? "invalid integer" : "invalid value (strings must be quoted)";
    return -1;
  }
  if (memchr(b, ':', (size_t)(end - b)) || (end - b >= 5 && b[4] == '-')) {
    *why = "dates and times are not supported";
    return -1;
  }
  if (memchr(b, '.', (size_t)(end - b)) || memchr(b, 'e', (size_t)(end - b)) ||
      memchr(b, 'E', (size_t)(end - b))) {
    *why = "floats are not supported";
    return -1;
  }
  v->kind = V_INT;
  if (end - b > 1 && b[0] == '0' && (b[1] == 'x' || b[1] == 'o' || b[1] == 'b')) {
    *why = "hexadecimal, octal and binary integers are not supported";
    return -1;
  }
  return lex_int(p, end, &v->i, why);
}

/* One value; *pp is moved past it. On error v->kind says what the value
 * looked like, so a known key can say "expected a string" when fitting. */
static int lex_value(const char **pp, const char *end, strout *so, value *v, const char **why)
{
  const char *p = *pp;
  memset(v, 0, sizeof *v);
  if (p < end && (*p == '"' || *p == '\'')) {
    v->kind = V_STR;
    if (run_of(p, end, *p) >= 3) {
      *why = "multi-line strings are not supported";
      return -1;
    }
    int rc = *p == '"' ? lex_basic(pp, end, so, why) : lex_literal(pp, end, so, why);
    if (rc == 0 && so->has_nul) {
      *why = "strings must not contain NUL (\\u0000)";
      return -1;
    }
    return rc;
  }
  if (p < end && *p == '[') {
    *why = "arrays are not supported";
    return -1;
  }
  if (p < end && *p == '{') {
    *why = "inline tables are not supported";
    return -1;
  }
  const char *t = p;
  while (t < end && !is_ws(*t) && *t != '#')
    t++;
  *pp = t;
  return lex_token(p, t, v, why);
}

/* ----------------------------------------------- the [analytics] key lines */

enum { K_ENABLED = JA__TK_ENABLED, K_MODE = JA__TK_MODE, K_HOST = JA__TK_HOST,
       K_KEY = JA__TK_KEY, K_ANON_ID_PATH = JA__TK_ANON_ID_PATH,
       K_FLUSH_INTERVAL = JA__TK_FLUSH_INTERVAL, K_FLUSH_AT_SIZE = JA__TK_FLUSH_AT_SIZE,
       K_MAX_EVENTS = JA__TK_MAX_EVENTS, K_MAX_AGE_DAYS = JA__TK_MAX_AGE_DAYS,
       K_UNKNOWN = JA__TK_COUNT };

static const struct known_key {
  const char *name;  /* key name */
  vkind kind;        /* its type */
} known[JA__TK_COUNT] = {
  [K_ENABLED] = {"enabled", V_BOOL},
  [K_MODE] = {"mode", V_STR},
  [K_HOST] = {"host", V_STR},
  [K_KEY] = {"key", V_STR},
  [K_ANON_ID_PATH] = {"anon_id_path", V_STR},
  [K_FLUSH_INTERVAL] = {"flush_interval_seconds", V_INT},
  [K_FLUSH_AT_SIZE] = {"flush_at_size", V_INT},
  [K_MAX_EVENTS] = {"max_events", V_INT},
  [K_MAX_AGE_DAYS] = {"max_age_days", V_INT},
};

static const char *expected(vkind k)
{
  return k == V_BOOL ? "expected a boolean" : k == V_STR ? "expected a string" : "expected an integer";
}

/* The boolean a value near one meant (`ture`, `flase`, `True`, `"true"`),
 * or NULL. TOML's booleans are bare and lower-case, so each of these is a
 * mistake that pauses; the message then says which word to write, as it
 * does for a misspelt key. */
static const char *near_boolean(const char *s, size_t n)
{
  static const char *const words[] = {"true", "false"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (ja__suggest_distance(s, n, words[i], strlen(words[i]), 0) == 0)
      return words[i];  /* only its case or its quotes are wrong */
  ja__suggest sg;
  ja__suggest_start(&sg, s, n);
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    ja__suggest_offer(&sg, words[i]);
  return sg.best;
}

/* "'enabled': expected a boolean", with the boolean a near miss meant:
 * @p bare is the value as typed when it was a bare word, @p str its text
 * when it was a string (either may be NULL). */
static int fail_type(reader *r, const char *name, int k, const char *bare, size_t bare_len,
                     const char *str, size_t str_len)
{
  const char *like = NULL;
  if (known[k].kind == V_BOOL && bare)
    like = near_boolean(bare, bare_len);
  else if (known[k].kind == V_BOOL && str)
    like = near_boolean(str, str_len);
  if (!like)
    return fail(r, "[analytics] %s: %s", name, expected(known[k].kind));
  return fail(r, "[analytics] %s: %s (did you mean %s%s?)", name, expected(known[k].kind), like,
              str ? ", without quotes" : "");
}

/* Names of unknown keys already seen, to refuse duplicates. */
typedef struct keyset {
  char **names;     /* malloc'ed copies */
  size_t *lens;     /* their lengths (names may not be C strings) */
  size_t n, cap;    /* used, allocated */
} keyset;

static int keyset_has(const keyset *ks, const char *k, size_t n)
{
  for (size_t i = 0; i < ks->n; i++)
    if (ks->lens[i] == n && memcmp(ks->names[i], k, n) == 0)
      return 1;
  return 0;
}

static int keyset_add(keyset *ks, const char *k, size_t n)
{
  if (ks->n == ks->cap) {
    size_t cap = ks->cap ? ks->cap * 2 : 8;
    char **names = realloc(ks->names, cap * sizeof *names);
    if (!names)
      return -1;
    ks->names = names;
    size_t *lens = realloc(ks->lens, cap * sizeof *lens);
    if (!lens)
      return -1;
    ks->lens = lens;
    ks->cap = cap;
  }
  char *copy = malloc(n + 1);
  if (!copy)
    return -1;
  memcpy(copy, k, n);
  copy[n] = '\0';
  ks->names[ks->n] = copy;
  ks->lens[ks->n] = n;
  ks->n++;
  return 0;
}

static void keyset_free(keyset *ks)
{
  for (size_t i = 0; i < ks->n; i++)
    free(ks->names[i]);
  free(ks->names);
  free(ks->lens);
}

/* How a key is shown in messages: "'host'". Only short bare-looking names
 * are echoed: a long token on a line of its own may be a pasted API key. */
static void label_key(const char *k, size_t n, char out[KEY_SHOWN_MAX + 3])
{
  int ok = n > 0 && n <= KEY_SHOWN_MAX;
  for (size_t i = 0; ok && i < n; i++)
    ok = is_bare(k[i]);
  if (!ok) {
    snprintf(out, KEY_SHOWN_MAX + 3, "a key");
    return;
  }
  out[0] = '\'';
  memcpy(out + 1, k, n);
  out[n + 1] = '\'';
  out[n + 2] = '\0';
}

/* Inside [analytics] every byte of every line must be acceptable TOML:
 * well-formed UTF-8 and no control character other than tab. */
static int check_bytes(reader *r, const char *p, const char *end)
{
  for (const char *s = p; s < end; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      return fail(r, "[analytics] control character (byte 0x%02X) is not allowed", c);
  }
  if (!ja__utf8_valid(p, (size_t)(end - p)))
    return fail(r, "[analytics] invalid UTF-8");
  return 0;
}

/* Store a checked string value of a known key. */
static int take_string(reader *r, int k, const char *buf, size_t len, size_t cap)
{
  if (len >= cap)
    return fail(r, "[analytics] '%s': too long (at most %zu bytes)", known[k].name, cap - 1);
  if (len == 0 && k != K_KEY)
    return fail(r, "[analytics] '%s': must not be empty", known[k].name);
  if (ja__utf8_has_control(buf, len))
    return fail(r, "[analytics] '%s': must not contain control characters", known[k].name);
  return 0;
}

/* One line of the [analytics] table: blank, comment, or key = value. */
static int read_line(reader *r, const char *p, const char *end, ja__toml_analytics *out,
                     keyset *seen)
{
  const char *why = NULL;
  p = skip_ws(p, end);
  if (p == end || *p == '#')
    return 0;

  char key[KEY_CAP];
  strout ko = {key, sizeof key, 0, 0};
  if (lex_key(&p, end, &ko, &why) != 0)
    return fail(r, "[analytics] %s", why);
  if (ko.len >= sizeof key)
    return fail(r, "[analytics] key too long");
  if (ko.has_nul)
    return fail(r, "[analytics] keys must not contain NUL (\\u0000)");
  char name[KEY_SHOWN_MAX + 3];
  label_key(key, ko.len, name);
  p = skip_ws(p, end);
  if (p < end && *p == '.')
    return fail(r, "[analytics] %s: dotted keys are not supported", name);
  /* The key is not echoed here: a lone token is more likely a pasted value. */
  if (p >= end || *p != '=')
    return fail(r, "[analytics] expected '=' after a key");
  p = skip_ws(p + 1, end);
  if (p >= end || *p == '#')
    return fail(r, "[analytics] %s: missing value", name);

  int k = K_UNKNOWN;
  for (int i = 0; i < K_UNKNOWN; i++)
    if (strlen(known[i].name) == ko.len && memcmp(known[i].name, key, ko.len) == 0)
      k = i;
  int dup = k == K_UNKNOWN ? keyset_has(seen, key, ko.len) : out->where[k].line != 0;
  if (dup)
    return fail(r, "[analytics] %s: duplicate key", name);

  char mode[16];  /* also the text of a string given to `enabled` */
  strout so = {NULL, 0, 0, 0};
  if (k == K_MODE || k == K_ENABLED)
    so = (strout){mode, sizeof mode, 0, 0};
  else if (k == K_HOST)
    so = (strout){out->host, sizeof out->host, 0, 0};
  else if (k == K_KEY)
    so = (strout){out->key, sizeof out->key, 0, 0};
  else if (k == K_ANON_ID_PATH)
    so = (strout){out->anon_id_path, sizeof out->anon_id_path, 0, 0};
  value v;
  const char *value_at = p;
  if (lex_value(&p, end, &so, &v, &why) != 0) {
    if (k != K_UNKNOWN && v.kind == V_NONE)
      return fail_type(r, name, k, value_at, (size_t)(p - value_at), NULL, 0);
    if (k != K_UNKNOWN && v.kind != known[k].kind)
      return fail_type(r, name, k, NULL, 0, NULL, 0);
    return fail(r, "[analytics] %s: %s", name, why);
  }
  if (k != K_UNKNOWN)
    out->where[k] = (ja__toml_where){r->line, (size_t)(value_at - r->text),
                                     (size_t)(p - r->text)};
  if (k != K_UNKNOWN && v.kind != known[k].kind)
    return fail_type(r, name, k, NULL, 0, v.kind == V_STR && so.len < sizeof mode ? mode : NULL,
                     so.len);
  p = skip_ws(p, end);
  if (p < end && *p != '#')
    return fail(r, "[analytics] %s: unexpected text after the value", name);

  switch (k) {
  case K_ENABLED:
    out->has_enabled = 1;
    out->enabled = v.b;
    break;
  case K_MODE:
    /* The only values; `mode = "off"` is not an opt-out (`enabled = false`
     * is): a value we do not know is a mistake, and pauses. */
    if (so.len == 6 && memcmp(mode, "upload", 6) == 0)
      out->local = 0;
    else if (so.len == 5 && memcmp(mode, "local", 5) == 0)
      out->local = 1;
    else
      return fail(r, "[analytics] 'mode': expected \"upload\" or \"local\" "
                  "(enabled = false turns analytics off)");
    out->has_mode = 1;
    break;
  case K_HOST:
    if (take_string(r, k, out->host, so.len, sizeof out->host) != 0)
      return -1;
    out->has_host = 1;
    break;
  case K_KEY:
    if (take_string(r, k, out->key, so.len, sizeof out->key) != 0)
      return -1;
    out->has_key = 1;
    break;
  case K_ANON_ID_PATH:
    if (take_string(r, k, out->anon_id_path, so.len, sizeof out->anon_id_path) != 0)
      return -1;
    out->has_anon_id_path = 1;
    break;
  case K_FLUSH_INTERVAL:
    if (v.i < 1)
      return fail(r, "[analytics] %s: must be at least 1", name);
    out->has_flush_interval = 1;
    out->flush_interval_seconds = v.i;
    break;
  case K_FLUSH_AT_SIZE:
    if (v.i < 1 || v.i > 1000)
      return fail(r, "[analytics] %s: must be between 1 and 1000", name);
    out->has_flush_at_size = 1;
    out->flush_at_size = v.i;
    break;
  case K_MAX_EVENTS:
    if (v.i < 1)
      return fail(r, "[analytics] %s: must be at least 1", name);
    out->has_max_events = 1;
    out->max_events = v.i;
    break;
  case K_MAX_AGE_DAYS:
    if (v.i < 1)
      return fail(r, "[analytics] %s: must be at least 1", name);
    out->has_max_age_days = 1;
    out->max_age_days = v.i;
    break;
  default: {
    /* Unknown keys are ignored (forward compatibility), but remembered so a
     * duplicate still makes the table unreadable, and shown by `status`: a
     * misspelt key silently did nothing. Only the name is
     * shown, never the value (it may be a key). */
    if (keyset_add(seen, key, ko.len) != 0)
      return fail(r, "[analytics] out of memory");
    int like = -1;
    for (int i = 0; i < K_UNKNOWN && like < 0; i++)
      if (near_word(key, ko.len, known[i].name))
        like = i;
    if (like < 0) {
      warn(r, out, "[analytics] unknown key %s is ignored", name);
      break;
    }
    warn(r, out, "[analytics] unknown key %s is ignored (did you mean '%s'?)", name,
         known[like].name);
    /* `enable = false` means the user wanted out: privacy wins a typo, but
     * a typo is not the explicit opt-out that deletes the queue. */
    if (like == K_ENABLED && !(v.kind == V_BOOL && v.b)) {
      char what[128];
      snprintf(what, sizeof what, "[analytics] %s looks like a misspelt 'enabled'", name);
      note_optout(r, out, what);
    }
    break;
  }
  }
  return 0;
}

/* One line of a table whose name is a near miss of [analytics] ([Analytics]):
 * not read as settings, but an `enabled` (or a near miss of it) whose value
 * is not `true` is an opt-out. Lines it cannot read are someone else's
 * business: no error. */
static void near_table_line(reader *r, const char *p, const char *end, const header *h,
                            ja__toml_analytics *out)
{
  const char *why = NULL;
  p = skip_ws(p, end);
  if (p == end || *p == '#' || *p == '[')
    return;
  char key[KEY_CAP];
  strout ko = {key, sizeof key, 0, 0};
  if (lex_key(&p, end, &ko, &why) != 0 || ko.len >= sizeof key || ko.has_nul)
    return;
  p = skip_ws(p, end);
  if (p >= end || *p != '=')
    return;
  p = skip_ws(p + 1, end);
  strout so = {NULL, 0, 0, 0};
  value v;
  if (!near_word(key, ko.len, "enabled"))
    return;
  /* Only a plain `true` keeps it on; a value we cannot read is not true. */
  if (lex_value(&p, end, &so, &v, &why) == 0 && v.kind == V_BOOL && v.b)
    return;
  char name[KEY_SHOWN_MAX + 3], what[128];
  label_key(key, ko.len, name);
  snprintf(what, sizeof what, "%s in [%s], which is not [analytics]", name,
           h->shown ? h->first : "?");
  note_optout(r, out, what);
}

/* ------------------------------------------------------------------ driver */

int ja__toml_read_analytics(const char *text, size_t len, const char *name,
                            ja__toml_analytics *out, char *err, size_t errsz)
{
  reader r = {text, name && *name ? name : "config.toml", err, errsz, 0};
  enum { T_ROOT, T_OTHER, T_NEAR, T_ANALYTICS } table = T_ROOT;
  header near = {0};  /* the current table when table == T_NEAR */
  skim sk = {0, 0, 0};
  keyset seen = {NULL, NULL, 0, 0};
  long analytics_line = 0;
  int rc = 0;

  if (err && errsz)
    err[0] = '\0';
  if (!out)
    return fail(&r, "internal error: no output");
  memset(out, 0, sizeof *out);
  if (!text)
    return len == 0 ? 0 : fail(&r, "internal error: no text");

  const char *p = text, *end = text + len;
  if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p < end && rc == 0) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *lend = nl ? nl : end;
    const char *next = nl ? nl + 1 : end;
    if (nl && lend > p && lend[-1] == '\r')
      lend--;  /* CRLF; a bare CR stays and is a control character */
    r.line++;

    if (sk.ml || sk.depth > 0) {
      /* Still inside a multi-line value of a table we skip. */
      skim_line(&sk, p, lend, r.line);
      p = next;
      continue;
    }
    if (table == T_ANALYTICS && (rc = check_bytes(&r, p, lend)) != 0)
      break;

    const char *q = skip_ws(p, lend);
    if (q < lend && *q == '[') {
      header h;
      const char *why = NULL;
      /* Any header might be ours, so one we cannot read fails closed. */
      if (lex_header(q, lend, &h, &why) != 0) {
        rc = fail(&r, "cannot read table header: %s", why);
        break;
      }
      if (h.analytics && h.nseg == 1) {
        if (h.is_array) {
          rc = fail(&r, "[[analytics]] (an array of tables) is not supported; write [analytics]");
          break;
        }
        if (out->has_table) {
          rc = fail(&r, "[analytics] appears twice (first at line %ld)", analytics_line);
          break;
        }
        if ((rc = check_bytes(&r, p, lend)) != 0)
          break;
        out->has_table = 1;
        out->table_line = analytics_line = r.line;
        out->table_body_at = (size_t)(next - text);
        out->newline_crlf = nl && lend < nl;
        table = T_ANALYTICS;
      } else if (h.near) {
        /* [Analytics], [analytic], ["analytics "]: surely meant as ours, but
         * a different TOML table, so its settings are not read. Said. */
        if (h.shown)
          warn(&r, out, "table [%s%s%s] is not [analytics]: its settings are not read",
               h.is_array ? "[" : "", h.first, h.is_array ? "]" : "");
        else
          warn(&r, out, "a table named like [analytics] is not [analytics]: its settings are "
               "not read");
        near = h;
        table = T_NEAR;
      } else {
        table = T_OTHER;  /* includes [analytics.sub]: a different table */
      }
      p = next;
      continue;
    }

    if (table == T_NEAR)
      near_table_line(&r, p, lend, &near, out);

    if (table == T_ANALYTICS) {
      rc = read_line(&r, p, lend, out, &seen);
      p = next;
      continue;
    }

    if (table == T_ROOT && q < lend && *q != '#') {
      /* A root key "analytics" (inline table) or "analytics.x" (dotted)
       * would define the table in a way we do not read: fail closed. */
      char first[16];
      strout o = {first, sizeof first, 0, 0};
      const char *why = NULL;
      if (lex_key(&q, lend, &o, &why) != 0) {
        rc = fail(&r, "cannot read top-level line: %s", why);
        break;
      }
      if (is_analytics(&o, first)) {
        rc = fail(&r, "analytics must be written as an [analytics] table");
        break;
      }
    }
    skim_line(&sk, p, lend, r.line);
    p = next;
  }

  if (rc == 0 && (sk.ml || sk.depth > 0)) {
    /* Unclosed: a header could be hiding in it, so we cannot tell. */
    r.line = sk.opened_at;
    rc = fail(&r, "%s never closed", sk.ml ? "multi-line string" : "multi-line array or inline table");
  }
  keyset_free(&seen);
  if (rc != 0)
    memset(out, 0, sizeof *out);
  return rc;
}
