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

/* US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000. */
static int
ssn_ok(const char *m, size_t mlen)
{
  char d[16];
  if (digits_of(m, mlen, d, sizeof d) != 9)
    return 0;
  if (memcmp(d, "000", 3) == 0 || memcmp(d, "666", 3) == 0 || d[0] == '9')
    return 0;
  return memcmp(d + 3, "00", 2) != 0 && memcmp(d + 5, "0000", 4) != 0;
}

/* Phone: E.164 allows at most 15 digits; "+" forms need 8 (a country code
 * and a subscriber number), national forms with a trunk 0 need 9 (so that
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

/* ------------------------------------------------------------- shorthands */

#define H "[0-9A-Fa-f]"
#define H4 H "{1,4}"
/* Inside a character class: any non-ASCII code point, so that e-mail and
 * host patterns cover IDN names. One class instead of an alternation keeps
 * the JIT's loops simple (several times faster on long values). */
#define NA "\\x{80}-\\x{10FFFF}"
/* Not glued to a token on the left / right (tokens are [A-Za-z0-9]). */
#define LB "(?<![A-Za-z0-9])"
#define RB "(?![A-Za-z0-9])"
#define IPV4 "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])"

/* ------------------------------------------------------------------ table */

static const ja__redact_rule rules[] = {
  /* ---- private keys: the header alone is enough, with or without dashes.
   * Must NOT catch "public key", "BEGIN CERTIFICATE". */
  {"openssh_private_key", "(?i)BEGIN OPENSSH PRIVATE KEY", NULL, "pem", " ", 0, "begin"},
  {"pgp_private_key", "(?i)BEGIN PGP PRIVATE KEY", NULL, "pem", " ", 0, "begin"},
  /* PEM "BEGIN [RSA|EC|DSA|ENCRYPTED] PRIVATE KEY" and PuTTY key files. */
  {"private_key", "(?i)BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY|PuTTY-User-Key-File-\\d", NULL, "pem", " -", 0, "begin|putty-user-key-file-"},

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
   * is in the path). */
  {"url_credentials", "(?i)\\b[a-z][a-z0-9+.-]*://[^\\s/?#@]+@[^\\s/?#@]", NULL, NULL, "@", 0, "://"},
  /* ---- vendor credentials, one row each: every row is led by its prefix, so
   * its own gate skips it for most values (measured faster, in
   * tools/bench/bench_redact, than one alternation of them all). */
  /* Anthropic: sk-ant-api03-…, sk-ant-admin01-…, sk-ant-oat01-… */
  {"anthropic_key", LB "sk-ant-[A-Za-z0-9_-]{20,}", NULL, NULL, NULL, 0, "sk-ant-"},
  /* OpenRouter: sk-or-v1- + 64 hex. */
  {"openrouter_key", LB "sk-or-(?:v\\d+-)?[A-Za-z0-9]{20,}", NULL, NULL, NULL, 0, "sk-or-"},
  /* OpenAI: sk-proj-, sk-svcacct-, sk-admin- + 20 or more; legacy sk- + one
   * run of 16+ letters/digits holding a digit or capital. Must NOT catch
   * "sk-learn", "task-1234567890abcdef" or "sk-some-feature-name". */
  {"openai_key",
   LB "sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}"
   "|(?:[A-Za-z0-9]+[-_])*(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{16,})",
   NULL, NULL, NULL, 0, "sk-"},
  /* Stripe secret, restricted and publishable keys; webhook secrets. */
  {"stripe_key", LB "[spr]k_(?:live|test)_[A-Za-z0-9]{16,}", NULL, NULL, NULL, 0, "sk_live_|sk_test_|pk_live_|pk_test_|rk_live_|rk_test_"},
  {"stripe_webhook_secret", LB "whsec_[A-Za-z0-9+/=]{20,}", NULL, NULL, NULL, 0, "whsec_"},
  {"groq_key", LB "gsk_[A-Za-z0-9]{40,}", NULL, NULL, NULL, 0, "gsk_"},
  {"xai_key", LB "xai-[A-Za-z0-9]{50,}", NULL, NULL, NULL, 0, "xai-"},
  {"perplexity_key", LB "pplx-[A-Za-z0-9]{32,}", NULL, NULL, NULL, 0, "pplx-"},
  {"replicate_token", LB "r8_[A-Za-z0-9]{30,}", NULL, NULL, NULL, 0, "r8_"},
  /* Hugging Face user tokens hf_… and org tokens api_org_… (34 letters). */
  {"huggingface_token", LB "(?:hf|api_org)_[A-Za-z0-9]{30,}", NULL, NULL, NULL, 0, "hf_|api_org_"},
  /* GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36; fine-grained github_pat_…
   * Must NOT catch "ghp_" in prose. */
  {"github_token", LB "gh[pousr]_[A-Za-z0-9]{30,}", NULL, NULL, NULL, 0, "ghp_|gho_|ghu_|ghs_|ghr_"},
  {"github_pat", LB "github_pat_[A-Za-z0-9_]{22,}", NULL, NULL, NULL, 0, "github_pat_"},
  /* GitLab personal/deploy/runner/trigger/CI-build tokens, runner
   * registration tokens. */
  {"gitlab_token",
   LB "(?:gl(?:pat|dt|rt|ptt|cbt|oas|imt|ft|soat|agent)-[A-Za-z0-9_-]{20,}"
   "|GR1348941[A-Za-z0-9_-]{20,})",
   NULL, NULL, NULL, 0, "glpat-|gldt-|glrt-|glptt-|glcbt-|gloas-|glimt-|glft-|glsoat-|glagent-|gr1348941"},
  /* Slack bot/user/app/config tokens. Must NOT catch a bare "xoxb-". */
  {"slack_token", LB "(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}", NULL, NULL, NULL, 0, "xox|xapp-"},
  /* AWS access key ids: AKIA/ASIA/… + 16 capitals or digits. */
  {"aws_access_key_id",
   LB "(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}" RB, NULL, NULL, NULL, 0, "akia|asia|agpa|aida|aroa|aipa|anpa|anva|apka|abia|acca"},
  /* AWS STS session tokens (base64 of a fixed protobuf header). */
  {"aws_session_token",
   "(?:FwoGZXIvYXdz|IQoJb3JpZ2lu|AQoDYXdz|AgoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}", NULL, NULL, NULL, 0, "fwogzxivyxdz|iqojb3jpz2lu|aqodyxdz|agojb3jpz2lu"},
  /* Google: API keys AIza + 35, OAuth access ya29.…, refresh 1//0…,
   * client secrets GOCSPX-… Must NOT catch "ya29" or "AIza" alone. */
  {"google_api_key", LB "AIza[0-9A-Za-z_-]{30,}", NULL, NULL, NULL, 0, "aiza"},
  {"google_oauth_access_token", LB "ya29\\.[0-9A-Za-z._-]{16,}", NULL, NULL, NULL, 0, "ya29."},
  {"google_oauth_refresh_token", "(?<![0-9A-Za-z/])1//0[0-9A-Za-z_-]{20,}", NULL, NULL, NULL, 0, "1//0"},
  {"google_client_secret", LB "GOCSPX-[A-Za-z0-9_-]{20,}", NULL, NULL, NULL, 0, "gocspx-"},
  {"npm_token", LB "npm_[A-Za-z0-9]{36}" RB, NULL, NULL, NULL, 0, "npm_"},
  {"pypi_token", LB "pypi-AgE[A-Za-z0-9_-]{30,}", NULL, NULL, NULL, 0, "pypi-age"},
  /* Twilio API key SIDs (SK…) and account SIDs (AC…): 32 hex. */
  {"twilio_key", LB "(?:SK|AC)[0-9a-fA-F]{32}" RB, NULL, NULL, NULL, 0, "sk|ac"},
  {"sendgrid_key", LB "SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{30,50}", NULL, NULL, NULL, 0, "sg."},
  {"digitalocean_token", LB "do[opr]_v1_[a-f0-9]{64}", NULL, NULL, NULL, 0, "_v1_"},
  {"posthog_personal_key", LB "phx_[A-Za-z0-9]{30,}", NULL, NULL, NULL, 0, "phx_"},
  {"linear_key", LB "lin_(?:api|oauth)_[A-Za-z0-9]{32,}", NULL, NULL, NULL, 0, "lin_api_|lin_oauth_"},
  {"age_secret_key", "(?i)AGE-SECRET-KEY-1[0-9A-Z]{50,}", NULL, NULL, NULL, 0, "age-secret-key-1"},
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
   * after AccountKey=. */
  {"azure_storage_key",
   "(?i:AccountKey=)[A-Za-z0-9+/]{40,}={0,2}|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==", NULL, NULL, NULL, 0, "accountkey=|=="},
  /* AWS secret access keys: exactly 40 base64 characters with upper, lower
   * and digit. Must NOT catch 40-hex git SHAs. */
  {"aws_secret_key", "(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", mixed_case_digit, NULL, NULL, 0, NULL},

  /* ---- URL parameters (after the vendor rows: "?key=AIza…" is a Google
   * key first). */
  /* Query or fragment parameters that carry secrets ("?token=…",
   * "&api_key=…", "#access_token=…", "&sig=…"). Must NOT catch "?q=token"
   * or "&page=2". */
  {"url_secret_param",
   "(?i)[?&#;](?:access_token|refresh_token|id_token|auth_token|token|api_?key|key|sig"
   "|signature|secret|client_secret|password|passwd|auth|code|session_?id|session)=[^&#\\s]",
   NULL, NULL, "=", 0, NULL},
  /* file:// URLs in any case. Must NOT catch "files" or "profile". */
  {"file_url", "(?i)\\bfile://", NULL, NULL, "/", 0, "file://"},

  /* ---- authorization header values. */
  /* "Bearer <token>" in any case; the token needs a digit or 20+ chars.
   * Must NOT catch "bearer token", "Bearer <token>", a bare "Bearer". */
  {"bearer_auth",
   "(?i)\\bbearer[\\s:=]+(?:(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{3,}"
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

  /* Secret assignments in any case and shape: "password=hunter2",
   * "API_KEY: v", "\"passwd\": \"x\"", "export GITHUB_TOKEN=…",
   * "client_secret=…". Must NOT catch bare names ("max_tokens",
   * "openai_api_key", "password_reset_flow", "tokens: 5") or "password:"
   * with nothing after it. */
  {"secret_assignment",
   "(?i)(?:password|passwd|passphrase|secret|api[_-]?key|access[_-]?key|private[_-]?key"
   "|(?:access|auth|refresh|id|session|bearer)[_-]?token|token|credentials?)"
   "[\"']?\\s*[:=]\\s*[\"']?[^\\s\"']",
   NULL, NULL, ":=", 0, NULL},
  /* ---- network identifiers. */
  /* Sentry DSNs and URL userinfo went first; here e-mail in every form
   * (display name, plus-tags, IDN). Must NOT catch retina asset names
   * ("icon@2x.png"), npm specs ("@tauri-apps/api@2.0.1": numeric "TLD"),
   * "user@host". */
  {"email",
   "[A-Za-z0-9._%+'!#$&*=?^`{|}~" NA "-]+@"
   "(?![0-9]+(?:\\.[0-9]+)?x\\.[A-Za-z0-9]+(?![.A-Za-z0-9-]))"
   "(?:[A-Za-z0-9" NA "][A-Za-z0-9" NA "-]*\\.)+"
   "[A-Za-z" NA "]{2,}",
   NULL, NULL, "@", 0, NULL},
  /* IPv6: full, "::"-compressed, IPv4-mapped ("::ffff:10.0.0.1"), with
   * zone ids ("fe80::1%en0") or brackets. Must NOT catch clock times
   * ("12:30:45"), model tags ("qwen3.5:2b"), "::", "dead::beef",
   * "std::vector". MAC addresses have six groups. */
  {"ipv6",
   "(?<![0-9A-Fa-f:])(?:"
   "(?:" H4 ":){7}" H4 "|(?:" H4 ":){1,7}:" "|(?:" H4 ":){1,6}:" H4
   "|(?:" H4 ":){1,5}(?::" H4 "){1,2}" "|(?:" H4 ":){1,4}(?::" H4 "){1,3}"
   "|(?:" H4 ":){1,3}(?::" H4 "){1,4}" "|(?:" H4 ":){1,2}(?::" H4 "){1,5}"
   "|" H4 ":(?::" H4 "){1,6}" "|:(?::" H4 "){1,7}"
   ")(?![0-9A-Fa-f:])",
   ipv6_ok, NULL, ":", 0, NULL},
  /* IPv4 dotted quad, leading zeros allowed, with ":port" or "/cidr". Must
   * NOT catch three-part versions ("0.1.1"), "v1.2.3.4", or five numbers
   * ("1.2.3.4.5"). */
  {"ipv4", "(?<![0-9.])(?<![vV])" IPV4 "(?![0-9])(?!\\.[0-9])", NULL, NULL, ".", 4, NULL},
  /* MAC-48 with ':' or '-' (one separator throughout) and Cisco's dotted
   * form. Must NOT catch clock times, UUIDs or longer colon-hex runs. */
  {"mac",
   "(?<![0-9A-Fa-f:-])" H "{2}([:-])(?:" H "{2}\\g{-1}){4}" H "{2}(?![0-9A-Fa-f:-])"
   "|(?<![0-9A-Fa-f.])" H "{4}\\." H "{4}\\." H "{4}(?![0-9A-Fa-f.])",
   NULL, NULL, ":-.", 0, NULL},
  /* mDNS / Bonjour host names ("alice-macbook.local", also ":port" or a
   * final dot). Must NOT catch "settings.local.json", ".env.local",
   * "/usr/local" or "localhost". */
  {"local_hostname",
   "(?i)(?<![A-Za-z0-9._-])(?:[A-Za-z0-9" NA "][A-Za-z0-9" NA "-]*\\.)+"
   "local(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])",
   NULL, NULL, ".", 0, ".local"},
  /* Device names that carry a person's name ("alice-macbook",
   * "Bobs-iPhone", "DESKTOP-ABC1234"). Must NOT catch "tauri-macos",
   * "morning-digest-mac", "i686-pc-linux-gnu", "MacBookPro18,3". */
  {"personal_hostname",
   "(?i)(?<![A-Za-z0-9_.-])[a-z][a-z0-9]*(?:'?s)?-(?:macbook(?:-(?:pro|air))?|mbp|mba|imac"
   "|mac-?mini|mac-?studio|mac-?pro|iphone|ipad|ipod|pixel|galaxy|android|thinkpad|xps|surface"
   "|laptop|desktop|pc|workstation)(?:-\\d+)?(?![A-Za-z0-9_-])"
   "|(?-i:" LB "(?:DESKTOP|LAPTOP)-[A-Z0-9]{6,8}" RB ")",
   NULL, NULL, "-", 0, NULL},

  /* ---- paths that carry a user name. */
  /* Unix homes: "/home/bob", "/Users/alice" (any case: macOS), "/root/",
   * "$HOME", "${HOME}", "~/x", "~alice/". Must NOT catch "/usr/local/bin",
   * a bare "/home", "$HOMEBREW_PREFIX", "~5/10", "a~/b", "C:/Users/x"
   * (the windows row's). */
  {"home_path",
   "(?<![A-Za-z]:)(?i:/(?:Users|home)/)[^/\\s]|/root/"
   "|\\$\\{?HOME\\b"
   "|(?<![A-Za-z0-9_.~-])~(?:[a-z_][a-z0-9_.-]{0,31})?/",
   NULL, NULL, "/$~", 0, NULL},
  /* Windows profiles: "C:\Users\x", "C:/Users/x", JSON-escaped
   * "C:\\Users\\x", "\Users\x", "Documents and Settings". Must NOT catch
   * "C:\Program Files\…" or "C:\Users" alone. */
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
  /* IBAN: country, check digits, 11–30 more, spaces allowed, mod 97. */
  {"iban", "(?i)" LB "[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}" RB, ja__iban_ok, NULL, NULL, 2, NULL},
  /* IMEI: labelled, grouped 2-6-6-1, or bare 15 digits (Luhn). */
  {"imei",
   "(?i)\\bIMEI(?:SV)?\\b[\\s:#=]*\\d[\\d -]{12,18}\\d"
   "|(?<![\\d.-])\\d{2}([ -])\\d{6}\\g{-1}\\d{6}\\g{-1}\\d(?![\\d.-])"
   "|(?<![\\d.+-])\\d{15}(?![\\d.])",
   imei_ok, NULL, NULL, 14, NULL},
  /* Payment cards: 13–19 digits, spaced or dashed, Luhn, issuer prefix. */
  {"payment_card", "(?<![\\w.+-])\\d(?:[ -]?\\d){12,18}(?![\\d])", card_ok, NULL, NULL, 13, NULL},
  /* US social security numbers. */
  {"us_ssn", "(?<![\\w.-])\\d{3}([- ])\\d{2}\\g{-1}\\d{4}(?![\\w-])", ssn_ok, NULL, "- ", 9, NULL},
  /* Phone numbers: "+" forms (E.164 with any grouping), NANP
   * "(415) 555-2671" / "415-555-2671", national forms with a trunk 0 and
   * one separator ("020 7946 0958"). Must NOT catch versions, ratios,
   * clock times, dates ("2024-01-01", "01.02.2024") or bare numbers. */
  {"phone",
   "(?<![\\w.+/-])(?<!\\d:)(?:"
   "\\+[1-9]\\d{0,2}(?:[ .-]?\\(0\\))?(?:[ .-]?\\(?\\d{1,4}\\)?){1,5}[ .-]?\\d{2,4}"
   "|\\(\\d{3}\\)[ .-]?\\d{3}[ .-]\\d{4}"
   "|[2-9]\\d{2}([ .-])\\d{3}\\g{-1}\\d{4}"
   "|0[1-9]\\d{0,3}([ .-])\\d{2,8}(?:\\g{-1}\\d{2,8}){0,3}"
   ")(?![\\w.:/-]|[+]\\d)",
   phone_ok, NULL, NULL, 8, NULL},
  /* One-time codes given in context: "code: 123456", "OTP 4821",
   * "verification code is 902114". Bare "code" needs 6–8 digits so that
   * "exit code 127" and "error code 1001" pass. */
  {"one_time_code",
   "(?i)\\b(?:otp|one[- ]time (?:code|password|passcode|pin)|verification code|security code"
   "|confirmation code|auth(?:entication)? code|login code|sign-?in code|2fa(?: code)?"
   "|mfa(?: code)?|passcode|pin(?: code)?)\\b[\\s:=#]*(?:is\\s+|was\\s+)?\\d{4,8}(?!\\d|\\.\\d)"
   "|\\bcode\\b[\\s:=#]*(?:is\\s+|was\\s+)?\\d{6,8}(?!\\d|\\.\\d)",
   NULL, NULL, NULL, 4, "otp|one|code|pin|2fa|mfa"},
};

#undef H
#undef H4
#undef NA
#undef LB
#undef RB
#undef IPV4

const ja__redact_rule *
ja__redact_rules(size_t *n)
{
  *n = sizeof rules / sizeof rules[0];
  return rules;
}
