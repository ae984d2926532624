/*
 * util/suggest.h — "did you mean …": the candidate nearest to a misspelt
 * word by edit distance. One helper for every near miss the programs and
 * the library point out: commands, options, event and property names, enum
 * values, config.toml keys.
 */
#ifndef JA_UTIL_SUGGEST_H
#define JA_UTIL_SUGGEST_H

#include "boot.h"

/* The edit distance between @p a (@p an bytes) and @p b (@p bn bytes):
 * insertions, deletions, changes and swaps of two neighbours (optimal
 * string alignment), ASCII case ignored. Counting stops past @p cap: any
 * distance above it is returned as cap + 1. */
int ja__suggest_distance(const char *a, size_t an, const char *b, size_t bn, int cap);

/* A search for the candidate nearest to one typed word. */
typedef struct ja__suggest {
  const char *typed;   /* the word as typed (not NUL-terminated) */
  size_t n;            /* its length */
  int limit;           /* the farthest a suggestion may be */
  const char *best;    /* the nearest candidate offered so far (NULL: none
                          near enough) … */
  size_t best_len;     /* … and its length */
  int score;           /* its score (suggest.c; lower is nearer) */
} ja__suggest;

/* Start a search for @p typed (@p n bytes). A candidate is near enough
 * within one edit per three characters typed (at least one, at most
 * three), or when the typed word (three characters or more) begins it;
 * a near miss is nearer than a beginning. */
void ja__suggest_start(ja__suggest *s, const char *typed, size_t n);
/* Offer @p candidate; the nearest wins, the first offered among equals.
 * The typed word itself is never suggested. */
void ja__suggest_offer(ja__suggest *s, const char *candidate);
/* The same for a candidate of @p m bytes, not NUL-terminated ("session"
 * of "session inference"). */
void ja__suggest_offer_n(ja__suggest *s, const char *candidate, size_t m);

#endif
