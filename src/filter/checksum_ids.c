/*
 * filter/checksum_ids.c — check digits of the round-3 identifiers the
 * redaction validators use: national ids (KR, JP, CL, ZA, IL, HK, TW, SG,
 * TR, NO, DK, CH, MX, AU, NZ, RO, EE, TH, IE, KZ, PT), health ids (NHS,
 * NPI, DEA, MBI, Medicare Australia) and bank numbers (ABA, CLABE, RIB),
 * each as its registry or issuer publishes it. Same conventions as
 * checksum.c: the text as matched, separators (space . - /) skipped,
 * letters in either case, 1 when the check holds.
 */
#include "boot.h"

#include <string.h>

#include "filter/checksum.h"

#define COMPACT(d, s, len) ja__check_compact(s, len, d, sizeof d)

static unsigned
dv(char c)
{
  return (unsigned)(c - '0');
}

/* YY MM DD at d[0..6): a month 01-12 and a day 01-31. */
static int
date_yymmdd(const char *d)
{
  unsigned mm = dv(d[2]) * 10 + dv(d[3]), dd = dv(d[4]) * 10 + dv(d[5]);
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

/* DD MM YY at d[0..6). */
static int
date_ddmmyy(const char *d)
{
  unsigned dd = dv(d[0]) * 10 + dv(d[1]), mm = dv(d[2]) * 10 + dv(d[3]);
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

int
ja__kr_rrn_ok(const char *s, size_t len)
{
  /* Resident registration number: YYMMDD, then the sex/century digit
   * (1-8, 9 and 0 for the 1800s), five more, and a check digit: weights
   * 2..9, 2..5, check = (11 - sum mod 11) mod 10. */
  static const unsigned w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  char d[16];
  if (COMPACT(d, s, len) != 13 || !ja__check_all_digits(d, 13) || !date_yymmdd(d))
    return 0;
  return (11 - ja__check_weighted(d, w, 12) % 11) % 10 == dv(d[12]);
}

int
ja__jp_my_number_ok(const char *s, size_t len)
{
  /* Individual Number (My Number): 11 digits and a check digit. With
   * P(n) the n-th digit from the right of the 11 (n = 1..11) and Q(n) =
   * n + 1 for n <= 6, n - 5 for n >= 7: r = sum P(n)Q(n) mod 11, check =
   * 0 when r <= 1, else 11 - r. */
  char d[16];
  if (COMPACT(d, s, len) != 12 || !ja__check_all_digits(d, 12))
    return 0;
  unsigned sum = 0;
  for (unsigned n = 1; n <= 11; n++)
    sum += dv(d[11 - n]) * (n <= 6 ? n + 1 : n - 5);
  unsigned r = sum % 11;
  return (r <= 1 ? 0 : 11 - r) == dv(d[11]);
}

int
ja__cl_rut_ok(const char *s, size_t len)
{
  /* Rol Único Tributario / Nacional: 7-8 digits and a verifier: weights
   * 2..7 from the right, repeating; 11 - sum mod 11, 11 -> 0, 10 -> K. */
  char d[16];
  size_t n = COMPACT(d, s, len);
  if (n < 8 || n > 9 || !ja__check_all_digits(d, n - 1))
    return 0;
  unsigned sum = 0;
  for (size_t i = 0; i < n - 1; i++)
    sum += dv(d[n - 2 - i]) * (unsigned)(2 + i % 6);
  unsigned r = 11 - sum % 11;
  char want = r == 11 ? '0' : r == 10 ? 'K' : (char)('0' + r);
  return d[n - 1] == want;
}

int
ja__za_id_ok(const char *s, size_t len)
{
  /* YYMMDD SSSS C A Z: a birth date, the citizenship digit C (0-2), A
   * (8 or 9 since the racial digit went), and Z by Luhn over all 13. */
  char d[16];
  if (COMPACT(d, s, len) != 13 || !ja__check_all_digits(d, 13) || !date_yymmdd(d))
    return 0;
  return d[10] <= '2' && (d[11] == '8' || d[11] == '9') && ja__luhn_ok(d, 13);
}

int
ja__il_id_ok(const char *s, size_t len)
{
  /* Teudat Zehut: up to 9 digits (left-padded with zeros): each digit
   * times 1, 2, 1, 2 … from the left, the digits of each product
   * summed; the total is a multiple of 10. Equal to Luhn over 9 digits. */
  char d[16], p[10];
  size_t n = COMPACT(d, s, len);
  if (n < 5 || n > 9 || !ja__check_all_digits(d, n))
    return 0;
  memset(p, '0', 9);
  memcpy(p + 9 - n, d, n);
  unsigned sum = 0;
  for (size_t i = 0; i < 9; i++) {
    unsigned v = dv(p[i]) * (i % 2 ? 2 : 1);
    sum += v > 9 ? v - 9 : v;
  }
  return sum % 10 == 0 && sum > 0;
}

int
ja__hk_id_ok(const char *s, size_t len)
{
  /* HKID: one or two letters, six digits, a check character (in
   * brackets, skipped): with letters A=10 … Z=35 and a single letter's
   * missing first one counted as 36, weights 9 8 7 … 2; check = 11 -
   * sum mod 11, 10 -> A, 11 -> 0. */
  char d[16];
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < sizeof d; i++) {
    char c = s[i];
    if (c == '(' || c == ')' || c == ' ')
      continue;
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 32);
    d[n++] = c;
  }
  if (n != 8 && n != 9)
    return 0;
  size_t letters = n - 7;
  unsigned sum = 0, weight = 9;
  if (letters == 1) {
    sum += 36 * weight--;
  }
  for (size_t i = 0; i < letters; i++) {
    if (d[i] < 'A' || d[i] > 'Z')
      return 0;
    sum += (unsigned)(d[i] - 'A' + 10) * weight--;
  }
  if (!ja__check_all_digits(d + letters, 6))
    return 0;
  for (size_t i = 0; i < 6; i++)
    sum += dv(d[letters + i]) * weight--;
  unsigned r = 11 - sum % 11;
  char want = r == 10 ? 'A' : r == 11 ? '0' : (char)('0' + r);
  return d[n - 1] == want;
}

int
ja__tw_id_ok(const char *s, size_t len)
{
  /* National identification number: a letter (its two-digit code below),
   * 1 or 2 (8 or 9 for residents' new numbers), 7 digits and a check:
   * code tens + 9 × code units + 8 7 6 5 4 3 2 1 × the next eight + the
   * check is a multiple of 10. */
  static const unsigned char code[26] = {10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
                                         22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33};
  char d[16];
  if (COMPACT(d, s, len) != 10 || d[0] < 'A' || d[0] > 'Z' || !ja__check_all_digits(d + 1, 9))
    return 0;
  if (d[1] != '1' && d[1] != '2' && d[1] != '8' && d[1] != '9')
    return 0;
  unsigned c = code[d[0] - 'A'], sum = c / 10 + 9 * (c % 10);
  for (size_t i = 1; i <= 8; i++)
    sum += dv(d[i]) * (unsigned)(9 - i);
  sum += dv(d[9]);
  return sum % 10 == 0;
}

int
ja__sg_nric_ok(const char *s, size_t len)
{
  /* NRIC/FIN: S, T (citizens, 1900s/2000s), F, G (foreigners), 7 digits,
   * a check letter: weights 2 7 6 5 4 3 2, plus 4 for T and G; the
   * remainder mod 11 indexes JZIHGFEDCBA (S, T) or XWUTRQPNMLK (F, G). */
  static const unsigned w[7] = {2, 7, 6, 5, 4, 3, 2};
  char d[16];
  if (COMPACT(d, s, len) != 9 || !ja__check_all_digits(d + 1, 7))
    return 0;
  const char *table = d[0] == 'S' || d[0] == 'T' ? "JZIHGFEDCBA"
                      : d[0] == 'F' || d[0] == 'G' ? "XWUTRQPNMLK"
                                                   : NULL;
  if (!table)
    return 0;
  unsigned sum = ja__check_weighted(d + 1, w, 7) + (d[0] == 'T' || d[0] == 'G' ? 4 : 0);
  return table[sum % 11] == d[8];
}

int
ja__tr_tckn_ok(const char *s, size_t len)
{
  /* T.C. Kimlik No: 11 digits, not starting with 0; digit 10 = (7 × the
   * odd-placed of the first nine − the even-placed) mod 10, digit 11 =
   * the sum of the first ten mod 10. */
  char d[16];
  if (COMPACT(d, s, len) != 11 || !ja__check_all_digits(d, 11) || d[0] == '0')
    return 0;
  int odd = 0, even = 0, all = 0;
  for (size_t i = 0; i < 9; i++) {
    if (i % 2)
      even += (int)dv(d[i]);
    else
      odd += (int)dv(d[i]);
  }
  int d10 = ((odd * 7 - even) % 10 + 10) % 10;
  for (size_t i = 0; i < 10; i++)
    all += (int)dv(d[i]);
  return d10 == (int)dv(d[9]) && all % 10 == (int)dv(d[10]);
}

/* 11 - (sum of d[i]·w[i]) mod 11 (0 for 11; 10 stays 10: no valid digit). */
static unsigned
mod11_digit(const char *d, const unsigned *w, size_t n)
{
  unsigned r = 11 - ja__check_weighted(d, w, n) % 11;
  return r == 11 ? 0 : r;
}

int
ja__no_fnr_ok(const char *s, size_t len)
{
  /* Fødselsnummer: DDMMYY, three digits, two check digits by mod 11
   * with weights 3 7 6 1 8 9 4 5 2, then 5 4 3 2 7 6 5 4 3 2. */
  static const unsigned w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2}, w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  char d[16];
  if (COMPACT(d, s, len) != 11 || !ja__check_all_digits(d, 11))
    return 0;
  return mod11_digit(d, w1, 9) == dv(d[9]) && mod11_digit(d, w2, 10) == dv(d[10]);
}

int
ja__dk_cpr_ok(const char *s, size_t len)
{
  /* CPR: DDMMYY and four digits; weights 4 3 2 7 6 5 4 3 2 1 make a
   * multiple of 11 (numbers issued before 2007 all do). */
  static const unsigned w[10] = {4, 3, 2, 7, 6, 5, 4, 3, 2, 1};
  char d[16];
  if (COMPACT(d, s, len) != 10 || !ja__check_all_digits(d, 10) || !date_ddmmyy(d))
    return 0;
  return ja__check_weighted(d, w, 10) % 11 == 0;
}

int
ja__ch_ahv_ok(const char *s, size_t len)
{
  /* AHV/AVS number: 756 (the country), 9 digits, an EAN-13 check digit:
   * weights 1 3 1 3 … over the first twelve, check = (10 - sum mod 10)
   * mod 10. */
  char d[16];
  if (COMPACT(d, s, len) != 13 || !ja__check_all_digits(d, 13) || memcmp(d, "756", 3) != 0)
    return 0;
  unsigned sum = 0;
  for (size_t i = 0; i < 12; i++)
    sum += dv(d[i]) * (i % 2 ? 3 : 1);
  return (10 - sum % 10) % 10 == dv(d[12]);
}

int
ja__mx_curp_ok(const char *s, size_t len)
{
  /* CURP: 4 letters, YYMMDD, H/M (or X), 2 letters of the state, 3
   * consonants, a character that tells the century, and a check digit:
   * characters valued 0-9, A-N = 10-23, (Ñ = 24), O-Z = 25-36, weights 18
   * … 2; check = (10 - sum mod 10) mod 10. */
  char d[24];
  if (COMPACT(d, s, len) != 18 || !ja__check_all_digits(d + 4, 6) || !date_yymmdd(d + 4))
    return 0;
  if (d[10] != 'H' && d[10] != 'M' && d[10] != 'X')
    return 0;
  unsigned sum = 0;
  for (size_t i = 0; i < 17; i++) {
    char c = d[i];
    unsigned v = c <= '9' ? dv(c) : c <= 'N' ? (unsigned)(c - 'A' + 10) : (unsigned)(c - 'A' + 11);
    sum += v * (unsigned)(18 - i);
  }
  return (10 - sum % 10) % 10 == dv(d[17]);
}

int
ja__au_tfn_ok(const char *s, size_t len)
{
  /* Tax File Number: 9 digits weighted 1 4 3 7 5 8 6 9 10 (8-digit ones:
   * 10 7 8 4 6 3 5 1), a multiple of 11. */
  static const unsigned w9[9] = {1, 4, 3, 7, 5, 8, 6, 9, 10}, w8[8] = {10, 7, 8, 4, 6, 3, 5, 1};
  char d[16];
  size_t n = COMPACT(d, s, len);
  if ((n != 8 && n != 9) || !ja__check_all_digits(d, n))
    return 0;
  unsigned sum = ja__check_weighted(d, n == 9 ? w9 : w8, n);
  return sum > 0 && sum % 11 == 0;
}

int
ja__nz_ird_ok(const char *s, size_t len)
{
  /* IRD number: 8 or 9 digits (8 padded to 9), between 10 000 000 and
   * 150 000 000; the first eight weighted 3 2 7 6 5 4 3 2, check = 0
   * when the remainder mod 11 is 0, else 11 - it; 10 means: weights 7 4
   * 3 2 5 2 7 6 and again (10 again: invalid). */
  static const unsigned w1[8] = {3, 2, 7, 6, 5, 4, 3, 2}, w2[8] = {7, 4, 3, 2, 5, 2, 7, 6};
  char d[16], p[10];
  size_t n = COMPACT(d, s, len);
  if ((n != 8 && n != 9) || !ja__check_all_digits(d, n))
    return 0;
  memset(p, '0', 9);
  memcpy(p + 9 - n, d, n);
  unsigned long v = 0;
  for (size_t i = 0; i < 9; i++)
    v = v * 10 + dv(p[i]);
  if (v <= 10000000 || v >= 150000000)
    return 0;
  unsigned r = ja__check_weighted(p, w1, 8) % 11, c = r ? 11 - r : 0;
  if (c == 10) {
    r = ja__check_weighted(p, w2, 8) % 11;
    c = r ? 11 - r : 0;
  }
  return c != 10 && c == dv(p[8]);
}

int
ja__ro_cnp_ok(const char *s, size_t len)
{
  /* Cod Numeric Personal: S (1-9), YYMMDD, the county (2), a number (3),
   * a check: weights 2 7 9 1 4 6 3 5 8 2 7 9; remainder mod 11, 10 -> 1. */
  static const unsigned w[12] = {2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9};
  char d[16];
  if (COMPACT(d, s, len) != 13 || !ja__check_all_digits(d, 13) || d[0] == '0' ||
      !date_yymmdd(d + 1))
    return 0;
  unsigned r = ja__check_weighted(d, w, 12) % 11;
  return (r == 10 ? 1 : r) == dv(d[12]);
}

/* Two-pass mod 11 of the Estonian isikukood (also Lithuania's asmens
 * kodas) and Kazakhstan's IIN: weights w1; a remainder of 10 means
 * weights w2; 10 again: @p ten_again. */
static unsigned
two_pass_mod11(const char *d, const unsigned *w1, const unsigned *w2, size_t n, unsigned ten_again)
{
  unsigned r = ja__check_weighted(d, w1, n) % 11;
  if (r == 10)
    r = ja__check_weighted(d, w2, n) % 11;
  return r == 10 ? ten_again : r;
}

int
ja__ee_ik_ok(const char *s, size_t len)
{
  /* Isikukood: G (1-8: sex and century), YYMMDD, three digits, check. */
  static const unsigned w1[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1}, w2[10] = {3, 4, 5, 6, 7, 8, 9, 1, 2, 3};
  char d[16];
  if (COMPACT(d, s, len) != 11 || !ja__check_all_digits(d, 11) || d[0] < '1' || d[0] > '8' ||
      !date_yymmdd(d + 1))
    return 0;
  return two_pass_mod11(d, w1, w2, 10, 0) == dv(d[10]);
}

int
ja__th_id_ok(const char *s, size_t len)
{
  /* Thai citizen id: 13 digits; the first twelve weighted 13 … 2, check
   * = (11 - sum mod 11) mod 10. */
  char d[16];
  if (COMPACT(d, s, len) != 13 || !ja__check_all_digits(d, 13) || d[0] == '0')
    return 0;
  unsigned sum = 0;
  for (size_t i = 0; i < 12; i++)
    sum += dv(d[i]) * (unsigned)(13 - i);
  return (11 - sum % 11) % 10 == dv(d[12]);
}

int
ja__ie_pps_ok(const char *s, size_t len)
{
  /* PPS number: 7 digits, a check letter and maybe a second letter:
   * weights 8 … 2 on the digits, plus, in the 2013 format (second letter
   * A or H), 9 × that letter's place in the alphabet (earlier W, T, X
   * count nothing); the check letter is WABCDEFGHIJKLMNOPQRSTUV[sum mod
   * 23]. */
  static const unsigned w[7] = {8, 7, 6, 5, 4, 3, 2};
  char d[16];
  size_t n = COMPACT(d, s, len);
  if ((n != 8 && n != 9) || !ja__check_all_digits(d, 7) || d[7] < 'A' || d[7] > 'W')
    return 0;
  unsigned sum = ja__check_weighted(d, w, 7);
  if (n == 9 && (d[8] == 'A' || d[8] == 'H'))
    sum += 9 * (unsigned)(d[8] - 'A' + 1);
  else if (n == 9 && !strchr("WTX", d[8]))
    return 0;
  return "WABCDEFGHIJKLMNOPQRSTUV"[sum % 23] == d[7];
}

int
ja__kz_iin_ok(const char *s, size_t len)
{
  /* IIN: YYMMDD, the century/sex digit, four digits, a check: weights 1
   * … 11, then 3 … 11 1 2 (10 again: invalid). */
  static const unsigned w1[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  static const unsigned w2[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  char d[16];
  if (COMPACT(d, s, len) != 12 || !ja__check_all_digits(d, 12) || !date_yymmdd(d))
    return 0;
  return two_pass_mod11(d, w1, w2, 11, 99) == dv(d[11]);
}

int
ja__pt_nif_ok(const char *s, size_t len)
{
  /* Número de Identificação Fiscal: 9 digits, weights 9 … 2 on the first
   * eight, check = 11 - sum mod 11, 10 and 11 -> 0. */
  static const unsigned w[8] = {9, 8, 7, 6, 5, 4, 3, 2};
  char d[16];
  if (COMPACT(d, s, len) != 9 || !ja__check_all_digits(d, 9) || d[0] == '0')
    return 0;
  unsigned c = 11 - ja__check_weighted(d, w, 8) % 11;
  return (c >= 10 ? 0 : c) == dv(d[8]);
}

int
ja__nhs_ok(const char *s, size_t len)
{
  /* NHS number (and Scotland's CHI): 9 digits weighted 10 … 2, check =
   * 11 - sum mod 11, 11 -> 0, 10: not a valid number. */
  static const unsigned w[9] = {10, 9, 8, 7, 6, 5, 4, 3, 2};
  char d[16];
  if (COMPACT(d, s, len) != 10 || !ja__check_all_digits(d, 10))
    return 0;
  unsigned c = mod11_digit(d, w, 9);
  return c != 10 && c == dv(d[9]);
}

int
ja__npi_ok(const char *s, size_t len)
{
  /* National Provider Identifier: 10 digits starting 1 or 2, Luhn over
   * the card-issuer prefix 80840 and the number. */
  char d[16], full[16] = "80840";
  if (COMPACT(d, s, len) != 10 || !ja__check_all_digits(d, 10) || (d[0] != '1' && d[0] != '2'))
    return 0;
  memcpy(full + 5, d, 10);
  return ja__luhn_ok(full, 15);
}

int
ja__dea_ok(const char *s, size_t len)
{
  /* DEA registration number: a registrant-type letter, the registrant's
   * initial (or 9), six digits and a check: (d1 + d3 + d5) + 2 × (d2 +
   * d4 + d6) ends in the check digit. */
  char d[16];
  if (COMPACT(d, s, len) != 9 || !strchr("ABCDEFGHJKLMPRSTUX", d[0]) || d[0] == 0 ||
      !((d[1] >= 'A' && d[1] <= 'Z') || d[1] == '9') || !ja__check_all_digits(d + 2, 7))
    return 0;
  unsigned sum = dv(d[2]) + dv(d[4]) + dv(d[6]) + 2 * (dv(d[3]) + dv(d[5]) + dv(d[7]));
  return sum % 10 == dv(d[8]);
}

int
ja__mbi_ok(const char *s, size_t len)
{
  /* Medicare Beneficiary Identifier: 11 characters, C A AN N A AN N A A N
   * N (C: 1-9; A: letters but S L O I B Z; AN: either). No check digit:
   * the positions are the format. */
  static const char kind[] = "CAXNAXNAANN";
  char d[16];
  if (COMPACT(d, s, len) != 11)
    return 0;
  for (size_t i = 0; i < 11; i++) {
    char c = d[i];
    int digit = c >= '0' && c <= '9', letter = c >= 'A' && c <= 'Z' && !strchr("SLOIBZ", c);
    switch (kind[i]) {
    case 'C': if (!digit || c == '0') return 0; break;
    case 'N': if (!digit) return 0; break;
    case 'A': if (!letter) return 0; break;
    default: if (!digit && !letter) return 0; break;
    }
  }
  return 1;
}

int
ja__au_medicare_ok(const char *s, size_t len)
{
  /* Medicare card number: 8 digits (the first 2-6), a check digit =
   * weights 1 3 7 9 1 3 7 9 mod 10, the issue number, and optionally the
   * person's reference number. */
  static const unsigned w[8] = {1, 3, 7, 9, 1, 3, 7, 9};
  char d[16];
  size_t n = COMPACT(d, s, len);
  if ((n != 10 && n != 11) || !ja__check_all_digits(d, n) || d[0] < '2' || d[0] > '6')
    return 0;
  return ja__check_weighted(d, w, 8) % 10 == dv(d[8]);
}

int
ja__aba_ok(const char *s, size_t len)
{
  /* ABA routing transit number: 9 digits, 3 7 1 weights, a multiple of
   * 10; the first two 00-12, 21-32, 61-72 or 80 (Federal Reserve
   * districts, thrifts, electronic). */
  static const unsigned w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
  char d[16];
  if (COMPACT(d, s, len) != 9 || !ja__check_all_digits(d, 9))
    return 0;
  unsigned p = dv(d[0]) * 10 + dv(d[1]);
  if (!(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80))
    return 0;
  unsigned sum = ja__check_weighted(d, w, 9);
  return sum > 0 && sum % 10 == 0;
}

int
ja__clabe_ok(const char *s, size_t len)
{
  /* CLABE: bank (3), branch (3), account (11), control digit: each of the
   * 17 digits times 3 7 1 …, each product mod 10, summed; control = (10 -
   * sum mod 10) mod 10. */
  char d[24];
  if (COMPACT(d, s, len) != 18 || !ja__check_all_digits(d, 18))
    return 0;
  static const unsigned w[3] = {3, 7, 1};
  unsigned sum = 0;
  for (size_t i = 0; i < 17; i++)
    sum += dv(d[i]) * w[i % 3] % 10;
  return (10 - sum % 10) % 10 == dv(d[17]);
}

int
ja__fr_rib_ok(const char *s, size_t len)
{
  /* Relevé d'identité bancaire: bank (5 digits), branch (5), account (11
   * digits or letters: A/J = 1, B/K/S = 2 … I/R/Z = 9), key (2) = 97 -
   * (89 × bank + 15 × branch + 3 × account) mod 97. */
  char d[32];
  if (COMPACT(d, s, len) != 23 || !ja__check_all_digits(d, 10) || !ja__check_all_digits(d + 21, 2))
    return 0;
  static const char letters[] = "123456789123456789234567890";
  unsigned long long acc = 0;
  for (size_t i = 10; i < 21; i++) {
    char c = d[i];
    unsigned v = c <= '9' ? dv(c) : (unsigned)(letters[c - 'A'] - '0');
    acc = acc * 10 + v;
  }
  unsigned bank = ja__check_mod(d, 5, 97), branch = ja__check_mod(d + 5, 5, 97);
  unsigned r = (unsigned)((89ULL * bank + 15ULL * branch + 3ULL * (acc % 97)) % 97);
  return 97 - r == dv(d[21]) * 10 + dv(d[22]);
}
