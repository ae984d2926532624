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

/* bech32 / bech32m with strings up to @p max characters long. */
static int
bech32_check(const char *s, size_t len, size_t max)
{
  /* BIP 173: "hrp" '1' data, all one case; the polymod over the expanded
   * hrp and the data is 1 (bech32) or 0x2bc830a3 (bech32m, BIP 350). */
  static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  if (len < 8 || len > max)
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
ja__bech32_ok(const char *s, size_t len)
{
  return bech32_check(s, len, 90); /* BIP 173's limit */
}

int
ja__bech32_long_ok(const char *s, size_t len)
{
  return bech32_check(s, len, 160); /* Cardano and Lightning go past 90 */
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

/* ------------------------------------------- national ids, vehicles */

static int
is_sep(char c)
{
  return c == ' ' || c == '.' || c == '-' || c == '/';
}

/* The characters of s[0..len) other than separators, upper-cased, into
 * out (cap bytes, NUL-terminated); returns their number, or 0 when there
 * are more than cap-1 or one is not a letter or digit. */
size_t
ja__check_compact(const char *s, size_t len, char *out, size_t cap)
{
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (is_sep(c))
      continue;
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n + 1 >= cap)
      return 0;
    out[n++] = c;
  }
  out[n] = 0;
  return n;
}

int
ja__check_all_digits(const char *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (d[i] < '0' || d[i] > '9')
      return 0;
  return n > 0;
}

/* The sum of the digits d[0..n) times weights w[0..n). */
unsigned
ja__check_weighted(const char *d, const unsigned *w, size_t n)
{
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += w[i] * (unsigned)(d[i] - '0');
  return sum;
}

/* Weights 11, 10 … 2: the last n of them (n <= 10) are n + 1 … 2, the
 * descending weights of BSN and CPF. */
static const unsigned *
descending_weights(size_t n)
{
  static const unsigned w[10] = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2};
  return w + (10 - n);
}

/* n digits of d read as a number mod m (n small enough not to matter:
 * computed digit by digit). */
unsigned
ja__check_mod(const char *d, size_t n, unsigned m)
{
  unsigned r = 0;
  for (size_t i = 0; i < n; i++)
    r = (r * 10 + (unsigned)(d[i] - '0')) % m;
  return r;
}

int
ja__mod11_10_ok(const char *s, size_t len)
{
  /* ISO 7064 MOD 11,10 (hybrid): p = 10; for each digit but the last,
   * s = (d + p) mod 10 (0 → 10), p = 2s mod 11; the check digit is
   * (11 - p) mod 10. */
  char d[32];
  size_t n = ja__check_compact(s, len, d, sizeof d);
  if (n < 2 || !ja__check_all_digits(d, n))
    return 0;
  unsigned p = 10;
  for (size_t i = 0; i + 1 < n; i++) {
    unsigned t = ((unsigned)(d[i] - '0') + p) % 10;
    if (t == 0)
      t = 10;
    p = (2 * t) % 11;
  }
  return (11 - p) % 10 == (unsigned)(d[n - 1] - '0');
}

int
ja__de_steuer_id_ok(const char *s, size_t len)
{
  /* The Steuerliche Identifikationsnummer: 11 digits, the first not 0; in
   * the first ten exactly one digit occurs twice or three times (three
   * times never side by side), every other at most once; then MOD 11,10. */
  char d[16];
  if (ja__check_compact(s, len, d, sizeof d) != 11 || !ja__check_all_digits(d, 11) || d[0] == '0')
    return 0;
  unsigned count[10] = {0}, repeated = 0;
  for (size_t i = 0; i < 10; i++)
    count[d[i] - '0']++;
  for (size_t k = 0; k < 10; k++) {
    if (count[k] > 3)
      return 0;
    repeated += count[k] >= 2;
  }
  if (repeated != 1)
    return 0;
  for (size_t i = 0; i + 2 < 10; i++)
    if (d[i] == d[i + 1] && d[i] == d[i + 2])
      return 0;
  return ja__mod11_10_ok(d, 11);
}

int
ja__nl_bsn_ok(const char *s, size_t len)
{
  /* 9 digits: 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11), not all zero. */
  char d[16];
  if (ja__check_compact(s, len, d, sizeof d) != 9 || !ja__check_all_digits(d, 9))
    return 0;
  long sum = (long)ja__check_weighted(d, descending_weights(8), 8) - (d[8] - '0');
  return sum > 0 && sum % 11 == 0;
}

int
ja__fr_nir_ok(const char *s, size_t len)
{
  /* Numéro d'inscription au répertoire: 13 characters (sex, year, month,
   * département — 2A/2B for Corsica count as 19/18 —, commune, order) then
   * a key of 2 digits = 97 − (the 13 as a number mod 97). */
  char d[24];
  if (ja__check_compact(s, len, d, sizeof d) != 15 || d[0] < '1' || d[0] > '8')
    return 0;
  unsigned shift = 0;
  if (d[5] == '2' && (d[6] == 'A' || d[6] == 'B')) {
    shift = d[6] == 'A' ? 1000000 : 2000000;
    d[6] = '0';
  }
  if (!ja__check_all_digits(d, 15))
    return 0;
  unsigned long long n = 0;
  for (size_t i = 0; i < 13; i++)
    n = n * 10 + (unsigned)(d[i] - '0');
  n -= shift;
  unsigned key = (unsigned)(d[13] - '0') * 10 + (unsigned)(d[14] - '0');
  return key >= 1 && key <= 97 && 97 - n % 97 == key;
}

int
ja__be_nrn_ok(const char *s, size_t len)
{
  /* Rijksregisternummer / numéro de registre national: YYMMDD + 3-digit
   * order + 2-digit check = 97 − (first 9 mod 97); for people born in 2000
   * or later the 9 digits are prefixed with 2. */
  char d[16];
  if (ja__check_compact(s, len, d, sizeof d) != 11 || !ja__check_all_digits(d, 11))
    return 0;
  unsigned check = (unsigned)(d[9] - '0') * 10 + (unsigned)(d[10] - '0');
  unsigned long long n9 = 0;
  for (size_t i = 0; i < 9; i++)
    n9 = n9 * 10 + (unsigned)(d[i] - '0');
  return check == 97 - n9 % 97 || check == 97 - (2000000000ULL + n9) % 97;
}

int
ja__es_dni_ok(const char *s, size_t len)
{
  /* DNI: 8 digits + letter; NIE: X, Y or Z (= 0, 1, 2) + 7 digits +
   * letter. The letter is TRWAGMYFPDXBNJZSQVHLCKE[number mod 23]. */
  static const char letters[] = "TRWAGMYFPDXBNJZSQVHLCKE";
  char d[16];
  if (ja__check_compact(s, len, d, sizeof d) != 9)
    return 0;
  if (d[0] == 'X' || d[0] == 'Y' || d[0] == 'Z')
    d[0] = (char)('0' + (d[0] - 'X'));
  if (!ja__check_all_digits(d, 8) || d[8] < 'A' || d[8] > 'Z')
    return 0;
  return letters[ja__check_mod(d, 8, 23)] == d[8];
}

int
ja__it_cf_ok(const char *s, size_t len)
{
  /* Codice fiscale: 15 characters, then a check letter = 'A' + (sum mod
   * 26), where characters in odd positions (1st, 3rd …) count by the
   * table below and those in even positions as their value (digits 0–9,
   * letters A=0 … Z=25). */
  static const unsigned char odd[26] = {1,  0,  5,  7,  9,  13, 15, 17, 19, 21, 2,  4,  18,
                                        20, 11, 3,  6,  8,  12, 14, 16, 10, 22, 25, 24, 23};
  char d[24];
  if (ja__check_compact(s, len, d, sizeof d) != 16 || d[15] < 'A' || d[15] > 'Z')
    return 0;
  unsigned sum = 0;
  for (size_t i = 0; i < 15; i++) {
    unsigned v = d[i] <= '9' ? (unsigned)(d[i] - '0') : (unsigned)(d[i] - 'A');
    sum += i % 2 == 0 ? odd[v] : v;
  }
  return (char)('A' + sum % 26) == d[15];
}

int
ja__pl_pesel_ok(const char *s, size_t len)
{
  /* PESEL: 11 digits, weights 1 3 7 9 1 3 7 9 1 3 on the first ten, check
   * = (10 − sum mod 10) mod 10. */
  static const unsigned w[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
  char d[16];
  if (ja__check_compact(s, len, d, sizeof d) != 11 || !ja__check_all_digits(d, 11))
    return 0;
  unsigned sum = ja__check_weighted(d, w, 10);
  return (10 - sum % 10) % 10 == (unsigned)(d[10] - '0');
}

int
ja__br_cpf_ok(const char *s, size_t len)
{
  /* CPF: 9 digits and two check digits, each 11 − (weighted sum mod 11)
   * (10 and 11 count as 0) with weights 10..2 then 11..2; eleven equal
   * digits are invalid. */
  char d[16];
  if (ja__check_compact(s, len, d, sizeof d) != 11 || !ja__check_all_digits(d, 11))
    return 0;
  int same = 1;
  for (size_t i = 1; i < 11; i++)
    same &= d[i] == d[0];
  if (same)
    return 0;
  for (size_t k = 9; k <= 10; k++) {
    unsigned c = 11 - ja__check_weighted(d, descending_weights(k), k) % 11;
    if ((c >= 10 ? 0 : c) != (unsigned)(d[k] - '0'))
      return 0;
  }
  return 1;
}

int
ja__verhoeff_ok(const char *s, size_t len)
{
  /* Verhoeff's dihedral-group check (D5 multiplication, permutation by
   * position); valid when the running check over all digits ends at 0. */
  static const unsigned char mul[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
      {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
      {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static const unsigned char perm[8][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
      {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
      {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
  char d[32];
  size_t n = ja__check_compact(s, len, d, sizeof d);
  if (n < 2 || !ja__check_all_digits(d, n))
    return 0;
  unsigned c = 0;
  for (size_t i = 0; i < n; i++)
    c = mul[c][perm[i % 8][d[n - 1 - i] - '0']];
  return c == 0;
}

int
ja__cn_rid_ok(const char *s, size_t len)
{
  /* Resident identity card (GB 11643): 17 digits weighted 2^(17-i) mod 11,
   * check character "10X98765432"[sum mod 11]. */
  static const unsigned w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char check[] = "10X98765432";
  char d[24];
  if (ja__check_compact(s, len, d, sizeof d) != 18 || !ja__check_all_digits(d, 17))
    return 0;
  return check[ja__check_weighted(d, w, 17) % 11] == d[17];
}

int
ja__vin_ok(const char *s, size_t len)
{
  /* ISO 3779 VIN: 17 characters, no I, O or Q; letters transliterate
   * (A=1 … H=8, J=1 … R=9, S=2 … Z=9), weights 8 7 6 5 4 3 2 10 0 9 8 7 6
   * 5 4 3 2, and position 9 is the sum mod 11 (10 written X), as North
   * America requires (49 CFR 565.15). No separators. */
  static const unsigned char value[26] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4,
                                          5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9};
  static const unsigned w[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
  if (len != 17)
    return 0;
  unsigned sum = 0;
  for (size_t i = 0; i < 17; i++) {
    char c = s[i];
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    unsigned v;
    if (c >= '0' && c <= '9')
      v = (unsigned)(c - '0');
    else if (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q')
      v = value[c - 'A'];
    else
      return 0;
    sum += w[i] * v;
  }
  char want = sum % 11 == 10 ? 'X' : (char)('0' + sum % 11);
  char got = s[8] == 'x' ? 'X' : s[8];
  return got == want;
}

int
ja__fi_hetu_ok(const char *s, size_t len)
{
  /* Finnish henkilötunnus DDMMYY C NNN K: K = "0123456789ABCDEFHJKLMNPRSTUVWXY"
   * [DDMMYYNNN mod 31]; C is the century sign (+ - A…F Y X W V U). */
  static const char check[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
  if (len != 11)
    return 0;
  char d[10];
  for (size_t i = 0, k = 0; i < 10; i++) {
    if (i == 6)
      continue;
    if (s[i] < '0' || s[i] > '9')
      return 0;
    d[k++] = s[i];
  }
  char c = s[10] >= 'a' && s[10] <= 'z' ? (char)(s[10] - 32) : s[10];
  return check[ja__check_mod(d, 9, 31)] == c;
}
