/*
 * filter/names.c — looks words up in the given-name lexicon: binary search
 * over the sorted lower-case arrays that cmake/embed_names.cmake generates
 * from src/filter/names/ (given_en.txt: the Moby name list via the @stdlib
 * datasets, CC0; given_world.txt: written here; word_names.txt: names that
 * are also English words; not_people.txt: assistant and product names).
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

int
ja__given_name(const char *s, size_t n)
{
  if (n == 0 || n > 40 || !found(ja__given_names, COUNT(ja__given_names), s, n) ||
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
         sorted(ja__not_people, COUNT(ja__not_people));
}
