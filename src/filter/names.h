/*
 * filter/names.h — the given-name lexicon the person_name rows of the
 * redaction table consult (the lists in src/filter/names/, compiled in at build time
 * by cmake/embed_names.cmake; where each list comes from: docs/redaction.md).
 */
#ifndef JA_FILTER_NAMES_H
#define JA_FILTER_NAMES_H

#include "boot.h"

#define JA__NAME_NO 0    /* not a given name (or one that names a product here) */
#define JA__NAME_YES 1   /* a given name */
#define JA__NAME_WORD 2  /* a given name that is also an ordinary word ("Will") */

/* Whether @p s[0..n) (UTF-8, compared without regard to ASCII case) is a
 * given name of the lexicon. */
int ja__given_name(const char *s, size_t n);

/* For tests: the lexicon's arrays are sorted (1) as the search needs. */
int ja__names_sorted(void);

/* The index (0-2047) of @p w[0..n) in the BIP-39 English word list, or -1
 * (ASCII case ignored). */
int ja__bip39_index(const char *w, size_t n);

/* Whether @p s[0..n) (ASCII case and Latin accents aside) is a family name
 * of surnames.txt; of family_first.txt (cultures writing the family name
 * first); a word that ends product, place and team names
 * (not_surnames.txt, or an assistant's name: not_people.txt). */
int ja__surname(const char *s, size_t n);
int ja__family_first(const char *s, size_t n);
int ja__not_surname(const char *s, size_t n);

#endif
