/*
 * util/uuid.h — UUID v7 (event ids) and v4 (anon_id), from libsodium's
 * randomness.
 */
#ifndef JA_UTIL_UUID_H
#define JA_UTIL_UUID_H

#include "boot.h"

/* A UUID v7 (48-bit ms timestamp @p ms, version 7, RFC 4122 variant, 74
 * random bits from libsodium), lowercase 8-4-4-4-12. */
void ja__uuid_v7(int64_t ms, char out[37]);
/* A UUID v4, lowercase. */
void ja__uuid_v4(char out[37]);
/* 1 if @p s is exactly 36 chars of 8-4-4-4-12 hex (either case), else 0. */
int ja__uuid_well_formed(const char *s, size_t len);

#endif
