/*
 * util/error.c — ja_status names and the per-thread "last error" message
 * (ja_last_error), set by ja__error_set at the place a failure is detected.
 */
#include "boot.h"

#include <string.h>

/* One message per thread, so concurrent callers never read each other's. */
static _Thread_local char t_last_error[1024];

ja_status
ja__error_set(ja_status code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t_last_error, sizeof t_last_error, fmt, ap);
  va_end(ap);
  return code;
}

void
ja__error_clear(void)
{
  t_last_error[0] = '\0';
}

const char *
ja_last_error(void)
{
  return t_last_error;
}

const char *
ja_status_str(ja_status st)
{
  switch (st) {
  case JA_OK: return "ok";
  case JA_EINVALID: return "invalid input";
  case JA_ENOMEM: return "out of memory";
  case JA_EIO: return "i/o error";
  case JA_ECANTCREATE: return "cannot create";
  case JA_ECONFIG: return "configuration error";
  case JA_EBUSY: return "store busy";
  case JA_ECORRUPT: return "store corrupt";
  case JA_EVERSION: return "store from a newer version";
  case JA_EUNSAFE: return "unsafe path";
  case JA_EINTERNAL: return "internal error";
  case JA_ETIMEOUT: return "timed out";
  }
  return "unknown status";
}

const char *
ja_version(void)
{
  return JA_VERSION_STRING;
}
