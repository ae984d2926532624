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
int ja__bech32_ok(const char *s, size_t len);       /* bech32 / bech32m (bc1…), up to 90 */
int ja__bech32_long_ok(const char *s, size_t len);  /* the same up to 160 (Cardano addr1…) */
/* The registry length of the IBAN whose country code starts @p s (either
 * case), or -1 when the country has no IBAN. */
int ja__iban_length(const char *s, size_t len);

/* National identity and tax numbers, vehicles. Separators
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

/* Helpers the check-digit files share (checksum.c). */
/* The characters of s[0..len) other than separators (space . - /),
 * upper-cased, into out (cap bytes, NUL-terminated); their number, or 0
 * when there are more than cap-1 or one is not a letter or digit. */
size_t ja__check_compact(const char *s, size_t len, char *out, size_t cap);
int ja__check_all_digits(const char *d, size_t n);                  /* n > 0 digits */
unsigned ja__check_weighted(const char *d, const unsigned *w, size_t n); /* sum of d[i]·w[i] */
unsigned ja__check_mod(const char *d, size_t n, unsigned m);          /* the digits as a number mod m */

/* Round 3: more national ids (checksum_ids.c). Same conventions. */
int ja__kr_rrn_ok(const char *s, size_t len);     /* 13 digits, YYMMDD G…, weights 2-9,2-5, mod 11 */
int ja__jp_my_number_ok(const char *s, size_t len); /* 12 digits, mod-11 check digit */
int ja__cl_rut_ok(const char *s, size_t len);     /* body + DV (0-9, K), mod 11 weights 2-7 */
int ja__za_id_ok(const char *s, size_t len);      /* 13 digits, a birth date, Luhn */
int ja__il_id_ok(const char *s, size_t len);      /* up to 9 digits, Luhn-like (weights 1 2) */
int ja__hk_id_ok(const char *s, size_t len);      /* 1-2 letters, 6 digits, check 0-9/A */
int ja__tw_id_ok(const char *s, size_t len);      /* letter, 1/2/8/9, 8 digits; mod 10 */
int ja__sg_nric_ok(const char *s, size_t len);    /* S/T/F/G + 7 digits + check letter */
int ja__tr_tckn_ok(const char *s, size_t len);    /* 11 digits, two check digits */
int ja__no_fnr_ok(const char *s, size_t len);     /* 11 digits, two mod-11 check digits */
int ja__dk_cpr_ok(const char *s, size_t len);     /* 10 digits, a birth date, mod 11 */
int ja__ch_ahv_ok(const char *s, size_t len);     /* 13 digits from 756, EAN-13 check */
int ja__mx_curp_ok(const char *s, size_t len);    /* 18 characters, check digit */
int ja__au_tfn_ok(const char *s, size_t len);     /* 8 or 9 digits, weighted mod 11 */
int ja__nz_ird_ok(const char *s, size_t len);     /* 8 or 9 digits, mod 11 (two weight sets) */
int ja__ro_cnp_ok(const char *s, size_t len);     /* 13 digits, a birth date, weights 279146358279 */
int ja__ee_ik_ok(const char *s, size_t len);      /* 11 digits, two-pass mod 11 (also LT) */
int ja__th_id_ok(const char *s, size_t len);      /* 13 digits, mod 11 */
int ja__ie_pps_ok(const char *s, size_t len);     /* 7 digits + check letter (+ a letter) */
int ja__kz_iin_ok(const char *s, size_t len);     /* 12 digits, two-pass mod 11 */
int ja__pt_nif_ok(const char *s, size_t len);     /* 9 digits, mod 11 */
int ja__nhs_ok(const char *s, size_t len);        /* 10 digits, mod 11 (UK NHS, Scottish CHI) */
int ja__npi_ok(const char *s, size_t len);        /* 10 digits, Luhn over 80840 + NPI */
int ja__dea_ok(const char *s, size_t len);        /* 2 letters + 7 digits, DEA check */
int ja__mbi_ok(const char *s, size_t len);        /* 11 characters in CMS's positions */
int ja__au_medicare_ok(const char *s, size_t len); /* 10-11 digits, weights 1 3 7 9 */
int ja__aba_ok(const char *s, size_t len);        /* 9 digits, 3 7 1 */
int ja__clabe_ok(const char *s, size_t len);      /* 18 digits, 3 7 1 mod 10 */
int ja__fr_rib_ok(const char *s, size_t len);     /* bank 5, branch 5, account 11, key 2 */

/* Round 3: cryptocurrency addresses and keys (checksum_crypto.c). */
int ja__b58check_len(const char *s, size_t len); /* payload bytes of a valid Base58Check string, else 0 */
/* The first payload byte of a valid Base58Check string (its version), or
 * -1; *payload receives the payload's length (0 when invalid). */
int ja__b58check_version(const char *s, size_t len, size_t *payload);
int ja__xrp_address_ok(const char *s, size_t len);       /* Base58Check, Ripple's alphabet */
int ja__cashaddr_ok(const char *s, size_t len);          /* [prefix:]payload, BCH code */
int ja__monero_address_ok(const char *s, size_t len);    /* 95/106 chars, Keccak-256 check */
int ja__stellar_key_ok(const char *s, size_t len);       /* StrKey, CRC16-XMODEM */
int ja__algorand_address_ok(const char *s, size_t len);  /* base32, SHA-512/256 check */
int ja__ss58_address_ok(const char *s, size_t len);      /* base58, BLAKE2b "SS58PRE" check */
void ja__keccak256(const unsigned char *in, size_t len, unsigned char out[32]);
/* EIP-55: 40 hex digits (no "0x") in mixed case spell a checksum in the
 * case of their letters (upper where the nibble of Keccak-256 over the
 * lower-case digits is 8 or more); 1 when it holds or when the digits are
 * all one case (no checksum written), 0 when a mixed case is wrong. */
int ja__eip55_ok(const char *s, size_t len);
/* BIP-39: whether n word indexes (12, 15 … 24) carry their checksum. */
int ja__bip39_checksum_ok(const unsigned short *idx, size_t n);

#endif
