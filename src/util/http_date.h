/*
 * util/http_date.h — parsing the two time formats the uploader reads:
 * ISO-8601 instants (--now) and HTTP-dates (a Retry-After header).
 */
#ifndef JA_UTIL_HTTP_DATE_H
#define JA_UTIL_HTTP_DATE_H

#include "boot.h"

/* "2026-11-25T12:30:45Z", "…45.123Z", "…45+05:30" (also a space for 'T',
 * lowercase 't'/'z'; second 60 is a leap second, read as :59) → ms since
 * the epoch, UTC. The zone is required (a local time would depend on TZ).
 * Returns 0; JA__ISO8601_BEFORE_1970 for a well-formed instant before the
 * epoch (callers say so, rather than that it does not parse); or -1 when
 * @p s is not exactly one such instant (fields out of range, a date that
 * does not exist). Used for --now/--at/--since. */
#define JA__ISO8601_BEFORE_1970 (-2)
int ja__iso8601_parse(const char *s, int64_t *out_ms);
/* An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37
 * GMT", the obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime
 * "Sun Nov  6 08:49:37 1994" → ms since the epoch. 0, or -1. */
int ja__http_date_parse(const char *s, int64_t *out_ms);
/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t ja__days_from_civil(int64_t y, int m, int d);

#endif
