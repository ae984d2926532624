/*
 * filter/catalog.h — the event catalog: one table, the single source
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
  JA__V_VERSION, /* a str64 shaped like a version: ja__catalog_is_version */
  JA__V_KEY,     /* a str64 shaped like a settings key: ja__catalog_is_key */
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
  size_t len;                 /* strlen(name) */
} ja__prop_spec;

typedef struct ja__event_spec {
  const char *name;           /* event name */
  const ja__prop_spec *props; /* terminated by {NULL} */
} ja__event_spec;

/* The catalog: events in the order the docs list them (install, app, chat,
 * usage), NULL-name terminated. */
extern const ja__event_spec ja__catalog[];
extern const ja__enum *const ja__catalog_enums[];
const ja__event_spec *ja__catalog_event(const char *name);
const ja__prop_spec *ja__catalog_prop(const ja__event_spec *ev, const char *name);
/* The same for @p name[0..len) (not NUL-terminated). */
const ja__prop_spec *ja__catalog_prop_len(const ja__event_spec *ev, const char *name, size_t len);
/* The same, trying the property after @p prev (one of @p ev's, or NULL)
 * first: callers list properties in the catalog's order. */
const ja__prop_spec *ja__catalog_prop_next(const ja__event_spec *ev, const ja__prop_spec *prev,
                                           const char *name, size_t len);
/* Name of a validator as the docs write it: "int", "OS", … */
const char *ja__catalog_kind_name(const ja__prop_spec *p);

/* The validators other than enums, in the order the docs list them:
 * name and the one-line description `catalog` prints. */
typedef struct ja__validator_doc {
  ja__vkind kind;   /* the validator */
  const char *name; /* "version" */
  const char *doc;  /* what a value must be, with examples */
} ja__validator_doc;
extern const ja__validator_doc ja__catalog_validators[]; /* NULL-name terminated */

/* 1 when @p kind is a shape (version, key): checked before redaction, so a
 * value outside it is counted as invalid_value, never as pii. */
int ja__catalog_is_shape(ja__vkind kind);
/* The shapes, on @p n bytes of UTF-8 (docs/design.md, The catalog, and
 * ja__catalog_validators say the same in prose):
 * version: 1-64 ASCII characters; an optional lowercase `v`, a digit, then
 *   letters, digits and `. - + _`; ends in a letter or digit; no two of
 *   `. - + _` in a row (0.4.2, v1.2.3-rc.1+build.5, 6.8.0-45-generic).
 * key: 1-64 ASCII characters from letters, digits and `. _ - : /`; at
 *   least one letter; starts and ends with a letter or digit; no two of
 *   `. - : /` in a row (`_` may repeat: ENGINE__HOST) (ui.theme,
 *   tools/search_web:enabled). */
int ja__catalog_is_version(const char *s, size_t n);
int ja__catalog_is_key(const char *s, size_t n);
/* What is never collected (NULL-terminated sentences): the end of the
 * catalog's markdown, and `view`. */
extern const char *const ja__catalog_never[];
/* Render the catalog: JSON (malloc'ed) or the README's markdown section. */
ja_status ja__catalog_json(char **out);
ja_status ja__catalog_markdown(char **out);

#endif
