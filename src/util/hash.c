/*
 * util/hash.c — hash_id(s): the first 16 lowercase hex characters of SHA-256(s),
 * "" for "". Same value as OpenJarvis' Python
 * hashlib.sha256(s.encode()).hexdigest()[:16], so model hashes stay
 * continuous across the Python and C implementations.
 */
#include "boot.h"

#include <sodium.h>
#include <string.h>

#include "util/hash.h"

void
ja__hash_id(const char *s, size_t len, char out[17])
{
  static const char hex[] = "0123456789abcdef";
  if (len == 0) {
    out[0] = '\0';
    return;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)s, len);
  for (int i = 0; i < 8; i++) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0x0F];
  }
  out[16] = '\0';
}

ja_status
ja_hash_id(const char *s, char out[17])
{
  ja__error_clear();
  if (!s || !out)
    return ja__error_set(JA_EINVALID, "ja_hash_id: NULL argument");
  ja__hash_id(s, strlen(s), out);
  return JA_OK;
}
