/*
 * filter/names.c — looks words up in the given-name lexicon: binary search
 * over the sorted lower-case arrays that cmake/embed_names.cmake generates
 * from src/filter/names/ (given_en.txt: the Moby name list via the @stdlib
 * datasets, CC0; given_world.txt: written here; word_names.txt: names that
 * are also English words; not_people.txt: assistant and product names);
 * and in the BIP-39 English word list (Debian's python3-mnemonic).
 */
#include "boot.h"

#include <string.h>

#include "filter/names.h"
#include "names_lexicon.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* strcmp of the ASCII-lower-cased s[0..n) against the NUL-terminated w. */
static int
cmp_lower(const char *s, size_t n, const char *w)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i], d = (unsigned char)w[i];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + 32);
    if (d == 0 || c != d)
      return (int)c - (int)d;
  }
  return w[n] == 0 ? 0 : -1;
}

static int
found(const char *const *a, size_t na, const char *s, size_t n)
{
  size_t lo = 0, hi = na;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_lower(s, n, a[mid]);
    if (c == 0)
      return 1;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

/* s[0..n) with the Latin-1 and Latin Extended-A letters of names written
 * as their base letter ("Siobhán" → "Siobhan", "Łukasz" → "Lukasz") into
 * out; returns the new length, or 0 when nothing changed. */
static size_t
fold_accents(const char *s, size_t n, char *out, size_t cap)
{
  /* U+00C0..U+00FF, then U+0100..U+017F, by code point; '?' = keep. */
  static const char latin1[] = "AAAAAA?CEEEEIIIIDNOOOOO?OUUUUY??aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";
  static const char extA[] =
      "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi??JjKkkLlLlLlL"
      "lLlNnNnNnn??OoOoOo??RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZz?";
  size_t o = 0;
  int changed = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (o + 1 >= cap)
      return 0;
    if ((c == 0xC3 || c == 0xC4 || c == 0xC5) && i + 1 < n) {
      unsigned cp = ((unsigned)(c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F);
      char b = cp >= 0xC0 && cp <= 0xFF ? latin1[cp - 0xC0]
               : cp >= 0x100 && cp <= 0x17F ? extA[cp - 0x100] : '?';
      if (b != '?') {
        out[o++] = b;
        i++;
        changed = 1;
        continue;
      }
    }
    out[o++] = (char)c;
  }
  return changed ? o : 0;
}

int
ja__given_name(const char *s, size_t n)
{
  char folded[64];
  size_t fn;
  if (n == 0 || n > 40)
    return JA__NAME_NO;
  if (!found(ja__given_names, COUNT(ja__given_names), s, n) &&
      (fn = fold_accents(s, n, folded, sizeof folded)) != 0 &&
      found(ja__given_names, COUNT(ja__given_names), folded, fn))
    return found(ja__not_people, COUNT(ja__not_people), folded, fn) ? JA__NAME_NO
           : found(ja__word_names, COUNT(ja__word_names), folded, fn) ? JA__NAME_WORD : JA__NAME_YES;
  if (!found(ja__given_names, COUNT(ja__given_names), s, n) ||
      found(ja__not_people, COUNT(ja__not_people), s, n))
    return JA__NAME_NO;
  return found(ja__word_names, COUNT(ja__word_names), s, n) ? JA__NAME_WORD : JA__NAME_YES;
}

static int
sorted(const char *const *a, size_t n)
{
  for (size_t i = 1; i < n; i++)
    if (strcmp(a[i - 1], a[i]) >= 0)
      return 0;
  return 1;
}

int
ja__names_sorted(void)
{
  return sorted(ja__given_names, COUNT(ja__given_names)) &&
         sorted(ja__word_names, COUNT(ja__word_names)) &&
         sorted(ja__not_people, COUNT(ja__not_people)) && sorted(ja__surnames, COUNT(ja__surnames)) &&
         sorted(ja__family_first_names, COUNT(ja__family_first_names)) &&
         sorted(ja__not_surnames, COUNT(ja__not_surnames)) && sorted(ja__bip39_words, COUNT(ja__bip39_words));
}

int
ja__bip39_index(const char *w, size_t n)
{
  size_t lo = 0, hi = COUNT(ja__bip39_words);
  if (n < 3 || n > 8)
    return -1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_lower(w, n, ja__bip39_words[mid]);
    if (c == 0)
      return (int)mid;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -1;
}

/* Whether s[0..n) is in list @p a, as written or with its Latin accents
 * folded. */
static int
in_list(const char *const *a, size_t na, const char *s, size_t n)
{
  char folded[64];
  size_t fn;
  if (n == 0 || n > 40)
    return 0;
  return found(a, na, s, n) ||
         ((fn = fold_accents(s, n, folded, sizeof folded)) != 0 && found(a, na, folded, fn));
}

int
ja__surname(const char *s, size_t n)
{
  return in_list(ja__surnames, COUNT(ja__surnames), s, n);
}

int
ja__family_first(const char *s, size_t n)
{
  return in_list(ja__family_first_names, COUNT(ja__family_first_names), s, n);
}

int
ja__not_surname(const char *s, size_t n)
{
  return in_list(ja__not_surnames, COUNT(ja__not_surnames), s, n) ||
         in_list(ja__not_people, COUNT(ja__not_people), s, n);
}
