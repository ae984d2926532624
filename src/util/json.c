/*
 * util/json.c — strict JSON (RFC 8259 §2–7) read in one pass without
 * building anything: the top-level object member by member, nested values
 * skipped over (iteratively, up to JA__JSON_MAX_DEPTH), strings checked for
 * what a C string can hold, and the decoder of a string's escapes.
 */
#include "boot.h"

#include "util/json.h"
#include "util/utf8.h"

/* Where ja__json_next is in the top-level object. */
enum { AT_FIRST, AT_AFTER_VALUE, AT_END };

static int
syntax(ja__json_reader *r, size_t at, const char *why)
{
  if (r->fault == JA__JSON_FINE) {
    r->fault = JA__JSON_SYNTAX;
    r->at = at;
    r->why = why;
  }
  return -1;
}

static int
fault(ja__json_reader *r, ja__json_fault f, size_t at)
{
  if (r->fault == JA__JSON_FINE) {
    r->fault = f;
    r->at = at;
  }
  return -1;
}

static void
skip_ws(ja__json_reader *r)
{
  while (r->i < r->n) {
    char ch = r->s[r->i];
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
      return;
    r->i++;
  }
}

static int
is_digit(char ch)
{
  return ch >= '0' && ch <= '9';
}

/* 1 for the bytes a string holds as they are: 0x20-0x7F but '"' and '\\'.
 * Bytes >= 0x80 are UTF-8, checked by sequence. */
static const unsigned char plain[256] = {
    ['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2F, no '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,            /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,            /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,            /* 0x50, no '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,            /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,            /* 0x70 */
};

/* The four hex digits at @p p as a number, or -1. */
static long
hex4(const char *p)
{
  long v = 0;
  for (int k = 0; k < 4; k++) {
    int d = ja__hex_value((unsigned char)p[k]);
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

/* A checked read's test of the \u escape at s[i] (its four hex digits are
 * there): the number of bytes it spans (6, or 12 for a surrogate pair), or
 * 0 after recording the fault. */
static size_t
unicode_escape(ja__json_reader *r, size_t i)
{
  long cp = hex4(r->s + i + 2);
  if (cp == 0) {
    fault(r, JA__JSON_NUL, i);
    return 0;
  }
  if (cp < 0xD800 || cp > 0xDFFF)
    return 6;
  /* A high half (D800-DBFF) needs the low half (DC00-DFFF) as the very
   * next escape; a low half on its own is refused. */
  long lo = cp <= 0xDBFF && i + 12 <= r->n && r->s[i + 6] == '\\' && r->s[i + 7] == 'u'
                ? hex4(r->s + i + 8)
                : -1;
  if (lo < 0xDC00 || lo > 0xDFFF) {
    fault(r, JA__JSON_SURROGATE, i);
    return 0;
  }
  return 12;
}

/* string = quote *char quote; r->i is at the opening quote and ends past
 * the closing one. *escaped is set when it holds a backslash. */
static int
string(ja__json_reader *r, int *escaped)
{
  const unsigned char *s = (const unsigned char *)r->s;
  size_t i = r->i + 1, n = r->n;
  *escaped = 0;
  for (;;) {
    while (i < n && plain[s[i]])
      i++;
    if (i >= n)
      break;
    unsigned char ch = s[i];
    if (ch == '"') {
      r->i = i + 1;
      return 0;
    }
    if (ch < 0x20)
      return syntax(r, i, "raw control character in a string (escape it)");
    if (ch >= 0x80) {
      size_t len = 1;
      if (r->checked && (len = ja__utf8_seq((const char *)s + i, n - i)) == 0)
        return fault(r, JA__JSON_UTF8, i);
      i += len;
      continue;
    }
    /* a backslash */
    *escaped = 1;
    if (i + 1 >= n)
      break;
    char e = (char)s[i + 1];
    if (e == 'u') {
      for (size_t k = 2; k < 6; k++)
        if (i + k >= n || ja__hex_value(s[i + k]) < 0)
          return syntax(r, i, "\\u needs four hex digits");
      size_t len = r->checked ? unicode_escape(r, i) : 6;
      if (len == 0)
        return -1;
      i += len;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
               e == 'r' || e == 't') {
      i += 2;
    } else {
      return syntax(r, i, "invalid escape in a string");
    }
  }
  return syntax(r, n, "unterminated string");
}

/* 1*DIGIT at r->i; -1 (naming @p what) when there is none. */
static int
digits(ja__json_reader *r, const char *what)
{
  size_t start = r->i;
  while (r->i < r->n && is_digit(r->s[r->i]))
    r->i++;
  return r->i > start ? 0 : syntax(r, r->i, what);
}

/* number = [ minus ] int [ frac ] [ exp ] */
static int
number(ja__json_reader *r)
{
  if (r->s[r->i] == '-')
    r->i++;
  if (r->i >= r->n || !is_digit(r->s[r->i]))
    return syntax(r, r->i, "a number needs a digit here");
  if (r->s[r->i] == '0') {
    r->i++;
    if (r->i < r->n && is_digit(r->s[r->i]))
      return syntax(r, r->i - 1, "leading zero in a number");
  } else {
    (void)digits(r, "");
  }
  if (r->i < r->n && r->s[r->i] == '.') {
    r->i++;
    if (digits(r, "a digit must follow the decimal point") != 0)
      return -1;
  }
  if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
    r->i++;
    if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
      r->i++;
    if (digits(r, "an exponent needs a digit") != 0)
      return -1;
  }
  return 0;
}

static int
literal(ja__json_reader *r, const char *word, size_t len)
{
  for (size_t k = 0; k < len; k++)
    if (r->i + k >= r->n || r->s[r->i + k] != word[k])
      return syntax(r, r->i, "unexpected text (not a JSON value)");
  r->i += len;
  return 0;
}

/* A value that is not an array or object, at r->i: its type, or -1. */
static int
scalar(ja__json_reader *r, int *escaped)
{
  *escaped = 0;
  if (r->i >= r->n)
    return syntax(r, r->i, "a value is missing");
  switch (r->s[r->i]) {
  case '"':
    return string(r, escaped) == 0 ? JA__JSON_STRING : -1;
  case 't':
    return literal(r, "true", 4) == 0 ? JA__JSON_TRUE : -1;
  case 'f':
    return literal(r, "false", 5) == 0 ? JA__JSON_FALSE : -1;
  case 'n':
    return literal(r, "null", 4) == 0 ? JA__JSON_NULL : -1;
  default:
    if (r->s[r->i] == '-' || is_digit(r->s[r->i]))
      return number(r) == 0 ? JA__JSON_NUMBER : -1;
    return syntax(r, r->i, "unexpected text (not a JSON value)");
  }
}

/* An array or object at r->i ('[' or '{'), opened @p depth levels deep,
 * read whole. Iterative: one bit per open level says object or array. */
static int
composite(ja__json_reader *r, int depth)
{
  uint64_t objects[(JA__JSON_MAX_DEPTH + 63) / 64];
  int open = 0; /* levels open here */
  int object;   /* the innermost one is an object */
  int escaped;
  const char *s = r->s;
opened:
  if (depth + open >= JA__JSON_MAX_DEPTH)
    return syntax(r, r->i, "nested too deeply");
  object = s[r->i] == '{';
  if (object)
    objects[open / 64] |= (uint64_t)1 << (open % 64);
  else
    objects[open / 64] &= ~((uint64_t)1 << (open % 64));
  open++;
  r->i++;
  skip_ws(r);
  if (r->i < r->n && s[r->i] == (object ? '}' : ']')) {
    r->i++;
    goto closed;
  }
  for (;;) {
    if (object) {
      if (r->i >= r->n || s[r->i] != '"')
        return syntax(r, r->i, "a member name must be a string in double quotes");
      if (string(r, &escaped) != 0)
        return -1;
      skip_ws(r);
      if (r->i >= r->n || s[r->i] != ':')
        return syntax(r, r->i, "expected ':' after a member name");
      r->i++;
      skip_ws(r);
    }
    if (r->i < r->n && (s[r->i] == '{' || s[r->i] == '['))
      goto opened;
    if (scalar(r, &escaped) < 0)
      return -1;
  next:
    skip_ws(r);
    if (r->i < r->n && s[r->i] == (object ? '}' : ']')) {
      r->i++;
      goto closed;
    }
    if (r->i >= r->n || s[r->i] != ',')
      return syntax(r, r->i, object ? "expected ',' or '}'" : "expected ',' or ']'");
    r->i++;
    skip_ws(r);
    if (r->i < r->n && s[r->i] == (object ? '}' : ']'))
      return syntax(r, r->i, "trailing comma");
  }
closed:
  if (--open == 0)
    return 0;
  object = (int)((objects[(open - 1) / 64] >> ((open - 1) % 64)) & 1);
  goto next;
}

/* Any value at r->i, @p depth levels deep, as a token. */
static int
value(ja__json_reader *r, int depth, ja__json_token *tok)
{
  size_t start = r->i;
  int type;
  tok->escaped = 0;
  if (r->i < r->n && (r->s[r->i] == '{' || r->s[r->i] == '[')) {
    type = r->s[r->i] == '{' ? JA__JSON_OBJECT : JA__JSON_ARRAY;
    if (composite(r, depth) != 0)
      return -1;
  } else if ((type = scalar(r, &tok->escaped)) < 0) {
    return -1;
  }
  tok->p = r->s + start;
  tok->n = r->i - start;
  if (type == JA__JSON_STRING) {
    tok->p++;
    tok->n -= 2;
  }
  return type;
}

int
ja__json_begin(ja__json_reader *r, const char *s, size_t n, int checked)
{
  *r = (ja__json_reader){.s = s, .n = n, .checked = checked};
  skip_ws(r);
  if (r->i < n && s[r->i] == '{') { /* depth 0: always room */
    r->i++;
    skip_ws(r);
    r->state = AT_FIRST;
    return JA__JSON_OBJECT;
  }
  ja__json_token tok;
  int type = value(r, 0, &tok);
  if (type < 0)
    return -1;
  skip_ws(r);
  if (r->i < n)
    return syntax(r, r->i, "text after the JSON value");
  r->state = AT_END;
  return type;
}

int
ja__json_next(ja__json_reader *r, ja__json_token *key, ja__json_type *type,
              ja__json_token *val)
{
  if (r->fault != JA__JSON_FINE)
    return -1;
  if (r->state == AT_END)
    return 0;
  const char *s = r->s;
  if (r->state == AT_FIRST) {
    if (r->i < r->n && s[r->i] == '}') {
      r->i++;
      goto end;
    }
  } else {
    skip_ws(r);
    if (r->i < r->n && s[r->i] == '}') {
      r->i++;
      goto end;
    }
    if (r->i >= r->n || s[r->i] != ',')
      return syntax(r, r->i, "expected ',' or '}'");
    r->i++;
    skip_ws(r);
    if (r->i < r->n && s[r->i] == '}')
      return syntax(r, r->i, "trailing comma");
  }
  if (r->i >= r->n || s[r->i] != '"')
    return syntax(r, r->i, "a member name must be a string in double quotes");
  size_t start = r->i + 1;
  if (string(r, &key->escaped) != 0)
    return -1;
  key->p = s + start;
  key->n = r->i - 1 - start;
  skip_ws(r);
  if (r->i >= r->n || s[r->i] != ':')
    return syntax(r, r->i, "expected ':' after a member name");
  r->i++;
  skip_ws(r);
  int t = value(r, 1, val);
  if (t < 0)
    return -1;
  *type = (ja__json_type)t;
  r->state = AT_AFTER_VALUE;
  return 1;
end:
  skip_ws(r);
  if (r->i < r->n)
    return syntax(r, r->i, "text after the JSON value");
  r->state = AT_END;
  return 0;
}

int
ja__json_check(const char *s, size_t len, size_t *at, const char **why)
{
  ja__json_reader r;
  int rc = ja__json_begin(&r, s, len, 0);
  if (rc == JA__JSON_OBJECT) {
    ja__json_token key, val;
    ja__json_type type;
    while ((rc = ja__json_next(&r, &key, &type, &val)) > 0)
      ;
  }
  if (rc < 0) {
    *at = r.at;
    *why = r.why;
    return -1;
  }
  return 0;
}

size_t
ja__json_unescape(const char *p, size_t n, char *out)
{
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    if (p[i] != '\\') {
      out[o++] = p[i++];
      continue;
    }
    char e = p[i + 1];
    i += 2;
    switch (e) {
    case 'b': out[o++] = '\b'; break;
    case 'f': out[o++] = '\f'; break;
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 't': out[o++] = '\t'; break;
    case 'u': {
      uint32_t cp = (uint32_t)hex4(p + i);
      i += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) { /* checked: "\uDC00-\uDFFF" follows */
        cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)hex4(p + i + 2) - 0xDC00);
        i += 6;
      }
      o += ja__utf8_encode(cp, out + o);
      break;
    }
    default: out[o++] = e; break; /* " \ / */
    }
  }
  return o;
}
