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
/* A UUID v7 of @p ms whose 26 bits after the timestamp are @p *seq, then
 * 48 random bits; *seq is incremented (RFC 9562 §6.2, method 1). Ids made
 * with one ms and a running *seq sort in the order they were made, so a
 * run of inserts into a uuid index appends instead of writing all over
 * it. Start *seq at ja__uuid_seq_start(). */
void ja__uuid_v7_seq(int64_t ms, uint32_t *seq, char out[37]);
/* A random first counter for ja__uuid_v7_seq, below 2^25 (room for 2^25
 * ids before it wraps; past that the ids stay unique, unordered). */
uint32_t ja__uuid_seq_start(void);
/* A UUID v4, lowercase. */
void ja__uuid_v4(char out[37]);
/* 1 if @p s is exactly 36 chars of 8-4-4-4-12 hex (either case), else 0. */
int ja__uuid_well_formed(const char *s, size_t len);

#endif
