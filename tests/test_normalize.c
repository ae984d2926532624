/*
 * test_normalize.c — the normalised view redaction matches
 * (src/filter/normalize.c): each step with views written out by
 * hand, the fast path, the bounds that fail closed, and — through the
 * redaction entry point capture uses — that disguising a value of corpus 1
 * by the usual means (fullwidth forms, invisible characters,
 * other spaces and dashes, HTML references, percent-encoding three deep,
 * JSON escapes) never changes its verdict. The disguises are mechanical
 * rewrites of the corpus; they know nothing of the pattern table.
 */
#include "support.h"
#include "filter/drop.h"
#include "filter/normalize.h"
#include "filter/redact.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS JA_TEST_SRC_DIR "/tests/data/redact_corpus.tsv"

static ja__norm_scratch w;

/* The view of @p in, or "=" when it has none (equals the value), or "!"
 * when it is refused. */
static const char *
view_of(const char *in)
{
  const char *v = NULL;
  long n = ja__norm_view(in, strlen(in), 0, &w, &v);
  if (n < 0)
    return "!";
  if (n == 0)
    return "=";
  assert_int_equal((size_t)n, strlen(v));
  return v;
}

static void test_normalize__plain_ascii_needs_nothing(void **state)
{
  (void)state;
  assert_false(ja__norm_needed("qwen3.5:2b", 10));
  assert_false(ja__norm_needed("ui.theme.dark_mode_enabled", 26));
  assert_true(ja__norm_needed("100%", 4));
  assert_true(ja__norm_needed("a&b", 3));
  assert_true(ja__norm_needed("C:\\x", 4));
  assert_true(ja__norm_needed("caf\xc3\xa9", 5));
  assert_string_equal(view_of("qwen3.5:2b"), "=");
  /* Characters that look special but decode to nothing new. */
  assert_string_equal(view_of("100%"), "=");
  assert_string_equal(view_of("rock & roll"), "=");
  assert_string_equal(view_of("C:\\Program Files"), "=");
  assert_string_equal(view_of("caf\xc3\xa9"), "="); /* NFC é is its own NFKC */
}

static void test_normalize__compatibility_characters_become_plain(void **state)
{
  (void)state;
  /* U+FF20 ＠, U+FF0E ．, fullwidth letters and digits */
  assert_string_equal(view_of("alice\xef\xbc\xa0" "example\xef\xbc\x8e" "com"),
                      "alice@example.com");
  assert_string_equal(view_of("\xef\xbd\x93\xef\xbd\x8b\xef\xbc\x8d\xef\xbc\x91"), "sk-1");
  /* U+FE6B small commercial at, U+FF0F fullwidth solidus, U+FF3C reverse solidus */
  assert_string_equal(view_of("a\xef\xb9\xab" "b"), "a@b");
  assert_string_equal(view_of("\xef\xbc\x8fhome\xef\xbc\x8f" "bob"), "/home/bob");
  assert_string_equal(view_of("C:\xef\xbc\xbcUsers"), "C:\\Users");
  /* U+3002 ideographic full stop, U+2024 one dot leader, U+FF1A fullwidth colon */
  assert_string_equal(view_of("example\xe3\x80\x82" "com"), "example.com");
  assert_string_equal(view_of("a\xe2\x80\xa4" "b"), "a.b");
  assert_string_equal(view_of("a\xef\xbc\x9a" "b"), "a:b");
  /* Decimal digits of other scripts: Arabic-Indic ١٢٣, Devanagari ४५ */
  assert_string_equal(view_of("\xd9\xa1\xd9\xa2\xd9\xa3"), "123");
  assert_string_equal(view_of("\xe0\xa5\xaa\xe0\xa5\xab"), "45");
  /* Composition is kept: NFD e + U+0301 becomes é, letters stay letters. */
  assert_string_equal(view_of("cafe\xcc\x81"), "caf\xc3\xa9");
}

static void test_normalize__invisible_characters_removed(void **state)
{
  (void)state;
  /* ZWSP U+200B, ZWJ U+200D, ZWNJ U+200C, soft hyphen U+00AD, word joiner
   * U+2060, BOM U+FEFF, bidi controls U+202E U+2066 U+200E */
  assert_string_equal(view_of("gh\xe2\x80\x8bp_\xe2\x80\x8d" "x\xe2\x80\x8cy"), "ghp_xy");
  assert_string_equal(view_of("pass\xc2\xadword"), "password");
  assert_string_equal(view_of("a\xe2\x81\xa0" "b\xef\xbb\xbf" "c"), "abc");
  assert_string_equal(view_of("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\x8e" "d"), "abcd");
}

static void test_normalize__spaces_dashes_quotes_become_ascii(void **state)
{
  (void)state;
  /* NBSP U+00A0, thin U+2009, narrow NBSP U+202F, ideographic U+3000, en
   * quad U+2000 */
  assert_string_equal(view_of("1\xc2\xa0" "2\xe2\x80\x89" "3\xe2\x80\xaf" "4\xe3\x80\x80" "5\xe2\x80\x80" "6"),
                      "1 2 3 4 5 6");
  /* en dash, em dash, non-breaking hyphen U+2011, minus U+2212, figure
   * dash U+2012, small hyphen-minus U+FE63 */
  assert_string_equal(view_of("1\xe2\x80\x93" "2\xe2\x80\x94" "3\xe2\x80\x91" "4\xe2\x88\x92" "5\xe2\x80\x92" "6\xef\xb9\xa3" "7"),
                      "1-2-3-4-5-6-7");
  /* ’ ‘ ʼ and “ ” */
  assert_string_equal(view_of("Anna\xe2\x80\x99s \xe2\x80\x98x\xca\xbc \xe2\x80\x9cy\xe2\x80\x9d"),
                      "Anna's 'x' \"y\"");
  /* fraction slash U+2044, division slash U+2215, set minus U+2216 */
  assert_string_equal(view_of("a\xe2\x81\x84" "b\xe2\x88\x95" "c\xe2\x88\x96" "d"), "a/b/c\\d");
}

static void test_normalize__encodings_decoded_to_a_fixed_point(void **state)
{
  (void)state;
  assert_string_equal(view_of("alice%40example.com"), "alice@example.com");
  assert_string_equal(view_of("alice%2540example.com"), "alice@example.com");
  assert_string_equal(view_of("alice%252540example.com"), "alice@example.com");
  assert_string_equal(view_of("alice&#64;example&#46;com"), "alice@example.com");
  assert_string_equal(view_of("alice&#x40;example&#X2E;com"), "alice@example.com");
  assert_string_equal(view_of("alice&commat;example&period;com"), "alice@example.com");
  assert_string_equal(view_of("alice&#64example.com"), "alice@example.com"); /* no ';' */
  assert_string_equal(view_of("a&amp;#64;b"), "a@b");       /* entity of an entity */
  assert_string_equal(view_of("a%26%2364%3Bb"), "a@b");     /* percent of an entity */
  assert_string_equal(view_of("a&#37;40b"), "a@b");         /* entity of a percent */
  assert_string_equal(view_of("alice\\u0040example.com"), "alice@example.com");
  assert_string_equal(view_of("\\ud83d\\ude00"), "\xf0\x9f\x98\x80"); /* a pair joined */
  assert_string_equal(view_of("a%EF%BC%A0b"), "a@b");      /* percent of a fullwidth @ */
  /* Not references: unknown names, no digits, a bare '&', too few hex. */
  assert_string_equal(view_of("a&bogus;b"), "=");
  assert_string_equal(view_of("a&#;b"), "=");
  assert_string_equal(view_of("a\\u12g4b"), "=");
  assert_string_equal(view_of("100%zz"), "=");
  /* An escape of a byte no text holds stays as written, never an error;
   * whole UTF-8 sequences decode. */
  assert_string_equal(view_of("%FFabc"), "=");
  assert_string_equal(view_of("%B4111^x"), "=");
  assert_string_equal(view_of("caf%C3%A9"), "caf\xc3\xa9");
  assert_string_equal(view_of("&#0;x"), "\xef\xbf\xbd" "x");
  assert_string_equal(view_of("&#xD800;x"), "\xef\xbf\xbd" "x");
  assert_string_equal(view_of("&#x110000;x"), "\xef\xbf\xbd" "x");
}

static void test_normalize__bounds_fail_closed(void **state)
{
  (void)state;
  /* Seven layers of percent-encoding do not settle in six rounds. */
  char deep[256] = "@";
  for (int i = 0; i < 7; i++) {
    char next[256];
    size_t o = 0;
    for (const char *p = deep; *p; p++)
      o += (size_t)snprintf(next + o, sizeof next - o, *p == '@' || *p == '%' ? "%%%02X" : "%c",
                            (unsigned char)*p);
    memcpy(deep, next, o + 1);
  }
  assert_string_equal(view_of(deep), "!");
  const char *kind = NULL;
  assert_int_equal(ja__redact_string(deep, strlen(deep), &kind), JA__DROP_PII);
  assert_string_equal(kind, "unnormalizable");
  /* Six layers still settle. */
  assert_string_equal(view_of("%2525252540"), "@");
  /* The largest expansion there is, 200 U+FDFA (18 code points each under
   * NFKC), fits its bound and is judged on its view. */
  char big[200 * 3 + 1];
  for (int i = 0; i < 200; i++)
    memcpy(big + 3 * i, "\xef\xb7\xba", 3);
  big[600] = 0;
  const char *v = view_of(big);
  assert_true(strlen(v) > 6000);
  assert_int_equal(ja__redact_string(big, 600, &kind), JA__DROP_NONE);
}

/* ------------------------------------------- disguised corpus values */

/* Disguises: mechanical rewrites a user's tools or an evader could make,
 * each undone exactly by normalisation. Each returns 0 when it does not
 * apply or the result would be longer than a value may be. */
typedef size_t (*disguise)(const char *in, char *out, size_t cap);

static size_t
emit(char *out, size_t o, size_t cap, const char *s, size_t n)
{
  if (o == (size_t)-1 || o + n + 1 > cap)
    return (size_t)-1;
  memcpy(out + o, s, n);
  return o + n;
}

/* Every printable ASCII character as its fullwidth form (U+FF01..U+FF5E),
 * spaces as U+3000. */
static size_t
fullwidth(const char *in, char *out, size_t cap)
{
  size_t o = 0;
  for (const char *p = in; *p && o != (size_t)-1; p++) {
    unsigned c = (unsigned char)*p;
    char u[4];
    if (c > 0x20 && c < 0x7F)
      o = emit(out, o, cap, u, ja__utf8_encode(0xFF01 + (c - 0x21), u));
    else if (c == ' ')
      o = emit(out, o, cap, "\xe3\x80\x80", 3);
    else
      o = emit(out, o, cap, p, 1);
  }
  return o;
}

/* A zero-width space after every third character (never inside a UTF-8
 * sequence). */
static size_t
zero_width(const char *in, char *out, size_t cap)
{
  size_t o = 0, k = 0;
  for (const char *p = in; *p && o != (size_t)-1; p++) {
    o = emit(out, o, cap, p, 1);
    if (((unsigned char)p[1] & 0xC0) != 0x80 && ++k % 3 == 0 && p[1])
      o = emit(out, o, cap, "\xe2\x80\x8b", 3);
  }
  return o;
}

/* Spaces as NBSP, '-' as an en dash; 0 when there are neither. */
static size_t
separators(const char *in, char *out, size_t cap)
{
  size_t o = 0;
  int any = 0;
  for (const char *p = in; *p && o != (size_t)-1; p++) {
    if (*p == ' ')
      o = emit(out, o, cap, "\xc2\xa0", 2), any = 1;
    else if (*p == '-')
      o = emit(out, o, cap, "\xe2\x80\x93", 3), any = 1;
    else
      o = emit(out, o, cap, p, 1);
  }
  return any ? o : 0;
}

/* Whether @p c is ASCII punctuation (printable, not a letter or digit). */
static int
punct(unsigned c)
{
  return c > 0x20 && c < 0x7F && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9');
}

/* How encode_punct() writes a punctuation character. */
typedef enum { AS_HTML_REF, AS_PERCENT3, AS_JSON_ESCAPE } encoding;

/* Every punctuation character (but a backslash, as a JSON escape) written
 * @p how; 0 when there is none. */
static size_t
encode_punct(const char *in, char *out, size_t cap, encoding how)
{
  size_t o = 0;
  int any = 0;
  for (const char *p = in; *p && o != (size_t)-1; p++) {
    unsigned c = (unsigned char)*p;
    if (punct(c) && !(how == AS_JSON_ESCAPE && c == '\\')) {
      char enc[12];
      int n = how == AS_HTML_REF   ? snprintf(enc, sizeof enc, "&#%u;", c)
              : how == AS_PERCENT3 ? snprintf(enc, sizeof enc, "%%2525%02X", c)
                                   : snprintf(enc, sizeof enc, "\\u%04X", c);
      o = emit(out, o, cap, enc, (size_t)n);
      any = 1;
    } else {
      o = emit(out, o, cap, p, 1);
    }
  }
  return any ? o : 0;
}

/* Every ASCII punctuation character as a decimal HTML reference. */
static size_t
html_refs(const char *in, char *out, size_t cap)
{
  return encode_punct(in, out, cap, AS_HTML_REF);
}

/* Every punctuation character percent-encoded, three times over. */
static size_t
percent3(const char *in, char *out, size_t cap)
{
  return encode_punct(in, out, cap, AS_PERCENT3);
}

/* Every punctuation character but the backslash as a JSON \u escape. */
static size_t
json_escapes(const char *in, char *out, size_t cap)
{
  return encode_punct(in, out, cap, AS_JSON_ESCAPE);
}

static const struct {
  const char *name;
  disguise fn;
  int for_pass; /* also applied to must-pass values */
} disguises[] = {
    {"fullwidth", fullwidth, 1},   {"zero_width", zero_width, 1}, {"separators", separators, 1},
    {"html_refs", html_refs, 0},   {"percent3", percent3, 0},     {"json_escapes", json_escapes, 0},
};

/* Corpus 1, one disguise at a time: a must-drop value disguised still
 * drops as PII; a must-pass value under the character disguises still
 * passes. (Encodings of a safe value are not promised safe: decoding
 * "%2F" in a path may well form a pattern.) Values that would grow past
 * 200 code points are skipped, since length alone drops them. */
static void test_normalize__disguised_corpus_values_keep_their_verdict(void **state)
{
  (void)state;
  size_t len = 0;
  char *text = jt_read_file(CORPUS, &len);
  assert_non_null(text);
  char out[4096], msg[8192] = "";
  size_t used = 0;
  unsigned tried = 0, misses = 0;
  for (char *line = text, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    if (strncmp(line, "drop\t", 5) != 0 && strncmp(line, "pass\t", 5) != 0)
      continue;
    int drop = line[0] == 'd';
    char *value = strchr(line + 5, '\t');
    assert_non_null(value);
    value++;
    for (size_t d = 0; d < sizeof disguises / sizeof *disguises; d++) {
      if (!drop && !disguises[d].for_pass)
        continue;
      size_t n = disguises[d].fn(value, out, sizeof out);
      if (n == 0 || n == (size_t)-1 || ja__utf8_count(out, n) > JA__MAX_STR_CODEPOINTS)
        continue;
      out[n] = 0;
      tried++;
      const char *kind = NULL;
      ja__drop v = ja__redact_string(out, n, &kind);
      if ((drop && v == JA__DROP_PII) || (!drop && v == JA__DROP_NONE))
        continue;
      misses++;
      if (used < sizeof msg - 300)
        used += (size_t)snprintf(msg + used, sizeof msg - used, "\n  %s %s '%.60s': %s %s",
                                 disguises[d].name, drop ? "drop" : "pass", value,
                                 ja__drop_name(v), kind ? kind : "");
    }
  }
  free(text);
  if (misses)
    fail_msg("%u of %u disguised values changed verdict:%s", misses, tried, msg);
  assert_true(tried > 1500);
}
