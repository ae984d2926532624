/*
 * filter/drop.h — the drop-reason registry: every reason an event or a property
 * is dropped, counted in the store by name.
 */
#ifndef JA_FILTER_DROP_H
#define JA_FILTER_DROP_H

#include "boot.h"

/* Why something was dropped. Names are stored in the drop counters and
 * documented in docs/design.md; never change a name, only add. */
typedef enum ja__drop {
  JA__DROP_NONE = 0,
  JA__DROP_UNKNOWN_EVENT,     /* event name not in the catalog */
  JA__DROP_UNKNOWN_PROPERTY,  /* property not in the event's catalog entry */
  JA__DROP_INVALID_VALUE,     /* value fails its catalog validator */
  JA__DROP_PII,               /* string matches a PII pattern */
  JA__DROP_COMPOSITE,         /* array or object value */
  JA__DROP_TOO_LONG,          /* string longer than 200 code points */
  JA__DROP_EMPTY,             /* empty string */
  JA__DROP_NULL,              /* JSON null */
  JA__DROP_NOT_FINITE,        /* NaN or ±Inf (e.g. 1e999) */
  JA__DROP_QUEUE_FULL,        /* oldest event pushed out by the queue cap */
  JA__DROP_EXPIRED,           /* event older than the age cap */
  JA__DROP_BUSY,              /* store locked longer than busy_timeout */
  JA__DROP_REJECTED,          /* the server refused this one event alone (400 or 413)
                                 while it accepted others */
  JA__DROP_TOO_LARGE,         /* one event alone is over the 5 MB request limit
                                 (found before sending, never the server's answer) */
  JA__DROP_MALFORMED,         /* a queued row the uploader cannot send as it is: its
                                 properties are not a JSON object, or its uuid,
                                 timestamp, distinct_id or name are not well formed */
  JA__DROP_DISK_FULL,         /* accepted, then the writer found the disk full */
  JA__DROP_IO_ERROR,          /* accepted, then the writer met an I/O (or other) error */
  JA__DROP_CORRUPT,           /* accepted, then the writer found the queue corrupt */
  JA__DROP_COUNT
} ja__drop;
const char *ja__drop_name(ja__drop d);

#endif
