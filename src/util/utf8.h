/*
 * util/utf8.h — UTF-8 validation, counting and encoding; hex digits.
 */
#ifndef JA_UTIL_UTF8_H
#define JA_UTIL_UTF8_H

#include "boot.h"

/* 1 if @p s[0..len) is well-formed UTF-8 (no overlongs, surrogates or
 * values past U+10FFFF), else 0. */
int ja__utf8_valid(const char *s, size_t len);
/* Length of the well-formed sequence @p s starts with (1-4 bytes, at most
 * @p len), or 0 when it is malformed or @p len is 0. */
size_t ja__utf8_seq(const char *s, size_t len);
/* Number of code points in valid UTF-8 @p s[0..len). */
size_t ja__utf8_count(const char *s, size_t len);
/* 1 if @p s contains a C0/C1 control character or DEL, else 0. */
int ja__utf8_has_control(const char *s, size_t len);
/* Encode code point @p cp (caller checked <= U+10FFFF, not a surrogate);
 * returns the number of bytes written to @p out. */
size_t ja__utf8_encode(uint32_t cp, char out[4]);
/* Value of hex digit @p c (either case), or -1. */
int ja__hex_value(int c);

#endif
