/*
 * util/json.h — a strict RFC 8259 syntax check, run before cJSON (which is
 * lenient: it takes 01, 1., a byte-order mark, raw control characters in
 * strings and any byte <= 0x20 as whitespace).
 */
#ifndef JA_UTIL_JSON_H
#define JA_UTIL_JSON_H

#include "boot.h"

/* Most arrays/objects open at once; deeper input is refused (cJSON's own
 * CJSON_NESTING_LIMIT is 1000). */
#define JA__JSON_MAX_DEPTH 1000

/* Check that @p s[0..len) is exactly one JSON text by the RFC 8259 grammar:
 * whitespace is space, tab, LF, CR only; numbers are -?(0|[1-9][0-9]*)
 * (.[0-9]+)?([eE][+-]?[0-9]+)?; strings have no raw byte below 0x20 and only
 * the escapes \" \\ \/ \b \f \n \r \t \uXXXX; literals are true, false, null;
 * no trailing commas, comments, single quotes, NaN, Infinity or BOM.
 * Encoding is the caller's check (ja__utf8_valid). Returns 0 when it is
 * valid, else -1 with *at = the offset of the first offending byte and
 * *why = a short static phrase ("leading zero in a number"). */
int ja__json_check(const char *s, size_t len, size_t *at, const char **why);

#endif
