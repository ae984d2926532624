/*
 * util/clock.h — the two clocks: wall time (event timestamps, UTC ms) and
 * the monotonic clock behind every deadline (a wall clock that jumps must
 * never stretch or cut a wait).
 */
#ifndef JA_UTIL_CLOCK_H
#define JA_UTIL_CLOCK_H

#include "boot.h"

/* Milliseconds since the Unix epoch, UTC (CLOCK_REALTIME). Read only at the
 * public entry points; everything below takes `now` from its caller. */
int64_t ja__now_ms(void);
/* What ja__now_ms reads: CLOCK_REALTIME. Tests put a clock of their own
 * here (as they replace ja__sys) where a result depends on the time it is
 * made at and two results are compared: without it, a second that ticks
 * between them on a slow run changes the answer. */
extern int64_t (*ja__wall_clock)(void);
/* "2026-11-25T12:30:45.123Z" (24 chars + NUL). */
void ja__iso8601_ms(int64_t ms, char out[32]);
/* Parsing: util/http_date.h (ja__iso8601_parse, HTTP-dates). */

/* Nanoseconds on CLOCK_MONOTONIC. */
int64_t ja__mono_ns(void);

/* The moment one call must be done by: one per public call, shared by
 * everything it waits for (the handle's mutex, SQLite's lock), so waits
 * never add up past it. */
typedef struct ja__deadline {
  int64_t at_ns; /* CLOCK_MONOTONIC */
} ja__deadline;
/* A deadline @p ms milliseconds from now. */
ja__deadline ja__deadline_in(int64_t ms);
/* Milliseconds left, 0 once it has passed. */
int64_t ja__deadline_left_ms(ja__deadline d);

#endif
