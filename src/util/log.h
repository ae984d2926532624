/*
 * util/log.h — the library's only output (stderr): warnings, and the
 * OPENJARVIS_LOG_LEVEL=DEBUG "Analytics: …" lines.
 */
#ifndef JA_UTIL_LOG_H
#define JA_UTIL_LOG_H

#include "boot.h"

/* Warnings go to stderr as "jarvis-analytics: warning: …" (library code only
 * warns; it never prints to stdout). */
void ja__log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One "Analytics: …" line on stderr, only when debug logging is on. */
void ja__log_debug(int enabled, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
