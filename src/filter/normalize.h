/*
 * filter/normalize.h — the normalised view redaction also matches: the same text with look-alike characters, invisible
 * characters and nested encodings taken away, so that a pattern written
 * for "alice@example.com" also sees "alice＠example．com",
 * "ali\u200Bce@example.com", "alice&#64;example.com" and
 * "alice%252540example.com".
 */
#ifndef JA_FILTER_NORMALIZE_H
#define JA_FILTER_NORMALIZE_H

#include "boot.h"

#include <stdint.h>

/* Bounds of a view. A value is at most 200 code points (800 bytes); its
 * view may be longer (NFKC expands some characters, up to 18-fold). A
 * value whose view would not fit is refused (-1), and the caller drops
 * it: fail closed. */
#define JA__NORM_MAX_CODEPOINTS 4096
#define JA__NORM_MAX_BYTES (JA__NORM_MAX_CODEPOINTS * 4)
/* Rounds of decoding (percent, HTML entity, JSON \u escape, Unicode) until
 * nothing changes; a value still changing after them is refused (-1). */
#define JA__NORM_MAX_ROUNDS 6

/* Working memory for one view: big, so callers keep one per thread. */
typedef struct ja__norm_scratch {
  int32_t cp[JA__NORM_MAX_CODEPOINTS];
  char text[2][JA__NORM_MAX_BYTES + 1];
} ja__norm_scratch;

/* Whether @p s[0..len) can have a view different from itself: 0 when it
 * cannot (pure ASCII without '%', '&' or a backslash is its own view,
 * which is how most values skip normalisation entirely), else the
 * reasons: JA__NORM_REFS when it holds one of those three bytes,
 * JA__NORM_UNICODE when it holds a byte >= 0x80. */
#define JA__NORM_REFS 1
#define JA__NORM_UNICODE 2
int ja__norm_needed(const char *s, size_t len);

/* The same answer from the set of bytes a value holds (bit b of
 * present[b >> 6]): what redaction's byte pass already has. */
static inline int
ja__norm_needed_of(const uint64_t present[4])
{
  const uint64_t refs = ((uint64_t)1 << '%') | ((uint64_t)1 << '&'); /* word 0 */
  const uint64_t backslash = (uint64_t)1 << ('\\' - 64);              /* word 1 */
  return ((present[0] & refs) || (present[1] & backslash) ? JA__NORM_REFS : 0) |
         (present[2] | present[3] ? JA__NORM_UNICODE : 0);
}

/* Build the view of @p s[0..len) in @p w. Returns its length with *view
 * pointing into @p w (NUL-terminated), 0 when the view equals the value
 * (nothing to match twice), or -1 when the view does not fit or does not
 * settle within JA__NORM_MAX_ROUNDS. Pure and thread-safe given its own
 * scratch. The steps, repeated until nothing changes:
 *  1. %XX decoded where the escapes spell ASCII or whole UTF-8 sequences
 *     (a lone "%FF" stays as written);
 *  2. HTML character references decoded: &#DDD; &#xHH; and the named ones
 *     that spell separators (&commat; &period; &sol; &nbsp; ...);
 *  3. JSON \uXXXX escapes decoded (surrogate pairs joined), and \xHH
 *     byte escapes;
 *  4. Unicode: NFKC (utf8proc), then default-ignorable and format (Cf)
 *     characters removed, every space separator -> ' ', every dash ->
 *     '-', quote marks -> ' or ", look-alike dots, slashes, backslashes
 *     and colons -> their ASCII form, decimal digits of any script ->
 *     ASCII digits;
 *  5. with JA__NORM_DECODE: each base64 or hex token (a run of the base64
 *     alphabet, at least 8 characters and 6 bytes, holding three different
 *     digits or capitals) whose bytes read as
 *     text (valid UTF-8 without control characters, or UTF-16LE ASCII) is
 *     replaced by that text; a token that does not is tried piece by
 *     piece between its '+', '/', '-' and '_'. Decoding shrinks a token,
 *     so the rounds bound the depth (base64 of hex of ...). */
long ja__norm_view(const char *s, size_t len, unsigned flags, ja__norm_scratch *w, const char **view);

/* Flags for ja__norm_view. */
#define JA__NORM_DECODE 1u /* also step 5, each round: base64 and hex tokens
                              that decode to text are replaced by it */

/* Whether some token of @p s[0..len) would be decoded by step 5 (a view
 * built with JA__NORM_DECODE differs from one built without); uses @p w's
 * code point buffer as working memory. */
int ja__norm_encoded(const char *s, size_t len, ja__norm_scratch *w);

#endif
