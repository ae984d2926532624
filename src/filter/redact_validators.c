/*
 * filter/redact_validators.c — the validators of the redaction table
 * (redact_rules.c): each looks at one candidate match and says whether it
 * is really PII (1) or a look-alike (0) — check digits, issuer prefixes,
 * date fields, the given-name lexicon. The engine (redact.c) calls them
 * from inside the match, so a look-alike makes PCRE2 try on.
 */
#include "boot.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "filter/checksum.h"
#include "filter/names.h"
#include "filter/redact_validators.h"

static int
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* The digits of m[0..mlen) as a string (at most cap-1 of them); returns the
 * number of digits, which may exceed what was copied. */
static size_t
digits_of(const char *m, size_t mlen, char *out, size_t cap)
{
  size_t n = 0;
  for (size_t i = 0; i < mlen; i++)
    if (is_digit(m[i])) {
      if (n + 1 < cap)
        out[n] = m[i];
      n++;
    }
  out[n + 1 < cap ? n : cap - 1] = 0;
  return n;
}

/* Separators between digit groups are all the same character (or absent):
 * "4111 1111 1111 1111" yes, "4111-1111 1111-1111" no. */
static int
one_separator(const char *m, size_t mlen)
{
  char sep = 0;
  for (size_t i = 0; i < mlen; i++)
    if (!is_digit(m[i])) {
      if (sep && m[i] != sep)
        return 0;
      sep = m[i];
    }
  return 1;
}

/* Payment card: 13–19 digits, Luhn, a real issuer prefix (so epoch
 * timestamps, which start with 1, never qualify), one kind of separator.
 * A bare 15-digit number outside American Express' 34/37 is left to the
 * imei row, which runs first. */
int
ja__valid_card(const char *m, size_t mlen)
{
  char d[24];
  size_t n = digits_of(m, mlen, d, sizeof d);
  if (n < 13 || n > 19 || !one_separator(m, mlen) || !ja__luhn_ok(m, mlen))
    return 0;
  if (memchr(m, '.', mlen) || memchr(m, '/', mlen)) {
    /* Dots and slashes also join version and date parts, so with them the
     * digits must be grouped as cards print them: fours (the last group 1-4),
     * or 4-6-5 / 4-6-4 (American Express, Diners). */
    size_t g[8], ng = 0, run = 0;
    for (size_t i = 0; i <= mlen; i++) {
      if (i < mlen && is_digit(m[i])) {
        run++;
        continue;
      }
      if (ng == 8)
        return 0;
      g[ng++] = run;
      run = 0;
    }
    int fours = 1;
    for (size_t k = 0; k + 1 < ng; k++)
      fours &= g[k] == 4;
    fours &= g[ng - 1] >= 1 && g[ng - 1] <= 4;
    int amex = ng == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4);
    if (!fours && !amex)
      return 0;
  }
  int p2 = (d[0] - '0') * 10 + (d[1] - '0');
  int p4 = p2 * 100 + (d[2] - '0') * 10 + (d[3] - '0');
  return d[0] == '4'                                   /* Visa */
         || (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720) /* Mastercard */
         || p2 == 34 || p2 == 37                       /* American Express */
         || p2 == 35                                   /* JCB */
         || (p2 == 30 && p4 / 10 <= 305) || p2 == 36 || p2 == 38 /* Diners */
         || p2 == 50 || (p2 >= 56 && p2 <= 69)          /* Maestro, Discover, UnionPay */
         || (p4 >= 2200 && p4 <= 2204);                 /* Mir */
}

/* IMEI: 15 digits passing Luhn, not an American Express number when bare;
 * after the word IMEI/IMEISV any 14–16 digits count (fail closed). */
int
ja__valid_imei(const char *m, size_t mlen)
{
  char d[24];
  size_t n = digits_of(m, mlen, d, sizeof d);
  int labelled = 0;
  for (size_t i = 0; i < mlen; i++)
    labelled |= (m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= 'a' && m[i] <= 'z');
  if (labelled)
    return n >= 14 && n <= 16;
  if (n != 15 || !ja__luhn_ok(m, mlen))
    return 0;
  int grouped = n != mlen;
  return grouped || !(d[0] == '3' && (d[1] == '4' || d[1] == '7'));
}

/* US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000 — unless
 * a label ("SSN", "social security") says what the nine digits are. */
int
ja__valid_ssn(const char *m, size_t mlen)
{
  char d[16];
  if (digits_of(m, mlen, d, sizeof d) != 9)
    return 0;
  for (size_t i = 0; i < mlen; i++)
    if ((m[i] | 0x20) >= 'a' && (m[i] | 0x20) <= 'z')
      return 1; /* "SSN: …", "social security no. …": any nine digits (fail closed) */
  if (memcmp(d, "000", 3) == 0 || memcmp(d, "666", 3) == 0 || d[0] == '9')
    return 0;
  return memcmp(d + 3, "00", 2) != 0 && memcmp(d + 5, "0000", 4) != 0;
}

/* Phone: E.164 allows at most 15 digits; "+" and "00" forms need 8 (a
 * country code and a subscriber number), national forms with a trunk 0 need 9 (so that
 * dates such as 01.02.2024 stay), NANP forms have exactly 10. */
int
ja__valid_phone(const char *m, size_t mlen)
{
  char d[24];
  size_t n = digits_of(m, mlen, d, sizeof d);
  size_t i = 0;
  while (i < mlen && !is_digit(m[i]) && m[i] != '+' && m[i] != '(')
    i++; /* skip a "tel:" prefix */
  if (i < mlen && m[i] == '+')
    return n >= 8 && n <= 15;
  if (n > 2 && d[0] == '0' && d[1] == '0') /* "00" international prefix */
    return n - 2 >= 8 && n - 2 <= 15;
  if (d[0] == '0')
    return n >= 9 && n <= 12;
  /* NANP with its country code and no '+' ("1-555-123-4567", "1 800 555
   * 0199"): eleven digits, a 1 first, an area code that cannot start with
   * 0 or 1. */
  if (n == 11 && d[0] == '1')
    return d[1] >= '2';
  return n == 10;
}

/* Compressed IPv6 needs a digit, so "dead::beef" or "a::b" (code, prose)
 * pass while "::1" drops; full eight-group forms are unambiguous. */
int
ja__valid_ipv6(const char *m, size_t mlen)
{
  int compressed = 0;
  for (size_t i = 0; i < mlen; i++) {
    if (is_digit(m[i]))
      return 1;
    if (m[i] == ':' && i + 1 < mlen && m[i + 1] == ':')
      compressed = 1;
  }
  return !compressed;
}

/* AWS secret access key look-alikes: 40 characters of base64 holding an
 * upper-case letter, a lower-case letter and a digit (git SHAs are
 * lower-case hex, upper-case hex has no lower case). */
int
ja__valid_mixed_case_digit(const char *m, size_t mlen)
{
  int up = 0, lo = 0, dig = 0;
  for (size_t i = 0; i < mlen; i++) {
    up |= m[i] >= 'A' && m[i] <= 'Z';
    lo |= m[i] >= 'a' && m[i] <= 'z';
    dig |= is_digit(m[i]);
  }
  return up && lo && dig;
}

/* "Basic <base64>": the credentials decode to text holding "user:pass". */
int
ja__valid_basic_credentials(const char *m, size_t mlen)
{
  size_t i = mlen;
  while (i > 0 && m[i - 1] == '=')
    i--; /* padding ("…Mg==") */
  while (i > 0 && m[i - 1] != ' ' && m[i - 1] != '\t' && m[i - 1] != ':' && m[i - 1] != '=')
    i--; /* start of the base64 word */
  unsigned acc = 0;
  int bits = 0;
  for (; i < mlen && m[i] != '='; i++) {
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(alphabet, m[i]);
    if (!p || !m[i])
      return 0;
    acc = (acc << 6) | (unsigned)(p - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (((acc >> bits) & 0xFF) == ':')
        return 1;
    }
  }
  return 0;
}

/* Legacy (1…/3…) addresses carry a Base58Check checksum, bc1… ones a
 * bech32 checksum: random look-alikes fail either. */
int
ja__valid_bitcoin(const char *m, size_t mlen)
{
  if (mlen > 3 && (m[2] == '1') && ((m[0] | 0x20) == 'b' || (m[0] | 0x20) == 't'))
    return ja__bech32_ok(m, mlen);
  return ja__base58check_ok(m, mlen);
}

/* IBAN written with spaces, dots or dashes (one kind throughout) or none:
 * the registry length of its country when it is known, and mod 97. Dots
 * and dashes, which also join other codes, need a known country. */
int
ja__valid_iban(const char *m, size_t mlen)
{
  char c[40] = {0};
  size_t n = 0;
  char sep = 0;
  for (size_t i = 0; i < mlen; i++) {
    if (m[i] == ' ' || m[i] == '.' || m[i] == '-') {
      if (sep && m[i] != sep)
        return 0;
      sep = m[i];
      continue;
    }
    if (n == sizeof c)
      return 0;
    c[n++] = m[i];
  }
  int known = ja__iban_length(c, n);
  if (known < 0 && sep && sep != ' ')
    return 0;
  if (known > 0 && (size_t)known != n)
    return 0;
  return ja__iban_ok(c, n);
}

/* A vendor credential made of filler ("sk-proj-XXXXXXXXXXXXXXXXXXXXXXXX",
 * "ghp_xxxx…", "AKIA0000000000000000") is a placeholder: one character
 * fills more than half of it. */
int
ja__valid_not_filler(const char *m, size_t mlen)
{
  unsigned count[256] = {0}, top = 0;
  for (size_t i = 0; i < mlen; i++) {
    unsigned char ch = (unsigned char)m[i];
    if (ch >= 'A' && ch <= 'Z')
      ch = (unsigned char)(ch + 32);
    if (++count[ch] > top)
      top = count[ch];
  }
  return 2 * top <= mlen;
}

/* ------------------------------------------ validators of identity and device kinds */

static int
is_upper_ascii(char c)
{
  return c >= 'A' && c <= 'Z';
}

/* Digits in m[0..mlen). */
static size_t
count_digits(const char *m, size_t mlen)
{
  size_t n = 0;
  for (size_t i = 0; i < mlen; i++)
    n += is_digit(m[i]);
  return n;
}

/* A labelled identifier ("BSN: …", "passport no. …", "DL# …"): the value
 * after the label holds at least 4 digits, and is not all zeros (a cleared
 * field). The label is letters, so digits are the value's. */
int
ja__valid_labelled_id(const char *m, size_t mlen)
{
  size_t d = count_digits(m, mlen), zeros = 0;
  for (size_t i = 0; i < mlen; i++)
    zeros += m[i] == '0';
  return d >= 4 && zeros < d;
}

/* Device serials and hardware ids after their label: the last word (the
 * value) holds a digit, is 6+ characters and not all zeros or 0123456789. */
int
ja__valid_serial(const char *m, size_t mlen)
{
  size_t i = mlen;
  while (i > 0 && (isalnum((unsigned char)m[i - 1]) || m[i - 1] == '-'))
    i--;
  const char *v = m + i;
  size_t n = mlen - i, digits = 0, zeros = 0;
  for (size_t k = 0; k < n; k++) {
    digits += is_digit(v[k]);
    zeros += v[k] == '0' || v[k] == '-';
  }
  if (n < 6 || digits == 0 || zeros == n)
    return 0;
  return !(n == 10 && memcmp(v, "0123456789", 10) == 0);
}

/* Advertising ids: not the all-zero id that a device reports when ad
 * tracking is limited. */
int
ja__valid_adid(const char *m, size_t mlen)
{
  size_t i = mlen, hex = 0, zeros = 0;
  while (i > 0 && (isxdigit((unsigned char)m[i - 1]) || m[i - 1] == '-')) {
    i--;
    if (m[i] != '-') {
      hex++;
      zeros += m[i] == '0';
    }
  }
  return hex >= 16 && zeros < hex;
}

/* Bare 11-digit identity and tax numbers: the German Steuer-ID (MOD 11,10
 * and its digit rule), the Belgian national number (a birth date YYMMDD,
 * month 0-12 or +20/+40 for bis numbers, then mod 97) or the Polish PESEL
 * (a birth date, then its check digit). */
int
ja__valid_digits11(const char *m, size_t mlen)
{
  char d[16];
  if (digits_of(m, mlen, d, sizeof d) != 11)
    return 0;
  if (ja__de_steuer_id_ok(m, mlen))
    return 1;
  int mm = (d[2] - '0') * 10 + (d[3] - '0'), dd = (d[4] - '0') * 10 + (d[5] - '0');
  if (mm % 20 <= 12 && mm < 60 && dd <= 31 && ja__be_nrn_ok(m, mlen))
    return 1;
  /* PESEL: YYMMDD with the century in the month (+80 1800s, +20 2000s,
   * +40 2100s, +60 2200s), then weights 1 3 7 9. */
  return mm % 20 >= 1 && mm % 20 <= 12 && dd >= 1 && dd <= 31 && ja__pl_pesel_ok(m, mlen);
}

/* Swedish personnummer YYMMDD-NNNC or YYYYMMDD-NNNC: Luhn over the ten
 * digits that follow the century. */
int
ja__valid_se_pnr(const char *m, size_t mlen)
{
  char d[16];
  size_t n = digits_of(m, mlen, d, sizeof d);
  if (n != 10 && n != 12)
    return 0;
  return ja__luhn_ok(d + (n - 10), 10);
}

/* Canadian SIN: 9 digits, Luhn. */
int
ja__valid_ca_sin(const char *m, size_t mlen)
{
  return count_digits(m, mlen) == 9 && ja__luhn_ok(m, mlen);
}

/* Indian Aadhaar: 12 digits, Verhoeff. */
int
ja__valid_aadhaar(const char *m, size_t mlen)
{
  return count_digits(m, mlen) == 12 && ja__verhoeff_ok(m, mlen);
}

/* A Chinese resident id (spaces skipped) with its check. */
int
ja__valid_cn_rid(const char *m, size_t mlen)
{
  return ja__cn_rid_ok(m, mlen);
}

/* ICAO 9303 check digit (weights 7 3 1, '<' = 0, A = 10 …) over s[0..n)
 * against c. */
static int
mrz_digit_ok(const char *s, size_t n, char c)
{
  static const unsigned w[3] = {7, 3, 1};
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned v = is_digit(s[i]) ? (unsigned)(s[i] - '0')
                 : is_upper_ascii(s[i]) ? (unsigned)(s[i] - 'A' + 10) : 0;
    sum += w[i % 3] * v;
  }
  return is_digit(c) && sum % 10 == (unsigned)(c - '0');
}

/* Passport MRZ line 2 (TD3, 44 characters): document number, birth date
 * and expiry each with its check digit. */
int
ja__valid_mrz2(const char *m, size_t mlen)
{
  return mlen >= 28 && mrz_digit_ok(m, 9, m[9]) && mrz_digit_ok(m + 13, 6, m[19]) &&
         mrz_digit_ok(m + 21, 6, m[27]);
}

/* A VIN without its label: the ISO 3779 check digit (position 9) holds and
 * it mixes letters and digits (17 digits alone are a nanosecond-ish
 * number, not a vehicle). With "VIN" before it: vehicles made for North
 * America (WMI 1-5) need the check digit; elsewhere it is optional, so any
 * VIN-shaped value counts (fail closed). */
int
ja__valid_vin(const char *m, size_t mlen)
{
  if (mlen < 17)
    return 0;
  const char *v = m + mlen - 17;
  size_t letters = 0;
  for (size_t i = 0; i < 17; i++)
    letters += !is_digit(v[i]);
  if (mlen > 17) /* labelled */
    return ja__vin_ok(v, 17) || !(v[0] >= '1' && v[0] <= '5');
  return letters >= 2 && letters <= 14 && ja__vin_ok(v, 17);
}

/* A bare latitude, longitude pair: not both integer parts 0 (scores and
 * probabilities such as "0.1234, 0.5678"). */
int
ja__valid_latlon_pair(const char *m, size_t mlen)
{
  int nonzero = 0, in_int = 1;
  for (size_t i = 0; i < mlen; i++) {
    if (m[i] == '.')
      in_int = 0;
    else if (!is_digit(m[i]))
      in_int = 1;
    else if (in_int && m[i] != '0')
      nonzero = 1;
  }
  return nonzero;
}

/* ---- person names: the match ends with the name; NAME_ANY rows have a
 * cue strong enough for any given name (also "Will", "Grace"), NAME_STRICT
 * rows want a plain given name, a given name and a capitalised surname, or
 * an honorific and a surname. */

static int
word_char(unsigned char c)
{
  return isalpha(c) || c >= 0x80 || c == '\'' || c == '-';
}

/* The last word of m[0..end): its start in *ws; the length, 0 if none. */
static size_t
last_word(const char *m, size_t end, size_t *ws)
{
  size_t i = end;
  while (i > 0 && word_char((unsigned char)m[i - 1]))
    i--;
  *ws = i;
  return end - i;
}

static int
honorific(const char *w, size_t n)
{
  static const char *const h[] = {"Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Herr", "Frau",
                                  "Mme", "Mlle", "Sr", "Sra", "Sig", "Dott"};
  for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
    if (strlen(h[i]) == n && memcmp(h[i], w, n) == 0)
      return 1;
  return 0;
}

/* Surnames that follow an honorific in names of products and characters. */
static int
not_a_surname(const char *w, size_t n)
{
  static const char *const x[] = {"Robot", "Pepper", "Who", "Strange", "Oetker", "Martens",
                                  "Bean", "Clean", "Freeze", "Evil", "No", "Dre"};
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
    if (strlen(x[i]) == n && memcmp(x[i], w, n) == 0)
      return 1;
  return 0;
}

static int
name_check(const char *m, size_t mlen, int any)
{
  size_t end = mlen;
  while (end > 0 && strchr(",.!?;:) \t", m[end - 1]))
    end--; /* a terminator the row consumed */
  size_t s2, n2 = last_word(m, end, &s2);
  if (n2 < 2)
    return 0;
  /* The word before: one space back, or ". " back after an honorific. */
  size_t j = s2, s1 = 0, n1 = 0;
  int dotted = 0;
  if (j > 0 && m[j - 1] == ' ') {
    j--;
    if (j > 0 && m[j - 1] == '.') {
      j--;
      dotted = 1;
    }
    n1 = last_word(m, j, &s1);
  }
  if (n1 >= 2 && honorific(m + s1, n1))
    return !not_a_surname(m + s2, n2);
  if (n1 >= 2 && !dotted && !islower((unsigned char)m[s1]) && ja__given_name(m + s1, n1) != JA__NAME_NO)
    return 1; /* a given name and a surname */
  int v = ja__given_name(m + s2, n2);
  return v == JA__NAME_YES || (any && v == JA__NAME_WORD);
}

int
ja__valid_name_any(const char *m, size_t mlen)
{
  return name_check(m, mlen, 1);
}

int
ja__valid_name_strict(const char *m, size_t mlen)
{
  return name_check(m, mlen, 0);
}

/* "Last name: Okafor": the field says it, any capitalised word counts
 * unless it is a placeholder. */
int
ja__valid_surname_field(const char *m, size_t mlen)
{
  size_t ws, n = last_word(m, mlen, &ws);
  static const char *const x[] = {"Unknown", "None", "Null", "Required", "Optional", "Name",
                                  "Surname", "Test", "Example", "Redacted", "Hidden"};
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
    if (strlen(x[i]) == n && memcmp(x[i], m + ws, n) == 0)
      return 0;
  return n >= 2;
}

/* ------------------------------------------------ round 3: ids, accounts */

/* Whether m[0..mlen) holds one hex digit only (its other bytes
 * separators): the nil and max UUIDs, all-zero ids. */
static int
one_hex_digit(const char *m, size_t mlen)
{
  char first = 0;
  for (size_t i = 0; i < mlen; i++) {
    char c = (char)tolower((unsigned char)m[i]);
    if (!isxdigit((unsigned char)c))
      continue;
    if (first && c != first)
      return 0;
    first = c;
  }
  return 1;
}

int
ja__valid_varied_hex(const char *m, size_t mlen)
{
  return !one_hex_digit(m, mlen);
}

/* An Ethereum address "0x" + 40 hex: not one digit throughout (the zero
 * address is a placeholder), and in mixed case only with its EIP-55
 * checksum (a wrong one is a look-alike, like an id with a wrong check
 * digit; one case throughout carries none and counts). */
int
ja__valid_ethereum(const char *m, size_t mlen)
{
  return mlen == 42 && !one_hex_digit(m, mlen) && ja__eip55_ok(m + 2, 40);
}

/* The id after a drive label: 8 or more letters and digits (an "0x"
 * prefix aside), not one digit throughout. */
int
ja__valid_drive_id(const char *m, size_t mlen)
{
  size_t i = mlen, n = 0;
  while (i > 0 && (isalnum((unsigned char)m[i - 1]) || m[i - 1] == '-' || m[i - 1] == ':')) {
    i--;
    n += isalnum((unsigned char)m[i]) != 0;
  }
  if (mlen - i > 2 && m[i] == '0' && (m[i + 1] == 'x' || m[i + 1] == 'X'))
    n -= 2;
  return n >= 8 && !one_hex_digit(m + i, mlen - i);
}

/* Names of system, service and placeholder accounts: they name no one. */
static int
system_account(const char *w, size_t n)
{
  static const char *const names[] = {
      "root", "nobody", "nogroup", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news",
      "uucp", "proxy", "www-data", "www", "backup", "list", "irc", "gnats", "syslog", "messagebus", "sshd",
      "_apt", "admin", "administrator", "administrators", "guest", "guests", "user", "users", "test",
      "tester", "demo", "default", "defaultaccount", "system", "local", "service", "localservice",
      "networkservice", "network", "everyone", "anonymous", "anon", "unknown", "none", "null", "nil",
      "undefined", "ubuntu", "debian", "centos", "fedora", "ec2-user", "pi", "git", "postgres", "mysql",
      "redis", "nginx", "apache", "docker", "jenkins", "vagrant", "staff", "wheel", "sudo", "adm",
      "operator", "ftp", "nfsnobody", "trustedinstaller", "support", "info", "me", "you", "example",
      "sample", "username", "login", "owner", "name", "self", "current", "anyone", "someone", "here",
      "channel", "everyone", "online", "all", "required", "optional", "unset", "empty", "redacted",
      "hidden", "n/a", "na", "tbd", "todo", "changeme", "dev", "prod", "staging", "ci", "bot", "app",
      "api", "web", "server", "client", "host", "localhost", "team", "teams", "org", "public",
      "private", "shared", "media", "import", "override", "deprecated", "param", "return", "returns",
      "throws", "see", "since", "type", "typedef", "interface", "component", "injectable", "property",
      "staticmethod", "classmethod", "dataclass", "mention", "latest", "next", "canary", "beta",
      "stable", "lts", "free", "pro", "plus", "premium", "basic", "business", "enterprise", "trial",
      "personal", "family", "ollama", "jarvis", "openjarvis", "systemd-network", "systemd-resolve",
      "systemd-timesync", "systemd-journal", "polkitd", "avahi", "colord", "geoclue", "pulse",
      "rtkit", "saned", "usbmux", "whoopsie", "kernoops", "lightdm", "gdm", "sddm", "tss", "uuidd",
      "dnsmasq", "landscape", "lxd", "snap", "flatpak", "_www", "_spotlight", "daemon"};
  char low[40];
  if (n == 0 || n >= sizeof low)
    return n == 0;
  for (size_t i = 0; i < n; i++)
    low[i] = (char)tolower((unsigned char)w[i]);
  low[n] = 0;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (strcmp(names[k], low) == 0)
      return 1;
  return strncmp(low, "systemd-", 8) == 0 || (low[0] == '_' && n > 1);
}

/* The account name that ends m[0..mlen) (its last run of letters,
 * digits, '.', '_' and '-'), not a system or placeholder one. */
int
ja__valid_account(const char *m, size_t mlen)
{
  size_t i = mlen;
  while (i > 0 && (isalnum((unsigned char)m[i - 1]) || strchr("._-", m[i - 1])))
    i--;
  return mlen - i >= 2 && !system_account(m + i, mlen - i);
}

/* A bare @handle ("@jane_doe92", "@maria.garcia"): a part (between '.',
 * '_' and digits) is a given name, or it ends in two or more digits; not a
 * system word ("@here", "@media", "@Override"). Decorators and at-rules
 * hold neither. */
int
ja__valid_handle(const char *m, size_t mlen)
{
  size_t at = 0;
  while (at < mlen && m[at] != '@')
    at++;
  const char *h = m + at + 1;
  size_t n = mlen - at - 1;
  if (n < 2 || system_account(h, n))
    return 0;
  if (n >= 3 && isdigit((unsigned char)h[n - 1]) && isdigit((unsigned char)h[n - 2]) &&
      !(n <= 4 && h[n - 1] == 'x'))
    return 1;
  for (size_t i = 0; i < n;) {
    while (i < n && !isalpha((unsigned char)h[i]))
      i++;
    size_t j = i;
    while (j < n && isalpha((unsigned char)h[j]))
      j++;
    if (j - i >= 3 && ja__given_name(h + i, j - i) == JA__NAME_YES)
      return 1;
    i = j;
  }
  return 0;
}

/* DOMAIN\user: neither the domain a Windows authority (NT AUTHORITY,
 * BUILTIN, NT SERVICE, IIS APPPOOL, a registry hive) nor the user a
 * system account. */
int
ja__valid_domain_user(const char *m, size_t mlen)
{
  const char *bs = memchr(m, '\\', mlen);
  if (!bs)
    return 0;
  size_t d = (size_t)(bs - m), ds = d;
  while (ds > 0 && (isalnum((unsigned char)m[ds - 1]) || m[ds - 1] == '-' || m[ds - 1] == '_'))
    ds--;
  static const char *const authorities[] = {"authority", "builtin", "service", "apppool", "hklm", "hkcu",
                                            "hkcr", "hku", "hkcc", "nt", "window", "host", "machine",
                                            "virtual", "registry", "device", "global", "local", "session"};
  char low[24];
  size_t n = d - ds;
  if (n == 0 || n >= sizeof low)
    return 0;
  for (size_t i = 0; i < n; i++)
    low[i] = (char)tolower((unsigned char)m[ds + i]);
  low[n] = 0;
  if (strncmp(low, "hkey_", 5) == 0)
    return 0;
  for (size_t k = 0; k < sizeof authorities / sizeof authorities[0]; k++)
    if (strcmp(low, authorities[k]) == 0)
      return 0;
  return ja__valid_account(m, mlen);
}

/* A password that stands for one: a reference to where it is kept
 * ("${DB_PASSWORD}", "$DB_PASS", "%PASSWORD%", "{{ secret }}", "<pw>") or
 * a mask ("********", "xxxxxx", "•••"). */
static int
placeholder_secret(const char *p, size_t n)
{
  if (n == 0)
    return 1;
  if (p[0] == '<' || p[0] == '{' || (p[0] == '%' && n > 2 && p[n - 1] == '%') ||
      (p[0] == '$' && n > 1 && (p[1] == '{' || p[1] == '(' || isupper((unsigned char)p[1]))))
    return 1;
  size_t mask = 0;
  for (size_t i = 0; i < n; i++)
    mask += p[i] == '*' || p[i] == 'x' || p[i] == 'X' || p[i] == '#' || p[i] == '.' ||
            (unsigned char)p[i] >= 0x80; /* U+2022 and kin */
  return mask == n;
}

/* "scheme://userinfo@host": no password (a user name alone still names
 * someone), or one that is not a placeholder. */
int
ja__valid_url_userinfo(const char *m, size_t mlen)
{
  const char *p = NULL;
  for (size_t i = 0; i + 2 < mlen; i++)
    if (m[i] == ':' && m[i + 1] == '/' && m[i + 2] == '/') {
      p = m + i + 3;
      break;
    }
  const char *at = p ? memchr(p, '@', mlen - (size_t)(p - m)) : NULL;
  if (!at)
    return 1;
  const char *colon = memchr(p, ':', (size_t)(at - p));
  return !colon || !placeholder_secret(colon + 1, (size_t)(at - colon - 1));
}

/* At least one ASCII letter and one digit. */
int
ja__valid_mixed(const char *m, size_t mlen)
{
  int letter = 0, digit = 0;
  for (size_t i = 0; i < mlen; i++) {
    letter |= isalpha((unsigned char)m[i]) != 0;
    digit |= isdigit((unsigned char)m[i]) != 0;
  }
  return letter && digit;
}

/* The value after a secret's name (after the last ':' or '=') looks
 * random: a run of 12 or more letters and digits that mixes both, or 20
 * or more of the base64 alphabet. Words joined by '-' or '.' do not. */
int
ja__valid_random_value(const char *m, size_t mlen)
{
  size_t v = mlen;
  while (v > 0 && m[v - 1] != ':' && m[v - 1] != '=' && m[v - 1] != '"' && m[v - 1] != '\'' &&
         m[v - 1] != ' ')
    v--;
  size_t run = 0, b64 = 0;
  int letter = 0, digit = 0;
  for (size_t i = v; i < mlen; i++) {
    unsigned char c = (unsigned char)m[i];
    if (isalnum(c)) {
      run++;
      letter |= isalpha(c) != 0;
      digit |= isdigit(c) != 0;
      if (run >= 12 && letter && digit)
        return 1;
    } else {
      run = 0;
      letter = digit = 0;
    }
    b64 = isalnum(c) || c == '+' || c == '/' || c == '_' ? b64 + 1 : 0;
    if (b64 >= 20)
      return 1;
  }
  return 0;
}

/* ------------------------------------- round 3: phones, cards, hosts … */

/* 7 to 15 digits after a phone label (E.164 has at most 15). */
int
ja__valid_phone_digits(const char *m, size_t mlen)
{
  size_t n = count_digits(m, mlen);
  return n >= 7 && n <= 15;
}

/* Magnetic-stripe and EMV track data: the first run of 13-19 digits (the
 * PAN) passes Luhn. */
int
ja__valid_track_pan(const char *m, size_t mlen)
{
  size_t i = 0;
  while (i < mlen && !is_digit(m[i]))
    i++;
  size_t j = i;
  while (j < mlen && is_digit(m[j]))
    j++;
  return j - i >= 13 && j - i <= 19 && ja__luhn_ok(m + i, j - i);
}

/* A SIM ICCID: 19 or 20 digits (89, the telecom industry, first; 18-22
 * counted loosely) passing Luhn. */
int
ja__valid_iccid(const char *m, size_t mlen)
{
  char d[32];
  size_t n = digits_of(m, mlen, d, sizeof d);
  return n >= 18 && n <= 22 && d[0] == '8' && d[1] == '9' && ja__luhn_ok(d, n);
}

/* Whether host name h[0..n) holds a word ISPs name access lines with. */
static int
access_word(const char *h, size_t n)
{
  static const char *const words[] = {"dip", "dyn", "dynamic", "pool", "dsl", "adsl", "vdsl", "xdsl", "cable",
                                      "ppp", "pppoe", "dhcp", "cust", "customer", "client", "broadband", "bb",
                                      "static", "res", "home", "fios", "hsd", "catv", "ftth", "fttx", "user",
                                      "abo", "ip", "host", "cpe", "wanadoo", "subscriber", "sub", "nat", "mobile",
                                      "lte", "wireless", "wifi", "cm", "rev", "in-addr"};
  for (size_t i = 0; i < n;) {
    while (i < n && !isalpha((unsigned char)h[i]))
      i++;
    size_t j = i;
    while (j < n && (isalpha((unsigned char)h[j]) || (j > i && h[j] == '-' && j + 1 < n && isalpha((unsigned char)h[j + 1]))))
      j++;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
      if (strlen(words[k]) == j - i && strncasecmp(words[k], h + i, j - i) == 0)
        return 1;
    i = j;
  }
  return 0;
}

/* A host name that spells out an IPv4 address: four numbers up to 255
 * joined by single '-' or '.', twelve digits as four zero-padded ones
 * after letters, eight hex digits after letters with an access word, or
 * three numbers beside an access word. */
int
ja__valid_ip_hostname(const char *m, size_t mlen)
{
  unsigned run[64];
  char sep[64];         /* the byte before the run, when it follows the
                           previous run directly ("4.0"), else 0 ("3a.0") */
  size_t nr = 0, end = 0;
  int access = access_word(m, mlen);
  for (size_t i = 0; i < mlen && nr < 64;) {
    if (!is_digit(m[i])) {
      i++;
      continue;
    }
    size_t j = i;
    unsigned v = 0;
    while (j < mlen && is_digit(m[j])) {
      v = v < 100000 ? v * 10 + (unsigned)(m[j] - '0') : v;
      j++;
    }
    if (j - i == 12 && i > 0 && isalpha((unsigned char)m[i - 1])) {
      int ok = 1;
      for (size_t k = 0; k < 4; k++)
        ok &= (m[i + 3 * k] - '0') * 100 + (m[i + 3 * k + 1] - '0') * 10 + (m[i + 3 * k + 2] - '0') <= 255;
      if (ok)
        return 1;
    }
    run[nr] = j - i <= 3 ? v : 1000;
    sep[nr] = nr > 0 && i == end + 1 ? m[i - 1] : 0;
    nr++;
    end = i = j;
  }
  for (size_t k = 0; k + 3 < nr; k++) {
    int ok = 1;
    for (size_t q = k; q < k + 4; q++)
      ok &= run[q] <= 255 && (q == k || sep[q] == '-' || sep[q] == '.');
    if (ok)
      return 1;
  }
  for (size_t k = 0; access && k + 2 < nr; k++)
    if (run[k] <= 255 && run[k + 1] <= 255 && run[k + 2] <= 255 && sep[k + 1] == '-' && sep[k + 2] == '-')
      return 1;
  /* The first label: one to three letters, then eight hex digits. */
  const char *dot = memchr(m, '.', mlen);
  size_t first = dot ? (size_t)(dot - m) : mlen;
  if (!access || first < 9 || first > 11)
    return 0;
  for (size_t k = 0; k < first; k++)
    if (k < first - 8 ? !isalpha((unsigned char)m[k]) : !isxdigit((unsigned char)m[k]))
      return 0;
  return 1;
}

/* A device id alone (adb's serial) mixes letters and digits; after a
 * service-tag label seven letters or digits will do. */
int
ja__valid_serial_token(const char *m, size_t mlen)
{
  int letter = 0, digit = 0;
  size_t i = mlen, n = 0;
  while (i > 0 && isalnum((unsigned char)m[i - 1]))
    i--, n++;
  for (size_t k = i; k < mlen; k++) {
    letter |= isalpha((unsigned char)m[k]) != 0;
    digit |= isdigit((unsigned char)m[k]) != 0;
  }
  if (i > 0) { /* labelled: a service tag, not one character seven times */
    size_t same = 1;
    while (same < n && m[i + same] == m[i])
      same++;
    return n == 7 && same < n;
  }
  return letter && digit;
}

/* A plate after its label: the value (what follows the label, up to the
 * end) holds a digit and a capital or a letter of another script, and 4
 * or more of them in all. */
int
ja__valid_plate(const char *m, size_t mlen)
{
  size_t i = mlen;
  while (i > 0 && m[i - 1] != ':' && m[i - 1] != '=' && m[i - 1] != '#' &&
         !((m[i - 1] >= 'a' && m[i - 1] <= 'z')))
    i--;
  size_t n = 0;
  int digit = 0, letter = 0;
  for (size_t k = i; k < mlen; k++) {
    unsigned char c = (unsigned char)m[k];
    if (is_digit((char)c))
      digit = 1, n++;
    else if (is_upper_ascii((char)c))
      letter = 1, n++;
    else if (c >= 0xC0) /* a letter of another script starts here */
      letter = 1, n++;
  }
  return digit && letter && n >= 4;
}

/* ------------------------------------------------- round 3: crypto */

/* A WIF private key: Base58Check, version 0x80 (mainnet) or 0xEF
 * (testnet), 32 bytes of key and, for compressed keys, 0x01. */
int
ja__valid_wif(const char *m, size_t mlen)
{
  size_t n = 0;
  int v = ja__b58check_version(m, mlen, &n);
  return (v == 0x80 || v == 0xEF) && (n == 33 || (n == 34));
}

/* A BIP-32 extended key: Base58Check of 78 bytes. */
int
ja__valid_xkey(const char *m, size_t mlen)
{
  return ja__b58check_len(m, mlen) == 78;
}

/* An address of a Base58Check coin (Litecoin, Dogecoin, Dash, Zcash,
 * Tron, Tezos …): a version of one to three bytes and a 20-byte hash. */
int
ja__valid_b58_address(const char *m, size_t mlen)
{
  int n = ja__b58check_len(m, mlen);
  return n >= 21 && n <= 23;
}

/* bech32 in the long form (Cardano, Lightning) as in the short. */
int
ja__valid_bech32_any(const char *m, size_t mlen)
{
  const char *colon = memchr(m, ':', mlen);
  if (colon) { /* "X-avax1…" is matched from its hrp */
    mlen -= (size_t)(colon - m) + 1;
    m = colon + 1;
  }
  return ja__bech32_long_ok(m, mlen);
}

/* The words of m[0..mlen) (runs of ASCII letters) that the BIP-39 list
 * holds, as a run of 12, 15, 18, 21 or 24 in a row; with @p checksum, a
 * run whose checksum holds. */
static int
seed_words(const char *m, size_t mlen, int checksum)
{
  unsigned short idx[64];
  size_t n = 0;
  for (size_t i = 0; i < mlen && n < 64;) {
    while (i < mlen && !isalpha((unsigned char)m[i]))
      i++;
    size_t j = i;
    while (j < mlen && isalpha((unsigned char)m[j]))
      j++;
    if (j == i)
      break;
    int k = ja__bip39_index(m + i, j - i);
    if (k < 0)
      n = 0; /* the run is broken: start over */
    else
      idx[n++] = (unsigned short)k;
    if (n >= 12 && n % 3 == 0) {
      for (size_t len = 12; len <= n && len <= 24; len += 3)
        if (!checksum || ja__bip39_checksum_ok(idx + n - len, len))
          return 1;
    }
    i = j;
  }
  return 0;
}

int
ja__valid_seed_phrase(const char *m, size_t mlen)
{
  return seed_words(m, mlen, 1);
}

int
ja__valid_seed_phrase_labelled(const char *m, size_t mlen)
{
  return seed_words(m, mlen, 0);
}

/* "ID 32319412-6": the digits form an Israeli id with its check. */
int
ja__valid_il_id(const char *m, size_t mlen)
{
  char d[16];
  size_t n = digits_of(m, mlen, d, sizeof d);
  return n >= 8 && n <= 9 && ja__il_id_ok(d, n);
}

/* ------------------------------------------------ round 3: bare names */

/* The words of m[0..mlen) split at white space (at most @p cap): start
 * and length of each. */
static size_t
split_words(const char *m, size_t mlen, size_t *start, size_t *len, size_t cap)
{
  size_t n = 0;
  for (size_t i = 0; i < mlen && n < cap;) {
    while (i < mlen && isspace((unsigned char)m[i]))
      i++;
    size_t j = i;
    while (j < mlen && !isspace((unsigned char)m[j]))
      j++;
    if (j > i) {
      start[n] = i;
      len[n++] = j - i;
    }
    i = j;
  }
  return n;
}

static int
particle(const char *w, size_t n)
{
  static const char *const p[] = {"van", "von", "de", "del", "della", "da", "di", "du", "der", "den", "la",
                                  "le", "bin", "ibn", "al", "el", "dos", "das", "do", "ter", "ten", "zu",
                                  "af", "y"};
  for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
    if (strlen(p[k]) == n && memcmp(p[k], w, n) == 0)
      return 1;
  return 0;
}

/* "J." or "J.R.": initials. */
static int
initials(const char *w, size_t n)
{
  return n >= 2 && w[n - 1] == '.' && isupper((unsigned char)w[0]);
}

/* A bare full name: 2 to 4 words (particles aside) where the first is a
 * given name of the lexicon (a given name that is also a word, like
 * "Will", only before a family name of the surname lexicon), or initials,
 * or any capitalised word before a known family name, or a family name
 * of the family-first cultures; the last word never one that ends product
 * and place names, and no word an assistant's. */
int
ja__valid_full_name(const char *m, size_t mlen)
{
  size_t st[8], ln[8], n = split_words(m, mlen, st, ln, 8), names = 0;
  for (size_t k = 0; k < n; k++) {
    if (particle(m + st[k], ln[k]))
      continue;
    names++;
    if (!initials(m + st[k], ln[k]) && k > 0 && ja__not_surname(m + st[k], ln[k]))
      return 0;
  }
  if (names < 2 || names > 4)
    return 0;
  const char *first = m + st[0], *last = m + st[n - 1];
  size_t fl = ln[0], ll = ln[n - 1];
  if (ja__not_surname(first, fl) || ja__not_surname(last, ll))
    return 0;
  if (initials(first, fl))
    return 1;
  const char *hy = memchr(first, '-', fl); /* "Jean-Luc", "Anna-Lena" */
  int given = ja__given_name(first, hy ? (size_t)(hy - first) : fl);
  if (given == JA__NAME_YES)
    return 1;
  if (ja__surname(last, ll))
    return 1; /* "Oluwaseun Adeyemi", and "Will Smith" */
  return ja__family_first(first, fl) && n <= 3;
}

/* "DOE, Jane": the word after the comma is a given name. */
int
ja__valid_surname_comma_given(const char *m, size_t mlen)
{
  size_t i = mlen;
  while (i > 0 && m[i - 1] != ' ' && m[i - 1] != ',')
    i--;
  return ja__given_name(m + i, mlen - i) == JA__NAME_YES;
}

/* Whether word w[0..n) ends with one of the UTF-8 strings of @p ends. */
static int
ends_with_any(const char *w, size_t n, const char *const *ends)
{
  for (; *ends; ends++) {
    size_t e = strlen(*ends);
    if (n > e && memcmp(w + n - e, *ends, e) == 0)
      return 1;
  }
  return 0;
}

/* Whether w[0..n) is one of the UTF-8 strings of @p list. */
static int
one_of(const char *w, size_t n, const char *const *list)
{
  for (; *list; list++)
    if (strlen(*list) == n && memcmp(w, *list, n) == 0)
      return 1;
  return 0;
}

/* The code point at w (UTF-8, two or three bytes), or 0. */
static unsigned
first_cp(const char *w, size_t n)
{
  const unsigned char *u = (const unsigned char *)w;
  if (n >= 2 && (u[0] & 0xE0) == 0xC0)
    return ((unsigned)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
  if (n >= 3 && (u[0] & 0xF0) == 0xE0)
    return ((unsigned)(u[0] & 0x0F) << 12) | ((unsigned)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
  return 0;
}

static int
cyrillic_or_greek_capital(unsigned cp)
{
  return (cp >= 0x410 && cp <= 0x42F) || cp == 0x401 || (cp >= 0x402 && cp <= 0x40F) ||
         (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x386 && cp <= 0x38F);
}

/* Full names in scripts with names of their own (the row's alternatives):
 * Cyrillic and Greek words, each capitalised, one with a family-name or
 * patronymic ending or the first a given name of the lexicon; Armenian
 * and Georgian with their family-name endings; Arabic, Hebrew and
 * Devanagari with a given or family name of the short lists below; Thai
 * two words that are not a greeting and a particle; CJK with the
 * separator (the row's shape decides). */
int
ja__valid_script_name(const char *m, size_t mlen)
{
  static const char *const cyr_greek_ends[] = {
      "ов", "ова", "ев", "ева", "ёв", "ёва", "ин", "ина", "ын", "ына", "ский", "ская", "цкий", "цкая", "енко",
      "ко", "ук", "юк", "чук", "ич", "вич", "вна", "вич", "ич", "ян", "дзе", "швили", "ов", "ова", "ова",
      "ου", "ης", "άκης", "ίδης", "όπουλος", "οπούλου", "ίου", "άς", "ος", "ού", "ίδη", "άκη", NULL};
  static const char *const am_ka_ends[] = {"յան", "յանց", "ունի", "ძე", "შვილი", "ია", "ავა", "ანი", "ური", "ელი", "უა", NULL};
  static const char *const listed[] = {
      /* Arabic given and family names */
      "محمد", "أحمد", "احمد", "علي", "حسن", "حسين", "عمر", "خالد", "يوسف", "إبراهيم", "ابراهيم", "عبدالله", "عبد",
      "مصطفى", "محمود", "سعيد", "طارق", "كريم", "سامي", "فاطمة", "عائشة", "مريم", "زينب", "نور", "سارة", "ليلى",
      "هدى", "رنا", "منى", "سلمى", "ياسمين", "أمينة", "خديجة", "حمزة", "بلال", "ماجد", "فيصل", "سلطان", "ناصر",
      "جمال", "رشيد", "عادل", "وليد", "سمير", "نادية", "هند", "رانيا", "ريم", "دينا", "لينا",
      /* Hebrew given and family names */
      "דניאל", "דוד", "משה", "יוסף", "אברהם", "יצחק", "יעקב", "שרה", "רחל", "רבקה", "לאה", "מרים", "נועה", "תמר",
      "יעל", "מיכל", "אורי", "יונתן", "איתי", "עומר", "נועם", "אריאל", "רון", "גיל", "שירה", "מאיה", "דני", "יוסי",
      "אבי", "כהן", "לוי", "מזרחי", "פרץ", "ביטון", "דהן", "פרידמן", "שפירו", "כץ", "אזולאי", "גבאי",
      /* Devanagari given and family names */
      "प्रिया", "राहुल", "अमित", "सुनील", "अनिल", "राज", "विजय", "संजय", "अजय", "रवि", "पूजा", "नेहा", "अंजलि",
      "सीता", "गीता", "राम", "श्याम", "मोहन", "सुरेश", "रमेश", "महेश", "दिनेश", "राजेश", "कविता", "सुनीता",
      "शर्मा", "वर्मा", "गुप्ता", "सिंह", "कुमार", "पटेल", "यादव", "जैन", "मिश्रा", "तिवारी", "पांडे", "चौधरी",
      "रेड्डी", "नायर", "दास", "बनर्जी", "मुखर्जी", NULL};
  static const char *const thai_not[] = {"สวัสดี", "ขอบคุณ", "ครับ", "ค่ะ", "คะ", "นะ", "จ้า", "ยินดี", "ต้อนรับ", NULL};
  size_t st[8], ln[8], n = split_words(m, mlen, st, ln, 8);
  unsigned cp = n ? first_cp(m + st[0], ln[0]) : 0;
  if (cp >= 0x3000)
    return 1; /* CJK with its separator: the row's shape decides */
  if (n < 2)
    return 0;
  if (cp >= 0x0370 && cp <= 0x04FF) { /* Greek, Cyrillic */
    int ending = 0;
    for (size_t k = 0; k < n; k++) {
      unsigned c = first_cp(m + st[k], ln[k]);
      if (!cyrillic_or_greek_capital(c))
        return 0;
      ending |= ends_with_any(m + st[k], ln[k], cyr_greek_ends) && k > 0;
    }
    return ending || ja__given_name(m + st[0], ln[0]) == JA__NAME_YES;
  }
  if ((cp >= 0x0530 && cp <= 0x058F) || (cp >= 0x10D0 && cp <= 0x10FF))
    return ends_with_any(m + st[n - 1], ln[n - 1], am_ka_ends);
  if ((cp >= 0x0590 && cp <= 0x06FF) || (cp >= 0x0900 && cp <= 0x097F)) {
    for (size_t k = 0; k < n; k++)
      if (one_of(m + st[k], ln[k], listed))
        return 1;
    return 0;
  }
  if (cp >= 0x0E00 && cp <= 0x0E7F)
    return n == 2 && !one_of(m + st[0], ln[0], thai_not) && !one_of(m + st[1], ln[1], thai_not);
  return 1; /* CJK with its separator */
}

/* A name after a cue in Cyrillic or Greek: not a word that greets many
 * ("мир", "друзья", "коллеги"). */
int
ja__valid_script_word(const char *m, size_t mlen)
{
  static const char *const not_names[] = {"Мир", "Друзья", "Коллеги", "Команда", "Все", "Всем", "Господа",
                                          "Κόσμε", "Φίλοι", NULL};
  size_t st[16], ln[16], n = split_words(m, mlen, st, ln, 16);
  return n > 0 && !one_of(m + st[n - 1], ln[n - 1], not_names);
}
