/*
 * filter/catalog.h — the event catalog (DESIGN §5): one table, the single source
 * of truth for validation, docs and `catalog`.
 */
#ifndef JA_FILTER_CATALOG_H
#define JA_FILTER_CATALOG_H

#include "boot.h"

typedef enum ja__vkind {
  JA__V_BOOL,    /* true/false */
  JA__V_INT,     /* integer >= 0, not a boolean */
  JA__V_NUM,     /* finite number >= 0, not a boolean */
  JA__V_STR64,   /* string of 1..64 code points */
  JA__V_HASH16,  /* exactly 16 lowercase hex chars */
  JA__V_ENUM     /* one of a list */
} ja__vkind;

typedef struct ja__enum {
  const char *name;           /* "OS", "ARCH", … */
  const char *const *values;  /* NULL-terminated */
} ja__enum;

typedef struct ja__prop_spec {
  const char *name;           /* property name */
  ja__vkind kind;             /* validator */
  const ja__enum *enumeration;/* for JA__V_ENUM, else NULL */
} ja__prop_spec;

typedef struct ja__event_spec {
  const char *name;           /* event name */
  const ja__prop_spec *props; /* terminated by {NULL} */
} ja__event_spec;

/* The catalog: events in DESIGN.md order, NULL-name terminated. */
extern const ja__event_spec ja__catalog[];
extern const ja__enum *const ja__catalog_enums[];
const ja__event_spec *ja__catalog_event(const char *name);
const ja__prop_spec *ja__catalog_prop(const ja__event_spec *ev, const char *name);
/* Name of a validator as the docs write it: "int", "OS", … */
const char *ja__catalog_kind_name(const ja__prop_spec *p);
/* Render the catalog: JSON (malloc'ed) or the README's markdown section. */
ja_status ja__catalog_json(char **out);
ja_status ja__catalog_markdown(char **out);

#endif
