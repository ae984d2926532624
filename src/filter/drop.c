/*
 * filter/drop.c — the names of the drop reasons (filter/drop.h), as they
 * are stored in the drop counters and documented in docs/design.md.
 */
#include "boot.h"

#include "filter/drop.h"

const char *
ja__drop_name(ja__drop d)
{
  static const char *const names[JA__DROP_COUNT] = {
      [JA__DROP_NONE] = "",
      [JA__DROP_UNKNOWN_EVENT] = "unknown_event",
      [JA__DROP_UNKNOWN_PROPERTY] = "unknown_property",
      [JA__DROP_INVALID_VALUE] = "invalid_value",
      [JA__DROP_PII] = "pii",
      [JA__DROP_COMPOSITE] = "composite",
      [JA__DROP_TOO_LONG] = "too_long",
      [JA__DROP_EMPTY] = "empty",
      [JA__DROP_NULL] = "null",
      [JA__DROP_NOT_FINITE] = "not_finite",
      [JA__DROP_QUEUE_FULL] = "queue_full",
      [JA__DROP_EXPIRED] = "expired",
      [JA__DROP_BUSY] = "busy",
      [JA__DROP_REJECTED] = "rejected",
      [JA__DROP_TOO_LARGE] = "too_large",
      [JA__DROP_MALFORMED] = "malformed",
      [JA__DROP_DISK_FULL] = "disk_full",
      [JA__DROP_IO_ERROR] = "io_error",
      [JA__DROP_CORRUPT] = "corrupt",
  };
  return (d >= 0 && d < JA__DROP_COUNT) ? names[d] : "";
}
