/*
 * util/hash.h — hash_id: first 16 hex chars of SHA-256, as OpenJarvis'
 * Python computes it (so a model_hash means the same from either side).
 */
#ifndef JA_UTIL_HASH_H
#define JA_UTIL_HASH_H

#include "boot.h"

/* hash_id: first 16 lowercase hex chars of SHA-256, "" for "". */
void ja__hash_id(const char *s, size_t len, char out[17]);

#endif
