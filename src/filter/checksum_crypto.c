/*
 * filter/checksum_crypto.c — checksums of cryptocurrency addresses and
 * keys beyond Bitcoin's, for the redaction validators: Base58Check of any
 * length and either alphabet (WIF keys, extended keys, altcoin and Tezos
 * addresses, XRP), CashAddr, Monero's base58 with Keccak-256, Stellar's
 * StrKey (CRC16-XMODEM), Algorand (SHA-512/256), SS58 (BLAKE2b), and the
 * BIP-39 mnemonic checksum. A random look-alike fails each one (odds of
 * 1 in 2^16 to 2^40), which is what lets the rows drop these values bare.
 */
#include "boot.h"

#include <sodium.h>
#include <string.h>

#include "filter/checksum.h"

static const char btc58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char xrp58[] = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

/* s[0..len) as big-endian base58 in @p alphabet into out (cap bytes);
 * the number of bytes, leading zero bytes (one per leading first-digit
 * character) included, or 0 when a character is not in the alphabet or
 * the number does not fit. */
static size_t
b58_decode(const char *s, size_t len, const char *alphabet, unsigned char *out, size_t cap)
{
  unsigned char buf[128];
  size_t n = 0; /* bytes in use, little-endian in buf */
  if (len == 0 || len > 160)
    return 0;
  for (size_t i = 0; i < len; i++) {
    const char *p = s[i] ? strchr(alphabet, s[i]) : NULL;
    if (!p)
      return 0;
    unsigned carry = (unsigned)(p - alphabet);
    for (size_t k = 0; k < n; k++) {
      carry += 58u * buf[k];
      buf[k] = (unsigned char)(carry & 0xFF);
      carry >>= 8;
    }
    while (carry) {
      if (n == sizeof buf)
        return 0;
      buf[n++] = (unsigned char)(carry & 0xFF);
      carry >>= 8;
    }
  }
  size_t zeros = 0;
  while (zeros < len && s[zeros] == alphabet[0])
    zeros++;
  if (zeros + n > cap)
    return 0;
  memset(out, 0, zeros);
  for (size_t k = 0; k < n; k++)
    out[zeros + k] = buf[n - 1 - k];
  return zeros + n;
}

/* The payload of a Base58Check string (version bytes, data and the first
 * four bytes of SHA-256(SHA-256(rest))) into out; its length without the
 * checksum, or 0 when the checksum fails. */
static size_t
b58check_payload(const char *s, size_t len, const char *alphabet, unsigned char *out, size_t cap)
{
  size_t n = b58_decode(s, len, alphabet, out, cap);
  if (n < 5)
    return 0;
  unsigned char h1[crypto_hash_sha256_BYTES], h2[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h1, out, n - 4);
  crypto_hash_sha256(h2, h1, sizeof h1);
  return memcmp(h2, out + n - 4, 4) == 0 ? n - 4 : 0;
}

int
ja__b58check_len(const char *s, size_t len)
{
  unsigned char out[128];
  return (int)b58check_payload(s, len, btc58, out, sizeof out);
}

int
ja__b58check_version(const char *s, size_t len, size_t *payload)
{
  unsigned char out[128];
  size_t n = b58check_payload(s, len, btc58, out, sizeof out);
  *payload = n;
  return n ? out[0] : -1;
}

int
ja__xrp_address_ok(const char *s, size_t len)
{
  /* Account ids: version 0, 20 bytes, Base58Check in Ripple's alphabet. */
  unsigned char out[64];
  return b58check_payload(s, len, xrp58, out, sizeof out) == 21 && out[0] == 0;
}

/* ------------------------------------------------------------ CashAddr */

int
ja__cashaddr_ok(const char *s, size_t len)
{
  /* "prefix:payload" (the prefix bitcoincash when absent): a BCH code,
   * polymod over the prefix's low five bits, a 0, the payload, must be 1
   * with the 40-bit generator of the specification. */
  static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  static const uint64_t gen[5] = {0x98f2bc8e61ULL, 0x79b76d99e2ULL, 0xf33e5fb3c4ULL, 0xae2eabe2a8ULL,
                                  0x1e4f43e470ULL};
  const char *colon = memchr(s, ':', len);
  const char *prefix = "bitcoincash", *data = s;
  size_t plen = strlen(prefix), dlen = len;
  if (colon) {
    prefix = s;
    plen = (size_t)(colon - s);
    data = colon + 1;
    dlen = len - plen - 1;
  }
  if (dlen < 42 || plen == 0)
    return 0;
  uint64_t c = 1;
#define POLY(v)                                                                                    \
  do {                                                                                             \
    uint8_t c0 = (uint8_t)(c >> 35);                                                               \
    c = ((c & 0x07ffffffffULL) << 5) ^ (uint64_t)(v);                                              \
    for (int b = 0; b < 5; b++)                                                                    \
      if ((c0 >> b) & 1)                                                                           \
        c ^= gen[b];                                                                               \
  } while (0)
  for (size_t i = 0; i < plen; i++)
    POLY((prefix[i] | 0x20) & 31);
  POLY(0);
  for (size_t i = 0; i < dlen; i++) {
    const char *p = data[i] ? memchr(charset, data[i] | 0x20, sizeof charset - 1) : NULL;
    if (!p)
      return 0;
    POLY(p - charset);
  }
#undef POLY
  return (c ^ 1) == 0;
}

/* ---------------------------------------------------------- Keccak-256 */

static uint64_t
rol64(uint64_t x, unsigned n)
{
  return n ? (x << n) | (x >> (64 - n)) : x;
}

/* Keccak-f[1600] on state @p a (the original Keccak padding, as Monero
 * and Ethereum use, not SHA-3's). */
static void
keccak_f(uint64_t a[25])
{
  static const uint64_t rc[24] = {
      0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
      0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
      0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
      0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
      0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
      0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
  static const unsigned rot[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43,
                                   25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
  for (int round = 0; round < 24; round++) {
    uint64_t c[5], d[5], b[25];
    for (int x = 0; x < 5; x++)
      c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; x++)
      d[x] = c[(x + 4) % 5] ^ rol64(c[(x + 1) % 5], 1);
    for (int i = 0; i < 25; i++)
      a[i] ^= d[i % 5];
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++)
        b[y + 5 * ((2 * x + 3 * y) % 5)] = rol64(a[x + 5 * y], rot[x + 5 * y]);
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++)
        a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
    a[0] ^= rc[round];
  }
}

/* XOR one block of the rate (little-endian words) into the state and
 * permute. */
static void
keccak_absorb(uint64_t a[25], const unsigned char *block, size_t rate)
{
  for (size_t i = 0; i < rate / 8; i++) {
    uint64_t w = 0;
    for (int k = 7; k >= 0; k--)
      w = (w << 8) | block[i * 8 + (size_t)k];
    a[i] ^= w;
  }
  keccak_f(a);
}

void
ja__keccak256(const unsigned char *in, size_t len, unsigned char out[32])
{
  uint64_t a[25] = {0};
  enum { rate = 136 };
  unsigned char block[rate];
  /* Whole blocks, then the rest padded 0x01 … 0x80 (a whole last block
   * is followed by a block of padding alone). */
  for (; len >= rate; in += rate, len -= rate)
    keccak_absorb(a, in, rate);
  memset(block, 0, sizeof block);
  memcpy(block, in, len);
  block[len] ^= 0x01;
  block[rate - 1] ^= 0x80;
  keccak_absorb(a, block, rate);
  for (size_t i = 0; i < 32; i++)
    out[i] = (unsigned char)(a[i / 8] >> (8 * (i % 8)));
}

int
ja__eip55_ok(const char *s, size_t len)
{
  if (len != 40)
    return 0;
  char low[40];
  int upper = 0, lower = 0;
  for (size_t i = 0; i < 40; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'F')
      upper = 1, c = (char)(c + 32);
    else if (c >= 'a' && c <= 'f')
      lower = 1;
    else if (!(c >= '0' && c <= '9'))
      return 0;
    low[i] = c;
  }
  if (!(upper && lower))
    return 1; /* one case throughout: no checksum written */
  unsigned char h[32];
  ja__keccak256((const unsigned char *)low, 40, h);
  for (size_t i = 0; i < 40; i++) {
    unsigned nibble = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xFu;
    if (s[i] >= 'a' && s[i] <= 'f' && nibble >= 8)
      return 0;
    if (s[i] >= 'A' && s[i] <= 'F' && nibble < 8)
      return 0;
  }
  return 1;
}

int
ja__monero_address_ok(const char *s, size_t len)
{
  /* Monero's base58 works in blocks: 11 characters for 8 bytes, the last
   * block shorter (7 characters for 5 bytes in a 95-character address).
   * The decoded bytes end with the first 4 bytes of Keccak-256 of the
   * rest. */
  static const size_t enc_to_dec[12] = {0, 0, 1, 2, 0, 3, 4, 5, 0, 6, 7, 8};
  unsigned char out[80], h[32];
  size_t o = 0;
  if (len != 95 && len != 106)
    return 0;
  for (size_t i = 0; i < len; i += 11) {
    size_t chars = len - i < 11 ? len - i : 11, bytes = chars == 11 ? 8 : enc_to_dec[chars];
    unsigned char tmp[16];
    size_t n = b58_decode(s + i, chars, btc58, tmp, sizeof tmp);
    if (bytes == 0 || n == 0 || o + bytes > sizeof out)
      return 0;
    /* Right-align the block's number in its byte count. */
    size_t sig = 0;
    while (sig < n && tmp[sig] == 0)
      sig++;
    if (n - sig > bytes)
      return 0;
    memset(out + o, 0, bytes);
    memcpy(out + o + bytes - (n - sig), tmp + sig, n - sig);
    o += bytes;
  }
  if (o < 8)
    return 0;
  ja__keccak256(out, o - 4, h);
  return memcmp(h, out + o - 4, 4) == 0;
}

/* ------------------------------------------------------ base32 (RFC 4648) */

/* s[0..len) as RFC 4648 base32 (no padding) into out; bytes or 0. */
static size_t
b32_decode(const char *s, size_t len, unsigned char *out, size_t cap)
{
  unsigned acc = 0, bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    unsigned v;
    if (c >= 'A' && c <= 'Z')
      v = (unsigned)(c - 'A');
    else if (c >= '2' && c <= '7')
      v = (unsigned)(c - '2' + 26);
    else
      return 0;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap)
        return 0;
      out[o++] = (unsigned char)(acc >> bits);
    }
  }
  return o;
}

int
ja__stellar_key_ok(const char *s, size_t len)
{
  /* StrKey: base32 of a version byte (G: account, S: seed, M, T, X …), 32
   * bytes and a CRC16-XMODEM of them, little-endian. */
  unsigned char out[64];
  if (len != 56 || b32_decode(s, len, out, sizeof out) != 35)
    return 0;
  unsigned crc = 0;
  for (size_t i = 0; i < 33; i++) {
    crc ^= (unsigned)out[i] << 8;
    for (int b = 0; b < 8; b++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
  }
  return out[33] == (crc & 0xFF) && out[34] == (crc >> 8);
}

/* ------------------------------------------------------ SHA-512/256 */

/* SHA-512/256 (FIPS 180-4) of at most 111 bytes (one block: all the
 * validators hash is a 32-byte key): SHA-512 with its own initial values,
 * truncated. libsodium has SHA-512 but not these initial values. */
static int
sha512_256(const unsigned char *in, size_t len, unsigned char out[32])
{
  static const uint64_t k[80] = {
      0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
      0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
      0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
      0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
      0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
      0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
      0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
      0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
      0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
      0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
      0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
      0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
      0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
      0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
      0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
      0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
      0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
      0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
      0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
      0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL};
  uint64_t h[8] = {0x22312194FC2BF72CULL, 0x9F555FA3C84C64C2ULL, 0x2393B86B6F53B151ULL,
                   0x963877195940EABDULL, 0x96283EE2A88EFFE3ULL, 0xBE5E1E2553863992ULL,
                   0x2B0199FC2C85B8AAULL, 0x0EB72DDC81C52CA2ULL};
  unsigned char block[128] = {0};
  if (len > 111)
    return 0;
  memcpy(block, in, len);
  block[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int b = 0; b < 8; b++)
    block[127 - b] = (unsigned char)(bits >> (8 * b));
#define ROR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
  uint64_t w[80];
  for (int t = 0; t < 16; t++) {
    w[t] = 0;
    for (int b = 0; b < 8; b++)
      w[t] = (w[t] << 8) | block[t * 8 + b];
  }
  for (int t = 16; t < 80; t++) {
    uint64_t s0 = ROR(w[t - 15], 1) ^ ROR(w[t - 15], 8) ^ (w[t - 15] >> 7);
    uint64_t s1 = ROR(w[t - 2], 19) ^ ROR(w[t - 2], 61) ^ (w[t - 2] >> 6);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 80; t++) {
    uint64_t t1 = hh + (ROR(e, 14) ^ ROR(e, 18) ^ ROR(e, 41)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
    uint64_t t2 = (ROR(a, 28) ^ ROR(a, 34) ^ ROR(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
#undef ROR
  h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  for (size_t i = 0; i < 32; i++)
    out[i] = (unsigned char)(h[i / 8] >> (56 - 8 * (i % 8)));
  return 1;
}

int
ja__algorand_address_ok(const char *s, size_t len)
{
  /* 58 base32 characters: a 32-byte public key and the last 4 bytes of
   * SHA-512/256 of it. */
  unsigned char out[40], h[32];
  if (len != 58 || b32_decode(s, len, out, sizeof out) != 36 || !sha512_256(out, 32, h))
    return 0;
  return memcmp(h + 28, out + 32, 4) == 0;
}

/* ------------------------------------------------------------ SS58 */

int
ja__ss58_address_ok(const char *s, size_t len)
{
  /* Substrate (Polkadot, Kusama …): base58 of a 1- or 2-byte network
   * prefix, a 32-byte key and the first 2 bytes of BLAKE2b-512 of
   * "SS58PRE", prefix and key. */
  unsigned char out[64], h[64];
  size_t n = b58_decode(s, len, btc58, out, sizeof out);
  if (n != 35 && n != 36)
    return 0;
  size_t body = n - 2;
  unsigned char buf[7 + 64];
  memcpy(buf, "SS58PRE", 7);
  memcpy(buf + 7, out, body);
  crypto_generichash(h, sizeof h, buf, 7 + body, NULL, 0);
  return h[0] == out[body] && h[1] == out[body + 1];
}

/* ------------------------------------------------------------ BIP-39 */

int
ja__bip39_checksum_ok(const unsigned short *idx, size_t n)
{
  /* n words of 11 bits: 32·n/3 bits of entropy, then its SHA-256's first
   * n/3 bits. */
  if (n % 3 || n < 12 || n > 24)
    return 0;
  unsigned char bits[33] = {0};
  for (size_t w = 0; w < n; w++)
    for (int b = 0; b < 11; b++)
      if ((idx[w] >> (10 - b)) & 1) {
        size_t at = w * 11 + (size_t)b;
        bits[at / 8] |= (unsigned char)(0x80 >> (at % 8));
      }
  size_t ent = n * 11 * 32 / 33 / 8, cs = n / 3;
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, bits, ent);
  for (size_t b = 0; b < cs; b++) {
    size_t at = ent * 8 + b;
    int want = (h[b / 8] >> (7 - b % 8)) & 1, got = (bits[at / 8] >> (7 - at % 8)) & 1;
    if (want != got)
      return 0;
  }
  return 1;
}
