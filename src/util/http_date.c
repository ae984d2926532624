/*
 * util/http_date.c — ISO-8601 and HTTP-date parsing without the C
 * library's locale- and TZ-dependent strptime/mktime: fixed formats, exact
 * field ranges, UTC arithmetic only.
 */
#include "boot.h"

#include <string.h>

#include "util/http_date.h"

int64_t
ja__days_from_civil(int64_t y, int m, int d)
{
  /* Howard Hinnant's days_from_civil: exact for every Gregorian date. */
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
days_in_month(int64_t y, int m)
{
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dm[m - 1];
}

/* Exactly @p n decimal digits at *p; advances. -1 if not. */
static int
digits(const char **p, int n, int64_t *out)
{
  int64_t v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return -1;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

static int
expect(const char **p, char c)
{
  if (**p != c)
    return -1;
  (*p)++;
  return 0;
}

/* Validate and combine calendar fields into ms since the epoch. */
static int
combine(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s, int64_t *out)
{
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo) || h > 23 || mi > 59 || s > 60)
    return -1;
  if (s == 60)
    s = 59; /* a leap second is the last second of its minute */
  *out = ((ja__days_from_civil(y, (int)mo, (int)d) * 24 + h) * 60 + mi) * 60000 + s * 1000;
  return 0;
}

int
ja__iso8601_parse(const char *s, int64_t *out_ms)
{
  const char *p = s;
  int64_t y, mo, d, h, mi, sec, ms = 0;
  if (!s || digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
      digits(&p, 2, &d))
    return -1;
  if (*p != 'T' && *p != 't' && *p != ' ')
    return -1;
  p++;
  if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) || expect(&p, ':') ||
      digits(&p, 2, &sec))
    return -1;
  if (*p == '.') {
    p++;
    int n = 0;
    int64_t scale = 100;
    while (*p >= '0' && *p <= '9') {
      ms += (*p - '0') * scale;
      scale /= 10;
      p++;
      n++;
    }
    if (n == 0)
      return -1;
  }
  int64_t off_min = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    int64_t oh, om;
    p++;
    if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om) || oh > 23 || om > 59)
      return -1;
    off_min = sign * (oh * 60 + om);
  } else {
    return -1; /* no zone: a local time would depend on TZ */
  }
  if (*p != '\0')
    return -1;
  int64_t base;
  if (combine(y, mo, d, h, mi, sec, &base))
    return -1;
  base += ms - off_min * 60000;
  if (base < 0)
    return JA__ISO8601_BEFORE_1970; /* no clock of ours, and a replay cannot mean it */
  *out_ms = base;
  return 0;
}

static int
month_of(const char **p, int64_t *out)
{
  static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int i = 0; i < 12; i++)
    if (strncmp(*p, names + 3 * i, 3) == 0) {
      *p += 3;
      *out = i + 1;
      return 0;
    }
  return -1;
}

/* "HH:MM:SS" */
static int
clock_of(const char **p, int64_t *h, int64_t *mi, int64_t *s)
{
  return digits(p, 2, h) || expect(p, ':') || digits(p, 2, mi) || expect(p, ':') ||
                 digits(p, 2, s)
             ? -1
             : 0;
}

/* Skip a day name: letters up to @p stop. */
static int
skip_day(const char **p, char stop)
{
  const char *q = *p;
  while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
    q++;
  if (q - *p < 3 || *q != stop)
    return -1;
  *p = q + 1;
  return 0;
}

int
ja__http_date_parse(const char *s, int64_t *out_ms)
{
  if (!s)
    return -1;
  int64_t y, mo, d, h, mi, sec;
  const char *p = s;
  /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
  if (skip_day(&p, ',') == 0 && *p == ' ') {
    p++;
    if (p[2] == ' ') {
      if (digits(&p, 2, &d) || expect(&p, ' ') || month_of(&p, &mo) || expect(&p, ' ') ||
          digits(&p, 4, &y) || expect(&p, ' ') || clock_of(&p, &h, &mi, &sec) ||
          strcmp(p, " GMT") != 0)
        return -1;
    } else {
      /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more
       * than 50 years in the future is in the past (RFC 9110). */
      if (digits(&p, 2, &d) || expect(&p, '-') || month_of(&p, &mo) || expect(&p, '-') ||
          digits(&p, 2, &y) || expect(&p, ' ') || clock_of(&p, &h, &mi, &sec) ||
          strcmp(p, " GMT") != 0)
        return -1;
      y += y < 70 ? 2000 : 1900;
    }
    return combine(y, mo, d, h, mi, sec, out_ms);
  }
  /* asctime: "Sun Nov  6 08:49:37 1994" */
  p = s;
  if (skip_day(&p, ' ') || month_of(&p, &mo) || expect(&p, ' '))
    return -1;
  if (*p == ' ') {
    p++;
    if (digits(&p, 1, &d))
      return -1;
  } else if (digits(&p, 2, &d)) {
    return -1;
  }
  if (expect(&p, ' ') || clock_of(&p, &h, &mi, &sec) || expect(&p, ' ') ||
      digits(&p, 4, &y) || *p != '\0')
    return -1;
  return combine(y, mo, d, h, mi, sec, out_ms);
}
