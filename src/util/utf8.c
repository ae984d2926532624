/*
 * utf8.c — UTF-8 checks used on every name and value before it is trusted:
 * well-formedness (RFC 3629: no overlongs, surrogates or > U+10FFFF),
 * code point counting (the 200-character limit), control characters,
 * encoding a code point (TOML escapes) and hex digits.
 */
#include "boot.h"

#include "util/utf8.h"

/* Length of the sequence starting at s[i], or 0 if it is malformed. */
static size_t
seq_len(const unsigned char *s, size_t i, size_t len)
{
  unsigned char c = s[i];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;       /* overlong */
    else if (c == 0xED) hi = 0x9F;  /* surrogates D800–DFFF */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;       /* overlong */
    else if (c == 0xF4) hi = 0x8F;  /* > U+10FFFF */
  } else {
    return 0;
  }
  if (i + n > len)
    return 0;
  if (s[i + 1] < lo || s[i + 1] > hi)
    return 0;
  for (size_t k = 2; k < n; k++)
    if ((s[i + k] & 0xC0) != 0x80)
      return 0;
  return n;
}

size_t
ja__utf8_seq(const char *s, size_t len)
{
  return len ? seq_len((const unsigned char *)s, 0, len) : 0;
}

int
ja__utf8_valid(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    if (u[i] < 0x80) { /* ASCII, most of what is checked */
      i++;
      continue;
    }
    size_t n = seq_len(u, i, len);
    if (n == 0)
      return 0;
    i += n;
  }
  return 1;
}

size_t
ja__utf8_count(const char *s, size_t len)
{
  size_t count = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      count++;
  return count;
}

int
ja__utf8_has_control(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len; i++) {
    if (u[i] < 0x20 || u[i] == 0x7F)
      return 1;
    /* C1 controls U+0080–U+009F are encoded as C2 80 – C2 9F. */
    if (u[i] == 0xC2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
      return 1;
  }
  return 0;
}

size_t
ja__utf8_encode(uint32_t cp, char out[4])
{
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

int
ja__hex_value(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
