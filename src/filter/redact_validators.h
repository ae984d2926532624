/*
 * filter/redact_validators.h — the validators the redaction table
 * (redact_rules.c) names: each takes one candidate match m[0..mlen) and
 * answers 1 (PII) or 0 (a look-alike; the match goes on).
 */
#ifndef JA_FILTER_REDACT_VALIDATORS_H
#define JA_FILTER_REDACT_VALIDATORS_H

#include "boot.h"

int ja__valid_card(const char *m, size_t mlen);
int ja__valid_imei(const char *m, size_t mlen);
int ja__valid_ssn(const char *m, size_t mlen);
int ja__valid_phone(const char *m, size_t mlen);
int ja__valid_ipv6(const char *m, size_t mlen);
int ja__valid_mixed_case_digit(const char *m, size_t mlen);
int ja__valid_basic_credentials(const char *m, size_t mlen);
int ja__valid_bitcoin(const char *m, size_t mlen);
int ja__valid_iban(const char *m, size_t mlen);
int ja__valid_not_filler(const char *m, size_t mlen);
int ja__valid_labelled_id(const char *m, size_t mlen);
int ja__valid_serial(const char *m, size_t mlen);
int ja__valid_adid(const char *m, size_t mlen);
int ja__valid_digits11(const char *m, size_t mlen);
int ja__valid_se_pnr(const char *m, size_t mlen);
int ja__valid_ca_sin(const char *m, size_t mlen);
int ja__valid_aadhaar(const char *m, size_t mlen);
int ja__valid_cn_rid(const char *m, size_t mlen);
int ja__valid_mrz2(const char *m, size_t mlen);
int ja__valid_vin(const char *m, size_t mlen);
int ja__valid_latlon_pair(const char *m, size_t mlen);
int ja__valid_name_any(const char *m, size_t mlen);
int ja__valid_name_strict(const char *m, size_t mlen);
int ja__valid_surname_field(const char *m, size_t mlen);
/* Not one hex digit throughout (nil UUID, broadcast MAC, zero address). */
int ja__valid_varied_hex(const char *m, size_t mlen);
int ja__valid_ethereum(const char *m, size_t mlen);
int ja__valid_drive_id(const char *m, size_t mlen);
int ja__valid_account(const char *m, size_t mlen);
int ja__valid_handle(const char *m, size_t mlen);
int ja__valid_domain_user(const char *m, size_t mlen);
int ja__valid_url_userinfo(const char *m, size_t mlen);
int ja__valid_mixed(const char *m, size_t mlen);
int ja__valid_random_value(const char *m, size_t mlen);
int ja__valid_phone_digits(const char *m, size_t mlen);
int ja__valid_track_pan(const char *m, size_t mlen);
int ja__valid_iccid(const char *m, size_t mlen);
int ja__valid_ip_hostname(const char *m, size_t mlen);
int ja__valid_serial_token(const char *m, size_t mlen);
int ja__valid_plate(const char *m, size_t mlen);
int ja__valid_wif(const char *m, size_t mlen);
int ja__valid_xkey(const char *m, size_t mlen);
int ja__valid_b58_address(const char *m, size_t mlen);
int ja__valid_bech32_any(const char *m, size_t mlen);
int ja__valid_seed_phrase(const char *m, size_t mlen);          /* with the BIP-39 checksum */
int ja__valid_seed_phrase_labelled(const char *m, size_t mlen); /* without */
int ja__valid_il_id(const char *m, size_t mlen);
int ja__valid_full_name(const char *m, size_t mlen);
int ja__valid_surname_comma_given(const char *m, size_t mlen);
int ja__valid_script_name(const char *m, size_t mlen);
int ja__valid_script_word(const char *m, size_t mlen);

#endif
