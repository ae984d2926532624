/*
 * util/json.h — strict RFC 8259 JSON read in one pass, nothing built: a
 * reader that walks a text whose top level is an object member by member
 * (each key and value handed over as the bytes that spell it) while it
 * checks the whole grammar, and the decoder of a string's escapes. cJSON
 * is lenient (01, 1., a byte-order mark, raw control characters, any byte
 * <= 0x20 as whitespace) and builds a tree; this does neither.
 */
#ifndef JA_UTIL_JSON_H
#define JA_UTIL_JSON_H

#include "boot.h"

/* Most arrays/objects open at once; deeper input is refused (the limit
 * cJSON had, CJSON_NESTING_LIMIT, so no verdict moved with the parser). */
#define JA__JSON_MAX_DEPTH 1000

typedef enum ja__json_type {
  JA__JSON_NULL,
  JA__JSON_FALSE,
  JA__JSON_TRUE,
  JA__JSON_NUMBER,
  JA__JSON_STRING,
  JA__JSON_ARRAY,
  JA__JSON_OBJECT
} ja__json_type;

/* Why a reader stopped. */
typedef enum ja__json_fault {
  JA__JSON_FINE = 0,
  JA__JSON_SYNTAX,    /* not RFC 8259 JSON: at and why say where and what */
  JA__JSON_UTF8,      /* (checked read) a string holds bytes that are not UTF-8 */
  JA__JSON_NUL,       /* (checked read) a string holds the escape \u0000 */
  JA__JSON_SURROGATE  /* (checked read) a \u escape is half of a UTF-16
                         surrogate pair: at is its backslash */
} ja__json_fault;

/* A value or a member name, as written. */
typedef struct ja__json_token {
  const char *p; /* a string: the bytes between its quotes; anything else:
                    the whole value (an array or object from bracket to
                    bracket) */
  size_t n;      /* their length */
  int escaped;   /* a string holding a backslash: ja__json_unescape gives
                    its value; else p[0..n) is its value */
} ja__json_token;

typedef struct ja__json_reader {
  const char *s;        /* the text */
  size_t n;             /* its length */
  size_t i;             /* offset of the next byte to read */
  int checked;          /* 1: strings must also be what a C string of valid
                           UTF-8 can hold (see ja__json_begin) */
  int state;            /* where in the top-level object (json.c) */
  ja__json_fault fault; /* why reading stopped, or FINE */
  size_t at;            /* offset of the fault */
  const char *why;      /* SYNTAX: a short static phrase ("leading zero in
                           a number"); else NULL */
} ja__json_reader;

/* Start reading @p s[0..n) as one JSON text by the RFC 8259 grammar:
 * whitespace is space, tab, LF, CR only; numbers are -?(0|[1-9][0-9]*)
 * (.[0-9]+)?([eE][+-]?[0-9]+)?; strings have no raw byte below 0x20 and only
 * the escapes \" \\ \/ \b \f \n \r \t \uXXXX; literals are true, false,
 * null; no trailing commas, comments, single quotes, NaN, Infinity or BOM.
 * With @p checked, strings must also be valid UTF-8, hold no \u0000 and
 * pair every \uD800-\uDBFF with a following \uDC00-\uDFFF (and have no
 * other \uDC00-\uDFFF): what ja__json_unescape turns into a C string.
 * Returns the type of the top-level value. For JA__JSON_OBJECT the members
 * are then read with ja__json_next; for any other type the whole text has
 * been read and found fine. -1 when the text is refused (r->fault, r->at,
 * r->why). */
int ja__json_begin(ja__json_reader *r, const char *s, size_t n, int checked);

/* The next member of the top-level object: 1 with its name in *key and its
 * value in *type and *value (a nested array or object is read whole, at
 * most JA__JSON_MAX_DEPTH deep counting the top level); 0 after the last
 * one, once the rest of the text is read and found fine; -1 when the text
 * is refused. */
int ja__json_next(ja__json_reader *r, ja__json_token *key, ja__json_type *type,
                  ja__json_token *value);

/* The grammar of ja__json_begin alone (not checked: encoding is the
 * caller's check, ja__utf8_valid). Returns 0 when @p s[0..len) is valid,
 * else -1 with *at = the offset of the first offending byte and *why = a
 * short static phrase. */
int ja__json_check(const char *s, size_t len, size_t *at, const char **why);

/* The value of a string read by a checked reader (a token with escaped
 * set), decoded into @p out, which has room for @p n bytes: a value is
 * never longer than its spelling. Returns its length. */
size_t ja__json_unescape(const char *p, size_t n, char *out);

#endif
