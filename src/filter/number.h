/*
 * filter/number.h — a JSON number token as the filter sees it: whether it
 * is finite, at least 0 and an integer `int` takes, and the text stored
 * for it.
 */
#ifndef JA_FILTER_NUMBER_H
#define JA_FILTER_NUMBER_H

#include "boot.h"

typedef struct ja__number {
  int finite;   /* its double is finite (1e999 is not) */
  int nonneg;   /* its double is >= 0 (-0, and what rounds to -0, count) */
  int integer;  /* its double is an integer below 2^53 in magnitude */
  size_t keep;  /* > 0: the stored text is the token's first keep bytes
                   (it is already written the way the store writes it);
                   0: print value with ja__number_text */
  double value; /* when keep is 0 */
} ja__number;

/* Judge the number token @p tok[0..n) (RFC 8259 grammar, already checked).
 * Returns 0, or -1 when the C locale it converts in cannot be had (out of
 * memory). */
int ja__number_read(const char *tok, size_t n, ja__number *out);

/* The stored text of a finite number @p x read from @p tok: a prefix of
 * the token, or @p buf. *len receives its length. -1 as ja__number_read. */
int ja__number_text(const ja__number *x, const char *tok, char buf[40], const char **text,
                    size_t *len);

#endif
