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

/* National identity and tax numbers, vehicles (issue 11). Separators
 * (space . - /) are skipped unless said otherwise; letters in either case. */
int ja__mod11_10_ok(const char *s, size_t len);     /* ISO 7064 MOD 11,10: DE Steuer-ID */
int ja__de_steuer_id_ok(const char *s, size_t len); /* 11 digits, MOD 11,10 and the digit rule */
int ja__nl_bsn_ok(const char *s, size_t len);       /* 9 digits, the "11-test" */
int ja__fr_nir_ok(const char *s, size_t len);       /* 13 + key = 97 - n mod 97 (2A/2B) */
int ja__be_nrn_ok(const char *s, size_t len);       /* 9 + 97 - n mod 97 (or 2n for 2000+) */
int ja__es_dni_ok(const char *s, size_t len);       /* DNI 8 digits / NIE X|Y|Z + 7, mod-23 letter */
int ja__it_cf_ok(const char *s, size_t len);        /* codice fiscale, 16th character */
int ja__pl_pesel_ok(const char *s, size_t len);     /* 11 digits, weights 1 3 7 9 */
int ja__br_cpf_ok(const char *s, size_t len);       /* 11 digits, two mod-11 digits */
int ja__verhoeff_ok(const char *s, size_t len);     /* Verhoeff (Aadhaar) */
int ja__cn_rid_ok(const char *s, size_t len);       /* 18 chars, ISO 7064 MOD 11-2 (X = 10) */
int ja__vin_ok(const char *s, size_t len);          /* ISO 3779 / 49 CFR 565.15 position 9 */
int ja__fi_hetu_ok(const char *s, size_t len);      /* Finnish henkilötunnus, mod-31 character */

#endif
