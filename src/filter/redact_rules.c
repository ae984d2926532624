/*
 * filter/redact_rules.c — THE table of PII patterns (DESIGN §5, filter 1) and the
 * validators that tell real values from look-alikes. redact.c compiles and
 * runs it; nothing else knows a pattern. tests/data/redact_corpus.tsv holds
 * the values every row must catch and the look-alikes it must let through:
 * add a row here, add cases there, check with `jarvis-analytics redact`.
 *
 * How the table is read:
 * - Rows are tried in order, unit by unit; the first unit with a match names
 *   the kind. A unit is one row, or a run of consecutive rows sharing a
 *   `unit` name, compiled as one alternation (faster when the rows start
 *   with distinct literals); inside a unit the leftmost match wins, and at
 *   the same position the earlier row.
 * - Patterns are PCRE2 with PCRE2_UTF and without PCRE2_UCP: \b, \w, \d and
 *   \s are ASCII-only. Case-sensitive unless they say (?i). They may not use
 *   numbered backreferences (\1): rows share one numbering inside a unit, so
 *   use relative ones (\g{-1}).
 * - A validator sees each candidate match; when it says 0 the engine
 *   backtracks as if the regex had failed there (shorter matches, later rows
 *   of the unit, later positions are all still tried).
 * - Every row's comment says what it catches and what it must NOT catch.
 */
#include "boot.h"

#include <string.h>

#include "filter/checksum.h"
#include "filter/redact.h"

/* ------------------------------------------------------------- validators */

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
static int
card_ok(const char *m, size_t mlen)
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
         || p2 == 50 || (p2 >= 56 && p2 <= 69);        /* Maestro, Discover, UnionPay */
}

/* IMEI: 15 digits passing Luhn, not an American Express number when bare;
 * after the word IMEI/IMEISV any 14–16 digits count (fail closed). */
static int
imei_ok(const char *m, size_t mlen)
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
static int
ssn_ok(const char *m, size_t mlen)
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
static int
phone_ok(const char *m, size_t mlen)
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
  return n == 10;
}

/* Compressed IPv6 needs a digit, so "dead::beef" or "a::b" (code, prose)
 * pass while "::1" drops; full eight-group forms are unambiguous. */
static int
ipv6_ok(const char *m, size_t mlen)
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
static int
mixed_case_digit(const char *m, size_t mlen)
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
static int
basic_credentials(const char *m, size_t mlen)
{
  size_t i = mlen;
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
static int
bitcoin_ok(const char *m, size_t mlen)
{
  if (mlen > 3 && (m[2] == '1') && ((m[0] | 0x20) == 'b' || (m[0] | 0x20) == 't'))
    return ja__bech32_ok(m, mlen);
  return ja__base58check_ok(m, mlen);
}

/* IBAN written with spaces, dots or dashes (one kind throughout) or none:
 * the registry length of its country when it is known, and mod 97. Dots
 * and dashes, which also join other codes, need a known country. */
static int
iban_ok(const char *m, size_t mlen)
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
static int
not_filler(const char *m, size_t mlen)
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

/* ------------------------------------------------------------- shorthands */

#define H "[0-9A-Fa-f]"
#define H4 H "{1,4}"
/* Inside a character class: any non-ASCII code point, so that e-mail and
 * host patterns cover IDN names. One class instead of an alternation keeps
 * the JIT's loops simple (several times faster on long values). Written
 * as a POSIX class, not as the range \x{80}-\x{10FFFF}: under (?i) PCRE2
 * case-folds a range character by character, which cost 2.5 ms of compile
 * per use (10 ms for one row), paid by every process on its first
 * capture. */
#define NA "[:^ascii:]"
/* Not glued to a token on the left / right (tokens are [A-Za-z0-9]). */
#define LB "(?<![A-Za-z0-9])"
#define RB "(?![A-Za-z0-9])"
#define IPV4 "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])"
/* Where a word-like value ends: what may follow a mask, a placeholder or
 * a word of prose. */
#define TERM "(?=[\\s\"',;:.!?)}\\]>]|$)"
/* A value that hides or names a secret instead of holding one, for
 * negative lookaheads: masks ("********", "sk-…XXXX", "sk-****abcd",
 * "xxx"), placeholders ("<your password>", "YOUR_API_KEY", "[redacted]",
 * "(hidden)", "null") and references ("${DB_PASSWORD}", "$DB_PASS", "%PASSWORD%",
 * "{{ secret }}", "$(cat file)"). */
#define PLACEHOLDER                                                                                \
  "(?:(?:[A-Za-z0-9]{1,12}[-_]){0,2}[*\\x{2022}.\\x{2026}xX#]{3,}[A-Za-z0-9]{0,6}" TERM                \
  "|<[^<>\\r\\n]{1,60}>|[\\[({](?i:redacted|hidden|masked|removed|filtered|omitted|secret|none)[\\])}]"                   \
  "|\\$\\{|\\$\\(|\\{\\{|\\{%|<%|#\\{|(?-i:\\$[A-Z_][A-Z0-9_]*)" TERM "|%[A-Za-z_][A-Za-z0-9_]*%"    \
  "|(?i:your|enter|insert)[-_ ]"                                                                    \
  "|(?i:redacted|placeholder|none|null|nil|undefined|empty|n/a|true|false|required|optional"        \
  "|string|str|bytes|int|bool|boolean|number|object|any|unset|unknown|missing)" TERM ")"
/* A word of prose where a value would be ("password: must be 8 long",
 * "the password is incorrect"), for negative lookaheads. */
#define PROSE                                                                                      \
  "(?i:a|an|the|not|no|too|very|so|now|still|also|just|only|being|been|be|at|in|on|of|for|to"      \
  "|from|by|with|without|and|or|but|if|that|this|it|its|what|which|how|why|where|here|there"        \
  "|correct|incorrect|wrong|invalid|valid|mandatory|needed|necessary|blank|expired|expiring|set"    \
  "|reset|changed|updated|saved|stored|hashed|encrypted|encoded|hidden|masked|shown|visible"        \
  "|displayed|sent|provided|configured|protected|secure|insecure|safe|unsafe|weak|strong|long"      \
  "|short|case|case-sensitive|same|different|identical|ok|okay|fine|good|bad|known|compromised"    \
  "|leaked|locked|unlocked|enabled|disabled|off|ready|accepted|rejected|used|generated|managed"     \
  "|printed|written|listed|given|shared|must|should|cannot|can|will|may|might|would|could"          \
  "|contains|matches|less|more|longer|shorter|please|your|my|our|their|his|her|mismatched"          \
  "|incomplete|unchanged|forgotten|lost|requested|copied|verified|checked|ignored|rotated)" TERM
/* Names of secrets in key=value forms, any case, anywhere in a word
 * ("password", "DB_PASSWORD", "userPassword", "DJANGO_SECRET_KEY",
 * "SECRET_KEY_BASE", "x-api-key", "GITHUB_TOKEN", "recovery code",
 * "backup codes", "seed phrase", "Passwort", "mot de passe"). Not
 * "pass"/"pwd"/"pw" alone (the row has them with their own rules), nor the
 * other languages' words without "pass" (SECRET_KEY_INTL: their own row,
 * so that each row's literals stay few). */
#define SECRET_KEY                                                                                 \
  "(?:pass(?:word|wd|phrase|wort|ord)|mot[ _-]?de[ _-]?passe"                                     \
  "|secret(?:[_.-]?(?:key(?:[_.-]?base)?|token|value|id|phrase|string|access[_.-]?key))?"          \
  "|(?:api|access|private|encryption|signing|master|client|app|license|licence|hmac|jwt|account"   \
  "|storage|auth|ssh|session|crypt|enc|aes|rsa|totp|otp|mfa|2fa)[_.-]?key"                          \
  "|token|credentials?|(?:recovery|backup)[_ -]?(?:codes?|key|phrase)|seed[_ -]?phrase)"
/* The word for password in other languages, written in ASCII: German
 * Kennwort, Spanish contrasena, Portuguese senha, Polish haslo, Dutch wachtwoord, Italian/Turkish parola,
 * Danish adgangskode, Czech/Slovak heslo, Slovene geslo, Croatian/Serbian
 * lozinka. */
#define SECRET_KEY_INTL "(?:kennwort|contrasena|senha|wachtwoord|haslo|parola|adgangskode|heslo|geslo|lozinka)"
/* Separators of key=value forms: "=", ":", "=>", ":=", with quotes. */
#define SECRET_SEP "[\"']?\\s*(?:=>|:=|[:=])\\s*[\"']?"

/* ------------------------------------------------------------------ table */

static const ja__redact_rule rules[] = {
  /* ---- private keys: the header alone is enough, with or without dashes,
   * in any case, words joined by spaces, '_' or '-' ("begin rsa private
   * key", "BEGIN_PRIVATE_KEY"). Must NOT catch "public key", "BEGIN
   * CERTIFICATE", "private key file not found". */
  {"openssh_private_key", "(?i)BEGIN[ _-]+OPENSSH[ _-]+PRIVATE[ _-]+KEY", NULL, "pem", " _-", 0, "begin"},
  {"pgp_private_key", "(?i)BEGIN[ _-]+PGP[ _-]+PRIVATE[ _-]+KEY", NULL, "pem", " _-", 0, "begin"},
  /* PEM "BEGIN [RSA|EC|DSA|ENCRYPTED|SSH2 ENCRYPTED] PRIVATE KEY" and PuTTY
   * key files. */
  {"private_key", "(?i)BEGIN[ _-]+(?:[A-Z0-9]+[ _-]+){0,3}PRIVATE[ _-]+KEY|PuTTY-User-Key-File-\\d", NULL,
   "pem", " _-", 0, "begin|putty-user-key-file-"},

  /* ---- URLs whose shape says "secret" (before the generic URL rows). */
  /* S3 presigned URLs (SigV4 and the legacy AWSAccessKeyId form). Must NOT
   * catch an ordinary s3.amazonaws.com link. */
  {"aws_presigned_url",
   "(?i)X-Amz-(?:Signature|Credential|Security-Token)=[^&#\\s]|[?&]AWSAccessKeyId=[A-Z0-9]", NULL, NULL, "=", 0, "x-amz-|awsaccesskeyid="},
  /* Azure shared access signatures: "sv=2022-11-02&…&sig=…" and
   * "SharedAccessSignature=" in connection strings. */
  {"azure_sas", "(?i)\\bsv=\\d{4}-\\d\\d-\\d\\d&\\S*?\\bsig=[^&#\\s]|SharedAccessSignature=\\S",
   NULL, NULL, "=", 0, "sig=|sharedaccesssignature="},
  /* Slack incoming-webhook / workflow URLs: the path is the credential. */
  {"slack_webhook", "(?i)hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{8,}",
   NULL, NULL, "/", 0, "hooks.slack.com/"},
  /* Discord webhook URLs: …/api/webhooks/<id>/<token>. */
  {"discord_webhook",
   "(?i)discord(?:app)?\\.com/api/(?:v\\d+/)?webhooks/\\d+/[A-Za-z0-9_-]{10,}", NULL, NULL, "/", 0, "/webhooks/"},
  /* Sentry DSNs "https://<32 hex public key>@o1.ingest.sentry.io/2" and
   * tokens (sntrys_ org tokens, sntryu_ user tokens). */
  {"sentry_token",
   "(?i)\\b[a-z]+://[0-9a-f]{32}(?::[0-9a-f]{32})?@|" LB "sntry[su]_[A-Za-z0-9+/=_-]{20,}", NULL, NULL, "@_", 0, "://|sntry"},
  /* URLs with userinfo: "https://user:pass@host", "redis://:pw@h",
   * "ftp://alice@host". Must NOT catch "https://host/@scope/pkg" (the '@'
   * is in the path) or placeholders ("https://<user>:<password>@<host>/"). */
  {"url_credentials", "(?i)\\b[a-z][a-z0-9+.-]*://(?!<[^<>]*>(?::<[^<>]*>)?@)[^\\s/?#@]+@[^\\s/?#@]", NULL,
   NULL, "@", 0, "://"},
  /* ---- vendor credentials, one row each: every row is led by its prefix, so
   * its own gate skips it for most values (measured faster, in
   * tools/bench/bench_redact, than one alternation of them all); `lits`
   * names the prefixes. not_filler lets placeholders made of one repeated
   * character pass ("sk-proj-XXXXXXXXXXXXXXXXXXXXXXXX", "ghp_xxxx…"); masks
   * ("sk-…XXXX", "sk-****abcd", "ghp_****…") never reach the length. */
  /* Anthropic: sk-ant-api03-…, sk-ant-admin01-…, sk-ant-oat01-… */
  {"anthropic_key", LB "sk-ant-[A-Za-z0-9_-]{20,}", not_filler, NULL, NULL, 0, "sk-ant-"},
  /* OpenRouter: sk-or-v1- + 64 hex. */
  {"openrouter_key", LB "sk-or-(?:v\\d+-)?[A-Za-z0-9]{20,}", not_filler, NULL, NULL, 0, "sk-or-"},
  /* OpenAI: sk-proj-, sk-svcacct-, sk-admin- + 20 or more; legacy sk- + one
   * run of 16+ letters/digits holding a digit or capital. Must NOT catch
   * "sk-learn", "task-1234567890abcdef" or "sk-some-feature-name". */
  {"openai_key",
   LB "sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}"
   "|(?:[A-Za-z0-9]+[-_])*(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{16,})",
   not_filler, NULL, NULL, 0, "sk-"},
  /* Stripe secret, restricted and publishable keys; webhook secrets. */
  {"stripe_key", LB "[spr]k_(?:live|test)_[A-Za-z0-9]{16,}", not_filler, NULL, NULL, 0, "k_live_|k_test_"},
  {"stripe_webhook_secret", LB "whsec_[A-Za-z0-9+/=]{20,}", not_filler, NULL, NULL, 0, "whsec_"},
  {"groq_key", LB "gsk_[A-Za-z0-9]{40,}", not_filler, NULL, NULL, 0, "gsk_"},
  {"xai_key", LB "xai-[A-Za-z0-9]{50,}", not_filler, NULL, NULL, 0, "xai-"},
  {"perplexity_key", LB "pplx-[A-Za-z0-9]{32,}", not_filler, NULL, NULL, 0, "pplx-"},
  {"replicate_token", LB "r8_[A-Za-z0-9]{30,}", not_filler, NULL, NULL, 0, "r8_"},
  /* Hugging Face user tokens hf_… and org tokens api_org_… (34 letters). */
  {"huggingface_token", LB "(?:hf|api_org)_[A-Za-z0-9]{30,}", not_filler, NULL, NULL, 0, "hf_|api_org_"},
  /* GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36; fine-grained github_pat_…
   * Must NOT catch "ghp_" in prose. */
  {"github_token", LB "gh[pousr]_[A-Za-z0-9]{30,}", not_filler, NULL, NULL, 0, "ghp_|gho_|ghu_|ghs_|ghr_"},
  {"github_pat", LB "github_pat_[A-Za-z0-9_]{22,}", not_filler, NULL, NULL, 0, "github_pat_"},
  /* GitLab personal/deploy/runner/trigger/CI-build tokens, runner
   * registration tokens. */
  {"gitlab_token",
   LB "(?:gl(?:pat|dt|rt|ptt|cbt|oas|imt|ft|soat|agent)-[A-Za-z0-9_-]{20,}"
   "|GR1348941[A-Za-z0-9_-]{20,})",
   not_filler, NULL, NULL, 0, "glpat-|gldt-|glrt-|glptt-|glcbt-|gloas-|glimt-|glft-|glsoat-|glagent-|GR1348941"},
  /* Slack bot/user/app/config tokens. Must NOT catch a bare "xoxb-". */
  {"slack_token", LB "(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}", not_filler, NULL, NULL, 0, "xoxa-|xoxb-|xoxp-|xoxo-|xoxs-|xoxr-|xoxe-|xapp-"},
  /* AWS access key ids: AKIA/ASIA/… + 16 capitals or digits. */
  {"aws_access_key_id",
   LB "(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}" RB, not_filler, NULL, NULL, 0, "AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA"},
  /* AWS STS session tokens (base64 of a fixed protobuf header). */
  {"aws_session_token",
   "(?:FwoGZXIvYXdz|IQoJb3JpZ2lu|AQoDYXdz|AgoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}", not_filler, NULL, NULL, 0, "FwoGZXIvYXdz|IQoJb3JpZ2lu|AQoDYXdz|AgoJb3JpZ2lu"},
  /* Google: API keys AIza + 35, OAuth access ya29.…, refresh 1//0…,
   * client secrets GOCSPX-… Must NOT catch "ya29" or "AIza" alone. */
  {"google_api_key", LB "AIza[0-9A-Za-z_-]{30,}", not_filler, NULL, NULL, 0, "AIza"},
  {"google_oauth_access_token", LB "ya29\\.[0-9A-Za-z._-]{16,}", not_filler, NULL, NULL, 0, "ya29."},
  {"google_oauth_refresh_token", "(?<![0-9A-Za-z/])1//0[0-9A-Za-z_-]{20,}", not_filler, NULL, NULL, 0, "1//0"},
  {"google_client_secret", LB "GOCSPX-[A-Za-z0-9_-]{20,}", not_filler, NULL, NULL, 0, "GOCSPX-"},
  {"npm_token", LB "npm_[A-Za-z0-9]{36}" RB, not_filler, NULL, NULL, 0, "npm_"},
  {"pypi_token", LB "pypi-AgE[A-Za-z0-9_-]{30,}", not_filler, NULL, NULL, 0, "pypi-AgE"},
  /* Twilio API key SIDs (SK…) and account SIDs (AC…): 32 hex. */
  {"twilio_key", LB "(?:SK|AC)[0-9a-fA-F]{32}" RB, not_filler, NULL, NULL, 0, "SK|AC"},
  {"sendgrid_key", LB "SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{30,50}", not_filler, NULL, NULL, 0, "SG."},
  {"digitalocean_token", LB "do[opr]_v1_[a-f0-9]{64}", not_filler, NULL, NULL, 0, "doo_v1_|dop_v1_|dor_v1_"},
  {"posthog_personal_key", LB "phx_[A-Za-z0-9]{30,}", not_filler, NULL, NULL, 0, "phx_"},
  {"linear_key", LB "lin_(?:api|oauth)_[A-Za-z0-9]{32,}", not_filler, NULL, NULL, 0, "lin_api_|lin_oauth_"},
  {"age_secret_key", "(?i)AGE-SECRET-KEY-1[0-9A-Z]{50,}", not_filler, NULL, NULL, 0, "AGE-SECRET-KEY-1"},
  /* JSON Web Tokens: "{"-header . "{"-payload . signature (may be empty,
   * alg=none). Must NOT catch a lone "eyJ…" word or "eyJ.eyJ". */
  {"jwt", "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*", NULL, NULL, ".", 0, "eyj"},
  /* Discord bot tokens: base64 user id (M/N/O…) . 6 . 27+. */
  {"discord_bot_token",
   "(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}"
   "(?![A-Za-z0-9_-])",
   NULL, NULL, ".", 0, NULL},
  /* Telegram bot tokens: bot id ':' 35 characters. */
  {"telegram_bot_token", "(?<![0-9])\\d{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])", NULL, NULL, ":", 8, NULL},
  /* Azure AD client secrets (new format: xxx8Q~…). */
  {"azure_client_secret",
   "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])", NULL, NULL, "~", 1, "q~"},
  /* Azure storage account keys: 88 base64 characters ending "==", bare or
   * after AccountKey=. Must NOT catch subresource-integrity hashes
   * ("sha512-…==", the same length). */
  {"azure_storage_key",
   "(?i:AccountKey=)[A-Za-z0-9+/]{40,}={0,2}|(?<![A-Za-z0-9+/])(?<!sha512-)[A-Za-z0-9+/]{86}==", NULL, NULL, NULL, 0, "accountkey=|=="},
  /* AWS secret access keys: exactly 40 base64 characters with upper, lower
   * and digit. Must NOT catch 40-hex git SHAs. */
  {"aws_secret_key", "(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", mixed_case_digit, NULL, NULL, 0, NULL},

  /* ---- URL parameters (after the vendor rows: "?key=AIza…" is a Google
   * key first). */
  /* Query or fragment parameters that carry secrets ("?token=…",
   * "&api_key=…", "#access_token=…", "&sig=…"). Must NOT catch "?q=token"
   * or "&page=2", nor placeholders ("?api_key=YOUR_API_KEY",
   * "&token=${TOKEN}", "?key=<key>"). */
  {"url_secret_param",
   "(?i)[?&#;](?:access_token|refresh_token|id_token|auth_token|token|api_?key|key|sig"
   "|signature|secret|client_secret|password|passwd|auth|code|session_?id|session)="
   "(?!" PLACEHOLDER ")[^&#\\s]",
   NULL, NULL, "=", 0, "token|key|sig|secret|pass|auth|code|session"},
  /* file:// URLs in any case. Must NOT catch "files" or "profile". */
  {"file_url", "(?i)\\bfile://", NULL, NULL, "/", 0, "file://"},

  /* ---- authorization header values. */
  /* "Bearer <token>" in any case; the token needs a digit or 20+ chars.
   * Must NOT catch "bearer token", "Bearer <token>", a bare "Bearer",
   * "Bearer YOUR_OPENAI_API_KEY_HERE", "Bearer $TOKEN". */
  {"bearer_auth",
   "(?i)\\bbearer[\\s:=]+(?!" PLACEHOLDER ")(?:(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{3,}"
   "|[A-Za-z0-9._~+/=-]{20,})",
   NULL, "auth", " \t\n\v\f\r:=", 0, "bearer"},
  /* "Authorization: Basic …" always; a bare "Basic <b64>" when it decodes
   * to "user:pass". Must NOT catch "basic authentication". */
  {"basic_auth", "(?i)authorization\\s*[:=]\\s*basic\\s+\\S", NULL, "auth", " \t\n\v\f\r:=", 0, "authorization"},
  {"basic_auth", "(?i)\\bbasic[\\s:=]+[A-Za-z0-9+/]{4,}={0,2}(?![A-Za-z0-9+/=])",
   basic_credentials, "auth", " \t\n\v\f\r:=", 0, "basic"},
  /* "Authorization: token …", "Token <20+ chars with a digit>". */
  {"token_auth",
   "(?i)authorization\\s*[:=]\\s*token\\s+\\S"
   "|\\b[Tt]oken\\s+(?=[A-Za-z0-9._-]*\\d)[A-Za-z0-9._-]{20,}",
   NULL, "auth", " \t\n\v\f\r:=", 1, "authorization|token"},
  /* Session cookies: Cookie/Set-Cookie headers, and well-known session
   * cookie names with a value. */
  {"session_cookie",
   "(?i)\\b(?:set-)?cookie\\s*:\\s*[^=\\s]+=\\S"
   "|(?<![A-Za-z0-9_.-])(?:sessionid|session_id|session|sess|PHPSESSID|JSESSIONID|connect\\.sid"
   "|laravel_session|ASP\\.NET_SessionId|(?:__Secure-)?next-auth\\.session-token|_gh_sess|sid"
   "|[A-Za-z0-9]+_session)=[^;\\s]{6,}",
   NULL, NULL, "=", 0, "cookie|sess|sid"},

  /* ---- secrets in text: one kind, secret_assignment, for every way of
   * writing a secret next to its name. */
  /* Key=value forms in any case and shape: "password=hunter2", "API_KEY: v",
   * "\"passwd\": \"x\"", "export GITHUB_TOKEN=…", "client_secret=…",
   * "DJANGO_SECRET_KEY=…", "SECRET_KEY_BASE=…", "JWT_SECRET=…",
   * "Passwort: …", "senha=…", "<password>x</password>" (the closing tag
   * too: "<password>@<host>" is a placeholder); the short names
   * "pass", "pwd", "pw" with a prefix ("db_pass", "MYSQL_PWD", "dbPass") or
   * alone with "=" ("pass=x", "pw=x"), or with ":" and a value holding a
   * digit. Must NOT catch bare names ("max_tokens", "openai_api_key",
   * "password_reset_flow", "tokens: 5"), "password:" with nothing after
   * it, masks and placeholders ("password=********", "password=<your
   * password>", "${DB_PASSWORD}", "api_key=YOUR_API_KEY"), prose after a
   * colon ("password: must be 8 long"), test output ("PASS: test_x",
   * "pass: 12"), "bypass=1", "PWD=/usr/src/app". */
  {"secret_assignment",
   "(?i)(?:" SECRET_KEY SECRET_SEP
   "|(?:(?<=[A-Za-z0-9][_.-])(?:pass|pwd|pw)|(?-i:(?<=[a-z])(?:Pass|Pwd|Pw)))(?![a-z])" SECRET_SEP
   "(?!\\d{1,5}" TERM "|[/~]|[a-z]:[\\\\/])"
   "|(?<![A-Za-z0-9_.-])(?:pass|pwd|pw|mdp)(?:[\"']?\\s*(?:=>|:=|=)|[\"']\\s*:)\\s*[\"']?"
   "(?!\\d{1,5}" TERM "|[/~.]|[a-z]:[\\\\/])"
   "|(?<![A-Za-z0-9_.-])(?-i:pass|Pass|pwd|Pwd|pw|Pw|PW|mdp)\\s*:\\s*[\"']?(?=[^\\s\"']*\\d)"
   "(?!\\d{1,5}" TERM ")(?=[A-Za-z0-9!@#$%^&*+~]{4})"
   ")(?!" PLACEHOLDER "|" PROSE ")[^\\s\"'=>]"
   "|<(?:password|passwd|passphrase|secret|client_?secret|token|api_?key|private_?key)>"
   "(?!" PLACEHOLDER ")[^<\\s][^<]*</",
   NULL, NULL, ":=>", 0, "pass|pw|cret|key|oken|cred|ecover|backup|phrase|mdp"},
  /* The same with the ASCII words of other languages ("Kennwort=geheim",
   * "senha: segredo123", "wachtwoord: …"). Must NOT catch them alone, before
   * a placeholder, or inside other words ("Kennworte"). */
  {"secret_assignment",
   "(?i)(?<![A-Za-z])" SECRET_KEY_INTL "(?![A-Za-z])" SECRET_SEP "(?!" PLACEHOLDER ")[^\\s\"'=>]",
   NULL, NULL, ":=", 0, "nnwort|ntrase|nha|twoord|haslo|parola|dgang|slo|ozin"},
  /* The same with the names that only exist outside ASCII: "contraseña:",
   * "hasło=", "пароль:", "密码：", "パスワード:", "비밀번호:", "κωδικός:",
   * "סיסמה:", "كلمة المرور:", "पासवर्ड:", "mật khẩu:", and CJK copulas
   * ("密码是…", "パスワードは…"); with a copula of the language and a value
   * holding a digit or symbol ("mi contraseña es Secreto99!"). Must NOT
   * catch the word alone or before a placeholder. */
  {"secret_assignment",
   "(?i)(?:contraseña|hasło|şifre|lösenord|jelszó|parolă|пароль|密码|密碼|口令|パスワード|暗証番号"
   "|비밀번호|암호|κωδικός|συνθηματικό|סיסמה|סיסמא|كلمة المرور|كلمة السر|पासवर्ड|รหัสผ่าน|mật khẩu)"
   "(?:\\s*(?:[:=：]|是|为|為|は|が)\\s*[\"'「『«]?(?!" PLACEHOLDER ")[^\\s\"'「」『』«»]"
   "|\\s+(?:es|é|est|ist|is|to|jest|je|är|er|on|era|это|был|была)\\s+[\"'«]?"
   "(?=[^\\s\"']*[0-9!@#$%^&*])(?!" PLACEHOLDER ")[^\\s\"'«»]{4,})",
   NULL, NULL, "\xC3\xC4\xC5\xCE\xCF\xD0\xD7\xD9\xE0\xE1\xE3\xE5\xE6\xEB\xEC", 0, NULL},
  /* Prose: "my password is hunter2", "the pw is hunter2", "our wifi
   * password was: swordfish", "mein Passwort ist …"; without a possessive
   * only a value holding a digit or symbol ("password is Summer2024!",
   * "login failed with password hunter2") or quoted ("for user admin with
   * password \"letmein123\"").
   * Must NOT catch "password is required", "the password is incorrect",
   * "your password is too short", "password was reset", "forgot
   * password?", "password must be at least 8 characters", "with password
   * authentication". */
  {"secret_assignment",
   "(?i)\\b(?:(?:my|our|the|his|her|their|your|wifi|wi-fi|admin|root|new|temp|temporary|default"
   "|initial|mein|meine|das|mon|ma|le|mi|la|el|minha|meu|a|o|mijn|het|moje|mój|il mio|la mia)\\s+"
   "(?:[\\w-]+\\s+)?(?:password|passwd|passwort|kennwort|pass\\s?word|pw|pwd|passcode|passphrase"
   "|mot de passe|contrase(?:n|ñ)a|senha|wachtwoord)"
   "\\s+(?:is|was|will be|is now|ist|war|est|était|es|era|é|è|e|=|->)\\s*:?\\s*[\"'“«]?"
   "(?!" PLACEHOLDER "|" PROSE ")[^\\s\"'“”«».,;!?]"
   "|(?:password|passwd|pw|pwd|passcode|passphrase)\\s+(?:is|was)\\s*:?\\s*[\"']?"
   "(?=[^\\s\"']*[0-9!@#$%^&*])(?!" PLACEHOLDER "|" PROSE ")[^\\s\"']{4,}"
   "|\\b(?:with|using|via|by)\\s+(?:the\\s+)?(?:password|passwd|pw|pwd|passphrase)\\s+[\"']?"
   "(?=[^\\s\"']*[0-9!@#$%^&*])(?!" PLACEHOLDER "|" PROSE ")[^\\s\"']{4,}"
   "|(?:password|passwd|passphrase|passwort|kennwort)\\s+(?:of\\s+|was\\s+|is\\s+)?[\"“'‘]"
   "(?!" PLACEHOLDER ")[^\"”'’\\s]{3,64}[\"”'’])",
   NULL, NULL, " ", 0,
   "pass|pw|nnwort|contrase|nha|twoord"},
  /* Command lines: "--password x", "--db-password=x", "--token x",
   * "--api-key x", "mysql -u root -phunter2", "sshpass -p x ssh …",
   * "docker login -u u -p x", "redis-cli -a x", "curl -u user:pass …",
   * "http -a user:pass", "openssl … -passin pass:x", "net use Z:
   * \\\\fs\\share P@ss /user:CORP\\u". Must NOT catch
   * "--password-file /etc/x", "--password-stdin", "mysql -p" (a prompt),
   * "mysql -P3306", "docker run -u 1000:1000", "curl -u user:" (a prompt),
   * "--password $DB_PASSWORD", "net use Z: \\\\fs\\share * /user:u". */
  {"secret_assignment",
   "(?i)(?<![\\w-])--(?:[a-z0-9]+[-_])*(?:password|passwd|pass|pwd|passphrase|token|api[-_]?key"
   "|secret|secret[-_]key|access[-_]key|auth[-_]token)(?:=|\\s+)[\"']?(?!" PLACEHOLDER "|-)[^\\s\"']"
   "|(?-i:\\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlsh|mariadb(?:-dump|-admin)?)"
   "\\b[^|;&\\n]*?\\s-p(?=\\S)[\"']?(?!" PLACEHOLDER ")[^\\s\"'])"
   "|\\bsshpass\\s+(?:-[a-z]\\s+)*-p\\s*[\"']?(?!" PLACEHOLDER ")[^\\s\"'-]"
   "|\\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oras)\\b[^|;&\\n]*?\\blogin\\b[^|;&\\n]*?\\s-p\\s*"
   "[\"']?(?!" PLACEHOLDER ")[^\\s\"'-]"
   "|\\bredis-cli\\b[^|;&\\n]*?\\s-a\\s+[\"']?(?!" PLACEHOLDER ")[^\\s\"'-]"
   "|\\b(?:curl|wget|https?)(?=\\s)[^|;&\\n]*?\\s(?:-u|--user|-a|--auth)(?:=|\\s*)[\"']?"
   "(?!\\d+:\\d+(?!\\S))[^\\s:\"'@]+:(?!" PLACEHOLDER ")[^\\s\"'@]"
   "|-pass(?:in|out)?\\s+pass:\\S"
   "|\\bnet use\\b[^|;&\\n]*?(?:\\\\\\\\\\S+|/user:\\S+)\\s+(?![/*])[\"']?(?!" PLACEHOLDER ")[^\\s\"'/*]",
   NULL, NULL, "-\\/", 0, "--|mysql|mariadb|sshpass|login|redis-cli|curl|wget|http|pass|net use"},
  /* ---- network identifiers. */
  /* Sentry DSNs and URL userinfo went first; here e-mail in every form
   * (display name, plus-tags, IDN, quoted local parts "\"john doe\"@…",
   * comments "john(comment)@…", IP-literal domains "user@[192.0.2.1]").
   * Must NOT catch retina asset names ("icon@2x.png"), npm specs
   * ("@tauri-apps/api@2.0.1": numeric "TLD"), "user@host". */
  {"email",
   "(?:\"[^\"\\r\\n]{1,64}\"|[A-Za-z0-9._%+'!#$&*=?^`{|}~" NA "-]+)(?:\\([^()\\r\\n]{0,64}\\))?@"
   "(?:\\[(?:" IPV4 "|IPv6:[0-9A-Fa-f:.]{2,45})\\]"
   "|(?![0-9]+(?:\\.[0-9]+)?x\\.[A-Za-z0-9]+(?![.A-Za-z0-9-]))"
   "(?:[A-Za-z0-9" NA "][A-Za-z0-9" NA "-]*\\.)+"
   "[A-Za-z" NA "]{2,})",
   NULL, NULL, "@", 0, NULL},
  /* Obfuscated with brackets: "alice(at)example.com", "alice [at] example
   * [dot] com", "bob{at}example{dot}org", "carol@example[.]com". Must NOT
   * catch "Vienna (AT) office", "price (at) 5.99", "look [at] this". */
  {"email",
   "(?i)(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?:\\s*[\\[({<]\\s*(?:at|@)\\s*[\\])}>]\\s*|@(?=[^\\s@]*[\\[({<]))"
   "[A-Za-z0-9-]+(?:(?:\\s*[\\[({<]\\s*(?:dot|\\.)\\s*[\\])}>]\\s*|\\.|\\s+dot\\s+)[A-Za-z0-9-]+)*"
   "(?:\\s*[\\[({<]\\s*(?:dot|\\.)\\s*[\\])}>]\\s*|\\.|\\s+dot\\s+)[A-Za-z]{2,}(?![A-Za-z0-9])",
   NULL, NULL, "[({<", 0, NULL},
  /* Obfuscated in words: "name at example dot com", "NAME AT EXAMPLE DOT
   * CO DOT UK". Must NOT catch "available at example.com", "look at this
   * dot", "meet at noon". */
  {"email",
   "(?i)(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+\\s+at\\s+[A-Za-z0-9-]+(?:\\s+dot\\s+[A-Za-z0-9-]+)*"
   "\\s+dot\\s+[A-Za-z]{2,}(?![A-Za-z0-9])",
   NULL, NULL, " ", 0, "dot"},
  /* IPv6: full, "::"-compressed, IPv4-mapped ("::ffff:10.0.0.1"), with
   * zone ids ("fe80::1%en0") or brackets; every compressed form ("::2",
   * "2001:db8::1"). Must NOT catch clock times ("12:30:45"), model tags
   * ("qwen3.5:2b"), "::", "dead::beef", "std::vector", nor the loopback
   * address in any spelling ("::1", "[::1]:8080", "0:0:0:0:0:0:0:1",
   * "http://[::1]:8080/"): like 127.0.0.1 it names no one. MAC addresses
   * have six groups. */
  {"ipv6",
   "(?<![0-9A-Fa-f:])(?![0:]*:0{0,3}1(?![0-9A-Fa-f:.]))(?:"
   "(?:" H4 ":){7}" H4 "|(?:" H4 ":){1,7}:" "|(?:" H4 ":){1,6}:" H4
   "|(?:" H4 ":){1,5}(?::" H4 "){1,2}" "|(?:" H4 ":){1,4}(?::" H4 "){1,3}"
   "|(?:" H4 ":){1,3}(?::" H4 "){1,4}" "|(?:" H4 ":){1,2}(?::" H4 "){1,5}"
   "|" H4 ":(?::" H4 "){1,6}" "|:(?::" H4 "){1,7}"
   ")(?![0-9A-Fa-f:])",
   ipv6_ok, NULL, ":", 0, NULL},
  /* IPv4 unicast dotted quad, leading zeros allowed, with ":port" or
   * "/cidr". Must NOT catch three-part versions ("0.1.1"), "v1.2.3.4",
   * five numbers ("1.2.3.4.5"), loopback ("127.0.0.1", "http://127.0.0.1:
   * 8000/v1"), "0.0.0.0", multicast and reserved (224.0.0.0 and up:
   * "255.255.255.0" masks), four-part kernel versions ("5.15.153.1",
   * "6.8.0.45-generic": major 2-6, minor < 20, last part < 100) unless a
   * URL, e-mail, port or CIDR says address, nor a quad after a version
   * word ("kernel 4.19.128.7", "build 10.2.0.15"). */
  {"ipv4",
   "(?<![0-9.])(?<![vV])(?<!(?i)version |version=|version: |kernel |linux |build |release |firmware "
   "|driver |ver )(?!0{1,3}\\.|0{0,2}127\\.|2(?:2[4-9]|[3-5][0-9])\\.)"
   "(?!(?<!//|@|\\[)[2-6]\\.1?[0-9]\\.[0-9]{1,3}\\.[0-9]{1,2}(?![0-9]|\\.[0-9]|[:/][0-9]))"
   IPV4 "(?![0-9])(?!\\.[0-9])",
   NULL, NULL, ".", 4, NULL},
  /* MAC-48 with ':' or '-' (mixed too) and Cisco's dotted form. Must NOT
   * catch clock times, UUIDs or longer colon-hex runs. */
  {"mac",
   "(?<![0-9A-Fa-f:-])" H "{2}[:-](?:" H "{2}[:-]){4}" H "{2}(?![0-9A-Fa-f:-])"
   "|(?<![0-9A-Fa-f.])" H "{4}\\." H "{4}\\." H "{4}(?![0-9A-Fa-f.])",
   NULL, NULL, ":-.", 0, NULL},
  /* MAC-48 after a label, with any separators or none: "mac_address=
   * 001a2b3c4d5e", "HWaddr 001A2B3C4D5E", "bssid: 00 1a 2b 3c 4d 5e"
   * (with ':' or '-' throughout the row above needs no label).
   * Must NOT catch "macos=14.5.1", "machine_id: 0123…", "eth0: flags". */
  {"mac",
   "(?i)(?<![A-Za-z0-9])(?:mac|hw|wifi|wi-fi|eth|ether|bluetooth|bt|bssid)"
   "(?:[ _-]?(?:addr(?:ess)?|id))?\\s*[:=]?\\s*[\"']?(?<![0-9A-Fa-f])" H "{2}(?:[:. -]?" H "{2}){5}"
   "(?![0-9A-Fa-f])",
   NULL, NULL, NULL, 0, "mac|hw|wifi|wi-fi|eth|bt|bluetooth|bssid"},
  /* Private-network host names: mDNS/Bonjour ".local" ("alice-macbook.local",
   * also ":port" or a final dot), home routers' ".lan", ".home",
   * ".home.arpa" and ".internal". Must NOT catch "settings.local.json",
   * ".env.local", "/usr/local", "localhost", "example.localdomain"
   * (a system default, not a chosen name), Java properties ("user.home", "java.home"),
   * Docker's and the clouds' service names ("host.docker.internal",
   * "metadata.google.internal"), packages ("com.example.internal"). */
  {"local_hostname",
   "(?i)(?<![A-Za-z0-9._-])(?!localhost\\."
   "|(?:user|java|maven|catalina|jboss|solr|idea|gradle|ant|groovy|scala|sbt|hadoop|spark|kafka"
   "|jetty|tomcat|derby|karaf|wildfly|jruby|jython|m2|os|env|app|project|config|settings|node"
   "|python|go|cargo|rustup|conda|pip|npm|xdg|sys|system|data|cache|log|logs|my|your)\\.home\\b"
   "|(?:host|gateway|kubernetes|vm)\\.docker\\.internal|host\\.containers\\.internal"
   "|host\\.lima\\.internal|metadata\\.google\\.internal"
   "|(?:com|org|net|io|java|javax|jdk|sun|android|androidx|kotlin|kotlinx)\\.[A-Za-z0-9_.]*internal\\b)"
   "(?:[A-Za-z0-9" NA "][A-Za-z0-9" NA "-]*\\.)+"
   "(?:local|lan|home(?:\\.arpa)?|internal)(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])",
   NULL, NULL, ".", 0, ".local|.lan|.home|.internal"},
  /* Device names that carry a person's name, as operating systems make
   * them: "alice-macbook", "Bobs-iPhone", "alice-smith-macbook-pro",
   * localised "MacBook-Pro-de-Marie", "iPhone-von-Hans"; Windows defaults
   * "DESKTOP-ABC1234", "LAPTOP-A1B2C3D4", "WIN-8QK2M1R7LJ4". Must NOT catch
   * "tauri-macos", "morning-digest-mac", "i686-pc-linux-gnu",
   * "MacBookPro18,3", "DESKTOP-ENVIRONMENT-SETTINGS", "win-x64". */
  {"personal_hostname",
   "(?i)(?<![A-Za-z0-9_.-])[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*){0,2}(?:'?s)?-(?:macbook(?:-(?:pro|air))?"
   "|mbp|mba|imac|mac-?mini|mac-?studio|mac-?pro|iphone|ipad|ipod|pixel|galaxy|android|thinkpad|xps"
   "|surface|laptop|desktop|pc|workstation)(?:-\\d+)?(?![A-Za-z0-9_-])"
   "|(?<![A-Za-z0-9])(?:macbook(?:-(?:pro|air))?|imac|mac-?(?:mini|studio|pro)|iphone|ipad"
   "(?:-(?:pro|air|mini))?|ipod)-(?:de|von|di|van|do|da|del|della|de-la|du|dla|fra|av|af)"
   "-[a-z" NA "][a-z0-9" NA "]*(?:-[a-z" NA "][a-z0-9" NA "]*)?(?:-\\d+)?(?![A-Za-z0-9_-])"
   "|(?-i:" LB "(?:DESKTOP|LAPTOP)-(?:[A-Z0-9]{6,8}|(?=[A-Z]*[0-9])[A-Z0-9]{9,15})" RB ")"
   "|" LB "(?:desktop|laptop|win)-(?=[a-z]*[0-9])(?=[0-9]*[a-z])[a-z0-9]{7,15}" RB,
   NULL, NULL, "-", 0, NULL},
  /* The same in words, as "About this Mac" and phones show them: "Alice's
   * MacBook Pro", "Hans' iPhone", "bob's ipad" (after normalisation
   * typographic apostrophes are '). Must NOT catch product names alone
   * ("MacBook Pro", "iPhone 15", "iPad Air"), brands and time words
   * ("Apple's iPhone", "this year's MacBook"). */
  {"personal_hostname",
   "(?i)(?<![\\w'])(?!(?:it|that|what|there|here|who|he|she|let|one|today|yesterday|tomorrow|year"
   "|week|month|this|last|next|everyone|someone|anyone|nobody|user|users|customer|client|company"
   "|world|mine|yours|apple|google|samsung|microsoft|amazon|lenovo|dell|hp|asus|acer|sony|huawei"
   "|xiaomi|oneplus|motorola|nokia|lg|razer|msi|nintendo|valve)'s?\\s)"
   "[A-Za-z" NA "][A-Za-z" NA ".-]{0,30}+'s?\\s+(?:macbook|imac|mac|iphone|ipad|ipod|apple\\s+watch"
   "|watch|airpods|homepod|apple\\s+tv|vision\\s+pro|pixel|galaxy|android|thinkpad|surface"
   "|chromebook|pc|laptop|desktop|computer|workstation|phone|tablet|kindle|xbox|playstation)"
   "(?![A-Za-z])",
   NULL, NULL, "'", 0, NULL},
  /* Localised: "iPad de Marie", "MacBook Pro von Hans", "MarieのiPhone",
   * "玛丽的iPhone". Must NOT catch "iPad de 10 pulgadas", "iPhone de
   * segunda mano", "iPhone de Apple", "我的iPhone". */
  {"personal_hostname",
   "(?i)(?<![A-Za-z0-9])(?:macbook(?:\\s+(?:pro|air))?|imac|mac\\s*(?:mini|studio|pro)|iphone"
   "|ipad(?:\\s+(?:pro|air|mini))?|ipod|apple\\s+watch)\\s+(?:de|von|di|van|do|da|del|della"
   "|de\\s+la|du|dla|fra|av|af|för|från)\\s+(?!(?:apple|samsung|google)\\b)"
   "(?-i:[A-Z\\x{C0}-\\x{DE}\\x{100}-\\x{10FFFF}])"
   "|(?<![A-Za-z" NA "])(?!(?:我|私|僕|俺|你|您|他|她|自分|あなた|君|我们|我們)[の的])"
   "[A-Za-z" NA "]{1,20}?[の的]\\s?(?:macbook|imac|mac|iphone|ipad|ipod)",
   NULL, NULL, NULL, 0, "mac|iphone|ipad|ipod|watch"},
  /* Host-name assignments: "COMPUTERNAME=ALICE-PC", "hostname: bobs-box",
   * "machine_name=…". Must NOT catch localhost or loopback, "hostname=
   * ${HOST}", public names ("hostname: api.example.com"), "hostname:"
   * alone, "os.hostname()". */
  {"personal_hostname",
   "(?i)(?<![A-Za-z0-9_])(?:computer[_-]?name|host[_-]?name|machine[_-]?name|pc[_-]?name)"
   "\\s*[:=]\\s*[\"']?(?!" PLACEHOLDER "|localhost\\b|127\\.|0\\.0\\.0\\.0|::1|\\[::1\\]"
   "|[A-Za-z0-9_.-]+\\.(?:com|org|net|io|ai|dev|app|co|cloud|edu|gov|example)" TERM ")[A-Za-z0-9" NA "]",
   NULL, NULL, ":=", 0, "name"},

  /* ---- paths that carry a user name. */
  /* Unix homes: "/home/bob", "/Users/alice" (any case: macOS), doubled
   * slashes ("/home//x", "//Users//x"), the Windows view of a WSL home
   * ("\\wsl$\Ubuntu\home\bob"), "/root/", "$HOME", "${HOME}", "~/x",
   * "~alice/". Must NOT catch "/usr/local/bin", a bare "/home",
   * "$HOMEBREW_PREFIX", "~5/10", "a~/b", "C:/Users/x" or "/mnt/c/Users/x",
   * "//host/c$/Users/x" (the windows row's). */
  {"home_path",
   "(?<![A-Za-z]:|/|\\$)(?<!/mnt/[A-Za-z])(?i:/+(?:Users|home)/+)[^/\\s]|(?i:\\\\+home\\\\+)[^\\\\\\s]"
   "|/root/|\\$\\{?HOME\\b"
   "|(?<![A-Za-z0-9_.~-])~(?:[a-z_][a-z0-9_.-]{0,31})?/",
   NULL, NULL, "/$~\\", 0, NULL},
  /* Windows profiles: "C:\Users\x", "C:/Users/x", JSON-escaped
   * "C:\\Users\\x", "\Users\x", "Documents and Settings", and so in WSL
   * ("/mnt/c/Users/x"), UNC ("\\host\c$\Users\x") and long-path forms
   * ("\\?\C:\Users\x"). Must NOT catch "C:\Program Files\…" or "C:\Users"
   * alone. */
  {"windows_user_path",
   "(?i)(?:\\b[A-Z]:)?[\\\\/]+(?:Users|Documents and Settings)[\\\\/]+[^\\\\/\\s]", NULL, NULL, "\\/", 0, NULL},
  /* Windows environment forms that expand to the profile. */
  {"windows_env_path",
   "(?i)%(?:USERPROFILE|APPDATA|LOCALAPPDATA|HOMEPATH|HOMEDRIVE|HOMESHARE|USERNAME|USERDOMAIN"
   "|ONEDRIVE)%|\\$env:(?:USERPROFILE|APPDATA|LOCALAPPDATA|HOMEPATH|HOMEDRIVE|USERNAME|ONEDRIVE)\\b",
   NULL, NULL, "%$", 0, "%|$env:"},

  /* ---- numbers with a structure or a checksum. */
  /* RFC 4122 version-1 UUIDs embed the MAC address and time. Must NOT
   * catch v4 or v7. */
  {"uuid_v1", "(?i)(?<![0-9a-f-])[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
   "(?![0-9a-f-])", NULL, NULL, "-", 1, NULL},
  /* Ethereum addresses: 0x + 40 hex. Must NOT catch pointers (0x7ffd…). */
  {"ethereum_address", LB "0x[0-9a-fA-F]{40}(?![0-9a-fA-F])", NULL, NULL, NULL, 0, "0x"},
  /* Bitcoin: Base58Check (1…, 3…) and bech32/bech32m (bc1…, tb1…). */
  {"bitcoin_address",
   LB "(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?i:bc|tb)1[02-9ac-hj-np-zAC-HJ-NP-Z]{11,87})" RB,
   bitcoin_ok, NULL, NULL, 0, "1|3"},
  /* IBAN: country, check digits, 11–30 more; spaces, dots or dashes (one
   * kind) allowed; the country's registry length; mod 97. Must NOT catch
   * look-alike codes ("AB12-CDEF-GHIJ-KLMN" with a wrong length or sum). */
  {"iban", "(?i)" LB "[A-Z]{2}\\d{2}(?:[ .-]?[A-Z0-9]){11,30}" RB, iban_ok, NULL, NULL, 2, NULL},
  /* IMEI: labelled, grouped 2-6-6-1, or bare 15 digits (Luhn). */
  {"imei",
   "(?i)\\bIMEI(?:SV)?\\b[\\s:#=]*\\d[\\d -]{12,18}\\d"
   "|(?<![\\d.-])\\d{2}([ -])\\d{6}\\g{-1}\\d{6}\\g{-1}\\d(?![\\d.-])"
   "|(?<![\\d.+-])\\d{15}(?![\\d.])",
   imei_ok, NULL, NULL, 14, NULL},
  /* Payment cards: 13–19 digits, spaced, dashed, dotted or slashed (the
   * last two in groups of four), Luhn, issuer prefix. Must NOT catch
   * versions or epoch numbers. */
  {"payment_card", "(?<![\\w.+-])\\d(?:[ ./-]?\\d){12,18}(?!\\d|[./]\\d)", card_ok, NULL, NULL, 13, NULL},
  /* US social security numbers: 3-2-4 with '-', ' ', '.' or '/', and any
   * nine digits after a label ("SSN#123456789", "SSN: 123-45-6789",
   * "social security no. …", "Soc. Sec. #…"). Must NOT catch area 000/666/
   * 9xx without a label, dates, "classn 123456789". */
  {"us_ssn",
   "(?<![\\w.-])\\d{3}([- ./])\\d{2}\\g{-1}\\d{4}(?![\\w-]|\\.\\d)"
   "|(?i)\\b(?:SSN|SS#|SS No\\.?|soc(?:ial)?\\.?\\s*sec(?:urity)?\\.?(?:\\s*(?:no\\.?|number|num\\.?|nr\\.?|#))?)"
   "\\s*(?:#|:|=|is)?\\s*\\d{3}([- ./]?)\\d{2}\\g{-1}\\d{4}(?!\\d)",
   ssn_ok, NULL, "- ./sS", 9, NULL},
  /* Phone numbers: "+" and "00" forms (E.164 with any grouping:
   * "0044 20 7946 0958", "00 49-30-1234567"), NANP "(415) 555-2671" /
   * "415-555-2671" / "415.555.2671", national forms with a trunk 0 and one
   * separator ("020 7946 0958", "030/12345678", "0171 / 123 4567"). Must
   * NOT catch versions, ratios, clock times, dates ("2024-01-01",
   * "01.02.2024", "01/02/2024") or bare numbers. */
  {"phone",
   "(?<![\\w.+/-])(?<!\\d:)(?:"
   "(?:\\+|00[ .-]?(?=[1-9]\\d{0,2}[ .-]))[1-9]\\d{0,2}(?:[ .-]?\\(0\\))?(?:[ ./-]?\\(?\\d{1,4}\\)?){1,5}"
   "[ .-]?\\d{2,4}"
   "|\\(\\d{3}\\)[ .-]?\\d{3}[ .-]\\d{4}"
   "|[2-9]\\d{2}([ .-])\\d{3}\\g{-1}\\d{4}"
   "|0[1-9]\\d{0,3}([ ./-])\\d{2,8}(?:\\g{-1}\\d{2,8}){0,3}"
   "|0[1-9]\\d{1,4} ?/ ?\\d{2,8}(?:[ -]\\d{2,8}){0,3}"
   ")(?![\\w.:/-]|[+]\\d)",
   phone_ok, NULL, NULL, 8, NULL},
  /* One-time codes given in context: "code: 123456", "OTP 4821",
   * "verification code is 902114". Bare "code" needs 6–8 digits so that
   * "exit code 127" and "error code 1001" pass. */
  {"one_time_code",
   "(?i)(?<![A-Za-z0-9])(?:(?:t?otp|2fa|mfa|pin)(?:[-_ ]?code)?|passcode"
   "|one[-_ ]time[-_ ](?:code|password|passcode|pin)"
   "|(?:verification|security|confirmation|auth(?:entication)?|login|sign-?in|sms|email)[-_ ]code)"
   "(?![A-Za-z0-9])[\\s:=#\"']*(?:is\\s+|was\\s+)?\\d{4,8}(?!\\d|\\.\\d)"
   "|\\bcode\\b[\\s:=#\"']*(?:is\\s+|was\\s+)?\\d{6,8}(?!\\d|\\.\\d)",
   NULL, NULL, NULL, 4, "otp|one|code|pin|2fa|mfa"},
};

#undef H
#undef H4
#undef NA
#undef LB
#undef RB
#undef IPV4
#undef TERM
#undef PLACEHOLDER
#undef PROSE
#undef SECRET_KEY
#undef SECRET_SEP
#undef SECRET_KEY_INTL

const ja__redact_rule *
ja__redact_rules(size_t *n)
{
  *n = sizeof rules / sizeof rules[0];
  return rules;
}
