/*
 * filter/checksum.h — check digits for the redaction validators.
 */
#ifndef JA_FILTER_CHECKSUM_H
#define JA_FILTER_CHECKSUM_H

#include "boot.h"

/* Check digits, for the redaction validators. Each takes the matched text
 * (separators included) and returns 1 when the checksum holds. */
int ja__luhn_ok(const char *s, size_t len);         /* cards, IMEI; skips non-digits */
int ja__iban_ok(const char *s, size_t len);         /* ISO 13616 mod 97; skips spaces */
int ja__base58check_ok(const char *s, size_t len);  /* legacy Bitcoin addresses */
int ja__bech32_ok(const char *s, size_t len);       /* bech32 / bech32m (bc1…) */
/* The registry length of the IBAN whose country code starts @p s (either
 * case), or -1 when the country has no IBAN. */
int ja__iban_length(const char *s, size_t len);

#endif
