/*
 * filter/number.c — a JSON number token as the filter sees it: its verdicts
 * (finite, >= 0, an integer `int` takes) and the text stored for it.
 *
 * The stored form of a number is the shortest of 15, 16, 17 significant
 * digits that reads back to the same double, integers below 2^53 in full,
 * '.' whatever the locale, 0 for -0 (what the filter has always stored, and
 * what the uploader sends on as it is). Most tokens already are that form
 * or a prefix of it — digits, or digits and a fraction of at most 15
 * significant digits, maybe with trailing zeros — and are judged from
 * their spelling and spliced through as written: no double, no printing.
 * The rest (a sign, an exponent, 16 or more digits) are converted in the C
 * locale and printed as above.
 */
#include "boot.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "filter/number.h"

/* 2^53: from here on a double cannot tell n from n+1, so an input such as
 * 9007199254740993 arrives already rounded. "int" values must be below it
 * (found by tests/fuzz, crashes/event-int-rounded-*). */
#define INT_LIMIT 9007199254740992.0

/* Significant digits that always survive decimal -> double -> "%.15g"
 * (DBL_DIG). */
#define SURE_DIGITS 15

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_make(void)
{
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod and printf follow LC_NUMERIC, which a host may have set to a
 * comma locale: the slow path runs in the C locale (this thread only). */
static locale_t
enter_c_locale(void)
{
  pthread_once(&c_locale_once, c_locale_make);
  return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static int
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* The fast path: 1 when @p t[0..n) is decided by its spelling. */
static int
by_spelling(const char *t, size_t n, ja__number *x)
{
  size_t i = 0;
  while (i < n && is_digit(t[i])) /* no '-': a sign takes the slow path */
    i++;
  size_t int_len = i;
  if (int_len == 0 || int_len > SURE_DIGITS)
    return 0;
  size_t end = int_len; /* of the stored text */
  if (i < n) {
    if (t[i] != '.')
      return 0;
    size_t frac = ++i;
    while (i < n && is_digit(t[i]))
      i++;
    if (i < n) /* an exponent */
      return 0;
    end = n;
    while (end > frac && t[end - 1] == '0') /* "%g" drops trailing zeros */
      end--;
    if (end > frac) {
      size_t sig = int_len + (end - frac);
      if (int_len == 1 && t[0] == '0') {
        size_t zeros = 0;
        while (t[frac + zeros] == '0')
          zeros++;
        if (zeros > 3) /* below 1e-4 "%g" writes an exponent */
          return 0;
        sig = end - frac - zeros;
      }
      if (sig > SURE_DIGITS)
        return 0;
      /* At most 15 significant digits and a fraction left: the double is
       * within 2^-53 of it relatively, too close to reach an integer. */
      *x = (ja__number){.finite = 1, .nonneg = 1, .integer = 0, .keep = end};
      return 1;
    }
    end = int_len; /* "12.000" is stored "12" */
  }
  *x = (ja__number){.finite = 1, .nonneg = 1, .integer = 1, .keep = end};
  return 1;
}

int
ja__number_read(const char *t, size_t n, ja__number *x)
{
  if (by_spelling(t, n, x))
    return 0;
  char small[64], *copy = n < sizeof small ? small : malloc(n + 1);
  locale_t old = copy ? enter_c_locale() : (locale_t)0;
  if (!old) {
    if (copy != small)
      free(copy);
    return -1;
  }
  memcpy(copy, t, n);
  copy[n] = '\0';
  double d = strtod(copy, NULL);
  uselocale(old);
  if (copy != small)
    free(copy);
  *x = (ja__number){.finite = isfinite(d) != 0,
                    .nonneg = d >= 0,
                    .integer = d == floor(d) && fabs(d) < INT_LIMIT,
                    .keep = 0,
                    .value = d};
  return 0;
}

int
ja__number_text(const ja__number *x, const char *tok, char buf[40], const char **text,
                size_t *len)
{
  if (x->keep) {
    *text = tok;
    *len = x->keep;
    return 0;
  }
  locale_t old = enter_c_locale();
  if (!old)
    return -1;
  double d = x->value == 0 ? 0 : x->value; /* -0 would print as "-0" */
  /* printf's own "%.15g" rounds where the double needs more digits
   * (9007199254740991 became 9.00719925474099e+15, 0.30000000000000004
   * became 0.3: tests/fuzz, crashes/event-*-rounded-*). */
  if (x->integer) {
    snprintf(buf, 40, "%.0f", d);
  } else {
    for (int digits = SURE_DIGITS; digits <= 17; digits++) {
      snprintf(buf, 40, "%.*g", digits, d);
      if (strtod(buf, NULL) == d)
        break;
    }
  }
  uselocale(old);
  *text = buf;
  *len = strlen(buf);
  return 0;
}
