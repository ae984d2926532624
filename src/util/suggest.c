/*
 * util/suggest.c — edit distance (optimal string alignment) and the search
 * for the nearest candidate behind every "did you mean …".
 */
#include "boot.h"

#include <string.h>

#include "util/suggest.h"

/* Words longer than this are never near anything (nobody misspells a
 * 64-character name, and the rows below stay on the stack). */
#define MAXLEN 64

static char
fold(char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
ja__suggest_distance(const char *a, size_t an, const char *b, size_t bn, int cap)
{
  size_t diff = an > bn ? an - bn : bn - an;
  if (an > MAXLEN || bn > MAXLEN || diff > (size_t)cap)
    return cap + 1;
  /* Three rows of the table: i-2, i-1, i (the swap looks two rows back). */
  int rows[3][MAXLEN + 1];
  int *pp = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= bn; j++)
    prev[j] = (int)j;
  for (size_t i = 1; i <= an; i++) {
    cur[0] = (int)i;
    int row_min = cur[0];
    for (size_t j = 1; j <= bn; j++) {
      int same = fold(a[i - 1]) == fold(b[j - 1]);
      int d = prev[j - 1] + !same;
      if (prev[j] + 1 < d)
        d = prev[j] + 1;
      if (cur[j - 1] + 1 < d)
        d = cur[j - 1] + 1;
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
          fold(a[i - 2]) == fold(b[j - 1]) && pp[j - 2] + 1 < d)
        d = pp[j - 2] + 1;
      cur[j] = d;
      if (d < row_min)
        row_min = d;
    }
    if (row_min > cap)
      return cap + 1;
    int *t = pp;
    pp = prev;
    prev = cur;
    cur = t;
  }
  return prev[bn] > cap ? cap + 1 : prev[bn];
}

/* Scores: four times the distance for a near miss (one less when the typed
 * word begins the candidate, so that of two equally near 'of' suggests
 * 'off' rather than 'on'), and between the limit and the next distance up
 * for a beginning alone, so a real near miss always wins. */
void
ja__suggest_start(ja__suggest *s, const char *typed, size_t n)
{
  s->typed = typed;
  s->n = n;
  s->limit = n < 3 ? 1 : n > 9 ? 3 : (int)(n / 3);
  s->best = NULL;
  s->score = 4 * s->limit + 4;
}

void
ja__suggest_offer(ja__suggest *s, const char *candidate)
{
  ja__suggest_offer_n(s, candidate, strlen(candidate));
}

void
ja__suggest_offer_n(ja__suggest *s, const char *candidate, size_t m)
{
  if (s->n == 0 || (m == s->n && strncmp(candidate, s->typed, m) == 0))
    return;
  int score = 4 * ja__suggest_distance(s->typed, s->n, candidate, m, s->limit);
  int begins = m > s->n && ja__suggest_distance(s->typed, s->n, candidate, s->n, 0) == 0;
  if (score <= 4 * s->limit && begins)
    score -= 1;
  else if (score > 4 * s->limit && begins && s->n >= 3)
    score = 4 * s->limit + 2; /* `--pend` begins `--pending` */
  if (score < s->score) {
    s->best = candidate;
    s->best_len = m;
    s->score = score;
  }
}
