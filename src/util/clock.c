/*
 * util/clock.c — wall-clock timestamps and monotonic deadlines.
 */
#include "boot.h"

#include <time.h>

#include "util/clock.h"

static int64_t
realtime_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t (*ja__wall_clock)(void) = realtime_ms;

int64_t
ja__now_ms(void)
{
  return ja__wall_clock();
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
