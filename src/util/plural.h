/*
 * util/plural.h — the ending of a counted noun in messages for people:
 * "1 event", "2 events", "0 events" (and "1 event is", "3 events are").
 */
#ifndef JA_UTIL_PLURAL_H
#define JA_UTIL_PLURAL_H

/* "" for one, "s" for any other count. */
static inline const char *
ja__plural_s(long long n)
{
  return n == 1 ? "" : "s";
}

/* "is" for one, "are" for any other count. */
static inline const char *
ja__plural_are(long long n)
{
  return n == 1 ? "is" : "are";
}

#endif
