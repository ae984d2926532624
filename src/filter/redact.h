/*
 * filter/redact.h — value-level redaction: the pattern table
 * (redact_rules.c) and the engine that runs it (redact.c).
 */
#ifndef JA_FILTER_REDACT_H
#define JA_FILTER_REDACT_H

#include "boot.h"
#include "filter/drop.h"

/* A validator looks at one match (@p m[0..mlen)) and says whether it is
 * really PII (1) or a look-alike (0); on 0 the search goes on as if that
 * match had failed (other lengths, other rows, later positions). */
typedef int (*ja__redact_validator)(const char *m, size_t mlen);

/* One row of THE pattern table (src/filter/redact_rules.c). */
typedef struct ja__redact_rule {
  const char *kind;                /* reported kind: static snake_case */
  const char *regex;               /* PCRE2 syntax (UTF, no UCP) */
  ja__redact_validator validate;   /* NULL: every match counts */
  const char *unit;                /* consecutive rows with the same non-NULL
                                      unit are compiled as one regex */
  const char *needs;               /* every match (that the validator accepts)
                                      holds at least one of these bytes; NULL:
                                      no such promise */
  unsigned min_digits;             /* ... and at least this many digits */
  const char *lits;                /* ... and at least one of these literals:
                                      words separated by '|', compared without
                                      regard to ASCII case ("ghp_|gho_",
                                      "password|passwd|pwd"; bytes past ASCII
                                      compare exactly); NULL: no such
                                      promise. Checked before PCRE2 runs, so a
                                      wrong promise hides real matches: the
                                      corpus tests compare with the gates off. */
  unsigned min_run;                /* ... and a run of at least this many ASCII
                                      letters and digits in a row (a bitcoin
                                      address, a VIN); 0: no such promise */
  const char *count_of;            /* ... and at least min_count bytes from this
                                      set, counted with repetition (an IPv6
                                      address holds two ':' or more, a MAC
                                      twelve hex digits); NULL: no such promise.
                                      Rows of one unit promise it only when all
                                      name the same set */
  unsigned min_count;
} ja__redact_rule;

/* The table, in priority order; *n receives its length. */
const ja__redact_rule *ja__redact_rules(size_t *n);

#define JA__MAX_STR_CODEPOINTS 200

/* The value-level filter for one string: JA__DROP_NONE (keep), _EMPTY,
 * _TOO_LONG or _PII. For _PII, *kind (if not NULL) names the pattern.
 * Each pattern is compiled once per process, when first needed (PCRE2 JIT).
 * A value that needs one that cannot be compiled is dropped as PII: fail
 * closed. Thread-safe. */
ja__drop ja__redact_string(const char *s, size_t len, const char **kind);

/* How many units of the table this process has compiled so far; *total
 * (if not NULL) receives how many there are. A unit is compiled when a
 * value first passes its rows' promises, so judging a few values compiles
 * a few (tests check it). */
size_t ja__redact_units_compiled(size_t *total);

/* Flags for ja__redact_string_ex. */
#define JA__REDACT_NO_GATES 1u  /* run every unit, skipping the cheap pre-checks
                                   (tests and fuzzers compare both ways) */

/* ja__redact_string with @p flags; same verdicts whatever the flags. */
ja__drop ja__redact_string_ex(const char *s, size_t len, unsigned flags, const char **kind);

#endif
