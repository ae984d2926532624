/*
 * filter/normalize.c — the normalised view of a value. redact.c runs the pattern table over a value and, when this file
 * says the value has one, over its view too, so look-alike characters and
 * nested encodings cannot carry PII past patterns written in plain ASCII.
 *
 * Unicode comes from utf8proc (NFKC, categories, default-ignorable flags):
 * small, in Debian, and exactly the data needed; ICU would bring tens of
 * megabytes for the same three questions. What utf8proc does not cover —
 * dashes, spaces and quotes that NFKC leaves alone, digits of other
 * scripts — is mapped here, by category where one exists, so new
 * characters of those classes are covered without a table to keep up.
 */
#include "boot.h"

#include <string.h>
#include <utf8proc.h>

#include "filter/normalize.h"
#include "util/utf8.h"

int
ja__norm_needed(const char *s, size_t len)
{
  uint64_t present[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    present[c >> 6] |= (uint64_t)1 << (c & 63);
  }
  return ja__norm_needed_of(present);
}

/* ---------------------------------------------------------------- step 1 */

/* The byte %XX at s[i] stands for, or -1 when s[i..] is not an escape. */
static int
escape_at(const char *s, size_t len, size_t i)
{
  int hi, lo;
  if (s[i] != '%' || i + 2 >= len || (hi = ja__hex_value((unsigned char)s[i + 1])) < 0 ||
      (lo = ja__hex_value((unsigned char)s[i + 2])) < 0)
    return -1;
  return hi * 16 + lo;
}

/* %XX → byte, where the escapes spell ASCII or a whole UTF-8 sequence
 * ("%C3%A9"); an escape of a byte no text holds ("%FF", "%B4" alone) is
 * left as written, so that "%B4111…" (a card's track 1) is not read as a
 * stray byte and a shorter number. Returns the new length (into out), or
 * 0 when nothing was decoded. */
static size_t
percent_step(const char *s, size_t len, char *out)
{
  size_t o = 0;
  int changed = 0;
  for (size_t i = 0; i < len; i++) {
    int b = escape_at(s, len, i);
    size_t need = b < 0x80 ? 0 : b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2
                  : b >= 0xF0 && b <= 0xF4 ? 3 : 9;
    if (b < 0 || need == 9) {
      out[o++] = s[i];
      continue;
    }
    char seq[4] = {(char)b};
    size_t k = 1;
    for (; k <= need; k++) {
      int c = i + 3 * k < len ? escape_at(s, len, i + 3 * k) : -1;
      if (c < 0x80 || c > 0xBF)
        break;
      seq[k] = (char)c;
    }
    if (k <= need || !ja__utf8_valid(seq, need + 1)) {
      out[o++] = s[i];
      continue;
    }
    memcpy(out + o, seq, need + 1);
    o += need + 1;
    i += 3 * (need + 1) - 1;
    changed = 1;
  }
  return changed ? o : 0;
}

/* ---------------------------------------------------------- steps 2 and 3 */

/* Named character references worth decoding: the ones that spell a
 * separator a pattern looks for (WHATWG's list has 2 231; the others name
 * letters and symbols no pattern needs). Case as in HTML. */
static const struct {
  const char *name;
  int32_t cp;
} entities[] = {
    {"amp", '&'},       {"commat", '@'},    {"period", '.'},    {"sol", '/'},
    {"bsol", '\\'},     {"colon", ':'},     {"lowbar", '_'},    {"UnderBar", '_'},
    {"equals", '='},    {"plus", '+'},      {"num", '#'},       {"dollar", '$'},
    {"percnt", '%'},    {"hyphen", 0x2010}, {"dash", 0x2010},   {"ndash", 0x2013},
    {"mdash", 0x2014},  {"minus", 0x2212},  {"nbsp", 0xA0},     {"ensp", 0x2002},
    {"emsp", 0x2003},   {"thinsp", 0x2009}, {"shy", 0xAD},      {"zwj", 0x200D},
    {"zwnj", 0x200C},   {"ZeroWidthSpace", 0x200B}, {"NoBreak", 0x2060},
    {"lt", '<'},        {"gt", '>'},        {"quot", '"'},      {"apos", '\''},
    {"lsquo", 0x2018},  {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},
    {"lpar", '('},      {"rpar", ')'},      {"lsqb", '['},      {"rsqb", ']'},
    {"lbrack", '['},    {"rbrack", ']'},    {"lcub", '{'},      {"rcub", '}'},
    {"excl", '!'},      {"quest", '?'},     {"ast", '*'},       {"comma", ','},
    {"semi", ';'},      {"verbar", '|'},    {"vert", '|'},      {"Tab", '\t'},
    {"tilde", '~'},     {"grave", '`'},     {"Hat", '^'},       {"middot", 0xB7},
};

/* Append code point @p cp as UTF-8 (U+FFFD for what is not a scalar). */
static size_t
put_cp(char *out, int32_t cp)
{
  if (!utf8proc_codepoint_valid(cp) || cp == 0)
    cp = 0xFFFD;
  return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
}

/* A character reference at s[i] ('&'): its code point and length, or 0. */
static size_t
entity_at(const char *s, size_t len, size_t i, int32_t *cp)
{
  size_t j = i + 1;
  if (j < len && s[j] == '#') {
    int hex = j + 1 < len && (s[j + 1] == 'x' || s[j + 1] == 'X');
    j += hex ? 2 : 1;
    size_t start = j;
    long v = 0;
    for (; j < len && j - start < 8; j++) {
      int d = hex ? ja__hex_value((unsigned char)s[j])
                  : (s[j] >= '0' && s[j] <= '9' ? s[j] - '0' : -1);
      if (d < 0)
        break;
      v = v * (hex ? 16 : 10) + d;
    }
    if (j == start)
      return 0;
    /* Browsers take a numeric reference without its ';' too. */
    if (j < len && s[j] == ';')
      j++;
    *cp = v > 0x10FFFF ? 0xFFFD : (int32_t)v;
    return j - i;
  }
  size_t start = j;
  while (j < len && j - start < 16 && ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z'))
    j++;
  if (j >= len || s[j] != ';' || j == start)
    return 0;
  for (size_t k = 0; k < sizeof entities / sizeof *entities; k++)
    if (strlen(entities[k].name) == j - start &&
        memcmp(entities[k].name, s + start, j - start) == 0) {
      *cp = entities[k].cp;
      return j + 1 - i;
    }
  return 0;
}

/* \uXXXX at s[i] ('\\'): its code point (a surrogate pair joined) and
 * length, or 0. */
static size_t
json_escape_at(const char *s, size_t len, size_t i, int32_t *cp)
{
  int32_t v = 0;
  if (i + 6 > len || s[i + 1] != 'u')
    return 0;
  for (size_t k = 2; k < 6; k++) {
    int d = ja__hex_value((unsigned char)s[i + k]);
    if (d < 0)
      return 0;
    v = v * 16 + d;
  }
  if (v >= 0xD800 && v <= 0xDBFF && i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u') {
    int32_t lo = 0;
    size_t k = 8;
    for (; k < 12; k++) {
      int d = ja__hex_value((unsigned char)s[i + k]);
      if (d < 0)
        break;
      lo = lo * 16 + d;
    }
    if (k == 12 && lo >= 0xDC00 && lo <= 0xDFFF) {
      *cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
      return 12;
    }
  }
  *cp = v;
  return 6;
}

/* \xHH at s[i] ('\\'): the byte it stands for and its length (4), or 0.
 * C, Python and shell print bytes so ("\x6a\x64\x6f\x65"); a byte that
 * is not ASCII is kept raw, and step 4 judges the UTF-8 it forms. */
static size_t
byte_escape_at(const char *s, size_t len, size_t i, unsigned char *byte)
{
  int hi, lo;
  if (i + 4 > len || s[i + 1] != 'x' || (hi = ja__hex_value((unsigned char)s[i + 2])) < 0 ||
      (lo = ja__hex_value((unsigned char)s[i + 3])) < 0)
    return 0;
  *byte = (unsigned char)(hi * 16 + lo);
  return 4;
}

/* Entities, \u and \x escapes → UTF-8 (a \x byte as itself). Never longer than its input: a
 * reference is at least as long as the UTF-8 of what it names ("&#9" is
 * 3 bytes for 1, "&#x10000" 8 for 4, "&#0" 3 for U+FFFD's 3). Returns the
 * new length or 0. */
static size_t
reference_step(const char *s, size_t len, char *out)
{
  size_t o = 0;
  int changed = 0;
  for (size_t i = 0; i < len;) {
    int32_t cp = 0;
    unsigned char byte = 0;
    size_t n = s[i] == '&' ? entity_at(s, len, i, &cp)
               : s[i] == '\\' ? json_escape_at(s, len, i, &cp)
                              : 0;
    if (!n && s[i] == '\\' && (n = byte_escape_at(s, len, i, &byte)) > 0) {
      out[o++] = (char)byte;
      i += n;
      changed = 1;
    } else if (n) {
      o += put_cp(out + o, cp);
      i += n;
      changed = 1;
    } else {
      out[o++] = s[i++];
    }
  }
  return changed ? o : 0;
}

/* ---------------------------------------------------------------- step 4 */

/* The ASCII digit an Nd character of another script stands for: decimal
 * digits come in runs of ten that start at zero (Unicode's stability
 * policy), so count back to the start of its run. */
static int32_t
digit_of(int32_t cp)
{
  int32_t start = cp;
  while (start > 0 && cp - start < 100 &&
         utf8proc_category(start - 1) == UTF8PROC_CATEGORY_ND)
    start--;
  return '0' + (cp - start) % 10;
}

/* What one code point of the NFKC form becomes in the view: -1 to drop it,
 * else the code point to keep. */
static int32_t
fold_cp(int32_t cp)
{
  if (cp < 0x80)
    return cp;
  const utf8proc_property_t *p = utf8proc_get_property(cp);
  if (p->ignorable || p->category == UTF8PROC_CATEGORY_CF)
    return -1;
  switch (p->category) {
  case UTF8PROC_CATEGORY_ZS:
  case UTF8PROC_CATEGORY_ZL:
  case UTF8PROC_CATEGORY_ZP: return ' ';
  case UTF8PROC_CATEGORY_PD: return '-';
  case UTF8PROC_CATEGORY_ND: return digit_of(cp);
  default: break;
  }
  switch (cp) {
  case 0x2212: case 0x2043: case 0x02D7: case 0x2796: case 0x2011: return '-';
  case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x2035:
  case 0x02B9: case 0x02BB: case 0x02BC: case 0x02BD: case 0x02C8: case 0x00B4: return '\'';
  case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x2036:
  case 0x00AB: case 0x00BB: case 0x02BA: return '"';
  case 0x3002: case 0x2024: case 0x2E31: case 0x2E33: case 0x0701: case 0x06D4: return '.';
  case 0x2044: case 0x2215: case 0x29F8: case 0x2571: case 0x27CB: return '/';
  case 0x2216: case 0x29F5: case 0x29F9: case 0x2572: case 0x27CD: return '\\';
  case 0x2236: case 0xA789: case 0x02D0: case 0x02F8: case 0x05C3: case 0x0589: return ':';
  case 0x2217: case 0x2219: return '*';
  case 0x3000: return ' ';
  default: return cp;
  }
}

/* NFKC then fold_cp over s[0..len) into out; returns the new length, 0
 * when nothing changed, -1 when the result does not fit. */
static long
unicode_step(const char *s, size_t len, int32_t *cp, char *out)
{
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  size_t plen = len;
  int changed = 0;
  /* utf8proc refuses invalid UTF-8 (a decoded "%FF"): give it a copy with
   * each bad byte as U+FFFD first. */
  if (!ja__utf8_valid(s, len)) {
    size_t o = 0;
    for (size_t i = 0; i < len;) {
      int32_t c;
      utf8proc_ssize_t step = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
      if (step <= 0) {
        c = 0xFFFD;
        step = 1;
      }
      if (o + 4 > JA__NORM_MAX_BYTES)
        return -1;
      o += put_cp(out + o, c);
      i += (size_t)step;
    }
    p = (const utf8proc_uint8_t *)out;
    plen = o;
    changed = 1;
  }
  /* NFKD (with canonical ordering), then composition: NFKC. */
  utf8proc_ssize_t n = utf8proc_decompose(p, (utf8proc_ssize_t)plen, cp, JA__NORM_MAX_CODEPOINTS,
                                          UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
  if (n < 0 || n > JA__NORM_MAX_CODEPOINTS)
    return -1;
  n = utf8proc_normalize_utf32(cp, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  if (n < 0)
    return -1;
  /* The folds, which only ever map to ASCII or remove. */
  size_t o = 0;
  for (utf8proc_ssize_t j = 0; j < n; j++) {
    int32_t f = fold_cp(cp[j]);
    if (f < 0)
      continue;
    if (o + 4 > JA__NORM_MAX_BYTES)
      return -1;
    o += put_cp(out + o, f);
  }
  if (!changed && (o != len || memcmp(out, s, len) != 0))
    changed = 1;
  return changed ? (long)o : 0;
}

/* ---------------------------------------------------------------- step 5 */

/* Encoded tokens: base64 (standard or URL-safe alphabet, padded or not)
 * and hex (bare, "0x…") are decoded where the bytes they hold read as
 * text, so "amFuZS5kb2VAZXhhbXBsZS5jb20=" meets the e-mail rows. Digests,
 * keys and other random bytes do not read as text and stay as written. */

/* Tokens shorter than this many decoded bytes are left alone: a short
 * word decodes to printable bytes too often (and holds no PII worth
 * encoding). */
#define ENC_MIN_BYTES 6

/* Base64 digit values, both alphabets ('+' and '-' are 62, '/' and '_'
 * 63); -1 outside them. */
static const signed char b64_values[256] = {
    ['A'] = 0,  ['B'] = 1,  ['C'] = 2,  ['D'] = 3,  ['E'] = 4,  ['F'] = 5,  ['G'] = 6,
    ['H'] = 7,  ['I'] = 8,  ['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13,
    ['O'] = 14, ['P'] = 15, ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20,
    ['V'] = 21, ['W'] = 22, ['X'] = 23, ['Y'] = 24, ['Z'] = 25, ['a'] = 26, ['b'] = 27,
    ['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31, ['g'] = 32, ['h'] = 33, ['i'] = 34,
    ['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39, ['o'] = 40, ['p'] = 41,
    ['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46, ['v'] = 47, ['w'] = 48,
    ['x'] = 49, ['y'] = 50, ['z'] = 51, ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55,
    ['4'] = 56, ['5'] = 57, ['6'] = 58, ['7'] = 59, ['8'] = 60, ['9'] = 61, ['+'] = 62,
    ['-'] = 62, ['/'] = 63, ['_'] = 63};

/* The table has 0 for bytes outside the alphabet too: 'A' is told apart
 * by being 'A'. */
static int
b64_value(unsigned char c)
{
  return b64_values[c] || c == 'A' ? b64_values[c] : -1;
}

/* Whether bytes b[0..n) read as text: valid UTF-8 without control
 * characters (tab and line breaks aside). Returns the length of the text
 * to show — n, or n/2 for UTF-16LE text of ASCII, which PowerShell's
 * -EncodedCommand carries (rewritten into b) — or 0. */
static size_t
text_like(unsigned char *b, size_t n)
{
  if (n >= 2 * ENC_MIN_BYTES && n % 2 == 0 && b[1] == 0) {
    size_t k = 0;
    while (k < n && b[k] >= 0x20 && b[k] < 0x7F && b[k + 1] == 0)
      k += 2;
    if (k == n) {
      for (size_t i = 0; i < n / 2; i++)
        b[i] = b[2 * i];
      return n / 2;
    }
  }
  if (n < ENC_MIN_BYTES || !ja__utf8_valid((const char *)b, n))
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r') || b[i] == 0x7F ||
        (b[i] == 0xC2 && i + 1 < n && b[i + 1] < 0xA0)) /* C1 controls */
      return 0;
  return n;
}

/* s[0..n) as hex (even length) into out; the number of bytes, or 0. */
static size_t
hex_decode(const char *s, size_t n, unsigned char *out)
{
  if (n % 2 || n < 2 * ENC_MIN_BYTES)
    return 0;
  /* Text starts with ASCII or a UTF-8 lead byte, not 0x80-0xC1 or past
   * 0xF4 (most digests fail here, on their first two digits). */
  int first = ja__hex_value((unsigned char)s[0]) * 16 + ja__hex_value((unsigned char)s[1]);
  if ((first >= 0x80 && first < 0xC2) || first > 0xF4)
    return 0;
  for (size_t i = 0; i < n; i += 2) {
    int hi = ja__hex_value((unsigned char)s[i]), lo = ja__hex_value((unsigned char)s[i + 1]);
    if (hi < 0 || lo < 0)
      return 0;
    unsigned char c = (unsigned char)(hi * 16 + lo);
    /* Stop at the first byte no text holds (most hex tokens are digests);
     * a NUL only as the high byte of UTF-16LE ASCII. */
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && !(c == 0 && (i / 2) % 2 == 1)) ||
        c == 0x7F)
      return 0;
    out[i / 2] = c;
  }
  return n / 2;
}

/* s[0..n) (no padding) as base64 into out; the number of bytes, or 0. */
static size_t
b64_decode(const char *s, size_t n, unsigned char *out)
{
  if (n % 4 == 1 || n * 3 / 4 < ENC_MIN_BYTES)
    return 0;
  unsigned acc = 0, bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_value((unsigned char)s[i]);
    if (v < 0)
      return 0;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned char c = (unsigned char)(acc >> bits);
      /* A NUL is text only as the high byte of UTF-16LE ASCII. */
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && !(c == 0 && o % 2 == 1)) ||
          c == 0x7F)
        return 0;
      out[o++] = c;
    }
  }
  return o;
}

/* A token s[0..n) (a run of the base64 alphabet, "0x" hex included) as
 * text into out: hex when it is all hex digits, else base64. Returns the
 * text's length, or 0 when the token does not decode to text. A token
 * with fewer than three different digits and capitals is a word or an
 * identifier ("dark_mode_enabled", "engine_v2"), never decoded: text of
 * six bytes or more encoded either way holds more (hex of text has a
 * digit in every other place, base64 of text capitals throughout). */
static size_t
token_text(const char *s, size_t n, unsigned char *out)
{
  uint64_t marks = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] >= '0' && s[i] <= '9')
      marks |= (uint64_t)1 << (s[i] - '0');
    else if (s[i] >= 'A' && s[i] <= 'Z')
      marks |= (uint64_t)1 << (10 + s[i] - 'A');
  if (__builtin_popcountll(marks) < 3)
    return 0;
  size_t skip = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 2 : 0;
  size_t hex = skip;
  while (hex < n && ja__hex_value((unsigned char)s[hex]) >= 0)
    hex++;
  if (hex == n && (n - skip) % 2 == 0) {
    /* Hex digits alone are read as hex only, not once more as base64:
     * base64 of text almost never consists of them (for ASCII, each
     * byte's high bits put capitals or letters past f in every group of
     * four unless every byte falls in narrow ranges), and hashes, ids and
     * digests are hex. */
    size_t m = hex_decode(s + skip, n - skip, out);
    return m ? text_like(out, m) : 0;
  }
  size_t m = b64_decode(s, n, out);
  return m ? text_like(out, m) : 0;
}

static int
b64_char(unsigned char c)
{
  return b64_values[c] || c == 'A';
}

/* Each token of s[0..len) that decodes to text replaced by that text;
 * a token that does not is tried once more piece by piece, split at the
 * alphabet's punctuation ("users/amFu…" holds a token after the '/').
 * Returns the new length (into out, never longer than s), or 0 when
 * nothing was decoded. */
static size_t
encoded_step(const char *s, size_t len, char *out)
{
  size_t o = 0;
  int changed = 0;
  for (size_t i = 0; i < len;) {
    if (!b64_char((unsigned char)s[i])) {
      out[o++] = s[i++];
      continue;
    }
    size_t j = i;
    while (j < len && b64_char((unsigned char)s[j]))
      j++;
    size_t pad = 0;
    while (j + pad < len && pad < 2 && s[j + pad] == '=')
      pad++;
    size_t m = j - i >= 8 ? token_text(s + i, j - i, (unsigned char *)out + o) : 0;
    if (m) {
      o += m;
      changed = 1;
      i = j + pad;
      continue;
    }
    /* Piece by piece: the pieces between '+', '/', '-' and '_'. */
    for (size_t k = i; k < j;) {
      size_t e = k;
      while (e < j && s[e] != '+' && s[e] != '/' && s[e] != '-' && s[e] != '_')
        e++;
      size_t pm = e - k >= 8 && e - k < j - i ? token_text(s + k, e - k, (unsigned char *)out + o) : 0;
      if (pm) {
        o += pm;
        changed = 1;
      } else {
        memcpy(out + o, s + k, e - k);
        o += e - k;
      }
      if (e < j)
        out[o++] = s[e];
      k = e + 1;
    }
    i = j;
  }
  return changed ? o : 0;
}

/* What ja__norm_encoded needs to know of a byte: 0 outside the base64
 * alphabets, 1 a piece separator ('+', '/', '-', '_'), 2 a digit or a
 * capital (a token without one is never decoded), 3 a lowercase letter. */
static const unsigned char b64_kind[256] = {
    ['+'] = 1, ['/'] = 1, ['-'] = 1, ['_'] = 1, ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2,
    ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2, ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2,
    ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2,
    ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['U'] = 2, ['V'] = 2,
    ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2, ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3, ['e'] = 3,
    ['f'] = 3, ['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3, ['k'] = 3, ['l'] = 3, ['m'] = 3, ['n'] = 3,
    ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3, ['u'] = 3, ['v'] = 3, ['w'] = 3,
    ['x'] = 3, ['y'] = 3, ['z'] = 3};

int
ja__norm_encoded(const char *s, size_t len, ja__norm_scratch *w)
{
  /* The code point buffer is free between views: room for any token. */
  unsigned char *tmp = (unsigned char *)w->cp;
  if (len > sizeof w->cp)
    return 0;
  /* One pass over runs of the alphabet, noting in each its length and
   * whether it holds a digit or a capital (token_text's first test); only
   * marked runs of 8 or more are tried, whole and then piece by piece. */
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    if (!b64_kind[u[i]]) {
      i++;
      continue;
    }
    size_t start = i;
    unsigned marked = 0;
    while (i < len && b64_kind[u[i]]) {
      marked |= b64_kind[u[i]] == 2;
      i++;
    }
    if (!marked || i - start < 8)
      continue;
    if (token_text(s + start, i - start, tmp))
      return 1;
    for (size_t k = start; k < i;) {
      size_t e = k;
      while (e < i && b64_kind[u[e]] != 1)
        e++;
      if (e - k >= 8 && e - k < i - start && token_text(s + k, e - k, tmp))
        return 1;
      k = e + 1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------ the view */

/* Where a view is built: the text so far and which scratch buffer the
 * next step writes (the other one). */
typedef struct view_state {
  const char *cur;
  size_t len;
  int side;
} view_state;

/* A step wrote @p n bytes into v's next buffer: that is the text now. */
static void
view_take(view_state *v, ja__norm_scratch *w, size_t n)
{
  v->cur = w->text[v->side];
  v->len = n;
  v->side ^= 1;
}

long
ja__norm_view(const char *s, size_t len, unsigned flags, ja__norm_scratch *w, const char **view)
{
  view_state v = {s, len, 0};
  *view = s;
  if (len > JA__NORM_MAX_BYTES)
    return -1;
  for (int round = 0; round < JA__NORM_MAX_ROUNDS; round++) {
    int changed = 0;
    size_t n;
    if (memchr(v.cur, '%', v.len) && (n = percent_step(v.cur, v.len, w->text[v.side])) > 0) {
      view_take(&v, w, n);
      changed = 1;
    }
    if ((memchr(v.cur, '&', v.len) || memchr(v.cur, '\\', v.len)) &&
        (n = reference_step(v.cur, v.len, w->text[v.side])) > 0) {
      view_take(&v, w, n);
      changed = 1;
    }
    if (ja__norm_needed(v.cur, v.len) & JA__NORM_UNICODE) {
      long u = unicode_step(v.cur, v.len, w->cp, w->text[v.side]);
      if (u < 0)
        return -1;
      if (u > 0) {
        view_take(&v, w, (size_t)u);
        changed = 1;
      }
    }
    if ((flags & JA__NORM_DECODE) && (n = encoded_step(v.cur, v.len, w->text[v.side])) > 0) {
      view_take(&v, w, n);
      changed = 1;
    }
    if (!changed) {
      if (v.cur == s)
        return 0;
      ((char *)v.cur)[v.len] = 0;
      *view = v.cur;
      return (long)v.len;
    }
  }
  return -1; /* still changing: encoded deeper than any real value */
}
