/*
 * util/json.c — strict JSON syntax (RFC 8259 §2–7) by recursive descent,
 * nothing built: cJSON still does the parsing, this only refuses what cJSON
 * would wrongly accept ({"version":01} was stored: hardening issue).
 */
#include "boot.h"

#include "util/json.h"

typedef struct scan {
  const char *s;    /* the text */
  size_t n;         /* its length */
  size_t i;         /* current offset */
  const char *why;  /* first error, or NULL */
  size_t at;        /* its offset */
} scan;

static int
bad(scan *c, size_t at, const char *why)
{
  if (!c->why) {
    c->why = why;
    c->at = at;
  }
  return -1;
}

static void
skip_ws(scan *c)
{
  while (c->i < c->n) {
    char ch = c->s[c->i];
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
      return;
    c->i++;
  }
}

static int
is_digit(char ch)
{
  return ch >= '0' && ch <= '9';
}

static int
is_hex(char ch)
{
  return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* 1*DIGIT at c->i; -1 (naming @p what) when there is none. */
static int
digits(scan *c, const char *what)
{
  size_t start = c->i;
  while (c->i < c->n && is_digit(c->s[c->i]))
    c->i++;
  return c->i > start ? 0 : bad(c, c->i, what);
}

/* number = [ minus ] int [ frac ] [ exp ] */
static int
number(scan *c)
{
  if (c->s[c->i] == '-')
    c->i++;
  if (c->i >= c->n || !is_digit(c->s[c->i]))
    return bad(c, c->i, "a number needs a digit here");
  if (c->s[c->i] == '0') {
    c->i++;
    if (c->i < c->n && is_digit(c->s[c->i]))
      return bad(c, c->i - 1, "leading zero in a number");
  } else {
    (void)digits(c, "");
  }
  if (c->i < c->n && c->s[c->i] == '.') {
    c->i++;
    if (digits(c, "a digit must follow the decimal point") != 0)
      return -1;
  }
  if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
    c->i++;
    if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-'))
      c->i++;
    if (digits(c, "an exponent needs a digit") != 0)
      return -1;
  }
  return 0;
}

/* string = quote *char quote; c->i is at the opening quote. */
static int
string(scan *c)
{
  c->i++;
  while (c->i < c->n) {
    unsigned char ch = (unsigned char)c->s[c->i];
    if (ch == '"') {
      c->i++;
      return 0;
    }
    if (ch < 0x20)
      return bad(c, c->i, "raw control character in a string (escape it)");
    if (ch != '\\') {
      c->i++;
      continue;
    }
    if (c->i + 1 >= c->n)
      break;
    char e = c->s[c->i + 1];
    if (e == 'u') {
      for (size_t k = 2; k < 6; k++)
        if (c->i + k >= c->n || !is_hex(c->s[c->i + k]))
          return bad(c, c->i, "\\u needs four hex digits");
      c->i += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
               e == 'r' || e == 't') {
      c->i += 2;
    } else {
      return bad(c, c->i, "invalid escape in a string");
    }
  }
  return bad(c, c->n, "unterminated string");
}

static int
literal(scan *c, const char *word, size_t len)
{
  for (size_t k = 0; k < len; k++)
    if (c->i + k >= c->n || c->s[c->i + k] != word[k])
      return bad(c, c->i, "unexpected text (not a JSON value)");
  c->i += len;
  return 0;
}

static int value(scan *c, int depth);

/* object or array; c->i is at '{' or '['. */
static int
composite(scan *c, int depth)
{
  char close = c->s[c->i] == '{' ? '}' : ']';
  int object = close == '}';
  if (depth >= JA__JSON_MAX_DEPTH)
    return bad(c, c->i, "nested too deeply");
  c->i++;
  skip_ws(c);
  if (c->i < c->n && c->s[c->i] == close) {
    c->i++;
    return 0;
  }
  for (;;) {
    if (object) {
      if (c->i >= c->n || c->s[c->i] != '"')
        return bad(c, c->i, "a member name must be a string in double quotes");
      if (string(c) != 0)
        return -1;
      skip_ws(c);
      if (c->i >= c->n || c->s[c->i] != ':')
        return bad(c, c->i, "expected ':' after a member name");
      c->i++;
      skip_ws(c);
    }
    if (value(c, depth + 1) != 0)
      return -1;
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == close) {
      c->i++;
      return 0;
    }
    if (c->i >= c->n || c->s[c->i] != ',')
      return bad(c, c->i, object ? "expected ',' or '}'" : "expected ',' or ']'");
    c->i++;
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == close)
      return bad(c, c->i, "trailing comma");
  }
}

static int
value(scan *c, int depth)
{
  if (c->i >= c->n)
    return bad(c, c->i, "a value is missing");
  switch (c->s[c->i]) {
  case '{':
  case '[':
    return composite(c, depth);
  case '"':
    return string(c);
  case 't':
    return literal(c, "true", 4);
  case 'f':
    return literal(c, "false", 5);
  case 'n':
    return literal(c, "null", 4);
  default:
    if (c->s[c->i] == '-' || is_digit(c->s[c->i]))
      return number(c);
    return bad(c, c->i, "unexpected text (not a JSON value)");
  }
}

int
ja__json_check(const char *s, size_t len, size_t *at, const char **why)
{
  scan c = {s, len, 0, NULL, 0};
  skip_ws(&c);
  int rc = value(&c, 0);
  if (rc == 0) {
    skip_ws(&c);
    if (c.i < c.n)
      rc = bad(&c, c.i, "text after the JSON value");
  }
  if (rc != 0) {
    *at = c.at;
    *why = c.why;
  }
  return rc;
}
