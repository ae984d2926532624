/*
 * util/log.c — the library's only output: warnings and, when
 * OPENJARVIS_LOG_LEVEL=DEBUG, one "Analytics: …" line per event. Both go to
 * stderr; the library never writes to stdout (that belongs to the host).
 */
#include "boot.h"

#include "util/log.h"

void
ja__log_warn(const char *fmt, ...)
{
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "jarvis-analytics: warning: %s\n", line);
}

void
ja__log_debug(int enabled, const char *fmt, ...)
{
  if (!enabled)
    return;
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One write per line so lines of concurrent processes don't interleave. */
  fprintf(stderr, "Analytics: %s\n", line);
}
