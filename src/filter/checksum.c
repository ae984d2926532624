/*
 * filter/checksum.c — the check-digit algorithms the redaction validators use to
 * tell a real number from a look-alike: Luhn (payment cards, IMEI), ISO 7064
 * mod 97-10 (IBAN), Base58Check (legacy Bitcoin addresses) and BIP 173/350
 * bech32/bech32m (SegWit addresses). Each takes the candidate text as
 * matched, separators included, and answers 1 (valid) or 0.
 */
#include "boot.h"

#include <sodium.h>
#include <string.h>

#include "filter/checksum.h"

int
ja__luhn_ok(const char *s, size_t len)
{
  /* From the rightmost digit, every second digit is doubled; the sum of the
   * digits of all those numbers must end in 0. Non-digits are skipped. */
  unsigned sum = 0, n = 0;
  for (size_t i = len; i-- > 0;) {
    if (s[i] < '0' || s[i] > '9')
      continue;
    unsigned d = (unsigned)(s[i] - '0');
    if (n++ % 2 == 1) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
  }
  return n > 1 && sum % 10 == 0;
}

int
ja__iban_ok(const char *s, size_t len)
{
  /* ISO 13616: move the first four characters to the end, turn letters into
   * 10..35, and the whole number mod 97 must be 1. Spaces are skipped and
   * letters may be in either case. Computed digit by digit so it never
   * overflows. */
  char c[34];
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == ' ')
      continue;
    if (n == sizeof c)
      return 0;
    if (ch >= 'a' && ch <= 'z')
      ch = (unsigned char)(ch - 'a' + 'A');
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
      return 0;
    c[n++] = (char)ch;
  }
  if (n < 15 || c[0] < 'A' || c[1] < 'A' || c[2] > '9' || c[3] > '9')
    return 0;
  unsigned rem = 0;
  for (size_t k = 0; k < n; k++) {
    char ch = c[(k + 4) % n];
    if (ch <= '9')
      rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
    else
      rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
  }
  return rem == 1;
}

int
ja__base58check_ok(const char *s, size_t len)
{
  /* Decode base58 (Bitcoin alphabet) into 25 bytes: version, 20-byte hash,
   * then the first 4 bytes of SHA-256(SHA-256(first 21 bytes)). */
  static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  unsigned char out[25] = {0};
  if (len == 0 || len > 35)
    return 0;
  for (size_t i = 0; i < len; i++) {
    const char *p = memchr(alphabet, s[i], sizeof alphabet - 1);
    if (!p || s[i] == 0)
      return 0;
    unsigned carry = (unsigned)(p - alphabet);
    for (size_t k = sizeof out; k-- > 0;) {
      carry += 58u * out[k];
      out[k] = (unsigned char)(carry & 0xFF);
      carry >>= 8;
    }
    if (carry)
      return 0; /* more than 25 bytes */
  }
  /* Each leading '1' stands for one leading zero byte; the number must
   * fill exactly the rest. */
  size_t ones = 0;
  while (ones < len && s[ones] == '1')
    ones++;
  size_t zeros = 0;
  while (zeros < sizeof out && out[zeros] == 0)
    zeros++;
  if (zeros != ones)
    return 0;
  unsigned char h1[crypto_hash_sha256_BYTES], h2[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h1, out, 21);
  crypto_hash_sha256(h2, h1, sizeof h1);
  return memcmp(h2, out + 21, 4) == 0;
}

int
ja__bech32_ok(const char *s, size_t len)
{
  /* BIP 173: "hrp" '1' data, all one case; the polymod over the expanded
   * hrp and the data is 1 (bech32) or 0x2bc830a3 (bech32m, BIP 350). */
  static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  if (len < 8 || len > 90)
    return 0;
  size_t sep = len;
  int lower = 0, upper = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '1')
      sep = i;
    lower |= s[i] >= 'a' && s[i] <= 'z';
    upper |= s[i] >= 'A' && s[i] <= 'Z';
  }
  if ((lower && upper) || sep == 0 || sep == len || len - sep - 1 < 6)
    return 0;
  uint32_t chk = 1;
#define STEP(v)                                                                                    \
  do {                                                                                             \
    uint32_t top = chk >> 25;                                                                      \
    chk = ((chk & 0x1ffffff) << 5) ^ (uint32_t)(v);                                                \
    for (int b = 0; b < 5; b++)                                                                    \
      if ((top >> b) & 1)                                                                          \
        chk ^= gen[b];                                                                             \
  } while (0)
  for (size_t i = 0; i < sep; i++)
    STEP((s[i] | 0x20) >> 5);
  STEP(0);
  for (size_t i = 0; i < sep; i++)
    STEP((s[i] | 0x20) & 31);
  for (size_t i = sep + 1; i < len; i++) {
    const char *p = memchr(charset, s[i] | 0x20, sizeof charset - 1);
    if (!p || s[i] == 0)
      return 0;
    STEP(p - charset);
  }
#undef STEP
  return chk == 1 || chk == 0x2bc830a3;
}

int
ja__iban_length(const char *s, size_t len)
{
  /* The SWIFT IBAN registry (release 98, 2024) plus the experimental
   * partner countries: two letters, then the total length. */
  static const char table[] =
      "AD24AE23AL28AO25AT20AZ28BA20BE16BF28BG22BH22BI27BJ28BR29BY28CF27CG27CH21CI28CM27CR22"
      "CV25CY28CZ24DE22DJ27DK18DO28DZ26EE20EG29ES24FI18FK18FO18FR27GA27GB22GE22GI23GL18GQ27"
      "GR27GT28GW25HN28HR21HU28IE22IL23IQ23IR26IS26IT27JO30KM27KW30KZ20LB28LC32LI21LT20LU20"
      "LV21LY25MA28MC27MD24ME22MG27MK19ML28MN20MR27MT31MU30MZ25NE28NI28NL18NO15OM23PK24PL28"
      "PS29PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SN28SO23ST25SV28TD27TG28TL23TN24"
      "TR26UA29VA22VG24XK20YE30";
  if (len < 2)
    return -1;
  char a = (char)(s[0] & ~0x20), b = (char)(s[1] & ~0x20);
  for (size_t i = 0; i + 4 <= sizeof table - 1; i += 4)
    if (table[i] == a && table[i + 1] == b)
      return (table[i + 2] - '0') * 10 + (table[i + 3] - '0');
  return -1;
}
