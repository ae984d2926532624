/*
 * filter/event.h — an event through both filters: malformed input refused,
 * then redaction and the catalog, every drop counted by reason.
 */
#ifndef JA_FILTER_EVENT_H
#define JA_FILTER_EVENT_H

#include "boot.h"
#include "filter/catalog.h"
#include "filter/drop.h"

#define JA__MAX_PROPS_BYTES 65536
#define JA__MAX_PROPS 256 /* no catalog event has more than 12 */

/* An event after redaction and validation. */
typedef struct ja__event {
  const ja__event_spec *spec;       /* NULL when dropped as unknown_event */
  char *props_json;                 /* cleaned properties (malloc'ed), "{}" if none */
  unsigned drops[JA__DROP_COUNT];   /* drops by reason (event + properties) */
  unsigned ndrops;                  /* total of drops[] */
  ja__drop first_reason;            /* reason of the first drop, or NONE */
  char first_prop[65];              /* first dropped property when it is a
                                       catalog name, else "" (unknown names
                                       are never echoed: they may be PII) */
} ja__event;

/* Check the name and JSON for malformed input (JA_EINVALID, nothing kept),
 * then apply redaction and the catalog. A policy drop is not an error: it
 * shows up as spec == NULL or in drops[]. */
ja_status ja__event_prepare(const char *name, const char *props_json, ja__event *out);
void ja__event_free(ja__event *ev);

#endif
