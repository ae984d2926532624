/*
 * util/uuid.c — UUIDs: v7 for event ids (time-ordered, fixed at capture, the key
 * PostHog deduplicates on), v4 for the install's anon_id, and the
 * 8-4-4-4-12 shape check used when reusing an anon_id written by install.sh.
 */
#include "boot.h"

#include <sodium.h>

#include "util/uuid.h"

static void
format_uuid(const unsigned char b[16], char out[37])
{
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[o++] = '-';
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 0x0F];
  }
  out[o] = '\0';
}

void
ja__uuid_v7(int64_t ms, char out[37])
{
  unsigned char b[16];
  /* randombytes_buf never fails (libsodium aborts only if the OS has no
   * entropy source at all, which sodium_init would have caught). */
  randombytes_buf(b, sizeof b);
  uint64_t t = (uint64_t)ms;
  for (int i = 0; i < 6; i++)
    b[i] = (unsigned char)(t >> (8 * (5 - i)));
  b[6] = (unsigned char)(0x70 | (b[6] & 0x0F)); /* version 7 */
  b[8] = (unsigned char)(0x80 | (b[8] & 0x3F)); /* RFC 4122 variant */
  format_uuid(b, out);
}

void
ja__uuid_v7_seq(int64_t ms, uint32_t *seq, char out[37])
{
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  uint64_t t = (uint64_t)ms;
  for (int i = 0; i < 6; i++)
    b[i] = (unsigned char)(t >> (8 * (5 - i)));
  uint32_t c = *seq & 0x3FFFFFF; /* 26 bits: 12 in rand_a, 14 in rand_b */
  *seq = (*seq + 1) & 0x3FFFFFF;
  b[6] = (unsigned char)(0x70 | (c >> 22));
  b[7] = (unsigned char)(c >> 14);
  b[8] = (unsigned char)(0x80 | ((c >> 8) & 0x3F));
  b[9] = (unsigned char)c;
  format_uuid(b, out);
}

uint32_t
ja__uuid_seq_start(void)
{
  return randombytes_uniform(UINT32_C(1) << 25);
}

void
ja__uuid_v4(char out[37])
{
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (unsigned char)(0x40 | (b[6] & 0x0F));
  b[8] = (unsigned char)(0x80 | (b[8] & 0x3F));
  format_uuid(b, out);
}

int
ja__uuid_well_formed(const char *s, size_t len)
{
  if (len != 36)
    return 0;
  for (size_t i = 0; i < 36; i++) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return 0;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return 0;
    }
  }
  return 1;
}
