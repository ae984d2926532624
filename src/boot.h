/*
 * boot.h — included first by every file in src/ (like sentry-native's
 * sentry_boot.h): feature macros, the C headers every file uses, the public
 * API, and the error contract every concern reports through. Everything
 * else lives in one private header per concern (util/fs.h, store/store.h …),
 * so a file includes only the structs it uses. Nothing here is installed.
 */
#ifndef JA_BOOT_H
#define JA_BOOT_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jarvis_analytics.h"

#ifndef JA_VERSION_STRING
#define JA_VERSION_STRING JA_VERSION
#endif

/* Longest path the library builds (home, queue, anon_id, config). */
#define JA_PATH_MAX 4096

/* ------------------------------------------------------- util/error.c */

/* Record @p code and a printf-style message as this thread's last error and
 * return @p code, so callers can write `return ja__error_set(...)`. Messages
 * are lowercase and quote the object: "cannot open queue '%s': %s". */
ja_status ja__error_set(ja_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forget the last error (when one is deliberately swallowed). */
void ja__error_clear(void);

/* Defensive check: logs and returns JA_EINTERNAL, never aborts. */
#define JA_ASSERT(cond)                                                          \
  do {                                                                           \
    if (!(cond))                                                                 \
      return ja__error_set(JA_EINTERNAL, "internal check failed: %s (%s:%d)",   \
                           #cond, __FILE__, __LINE__);                           \
  } while (0)

#endif /* JA_BOOT_H */
