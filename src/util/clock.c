/*
 * util/clock.c — wall-clock timestamps and monotonic deadlines.
 */
#include "boot.h"

#include <time.h>

#include "util/clock.h"

int64_t
ja__now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ja__iso8601_ms(int64_t ms, char out[32])
{
  time_t secs = (time_t)(ms / 1000);
  int frac = (int)(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  struct tm tm;
  gmtime_r(&secs, &tm);
  /* A roomy scratch buffer: gcc cannot prove the fields are 2 digits. */
  char tmp[96];
  snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  snprintf(out, 32, "%.31s", tmp);
}

int64_t
ja__mono_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

ja__deadline
ja__deadline_in(int64_t ms)
{
  ja__deadline d = {ja__mono_ns() + (ms > 0 ? ms : 0) * 1000000};
  return d;
}

int64_t
ja__deadline_left_ms(ja__deadline d)
{
  int64_t left = d.at_ns - ja__mono_ns();
  return left > 0 ? (left + 999999) / 1000000 : 0;
}

/* Days from 1970-01-01 to @p y-@p m-@p d (proleptic Gregorian; H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* @p n digits at *@p p as a number (advancing *p), or -1. */
static int64_t
digits(const char **p, int n)
{
  int64_t v = 0;
  for (int i = 0; i < n; i++, (*p)++) {
    if (**p < '0' || **p > '9')
      return -1;
    v = v * 10 + (**p - '0');
  }
  return v;
}

int
ja__iso8601_parse(const char *s, int64_t *out)
{
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const char *p = s;
  int64_t y = digits(&p, 4);
  if (y < 1970 || *p++ != '-')
    return -1;
  int64_t mo = digits(&p, 2);
  if (mo < 1 || mo > 12 || *p++ != '-')
    return -1;
  int64_t d = digits(&p, 2);
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || (*p != 'T' && *p != 't'))
    return -1;
  p++;
  int64_t h = digits(&p, 2);
  if (h < 0 || h > 23 || *p++ != ':')
    return -1;
  int64_t mi = digits(&p, 2);
  if (mi < 0 || mi > 59 || *p++ != ':')
    return -1;
  int64_t sec = digits(&p, 2);
  if (sec < 0 || sec > 59) /* no leap second: POSIX time has none */
    return -1;
  int64_t ms = 0;
  if (*p == '.') {
    p++;
    int n = 0;
    for (; *p >= '0' && *p <= '9'; p++, n++)
      if (n < 3)
        ms = ms * 10 + (*p - '0');
    if (n == 0)
      return -1;
    for (; n < 3; n++)
      ms *= 10; /* ".5" is 500 ms; digits past ms are cut, not rounded */
  }
  int64_t offset_min = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p++ == '-' ? -1 : 1;
    int64_t oh = digits(&p, 2);
    if (oh < 0 || oh > 23 || *p++ != ':')
      return -1;
    int64_t om = digits(&p, 2);
    if (om < 0 || om > 59)
      return -1;
    offset_min = sign * (oh * 60 + om);
  } else {
    return -1; /* a time without a zone is ambiguous: refused */
  }
  if (*p)
    return -1;
  int64_t t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
  t = (t - offset_min * 60) * 1000 + ms;
  if (t < 0)
    return -1;
  *out = t;
  return 0;
}
