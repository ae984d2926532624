/*
 * filter/redact_rules.c — THE table of PII patterns;
 * the validators that tell real values from look-alikes are in
 * redact_validators.c. redact.c compiles and runs it; nothing else knows a
 * pattern. tests/data/redact_corpus.tsv holds the values every row must
 * catch and the look-alikes it must let through (corpora 2 and 3, written
 * apart from the table, check it from outside): add a row here, add cases
 * there, check with `jarvis-analytics redact`; docs/redaction.md lists
 * every kind and every decision.
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

#include "filter/checksum.h"
#include "filter/redact.h"
#include "filter/redact_validators.h"

/* ------------------------------------------------------------- shorthands */

#define H "[0-9A-Fa-f]"
#define H4 H "{1,4}"
/* The bytes H matches, for a row's count_of. */
#define HEX_DIGITS "0123456789ABCDEFabcdef"
/* What every match of the MAC row holds: H{2}[:-]H{2}… a ':' or '-'
 * before a hex digit (literals compare without regard to ASCII case, so
 * "a" stands for "A" too), H{4}\.H{4}… a '.' (a dot alone: ".0" … ".f"
 * as literals crowded the buckets where version numbers' literals are
 * filed). Prose holds ':' before a space. */
#define MAC_SEP_HEX                                                                                \
  ":0|:1|:2|:3|:4|:5|:6|:7|:8|:9|:a|:b|:c|:d|:e|:f|-0|-1|-2|-3|-4|-5|-6|-7|-8|-9|-a|-b|-c|-d|-e|-f" \
  "|."
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
/* A systemd unit with an instance ("getty@tty1.service"): a name, '@', an
 * instance and a unit type, shaped like an e-mail address. */
#define SYSTEMD_UNIT                                                                               \
  "[A-Za-z0-9_.:-]+@[A-Za-z0-9_.:\\\\-]*\\.(?:service|socket|timer|target|mount|automount|path|slice|scope" \
  "|device|swap)(?![A-Za-z0-9.-])"
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
/* For the rows on people: month names (English, German, French, Spanish, Italian,
 * Dutch), a capitalised name with an optional surname, honorifics, and the
 * literals greetings and sign-offs hold. */
#define MONTHS                                                                                     \
  "jan(?:uary|uar)?|jänner|feb(?:ruary|ruar)?|mar(?:ch)?|märz|apr(?:il)?|may|mai|june?|juni|july?|juli"         \
  "|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?"          \
  "|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero"        \
  "|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio"         \
  "|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|januari|februari|maart|mei|augustus"
/* A capital letter as the first item of a row: a class PCRE2 can turn into
 * start bytes (\p{Lu} alone gives none, so every position would be
 * tried), then checked to be a capital. */
#define UPPER "[A-Z\\x{C0}-\\x{10FFFF}](?<=\\p{Lu})"
#define NAME1 "\\p{Lu}[\\p{L}'’]*\\p{Ll}(?:-\\p{Lu}\\p{Ll}+)?(?![\\p{L}'’-])"
/* Words that make the full name before them the name of a place, an
 * institution, a prize or a law ("Alan Turing Institute", "George
 * Washington Bridge", "John Lennon Airport"): an eponym, not a person's
 * data. Only right after the name (a job title or an employer there —
 * "Jane Doe Product Manager", "Jane Doe Stanford University" — keeps the
 * name a person's). */
#define EPONYM_PLACE                                                                               \
  "(?:Institute|Institution|Foundation|University|College|School|Academy|Award|Awards|Prize|Medal" \
  "|Fellowship|Scholarship|Lecture|Museum|Gallery|Library|Hospital|Clinic|Stadium|Arena|Airport"    \
  "|Bridge|Memorial|Trust|Society|Theorem|Conjecture|Equation|Equations|Park|Square|Station"        \
  "|Boulevard|Avenue|Street|Highway|Tunnel|Center|Centre)(?![\\p{L}\\d])"
/* CJK names: two to four Han, kana or Hangul characters. */
#define CJKNAME "[\\p{Han}\\p{Katakana}\\p{Hangul}]{1,4}"
#define NAME2 NAME1 "(?: " NAME1 "){0,2}"
#define HON "(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra|Sig|Dott)"
/* Bytes one of which every capitalised name holds: A-Z, or the UTF-8 of a
 * non-ASCII capital (all bytes >= 0x80). */
#define CAPS "ABCDEFGHIJKLMNOPQRSTUVWXYZ" HIGH
#define HIGH                                                                                       \
  "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97" \
  "\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf" \
  "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7" \
  "\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf" \
  "\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4"
/* What separates the words of a seed phrase (the rows' [\\s,;]+|-): a
 * phrase of 12 words holds 11 of them. */
#define SEED_SEPS " \t\n\r\f\v,;-"
#define GREET                                                                                      \
  "hi|hello|hey|dear|greetings|morning|afternoon|evening|hallo|liebe|geehrte|bonjour|salut|cher|hola" \
  "|querid|buongiorno|ciao|caro|cara|hej|hoi|moin|servus|namaste|salaam"
/* German and Dutch sign-offs by what no ordinary English word holds ("gr"
 * alone sent background, program and group to PCRE2): grüße, Grüße, gruß,
 * GRUẞ, groet(en). Bytes past ASCII compare exactly, so both cases of ü
 * are listed. */
#define SIGN                                                                                       \
  "thank|thx|cheers|regards|best|sincerely|yours|cordially|respectfully|love|xoxo|take care|talk soon" \
  "|gr\xc3\xbc|gr\xc3\x9c|gru\xc3\x9f|gru\xe1\xba\x9e|groet"                                         \
  "|cordialement|amicalement|bisous|saludo|atentamente|saluti|abra|atenciosamente|lsningar|mvh"

/* What every match of the Cyrillic, Greek, Polish and Turkish greeting
 * row holds. The row is (?i), and PCRE2 matches each letter in every case
 * Unicode gives it, so a literal has to be there in all of them, in the
 * text the table runs on: the NFKC view (every scan is of ASCII or of
 * that view), where of the ASCII letters only 'k' and 's' have other
 * forms (KELVIN SIGN, LONG S), and NFKC turns those into ASCII.
 * - Cyrillic: every greeting holds a letter (п р и з б у ш і ...) whose
 *   forms are all U+0400-U+047F, lead byte D0 or D1 (в д о с т also
 *   match U+1C80-U+1C85, but no greeting is made of those letters alone);
 * - Greek: γ α (and the others) in any case are U+0391-U+03C9, lead byte
 *   CE or CF;
 * - cześć, dzień, teşekkürler hold ś, ń, ş: in either case U+0143-U+015F,
 *   lead byte C5;
 * - szanowny/szanowna, pozdrawiam, merhaba, sevgili, saygılarımla: ASCII
 *   letters (ı matches only itself), compared without regard to case.
 * Ordinary English prose holds none of these. */
#define GREET_X "\xd0|\xd1|\xce|\xcf|\xc5|szanown|pozdraw|merhaba|sevgil|sayg"

/* ------------------------------------------------------------------ table */

static const ja__redact_rule rules[] = {
  /* ---- private keys: the header alone is enough, with or without dashes,
   * in any case, words joined by spaces, '_' or '-' ("begin rsa private
   * key", "BEGIN_PRIVATE_KEY"). Must NOT catch "public key", "BEGIN
   * CERTIFICATE", "private key file not found". */
  {"openssh_private_key", "(?i)BEGIN[ _-]+OPENSSH[ _-]+PRIVATE[ _-]+KEY", NULL, "pem", " _-", 0, "private", 0, NULL, 0},
  {"pgp_private_key", "(?i)BEGIN[ _-]+PGP[ _-]+PRIVATE[ _-]+KEY", NULL, "pem", " _-", 0, "private", 0, NULL, 0},
  /* PEM "BEGIN [RSA|EC|DSA|ENCRYPTED|SSH2 ENCRYPTED] PRIVATE KEY" and PuTTY
   * key files. */
  {"private_key", "(?i)BEGIN[ _-]+(?:[A-Z0-9]+[ _-]+){0,3}PRIVATE[ _-]+KEY|PuTTY-User-Key-File-\\d", NULL,
   "pem", " _-", 0, "private|putty-user-key-file-", 0, NULL, 0},

  /* ---- URLs whose shape says "secret" (before the generic URL rows). */
  /* S3 presigned URLs (SigV4 and the legacy AWSAccessKeyId form). Must NOT
   * catch an ordinary s3.amazonaws.com link. */
  {"aws_presigned_url",
   "(?i)X-Amz-(?:Signature|Credential|Security-Token)=[^&#\\s]|[?&]AWSAccessKeyId=[A-Z0-9]", NULL, NULL, "=", 0, "x-amz-|awsaccesskeyid=", 0, NULL, 0},
  /* Azure shared access signatures: "sv=2022-11-02&…&sig=…" and
   * "SharedAccessSignature=" in connection strings. */
  {"azure_sas", "(?i)\\bsv=\\d{4}-\\d\\d-\\d\\d&\\S*?\\bsig=[^&#\\s]|SharedAccessSignature=\\S",
   NULL, NULL, "=", 0, "sig=|sharedaccesssignature=", 0, NULL, 0},
  /* Slack incoming-webhook / workflow URLs: the path is the credential. */
  {"slack_webhook", "(?i)hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{8,}",
   NULL, NULL, "/", 0, "hooks.slack.com/", 0, NULL, 0},
  /* Discord webhook URLs: …/api/webhooks/<id>/<token>. */
  {"discord_webhook",
   "(?i)discord(?:app)?\\.com/api/(?:v\\d+/)?webhooks/\\d+/[A-Za-z0-9_-]{10,}", NULL, NULL, "/", 0, "/webhooks/", 0, NULL, 0},
  /* Sentry DSNs "https://<32 hex public key>@o1.ingest.sentry.io/2" and
   * tokens (sntrys_ org tokens, sntryu_ user tokens). */
  {"sentry_token",
   "(?i)\\b[a-z]+://[0-9a-f]{32}(?::[0-9a-f]{32})?@|" LB "sntry[su]_[A-Za-z0-9+/=_-]{20,}", NULL, NULL, "@_", 0, "://|sntry", 0, NULL, 0},
  /* URLs with userinfo: "https://user:pass@host", "redis://:pw@h",
   * "ftp://alice@host". Must NOT catch "https://host/@scope/pkg" (the '@'
   * is in the path), placeholders and masks in the password
   * ("https://<user>:<password>@<host>/", "postgres://app:${DB_PASSWORD}@db",
   * "postgres://app:********@db"). */
  {"url_credentials", "(?i)\\b[a-z][a-z0-9+.-]*://(?!<[^<>]*>(?::<[^<>]*>)?@)[^\\s/?#@]+@[^\\s/?#@]", ja__valid_url_userinfo,
   NULL, "@", 0, "://", 0, NULL, 0},
  /* ---- vendor credentials, one row each: every row is led by its prefix, so
   * its own gate skips it for most values (measured faster, in
   * tools/bench/bench_redact, than one alternation of them all); `lits`
   * names the prefixes. ja__valid_not_filler lets placeholders made of one repeated
   * character pass ("sk-proj-XXXXXXXXXXXXXXXXXXXXXXXX", "ghp_xxxx…"); masks
   * ("sk-…XXXX", "sk-****abcd", "ghp_****…") never reach the length. */
  /* Anthropic: sk-ant-api03-…, sk-ant-admin01-…, sk-ant-oat01-… */
  {"anthropic_key", LB "sk-ant-[A-Za-z0-9_-]{20,}", ja__valid_not_filler, NULL, NULL, 0, "sk-ant-", 0, NULL, 0},
  /* OpenRouter: sk-or-v1- + 64 hex. */
  {"openrouter_key", LB "sk-or-(?:v\\d+-)?[A-Za-z0-9]{20,}", ja__valid_not_filler, NULL, NULL, 0, "sk-or-", 0, NULL, 0},
  /* OpenAI: sk-proj-, sk-svcacct-, sk-admin- + 20 or more; legacy sk- + one
   * run of 16+ letters/digits holding a digit or capital. Must NOT catch
   * "sk-learn", "task-1234567890abcdef" or "sk-some-feature-name". */
  {"openai_key",
   LB "sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}"
   "|(?:[A-Za-z0-9]+[-_])*(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{16,})",
   ja__valid_not_filler, NULL, NULL, 0, "sk-", 0, NULL, 0},
  /* Stripe secret, restricted and publishable keys; webhook secrets. */
  {"stripe_key", LB "[spr]k_(?:live|test)_[A-Za-z0-9]{16,}", ja__valid_not_filler, NULL, NULL, 0, "k_live_|k_test_", 16, NULL, 0},
  {"stripe_webhook_secret", LB "whsec_[A-Za-z0-9+/=]{20,}", ja__valid_not_filler, NULL, NULL, 0, "whsec_", 0, NULL, 0},
  {"groq_key", LB "gsk_[A-Za-z0-9]{40,}", ja__valid_not_filler, NULL, NULL, 0, "gsk_", 0, NULL, 0},
  {"xai_key", LB "xai-[A-Za-z0-9]{50,}", ja__valid_not_filler, NULL, NULL, 0, "xai-", 0, NULL, 0},
  {"perplexity_key", LB "pplx-[A-Za-z0-9]{32,}", ja__valid_not_filler, NULL, NULL, 0, "pplx-", 0, NULL, 0},
  {"replicate_token", LB "r8_[A-Za-z0-9]{30,}", ja__valid_not_filler, NULL, NULL, 0, "r8_", 0, NULL, 0},
  /* Hugging Face user tokens hf_… and org tokens api_org_… (34 letters). */
  {"huggingface_token", LB "(?:hf|api_org)_[A-Za-z0-9]{30,}", ja__valid_not_filler, NULL, NULL, 0, "hf_|api_org_", 0, NULL, 0},
  /* GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36; fine-grained github_pat_…
   * Must NOT catch "ghp_" in prose. */
  {"github_token", LB "gh[pousr]_[A-Za-z0-9]{30,}", ja__valid_not_filler, NULL, NULL, 0, "ghp_|gho_|ghu_|ghs_|ghr_", 0, NULL, 0},
  {"github_pat", LB "github_pat_[A-Za-z0-9_]{22,}", ja__valid_not_filler, NULL, NULL, 0, "github_pat_", 0, NULL, 0},
  /* GitLab personal/deploy/runner/trigger/CI-build tokens, runner
   * registration tokens. */
  {"gitlab_token",
   LB "(?:gl(?:pat|dt|rt|ptt|cbt|oas|imt|ft|soat|agent)-[A-Za-z0-9_-]{20,}"
   "|GR1348941[A-Za-z0-9_-]{20,})",
   ja__valid_not_filler, NULL, NULL, 0, "glpat-|gldt-|glrt-|glptt-|glcbt-|gloas-|glimt-|glft-|glsoat-|glagent-|GR1348941", 0, NULL, 0},
  /* Slack bot/user/app/config tokens. Must NOT catch a bare "xoxb-". */
  {"slack_token", LB "(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}", ja__valid_not_filler, NULL, NULL, 0, "xoxa-|xoxb-|xoxp-|xoxo-|xoxs-|xoxr-|xoxe-|xapp-", 0, NULL, 0},
  /* AWS access key ids: AKIA/ASIA/… + 16 capitals or digits. */
  {"aws_access_key_id",
   LB "(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}" RB, ja__valid_not_filler, NULL, NULL, 0, "AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA", 20, NULL, 0},
  /* AWS STS session tokens (base64 of a fixed protobuf header). */
  {"aws_session_token",
   "(?:FwoGZXIvYXdz|IQoJb3JpZ2lu|AQoDYXdz|AgoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}", ja__valid_not_filler, NULL, NULL, 0, "FwoGZXIvYXdz|IQoJb3JpZ2lu|AQoDYXdz|AgoJb3JpZ2lu", 0, NULL, 0},
  /* Google: API keys AIza + 35, OAuth access ya29.…, refresh 1//0…,
   * client secrets GOCSPX-… Must NOT catch "ya29" or "AIza" alone. */
  {"google_api_key", LB "AIza[0-9A-Za-z_-]{30,}", ja__valid_not_filler, NULL, NULL, 0, "AIza", 0, NULL, 0},
  {"google_oauth_access_token", LB "ya29\\.[0-9A-Za-z._-]{16,}", ja__valid_not_filler, NULL, NULL, 0, "ya29.", 0, NULL, 0},
  {"google_oauth_refresh_token", "(?<![0-9A-Za-z/])1//0[0-9A-Za-z_-]{20,}", ja__valid_not_filler, NULL, NULL, 0, "1//0", 0, NULL, 0},
  {"google_client_secret", LB "GOCSPX-[A-Za-z0-9_-]{20,}", ja__valid_not_filler, NULL, NULL, 0, "GOCSPX-", 0, NULL, 0},
  {"npm_token", LB "npm_[A-Za-z0-9]{36}" RB, ja__valid_not_filler, NULL, NULL, 0, "npm_", 0, NULL, 0},
  {"pypi_token", LB "pypi-AgE[A-Za-z0-9_-]{30,}", ja__valid_not_filler, NULL, NULL, 0, "pypi-AgE", 0, NULL, 0},
  /* Twilio API key SIDs (SK…) and account SIDs (AC…): 32 hex. */
  {"twilio_key", LB "(?:SK|AC)[0-9a-fA-F]{32}" RB, ja__valid_not_filler, NULL, NULL, 0, "SK|AC", 0, NULL, 0},
  {"sendgrid_key", LB "SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{30,50}", ja__valid_not_filler, NULL, NULL, 0, "SG.", 0, NULL, 0},
  {"digitalocean_token", LB "do[opr]_v1_[a-f0-9]{64}", ja__valid_not_filler, NULL, NULL, 0, "doo_v1_|dop_v1_|dor_v1_", 0, NULL, 0},
  {"posthog_personal_key", LB "phx_[A-Za-z0-9]{30,}", ja__valid_not_filler, NULL, NULL, 0, "phx_", 0, NULL, 0},
  {"linear_key", LB "lin_(?:api|oauth)_[A-Za-z0-9]{32,}", ja__valid_not_filler, NULL, NULL, 0, "lin_api_|lin_oauth_", 0, NULL, 0},
  {"age_secret_key", "(?i)AGE-SECRET-KEY-1[0-9A-Z]{50,}", ja__valid_not_filler, NULL, NULL, 0, "AGE-SECRET-KEY-1", 0, NULL, 0},
  /* JSON Web Tokens: "{"-header . "{"-payload . signature (may be empty,
   * alg=none). Must NOT catch a lone "eyJ…" word or "eyJ.eyJ". */
  {"jwt", "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*", NULL, NULL, ".", 0, "eyj", 0, NULL, 0},
  /* Discord bot tokens: base64 user id (M/N/O…) . 6 . 27+. */
  {"discord_bot_token",
   "(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}"
   "(?![A-Za-z0-9_-])",
   NULL, NULL, ".", 0, NULL, 0, NULL, 0},
  /* Telegram bot tokens: bot id ':' 35 characters. */
  {"telegram_bot_token", "(?<![0-9])\\d{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])", NULL, NULL, ":", 8, NULL, 0, NULL, 0},
  /* Azure AD client secrets (new format: xxx8Q~…). */
  {"azure_client_secret",
   "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])", NULL, NULL, "~", 1, "q~", 0, NULL, 0},
  /* Azure storage account keys: 88 base64 characters ending "==", bare or
   * after AccountKey=. Must NOT catch subresource-integrity hashes
   * ("sha512-…==", the same length). */
  {"azure_storage_key",
   "(?i:AccountKey=)[A-Za-z0-9+/]{40,}={0,2}|(?<![A-Za-z0-9+/])(?<!sha512-)[A-Za-z0-9+/]{86}==", NULL, NULL, NULL, 0, "accountkey=|==", 0, NULL, 0},
  /* AWS secret access keys: exactly 40 base64 characters with upper, lower
   * and digit. Must NOT catch 40-hex git SHAs.
   * Written as two rows, which together match what
   * "(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])" matches: the
   * keys without '/' or '+' and those with one (the lookahead finds it
   * among the 40), so that each can make a promise the gate checks. The
   * validator wants a capital and a digit: every key accepted holds one
   * of A-Z and a digit. Without '/' and '+' the 40 are a run of letters
   * and digits (min_run 40); with them the key holds '/' or '+'. Ordinary
   * prose has neither such a run nor, mostly, those bytes. */
  {"aws_secret_key", "(?<![A-Za-z0-9/+])[A-Za-z0-9]{40}(?![A-Za-z0-9/+=])", ja__valid_mixed_case_digit, NULL,
   "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, NULL, 40, NULL, 0},
  {"aws_secret_key", "(?<![A-Za-z0-9/+])(?=[A-Za-z0-9]{0,39}[/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
   ja__valid_mixed_case_digit, NULL, "/+", 1, NULL, 0, NULL, 0},

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
   NULL, NULL, "=", 0, "token|key|sig|secret|pass|auth|code|session", 0, NULL, 0},
  /* file:// URLs in any case. Must NOT catch "files" or "profile". */
  {"file_url", "(?i)\\bfile://", NULL, NULL, "/", 0, "file://", 0, NULL, 0},

  /* ---- authorization header values. */
  /* "Bearer <token>" in any case; the token needs a digit or 20+ chars.
   * Must NOT catch "bearer token", "Bearer <token>", a bare "Bearer",
   * "Bearer YOUR_OPENAI_API_KEY_HERE", "Bearer $TOKEN". */
  {"bearer_auth",
   "(?i)\\bbearer[\\s:=]+(?!" PLACEHOLDER ")(?:(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{3,}"
   "|[A-Za-z0-9._~+/=-]{20,})",
   NULL, "auth", " \t\n\v\f\r:=", 0, "bearer", 0, NULL, 0},
  /* "Authorization: Basic …" always; a bare "Basic <b64>" when it decodes
   * to "user:pass". Must NOT catch "basic authentication". */
  {"basic_auth", "(?i)authorization\\s*[:=]\\s*basic\\s+\\S", NULL, "auth", " \t\n\v\f\r:=", 0, "authorization", 0, NULL, 0},
  {"basic_auth", "(?i)\\bbasic[\\s:=]+[A-Za-z0-9+/]{4,}={0,2}(?![A-Za-z0-9+/=])",
   ja__valid_basic_credentials, "auth", " \t\n\v\f\r:=", 0, "basic", 0, NULL, 0},
  /* "Authorization: token …", "Token <20+ chars with a digit>". */
  {"token_auth",
   "(?i)authorization\\s*[:=]\\s*token\\s+\\S"
   "|\\b[Tt]oken\\s+(?=[A-Za-z0-9._-]*\\d)[A-Za-z0-9._-]{20,}",
   NULL, "auth", " \t\n\v\f\r:=", 1, "authorization|token", 0, NULL, 0},
  /* Session cookies: Cookie/Set-Cookie headers, and well-known session
   * cookie names with a value. Must NOT catch the value servers send to
   * delete one ("PHPSESSID=deleted"). */
  {"session_cookie",
   "(?i)\\b(?:set-)?cookie\\s*:\\s*[^=\\s]+=\\S"
   "|(?<![A-Za-z0-9_.-])(?:sessionid|session_id|session|sess|PHPSESSID|JSESSIONID|connect\\.sid"
   "|laravel_session|ASP\\.NET_SessionId|(?:__Secure-)?next-auth\\.session-token|_gh_sess|sid"
   "|[A-Za-z0-9]+_session)=(?!(?i:deleted|expired|invalid|removed)(?:;|\\s|$))[^;\\s]{6,}",
   NULL, NULL, "=", 0, "cookie|sess|sid", 0, NULL, 0},

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
   NULL, NULL, ":=>", 0, "pass|pw|cret|key|oken|cred|ecover|backup|phrase|mdp", 0, NULL, 0},
  /* The same with the ASCII words of other languages ("Kennwort=geheim",
   * "senha: segredo123", "wachtwoord: …"). Must NOT catch them alone, before
   * a placeholder, or inside other words ("Kennworte"). */
  {"secret_assignment",
   "(?i)(?<![A-Za-z])" SECRET_KEY_INTL "(?![A-Za-z])" SECRET_SEP "(?!" PLACEHOLDER ")[^\\s\"'=>]",
   NULL, NULL, ":=", 0, "nnwort|ntrase|nha|twoord|haslo|parola|dgang|slo|ozin", 0, NULL, 0},
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
   NULL, NULL, "\xC3\xC4\xC5\xCE\xCF\xD0\xD7\xD9\xE0\xE1\xE3\xE5\xE6\xEB\xEC", 0, NULL, 0, NULL, 0},
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
   "pass|pw|nnwort|contrase|nha|twoord", 0, NULL, 0},
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
   NULL, NULL, "-\\/", 0, "--|mysql|mariadb|sshpass|login|redis-cli|curl|wget|http|pass|net use", 0, NULL, 0},
  /* ---- network identifiers. */
  /* Sentry DSNs and URL userinfo went first; here e-mail in every form
   * (display name, plus-tags, IDN, quoted local parts "\"john doe\"@…",
   * comments "john(comment)@…", IP-literal domains "user@[192.0.2.1]").
   * Must NOT catch retina asset names ("icon@2x.png"), npm specs
   * ("@tauri-apps/api@2.0.1": numeric "TLD"), "user@host", systemd
   * units and their instances ("getty@tty1.service", "user@1000.service"),
   * a masked local part ("********@db.example.com" in a masked URL). */
  {"email",
   "(?!" SYSTEMD_UNIT "|\\*+@)(?:\"[^\"\\r\\n]{1,64}\"|[A-Za-z0-9._%+'!#$&*=?^`{|}~" NA "-]+)(?:\\([^()\\r\\n]{0,64}\\))?@"
   "(?:\\[(?:" IPV4 "|IPv6:[0-9A-Fa-f:.]{2,45})\\]"
   "|(?![0-9]+(?:\\.[0-9]+)?x\\.[A-Za-z0-9]+(?![.A-Za-z0-9-]))"
   "(?:[A-Za-z0-9" NA "][A-Za-z0-9" NA "-]*\\.)+"
   "[A-Za-z" NA "]{2,})",
   NULL, NULL, "@", 0, NULL, 0, NULL, 0},
  /* Obfuscated with brackets: "alice(at)example.com", "alice [at] example
   * [dot] com", "bob{at}example{dot}org", "carol@example[.]com". Must NOT
   * catch "Vienna (AT) office", "price (at) 5.99", "look [at] this". */
  {"email",
   "(?i)(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?:\\s*[\\[({<]\\s*(?:at|@)\\s*[\\])}>]\\s*|@(?=[^\\s@]*[\\[({<]))"
   "[A-Za-z0-9-]+(?:(?:\\s*[\\[({<]\\s*(?:dot|\\.)\\s*[\\])}>]\\s*|\\.|\\s+dot\\s+)[A-Za-z0-9-]+)*"
   "(?:\\s*[\\[({<]\\s*(?:dot|\\.)\\s*[\\])}>]\\s*|\\.|\\s+dot\\s+)[A-Za-z]{2,}(?![A-Za-z0-9])",
   NULL, NULL, "[({<", 0, NULL, 0, NULL, 0},
  /* Obfuscated in words: "name at example dot com", "NAME AT EXAMPLE DOT
   * CO DOT UK". Must NOT catch "available at example.com", "look at this
   * dot", "meet at noon". */
  {"email",
   "(?i)(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+\\s+at\\s+[A-Za-z0-9-]+(?:\\s+dot\\s+[A-Za-z0-9-]+)*"
   "\\s+dot\\s+[A-Za-z]{2,}(?![A-Za-z0-9])",
   NULL, NULL, " ", 0, "dot", 0, NULL, 0},
  /* IPv6: full, "::"-compressed, IPv4-mapped ("::ffff:10.0.0.1"), with
   * zone ids ("fe80::1%en0") or brackets; every compressed form ("::2",
   * "2001:db8::1"). Must NOT catch clock times ("12:30:45"), model tags
   * ("qwen3.5:2b"), "::", "dead::beef", "std::vector", nor the loopback
   * address in any spelling ("::1", "[::1]:8080", "0:0:0:0:0:0:0:1",
   * "http://[::1]:8080/", "::ffff:127.0.0.1"): like 127.0.0.1 it names no
   * one; nor multicast groups (ff00::/8: "ff02::fb"), like IPv4's 224/4.
   * MAC addresses have six groups. */
  {"ipv6",
   "(?<![0-9A-Fa-f:])(?![0:]*:0{0,3}1(?![0-9A-Fa-f:.]))(?![0:]*:ffff:127\\.)(?![Ff][Ff][0-9A-Fa-f]{0,2}:)(?:"
   "(?:" H4 ":){7}" H4 "|(?:" H4 ":){1,7}:" "|(?:" H4 ":){1,6}:" H4
   "|(?:" H4 ":){1,5}(?::" H4 "){1,2}" "|(?:" H4 ":){1,4}(?::" H4 "){1,3}"
   "|(?:" H4 ":){1,3}(?::" H4 "){1,4}" "|(?:" H4 ":){1,2}(?::" H4 "){1,5}"
   "|" H4 ":(?::" H4 "){1,6}" "|:(?::" H4 "){1,7}"
   ")(?![0-9A-Fa-f:])",
   ja__valid_ipv6, NULL, ":", 0, NULL, 0, ":", 2}, /* every alternative holds "::" or seven ':' */
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
   "|driver |\\bver )(?!0{1,3}\\.|0{0,2}127\\.|2(?:2[4-9]|[3-5][0-9])\\.)"
   "(?!(?<!//|@|\\[)[2-6]\\.1?[0-9]\\.[0-9]{1,3}\\.[0-9]{1,2}(?![0-9]|\\.[0-9]|[:/][0-9]))"
   IPV4 "(?![0-9])(?!\\.[0-9])",
   NULL, NULL, ".", 4, NULL, 0, NULL, 0},
  /* MAC-48 with ':' or '-' (mixed too) and Cisco's dotted form. Must NOT
   * catch clock times, UUIDs or longer colon-hex runs, nor the broadcast
   * and all-zero addresses (ff:ff:ff:ff:ff:ff, 00:00:00:00:00:00: one
   * digit throughout, they name no device). */
  {"mac",
   "(?<![0-9A-Fa-f:-])" H "{2}[:-](?:" H "{2}[:-]){4}" H "{2}(?![0-9A-Fa-f:-])"
   "|(?<![0-9A-Fa-f.])" H "{4}\\." H "{4}\\." H "{4}(?![0-9A-Fa-f.])",
   ja__valid_varied_hex, NULL, ":-.", 0, MAC_SEP_HEX, 0, HEX_DIGITS, 12}, /* six groups of two, three of four */
  /* MAC-48 after a label, with any separators or none: "mac_address=
   * 001a2b3c4d5e", "HWaddr 001A2B3C4D5E", "bssid: 00 1a 2b 3c 4d 5e"
   * (with ':' or '-' throughout the row above needs no label).
   * Must NOT catch "macos=14.5.1", "machine_id: 0123…", "eth0: flags". */
  {"mac",
   "(?i)(?<![A-Za-z0-9])(?:mac|hw|wifi|wi-fi|eth|ether|bluetooth|bt|bssid)"
   "(?:[ _-]?(?:addr(?:ess)?|id))?\\s*[:=]?\\s*[\"']?(?<![0-9A-Fa-f])" H "{2}(?:[:. -]?" H "{2}){5}"
   "(?![0-9A-Fa-f])",
   NULL, NULL, NULL, 0, "mac|hw|wifi|wi-fi|eth|bt|bluetooth|bssid", 0, HEX_DIGITS, 12},
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
   NULL, NULL, ".", 0, ".local|.lan|.home|.internal", 0, NULL, 0},
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
   NULL, NULL, "-", 0, NULL, 0, NULL, 0},
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
   NULL, NULL, "'", 0, NULL, 0, NULL, 0},
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
   NULL, NULL, NULL, 0, "mac|iphone|ipad|ipod|watch", 0, NULL, 0},
  /* Host-name assignments: "COMPUTERNAME=ALICE-PC", "hostname: bobs-box",
   * "machine_name=…". Must NOT catch localhost or loopback, "hostname=
   * ${HOST}", public names ("hostname: api.example.com"), "hostname:"
   * alone, "os.hostname()". */
  {"personal_hostname",
   "(?i)(?<![A-Za-z0-9_])(?:computer[_-]?name|host[_-]?name|machine[_-]?name|pc[_-]?name)"
   "\\s*[:=]\\s*[\"']?(?!" PLACEHOLDER "|localhost\\b|127\\.|0\\.0\\.0\\.0|::1|\\[::1\\]"
   "|[A-Za-z0-9_.-]+\\.(?:com|org|net|io|ai|dev|app|co|cloud|edu|gov|example)" TERM ")[A-Za-z0-9" NA "]",
   NULL, NULL, ":=", 0, "name", 0, NULL, 0},

  /* ---- paths that carry a user name. */
  /* Unix homes: "/home/bob", "/Users/alice" (any case: macOS), doubled
   * slashes ("/home//x", "//Users//x"), the Windows view of a WSL home
   * ("\\wsl$\Ubuntu\home\bob"), "$HOME", "${HOME}", "~/x", "~alice/".
   * Must NOT catch "/usr/local/bin", a bare "/home", "/root/…" (the
   * superuser's home names no one),
   * "$HOMEBREW_PREFIX", "~5/10", "a~/b", "C:/Users/x" or "/mnt/c/Users/x",
   * "//host/c$/Users/x" (the windows row's). */
  {"home_path",
   "(?<![A-Za-z]:|/|\\$)(?<!/mnt/[A-Za-z])(?i:/+(?:Users|home)/+)[^/\\s]|(?i:\\\\+home\\\\+)[^\\\\\\s]"
   "|\\$\\{?HOME\\b"
   "|(?<![A-Za-z0-9_.~-])~(?:[a-z_][a-z0-9_.-]{0,31})?/",
   NULL, NULL, "/$~\\", 0, NULL, 0, NULL, 0},
  /* Windows profiles: "C:\Users\x", "C:/Users/x", JSON-escaped
   * "C:\\Users\\x", "\Users\x", "Documents and Settings", and so in WSL
   * ("/mnt/c/Users/x"), UNC ("\\host\c$\Users\x") and long-path forms
   * ("\\?\C:\Users\x"). Must NOT catch "C:\Program Files\…" or "C:\Users"
   * alone. */
  {"windows_user_path",
   "(?i)(?:\\b[A-Z]:)?[\\\\/]+(?:Users|Documents and Settings)[\\\\/]+[^\\\\/\\s]"
   "|(?i)\\\\\\\\[^\\\\\\s]+\\\\(?:users|homes?|profiles?|redirect(?:ed)?|userdata)\\$?\\\\[^\\\\\\s$]",
   NULL, NULL, "\\/", 0, NULL, 0, NULL, 0},
  /* Windows environment forms that expand to the profile. */
  {"windows_env_path",
   "(?i)%(?:USERPROFILE|APPDATA|LOCALAPPDATA|HOMEPATH|HOMEDRIVE|HOMESHARE|USERNAME|USERDOMAIN"
   "|ONEDRIVE)%|\\$env:(?:USERPROFILE|APPDATA|LOCALAPPDATA|HOMEPATH|HOMEDRIVE|USERNAME|ONEDRIVE)\\b",
   NULL, NULL, "%$", 0, "%|$env:", 0, NULL, 0},

  /* ---- numbers with a structure or a checksum. */
  /* RFC 4122 version-1 UUIDs embed the MAC address and time. Must NOT
   * catch v4 or v7. */
  {"uuid_v1", "(?i)(?<![0-9a-f-])[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
   "(?![0-9a-f-])", NULL, NULL, "-", 1, NULL, 0, NULL, 0},
  /* Ethereum addresses: 0x + 40 hex, in mixed case with their EIP-55
   * checksum. Must NOT catch pointers (0x7ffd…), the zero address (0x000…0,
   * a placeholder and the burn address) or a mixed case whose checksum
   * fails. */
  {"ethereum_address", LB "0x[0-9a-fA-F]{40}(?![0-9a-fA-F])", ja__valid_ethereum, NULL, NULL, 0, "0x", 0, NULL, 0},
  /* Bitcoin: Base58Check (1…, 3…) and bech32/bech32m (bc1…, tb1…). */
  {"bitcoin_address",
   LB "(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?i:bc|tb)1[02-9ac-hj-np-zAC-HJ-NP-Z]{11,87})" RB,
   ja__valid_bitcoin, NULL, NULL, 0, "1|3", 14, NULL, 0},
  /* IBAN: country, check digits, 11–30 more; spaces, dots or dashes (one
   * kind) allowed; the country's registry length; mod 97. Must NOT catch
   * look-alike codes ("AB12-CDEF-GHIJ-KLMN" with a wrong length or sum). */
  {"iban", "(?i)" LB "[A-Z]{2}\\d{2}(?:[ .-]?[A-Z0-9]){11,30}" RB, ja__valid_iban, NULL, NULL, 2, NULL, 0, NULL, 0},
  /* IMEI: labelled, grouped 2-6-6-1, or bare 15 digits (Luhn). */
  {"imei",
   "(?i)\\bIMEI(?:SV)?\\b[\\s:#=]*\\d[\\d -]{12,18}\\d"
   "|(?<![\\d.-])\\d{2}([ -])\\d{6}\\g{-1}\\d{6}\\g{-1}\\d(?![\\d.-])"
   "|(?<![\\d.+-])\\d{15}(?![\\d.])",
   ja__valid_imei, NULL, NULL, 14, NULL, 0, NULL, 0},
  /* ---- cards beyond the number alone: magnetic-stripe track 1 ("%B<PAN>^
   * SURNAME/GIVEN^YYMM…") and track 2 / EMV tag 57 (";<PAN>=YYMM…",
   * "<PAN>D<YYMM>…"), the PAN checked by Luhn: before the card row, which
   * would name the PAN alone. Must NOT catch "Track 1 format B". */
  {"mag_stripe",
   "%?B\\d{13,19}\\^[^^]{2,26}\\^\\d{4}|;?\\d{13,19}=\\d{4}\\d*\\??|(?<![\\dA-Za-z])\\d{13,19}D\\d{4}\\d{3,}",
   ja__valid_track_pan, "card3", "^=D", 13, NULL, 0, NULL, 0},
  /* Payment cards: 13–19 digits, spaced, dashed, dotted or slashed (the
   * last two in groups of four), Luhn, issuer prefix. Must NOT catch
   * versions or epoch numbers. */
  {"payment_card", "(?<![\\w.+-])\\d(?:[ ./-]?\\d){12,18}(?!\\d|[./]\\d)", ja__valid_card, NULL, NULL, 13, NULL, 0, NULL, 0},
  /* US social security numbers: 3-2-4 with '-', ' ', '.' or '/', and any
   * nine digits after a label ("SSN#123456789", "SSN: 123-45-6789",
   * "social security no. …", "Soc. Sec. #…"). Must NOT catch area 000/666/
   * 9xx without a label, dates, "classn 123456789". */
  {"us_ssn",
   "(?<![\\w.-])\\d{3}([- ./])\\d{2}\\g{-1}\\d{4}(?![\\w-]|\\.\\d)"
   "|(?i)\\b(?:SSN|SS#|SS No\\.?|soc(?:ial)?\\.?\\s*sec(?:urity)?\\.?(?:\\s*(?:no\\.?|number|num\\.?|nr\\.?|#))?)"
   "\\s*(?:#|:|=|is)?\\s*\\d{3}([- ./]?)\\d{2}\\g{-1}\\d{4}(?!\\d)",
   ja__valid_ssn, NULL, "- ./sS", 9, NULL, 0, NULL, 0},
  /* Phone numbers: "+" and "00" forms (E.164 with any grouping:
   * "0044 20 7946 0958", "00 49-30-1234567"), NANP "(415) 555-2671" /
   * "415-555-2671" / "415.555.2671", national forms with a trunk 0 and one
   * separator ("020 7946 0958", "030/12345678", "0171 / 123 4567"). Must
   * NOT catch versions, ratios, clock times, dates ("2024-01-01",
   * "01.02.2024", "01/02/2024"), bare numbers, nor the tail of a longer
   * grouped number (a card or account number failing its check: "4539
   * 0773 3947 2880" holds no phone at "0773"). */
  {"phone",
   "(?<![\\w.+/-])(?<!\\d:)(?<!\\d[ .-])(?:"
   "(?:\\+|00[ .-]?(?=[1-9]\\d{0,2}[ .-]))[1-9]\\d{0,2}(?:[ .-]?\\(0\\))?(?:[ ./-]?\\(?\\d{1,4}\\)?){1,5}"
   "[ .-]?\\d{2,4}"
   "|\\(\\d{3}\\)[ .-]?\\d{3}[ .-]\\d{4}"
   "|[2-9]\\d{2}([ .-])\\d{3}\\g{-1}\\d{4}"
   /* NANP after its country code 1 and no '+': "1-555-123-4567",
    * "1.800.555.0199", "1 (555) 123-4567". */
   "|1([ .-])[2-9]\\d{2}\\g{-1}\\d{3}\\g{-1}\\d{4}"
   "|1[ .-]?\\([2-9]\\d{2}\\)[ .-]?\\d{3}[ .-]\\d{4}"
   "|0[1-9]\\d{0,3}([ ./-])\\d{2,8}(?:\\g{-1}\\d{2,8}){0,3}"
   "|0[1-9]\\d{1,4} ?/ ?\\d{2,8}(?:[ -]\\d{2,8}){0,3}"
   ")(?![\\w.:/-]|[+]\\d)",
   /* Every match holds '+', '(', '/' or a separator: the '+' form may
    * write its digits together, but "00" needs a separator after the
    * country code (its lookahead; the four digits or more that follow
    * cross it), and every other form has one. */
   ja__valid_phone, NULL, "+(/ .-", 8, NULL, 0, NULL, 0},
  /* One-time codes given in context: "code: 123456", "OTP 4821",
   * "verification code is 902114". Bare "code" needs 6–8 digits so that
   * "exit code 127" and "error code 1001" pass. */
  {"one_time_code",
   "(?i)(?<![A-Za-z0-9])(?:(?:t?otp|2fa|mfa|pin)(?:[-_ ]?code)?|passcode"
   "|one[-_ ]time[-_ ](?:code|password|passcode|pin)"
   "|(?:verification|security|confirmation|auth(?:entication)?|login|sign-?in|sms|email)[-_ ]code)"
   "(?![A-Za-z0-9])[\\s:=#\"']*(?:is\\s+|was\\s+)?\\d{4,8}(?!\\d|\\.\\d)"
   "|\\bcode\\b[\\s:=#\"']*(?:is\\s+|was\\s+)?\\d{6,8}(?!\\d|\\.\\d)",
   NULL, NULL, NULL, 4, "otp|one|code|pin|2fa|mfa", 0, NULL, 0},
  /* ================================================================
   * People, devices, places and more credentials. Rows are grouped into
   * units by shared structure (one alternation, one gate each); every row
   * says what it catches and what it must NOT catch, and promises the
   * literals (lits), bytes (needs) and digits (min_digits) every match
   * holds. Validators and the name lexicon are above (names.c, checksum.c).
   * ================================================================ */

  /* ---- vendor credentials with a documented prefix: one line each,
   * VENDOR(kind, prefix regex, body class, min, max, needs, lits): the prefix,
   * then min..max body characters, not glued to more of them on either
   * side. Must NOT catch the bare prefix ("glsa_", "hvs.") or prose. */
#define VENDOR(kind, prefix, body, lo, hi, need, lit)                                              \
  {kind, "(?<![A-Za-z0-9_.-])" prefix body "{" #lo "," #hi "}(?!" body ")", NULL, "vendor", need, 0, lit, 0, NULL, 0}
  VENDOR("grafana_token", "(?:glsa|glc|glsm)_", "[A-Za-z0-9_+/=]", 32, 120, "_.-", "glsa_|glc_|glsm_"),
  VENDOR("vault_token", "hv[sbr]\\.", "[A-Za-z0-9_-]", 24, 200, "_.-", "hvs.|hvb.|hvr."),
  VENDOR("docker_token", "dckr_(?:pat|oat)_", "[A-Za-z0-9_-]", 24, 64, "_.-", "dckr_"),
  VENDOR("supabase_key", "(?:sbp|sb_secret)_", "[A-Za-z0-9_-]", 30, 60, "_.-", "sbp_|sb_secret_"),
  VENDOR("flyio_token", "(?:fo1_|FlyV1 fm2_)", "[A-Za-z0-9_+/=-]", 40, 190, "_.-", "fo1_|flyv1"),
  VENDOR("figma_token", "figd_", "[A-Za-z0-9_-]", 40, 60, "_.-", "figd_"),
  VENDOR("heroku_key", "HRKU-", "[A-Za-z0-9_-]", 40, 70, "_.-", "hrku-"),
  VENDOR("mapbox_secret_token", "sk\\.eyJ", "[A-Za-z0-9_.-]", 60, 190, "_.-", "sk.eyj"),
  VENDOR("contentful_token", "CFPAT-", "[A-Za-z0-9_-]", 43, 43, "_.-", "cfpat-"),
  VENDOR("langsmith_key", "lsv2_(?:pt|sk)_", "[a-f0-9_]", 40, 48, "_.-", "lsv2_"),
  VENDOR("tailscale_key", "tskey-(?:auth|api|client|scim|webhook)-", "[A-Za-z0-9-]", 20, 80, "_.-", "tskey-"),
  VENDOR("onepassword_token", "ops_eyJ", "[A-Za-z0-9+/=_-]", 100, 190, "_.-", "ops_eyj"),
  VENDOR("brevo_key", "xkeysib-", "[A-Za-z0-9-]", 64, 90, "_.-", "xkeysib-"),
  VENDOR("pinecone_key", "pcsk_", "[A-Za-z0-9_]", 50, 90, "_.-", "pcsk_"),
  VENDOR("nvidia_key", "nvapi-", "[A-Za-z0-9_-]", 60, 80, "_.-", "nvapi-"),
  VENDOR("planetscale_token", "pscale_(?:tkn|pw|oauth)_", "[A-Za-z0-9_.-]", 32, 64, "_.-", "pscale_"),
  VENDOR("razorpay_key", "rzp_(?:live|test)_", "[A-Za-z0-9]", 14, 30, "_.-", "rzp_"),
  VENDOR("flutterwave_key", "FLWSECK(?:_TEST)?-", "[a-f0-9X-]", 33, 34, "_.-", "flwseck"),
  /* Round 3: more published formats of widely used developer services
   * (the prefixes and lengths their documentation and secret scanners
   * give; a body class, a range). VENDOR_V rows take a validator too:
   * prefixes short or common enough to need mixed letters and digits. */
#define VENDOR_V(kind, prefix, body, lo, hi, need, lit, valid)                                     \
  {kind, "(?<![A-Za-z0-9_.-])" prefix body "{" #lo "," #hi "}(?!" body ")", valid, "vendor", need, 0, lit, 0, NULL, 0}
  VENDOR("together_key", "tgp_v1_", "[A-Za-z0-9_-]", 40, 64, "_.-", "tgp_v1_"),
  VENDOR("voyage_key", "pa-", "[A-Za-z0-9_-]", 40, 48, "_.-", "pa-"),
  VENDOR("browserbase_key", "bb_(?:live|test)_", "[A-Za-z0-9_-]", 24, 40, "_.-", "bb_live_|bb_test_"),
  VENDOR("jina_key", "jina_", "[A-Za-z0-9_-]", 50, 72, "_.-", "jina_"),
  VENDOR("circleci_token", "CCIPAT_", "[A-Za-z0-9_]", 50, 80, "_.-", "ccipat_"),
  VENDOR("mapbox_public_token", "pk\\.eyJ", "[A-Za-z0-9_.-]", 60, 190, "_.-", "pk.eyj"),
  VENDOR("yandex_oauth_token", "y[0-3]_", "[A-Za-z0-9_-]", 50, 64, "_.-", "y0_|y1_|y2_|y3_"),
  VENDOR("yandex_iam_token", "t1\\.", "[A-Za-z0-9_.-]", 100, 400, "_.-", "t1."),
  VENDOR_V("resend_key", "re_", "[A-Za-z0-9_]", 30, 40, "_.-", "re_", ja__valid_mixed_case_digit),
  VENDOR("typeform_token", "tfp_", "[A-Za-z0-9_-]", 44, 64, "_.-", "tfp_"),
  VENDOR("frameio_token", "fio-u-", "[A-Za-z0-9_=-]", 60, 80, "_.-", "fio-u-"),
  VENDOR("dropbox_token", "sl\\.(?:u\\.)?", "[A-Za-z0-9_=-]", 100, 400, "_.-", "sl."),
  VENDOR("supabase_publishable_key", "sb_publishable_", "[A-Za-z0-9_-]", 20, 60, "_.-", "sb_publishable_"),
  VENDOR("grafana_cloud_token", "glc_", "[A-Za-z0-9_+/=]", 121, 400, "_.-", "glc_"),
  VENDOR("newrelic_key", "NR(?:AK|JS|II|RA|RI)-", "[A-Za-z0-9_-]", 20, 42, "_.-", "nrak-|nrjs-|nrii-|nrra-|nrri-"),
  VENDOR("langfuse_key", "(?:sk|pk)-lf-", "[a-f0-9-]", 36, 36, "_.-", "sk-lf-|pk-lf-"),
  VENDOR("hubspot_token", "pat-(?:na|eu)[0-9]-", "[a-f0-9-]", 36, 36, "_.-", "pat-na|pat-eu"),
  VENDOR("snyk_token", "snyk_(?:uat|sat)\\.", "[A-Za-z0-9._-]", 40, 120, "_.-", "snyk_"),
  VENDOR("launchdarkly_key", "(?:api|sdk|mob)-", "[a-f0-9-]", 36, 36, "_.-", "api-|sdk-|mob-"),
  VENDOR("plaid_key", "access-(?:sandbox|development|production)-", "[a-f0-9-]", 36, 36, "_.-", "access-sandbox-|access-development-|access-production-"),
#undef VENDOR_V
  /* The rows whose bodies are letters and digits only, in a unit that
   * also promises a run of that many (most text has no such run). */
#define VENDORR(kind, prefix, body, lo, hi, need, lit)                                             \
  {kind, "(?<![A-Za-z0-9_.-])" prefix body "{" #lo "," #hi "}(?!" body ")", NULL, "vendor_run", need, 0, lit, lo, NULL, 0}
#define VENDORR_V(kind, prefix, body, lo, hi, need, lit, valid)                                    \
  {kind, "(?<![A-Za-z0-9_.-])" prefix body "{" #lo "," #hi "}(?!" body ")", valid, "vendor_run", need, 0, lit, lo, NULL, 0}
  VENDORR("doppler_token", "dp\\.(?:pt|st|sa|ct|scim|audit)\\.", "[A-Za-z0-9]", 40, 44, "_.-", "dp."),
  VENDORR("shopify_token", "shp(?:at|ca|pa|ss)_", "[a-fA-F0-9]", 32, 32, "_.-", "shpat_|shpca_|shppa_|shpss_"),
  VENDORR("notion_token", "ntn_\\d{11}", "[A-Za-z0-9]", 32, 40, "_.-", "ntn_"),
  VENDORR("notion_token", "secret_", "[A-Za-z0-9]", 43, 43, "_.-", "secret_"),
  VENDORR("netlify_token", "nfp_", "[A-Za-z0-9]", 36, 48, "_.-", "nfp_"),
  VENDORR("postman_key", "PMAK-[a-f0-9]{24}-", "[a-f0-9]", 34, 34, "_.-", "pmak-"),
  VENDORR("airtable_token", "pat[A-Za-z0-9]{14}\\.", "[a-f0-9]", 64, 64, "_.-", "pat"),
  VENDORR("pulumi_token", "pul-", "[a-f0-9]", 40, 40, "_.-", "pul-"),
  VENDORR("rubygems_key", "rubygems_", "[a-f0-9]", 48, 48, "_.-", "rubygems_"),
  VENDORR("sourcegraph_token", "sgp_(?:[a-f0-9]{16}_)?", "[a-f0-9]", 40, 40, "_.-", "sgp_"),
  VENDORR("buildkite_token", "bkua_", "[a-f0-9]", 40, 40, "_.-", "bkua_"),
  VENDORR("dynatrace_token", "dt0c01\\.[A-Z0-9]{24}\\.", "[A-Z0-9]", 64, 64, "_.-", "dt0c01."),
  VENDORR("deno_token", "dd[pw]_", "[A-Za-z0-9]", 36, 40, "_.-", "ddp_|ddw_"),
  VENDORR("fireworks_key", "fw_", "[A-Za-z0-9]", 24, 48, "_.-", "fw_"),
  VENDORR("elevenlabs_key", "sk_", "[a-f0-9]", 48, 48, "_.-", "sk_"),
  VENDORR("cerebras_key", "csk-", "[a-z0-9]", 40, 60, "_.-", "csk-"),
  VENDORR("adafruit_key", "aio_", "[A-Za-z0-9]", 28, 28, "_.-", "aio_"),
  VENDORR("mailgun_key", "key-", "[0-9a-f]", 32, 32, "_.-", "key-"),
  VENDORR("clojars_token", "CLOJARS_", "[a-f0-9]", 60, 60, "_.-", "clojars_"),
  VENDORR("llamacloud_key", "llx-", "[A-Za-z0-9]", 40, 60, "_.-", "llx-"),
  VENDORR("tavily_key", "tvly-(?:dev-|prod-)?", "[A-Za-z0-9]", 28, 40, "_.-", "tvly-"),
  VENDORR("firecrawl_key", "fc-", "[a-f0-9]", 32, 32, "_.-", "fc-"),
  VENDORR("e2b_key", "e2b_", "[a-f0-9]", 40, 40, "_.-", "e2b_"),
  VENDORR("render_key", "rnd_", "[A-Za-z0-9]", 28, 40, "_.-", "rnd_"),
  VENDORR("neon_key", "napi_", "[a-z0-9]", 60, 72, "_.-", "napi_"),
  VENDORR("sonarqube_token", "sq[upa]_", "[a-f0-9]", 40, 40, "_.-", "squ_|sqp_|sqa_"),
  VENDORR_V("octopus_key", "API-", "[A-Z0-9]", 26, 32, "_.-", "api-", ja__valid_mixed),
  VENDORR("shippo_key", "shippo_(?:live|test)_", "[a-f0-9]", 40, 40, "_.-", "shippo_"),
  VENDORR("readme_key", "rdme_", "[a-z0-9]", 60, 80, "_.-", "rdme_"),
  VENDORR("prefect_key", "pnu_", "[A-Za-z0-9]", 36, 36, "_.-", "pnu_"),
  VENDORR("posthog_project_key", "phc_", "[A-Za-z0-9]", 40, 50, "_.-", "phc_"),
  VENDORR("runpod_key", "rpa_", "[A-Z0-9]", 40, 48, "_.-", "rpa_"),
  VENDORR("oracle_ocid", "ocid1\\.[a-z]+\\.oc[0-9]+\\.[a-z0-9-]*\\.", "[a-z0-9]", 50, 70, "_.-", "ocid1."),
  VENDORR("checkout_key", "(?:sk|pk)_(?:sbox|prod)_", "[a-z0-9]", 26, 40, "_.-", "_sbox_|_prod_"),
  VENDORR("segment_token", "sgp_", "[A-Za-z0-9]", 64, 64, "_.-", "sgp_"),
  VENDORR("twitch_oauth_token", "oauth:", "[a-z0-9]", 30, 30, ":", "oauth:"),
  VENDORR_V("live_key", "(?:live|test|prod|sandbox)_", "[A-Za-z0-9]", 32, 64, "_.-", "live_|test_|prod_|sandbox_", ja__valid_mixed),
  VENDORR_V("access_key_pair", "(?:ak|as|sk|pk)-", "[A-Za-z0-9]", 20, 64, "_.-", "ak-|as-|sk-|pk-", ja__valid_mixed_case_digit),
  VENDORR_V("secret_token", "[a-z]{0,8}secret_", "[A-Za-z0-9]", 20, 64, "_.-", "secret_", ja__valid_mixed),
#undef VENDORR
#undef VENDORR_V
  /* ngrok authtokens: '2', 26 letters and digits, '_', 20 or more: no
   * literal to promise, but a run of 27. */
  {"ngrok_token", "(?<![A-Za-z0-9_.-])2[A-Za-z0-9]{26}_[A-Za-z0-9]{20,30}(?![A-Za-z0-9])", NULL, "vendor_ngrok", "_", 1, NULL,
   27, NULL, 0},
  /* Terraform Cloud ("<14>.atlasv1.<60+>") and Mailchimp ("<32 hex>-us12")
   * keys lead with a class: the match starts at their literal and a
   * lookbehind checks what comes before it; one unit each (a lookbehind
   * first costs the vendor unit its start-byte set). */
  {"terraform_token", "(?<=(?<![A-Za-z0-9_.-])[A-Za-z0-9]{14})\\.atlasv1\\.[A-Za-z0-9_=-]{60,90}(?![A-Za-z0-9_=-])",
   NULL, NULL, ".", 0, ".atlasv1.", 0, NULL, 0},
  {"mailchimp_key", "(?<=(?<![A-Za-z0-9_.-])[0-9a-f]{32})-us\\d{1,2}(?![0-9])", NULL, NULL, "-", 1, "-us", 0, NULL, 0},
  /* These have no separator to promise: a unit of their own, so that the
   * one above needs "_.-". */
#define VENDOR_MID(kind, prefix, body, lo, hi, need, lit)                                          \
  {kind, "(?<![A-Za-z0-9_.-])" prefix body "{" #lo "," #hi "}(?!" body ")", NULL, "vendor_mid", need, 0, lit, 0, NULL, 0}
  VENDOR_MID("databricks_token", "dapi", "[a-f0-9]", 32, 34, "dsEALS", "dapi"),
  VENDOR_MID("square_token", "(?:sq0atp-|sq0csp-|EAAA)", "[A-Za-z0-9_-]", 22, 64, "dsEALS", "sq0atp-|sq0csp-|eaaa"),
  VENDOR_MID("easypost_key", "EZ[AT]K", "[a-zA-Z0-9]", 54, 54, "dsEALS", "ezak|eztk"),
  VENDOR_MID("atlassian_token", "ATATT3", "[A-Za-z0-9_=-]", 150, 190, "dsEALS", "atatt3"),
  VENDOR_MID("alibaba_key", "LTAI", "[A-Za-z0-9]", 12, 20, "dsEALS", "ltai"),
  VENDOR_MID("scaleway_key", "SCW", "[A-Z0-9]", 17, 17, "dsEALS", "scw"),
  VENDOR_MID("intercom_token", "dG9rOm", "[A-Za-z0-9+/=_-]", 40, 80, "d", "dg9rom"),
  VENDOR_MID("tencent_secret_id", "AKID", "[A-Za-z0-9]", 32, 36, "A", "akid"),
  VENDOR_MID("nuget_key", "oy2", "[a-z0-9]", 43, 43, "o", "oy2"),
  VENDOR_MID("telnyx_key", "KEY[0-9A-Z]{26}_", "[A-Za-z0-9]", 22, 22, "K", "key"),
  VENDOR_MID("facebook_token", "EAA[A-Za-z0-9]", "[A-Za-z0-9]", 90, 300, "E", "eaa"),
  VENDOR_MID("instagram_token", "IGQ", "[A-Za-z0-9_-]", 100, 300, "I", "igq"),
  VENDOR_MID("linkedin_token", "AQ[VWX]", "[A-Za-z0-9_-]", 100, 400, "A", "aqv|aqw|aqx"),
  VENDOR_MID("spotify_token", "BQ", "[A-Za-z0-9_-]", 100, 300, "B", "bq"),
  VENDOR_MID("twitter_bearer_token", "A{18,24}", "[A-Za-z0-9%_-]", 40, 160, "A", "aaaaaaaaaaaaaaaaaa"),
  VENDOR_MID("artifactory_key", "AKCp", "[A-Za-z0-9]", 60, 80, "A", "akcp"),
  VENDOR_MID("artifactory_token", "cmVmdGtuOjAxOj", "[A-Za-z0-9]", 40, 64, "c", "cmvmdgtuojaxoj"),
  VENDOR_MID("microsoft_token", "Ew[AB]", "[A-Za-z0-9+/=]", 100, 400, "E", "ewa|ewb"),
#undef VENDOR_MID
#undef VENDOR

  /* ---- machine-readable passports: ICAO 9303 TD3 line 1 ("P<UTOERIKSSON<<
   * ANNA<MARIA<<<…": type, country, surname << given names) and line 2
   * (number, nationality, birth date, sex, expiry, each checked 7-3-1).
   * Must NOT catch "P<<<" runs, "<<<<" padding alone or a wrong check. */
  {"passport", "(?<![A-Z0-9<])P[A-Z<](?=[A-Z<]{0,2}[A-Z])[A-Z<]{3}[A-Z]{1,39}<<[A-Z]{1,39}", NULL, "mrz", "<", 0,
   "<<", 0, NULL, 0},
  /* Passport numbers after their label in several languages ("passport no.
   * X12345678", "Reisepass C01X00T47", "N° de passeport: 12AB34567").
   * Must NOT catch "passport photo", "passport-local 1.0.0" or a label
   * with nothing id-like after it. */
  {"passport",
   "(?i:\\b(?:passport|passeport|pasaporte|passaporto|paspoort|reisepass|passnummer|pass-?nr)"
   "(?:[ _-]?(?:no\\.?|nr\\.?|number|num(?:ber|éro)?|#|n[°º]|id))?)(?![A-Za-z])\\s*[:#=]?\\s*(?i:is\\s+)?"
   "(?=[A-Z0-9]*\\d)[A-Z0-9]{6,10}(?![A-Za-z0-9])",
   ja__valid_labelled_id, "doc", NULL, 4, "pass|pasaporte|paspoort", 0, NULL, 0},
  /* Driving licences after their label ("driver's license D1234567",
   * "DL# 123-456-789", "Führerschein-Nr. B072RRE2I55", "permis de conduire
   * 12AB34567") and the UK DVLA shape (MORGA753116SM9IJ). Must NOT catch
   * "license: MIT", "DL 2.0" or "download 100 MB". */
  {"driving_licence",
   "(?i:\\b(?:driver[’']?s?[’']?|driving|driver)[ _-]licen[cs]e|\\blicen[cs]e[ _-]?(?:no\\.?|number|#)"
   "|\\bDL[N#]?(?=\\s*(?:#|no\\b|number|:))|\\bf(?:ü|ue?)hrerschein(?:nummer)?|\\bpermis de conduire"
   "|\\b(?:carnet|licencia|permiso) de conducir|\\bpatente di guida|\\brijbewijs(?:nummer)?|\\bkörkort)"
   "(?i:[\\s_-]*(?:nr\\.?|no\\.?|number|num|#|n[°º]))?\\s*[:#=]?\\s*"
   "(?=[A-Z0-9 -]*\\d)[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){4,18}",
   ja__valid_labelled_id, "doc", NULL, 4, "licen|dl|hrerschein|permis|conducir|patente|rijbewijs|rkort", 0, NULL, 0},
  {"passport", "(?i)(?<![A-Z0-9<])[A-Z0-9<]{9}\\d[A-Z<]{3}\\d{6}\\d[MFX<]\\d{6}\\d[A-Z0-9<]{14}[\\d<]\\d?(?![A-Z0-9<])",
   ja__valid_mrz2, "doc_bare", "MFXmfx<", 14, NULL, 0, NULL, 0}, /* the sex field */
  {"driving_licence",
   "(?<![A-Za-z0-9])[A-Z9]{5}\\d[0156]\\d(?:0[1-9]|[12]\\d|3[01])\\d[A-Z9]{2}\\d[A-Z]{2}(?![A-Za-z0-9])",
   NULL, "doc_bare", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 5, NULL, 0, NULL, 0}, /* its closing capitals */

  /* ---- national identity and tax numbers. After a label (in many
   * countries' words) any id-like value with 4+ digits counts: fail
   * closed, a mistyped number in that field is still the person's. Must
   * NOT catch the label alone, "NIE: pending", "RFC 5322" or "uid=1000"
   * (neither label is here). SSNs are the us_ssn rows'. */
  {"national_id",
   "(?i:(?<![A-Za-z0-9])(?:social[ _-]insurance(?:[ _-]number)?|national[ _-]insurance(?:[ _-]number)?|ni[ _-]number|nino"
   "|national[ _-]id(?:entity)?(?:[ _-]number|[ _-]card|[ _-]no)?|national[ _-]number|identity[ _-](?:card|number)|id[ _-]card(?:[ _-]number)?"
   "|personal[ _-](?:id|identity)[ _-]number|burgerservicenummer|bsn|steuer-?id|steueridentifikationsnummer"
   "|steuer-?nummer|steuer-?nr|idnr|tax(?:payer)?[ _-]?(?:file|id(?:entification)?|reference|registration)?[ _-]?(?:number|no|id)"
   "|cpr(?:-nr)?|tax[ _-]id|cnp|rnokpp|inn|snils"
   "|itin|ein|fein|employer[ _-]identification[ _-]number|nif|nie|dni|nir|insee|num[ée]ro[ _-]de[ _-]s[ée]curit[ée][ _-]sociale"
   "|codice[ _-]fiscale|personnummer|f[øo]dselsnummer|henkilötunnus|hetu|pesel|rijksregisternummer"
   "|numéro[ _-]national|cpf|cnpj|aadhaar|aadhar|pan(?:[ _-]card)?(?:[ _-]number)?|curp|cuit|cuil|nric|hkid"
   "|tc[ _-]kimlik(?:[ _-]no)?|tckn|ppsn?|tfn|sin|sozialversicherungsnummer|svnr|ahv|avs|oib|jmbg|egn|amka|afm))\\b"
   "(?i:[\\s_-]*(?:no\\.?|nr\\.?|number|num|#|n[°º]))?\\s*[:#=]?\\s*(?i:is\\s+)?"
   "(?=[A-Za-z0-9 ./-]*\\d)[A-Za-z0-9](?:[A-Za-z0-9]|[ ./-](?=[A-Za-z0-9])){5,22}",
   ja__valid_labelled_id, "nid_label", NULL, 4,
   "insurance|nino|national|identity|id card|personal|bsn|burgerservice|steuer|idnr|tax|itin|ein|nif"
   "|nie|dni|nir|insee|sociale|fiscale|personnummer|dselsnummer|henkil|hetu|pesel|rijksregister"
   "|cpf|cnpj|aadhaar|aadhar|pan|curp|cuit|cuil|nric|hkid|kimlik|tckn|pps|tfn|sin|sozialvers|svnr"
   "|ahv|avs|oib|jmbg|egn|amka|afm|cpr|cnp|rnokpp|inn|snils"
   "|ni number|ni_number|ni-number|id_card|id-card|employer", 0, NULL, 0},
  /* Three units, so that a hex hash (sixteen lower-case hex digits, ten of
   * them digits, as model_hash is) opens none but the first, a short
   * one: "nid_nino" (the NINO's letters may be either case), "nid_long"
   * (eleven digits or more, no byte promised), "nid" (each row holds a
   * capital, a '-', '+', '.' or a space: the union is its promise). As one
   * unit the rows promised four digits and no byte, and PCRE2 tried eleven
   * alternatives at each position of every such hash. All national_id:
   * which unit finds a match changes no verdict. */
  /* UK National Insurance numbers: two prefix letters (not D F I Q U V,
   * second not O, not BG GB KN NK NT TN ZZ), six digits, A-D. Must NOT
   * catch the HMRC specimen prefix QQ or lower-case words. */
  {"national_id",
   "(?i)(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]"
   "(?![A-Za-z0-9])",
   NULL, "nid_nino", NULL, 6, NULL, 0, NULL, 0},
  /* French NIR (sex, year, month, département incl. 2A/2B, commune,
   * order, mod-97 key). Must NOT catch the same digits with another key. */
  {"national_id",
   "(?<![\\d.])[1-8] ?\\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\\d) ?(?:\\d{2}|2[ABab]) ?\\d{3} ?\\d{3} ?\\d{2}(?![\\d.])",
   ja__fr_nir_ok, "nid_long", NULL, 13, NULL, 0, NULL, 0},
  /* Chinese resident identity numbers: area, birth date, order, MOD 11-2
   * (X), also grouped 6-8-4. Must NOT catch 18-digit order numbers with a
   * wrong check. */
  {"national_id",
   "(?<![\\d.])[1-8]\\d{5} ?(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01]) ?\\d{3}[\\dXx](?![\\d.])",
   ja__valid_cn_rid, "nid_long", NULL, 17, NULL, 0, NULL, 0},
  /* 11 digits: German Steuer-ID (MOD 11,10 and its digit rule; also
   * spaced 2-3-3-3) or Belgian national number (birth date, mod 97; also
   * "85.07.30-033.28"). Must NOT catch 11-digit order numbers or phone
   * numbers, which fail both. */
  {"national_id",
   "(?<![\\d.+-])(?:\\d{11}|\\d{2} \\d{3} \\d{3} \\d{3}|\\d{2}\\.\\d{2}\\.\\d{2}-\\d{3}\\.\\d{2})(?![\\d.])",
   ja__valid_digits11, "nid_long", NULL, 11, NULL, 0, NULL, 0},
  /* Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 + letter), mod 23.
   * Must NOT catch the same digits with another letter. */
  {"national_id", "(?<![A-Za-z0-9])(?:\\d{8}|[XYZ]-?\\d{7})-?[A-HJ-NP-TV-Z](?![A-Za-z0-9])", ja__es_dni_ok,
   "nid", "ABCDEFGHJKLMNPQRSTVWXYZ", 7, NULL, 0, NULL, 0}, /* its closing capital */
  /* Swedish personnummer YYMMDD-NNNC / YYYYMMDD-NNNC ('+' past 100),
   * Luhn. Must NOT catch build stamps with a wrong check. */
  {"national_id",
   "(?<![\\d-])(?:19|20)?\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01]|6[1-9]|[78]\\d|9[01])[-+]\\d{4}"
   "(?![\\d-])",
   ja__valid_se_pnr, "nid", "-+", 10, NULL, 0, NULL, 0},
  /* Brazilian CPF as printed (123.456.789-09): two check digits. */
  {"national_id", "(?<![\\d.])\\d{3}\\.\\d{3}\\.\\d{3}-\\d{2}(?![\\d.])", ja__br_cpf_ok, "nid", ".", 11, NULL, 0, NULL, 0},
  /* Indian Aadhaar as printed (4-4-4, first digit 2-9), Verhoeff. */
  {"national_id", "(?<![\\d.-])[2-9]\\d{3}([ -])\\d{4}\\g{-1}\\d{4}(?![\\d.-])", ja__valid_aadhaar, "nid", " -", 12,
   NULL, 0, NULL, 0},
  /* Indian PAN: 5 letters (the 4th the holder type), 4 digits, a letter. */
  {"national_id", "(?<![A-Za-z0-9])[A-Z]{3}[ABCFGHJLPT][A-Z]\\d{4}[A-Z](?![A-Za-z0-9])", NULL, "nid",
   "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4, NULL, 0, NULL, 0}, /* its capitals */
  /* Canadian SIN as printed (3-3-3, not 0 or 8 first), Luhn. */
  {"national_id", "(?<![\\d.-])[1-79]\\d{2}([ -])\\d{3}\\g{-1}\\d{3}(?![\\d.-])", ja__valid_ca_sin, "nid", " -", 9, NULL, 0, NULL, 0},

  /* Finnish henkilötunnus DDMMYY, century sign, 3 digits, mod-31 check. */
  {"national_id",
   "(?<![A-Za-z0-9])(?:0[1-9]|[12]\\d|3[01])(?:0[1-9]|1[0-2])\\d{2}[-+A-FU-Y]\\d{3}[0-9A-FHJ-NPR-Y](?![A-Za-z0-9])",
   ja__fi_hetu_ok, "nid", "-+ABCDEFUVWXY", 9, NULL, 0, NULL, 0}, /* the century sign */
  /* Italian codice fiscale (omocodia letters allowed), check letter. */
  {"national_id",
   "(?<![A-Za-z0-9])[A-Z]{6}[\\dLMNP-V]{2}[ABCDEHLMPRST][\\dLMNP-V]{2}[A-Z][\\dLMNP-V]{3}[A-Z](?![A-Za-z0-9])",
   ja__it_cf_ok, "nid_cf", NULL, 0, NULL, 16, NULL, 0}, /* sixteen of [A-Z0-9] in a row */

  /* ---- dates of birth: a birth cue (English, German, French, Spanish,
   * Italian, Dutch, Nordic, Portuguese) then a date (ISO, d/m/y either
   * order, with month names, month and year, 8 digits). Must NOT catch a
   * date without the cue, "born in 1987", "birthday party" or
   * "DOB: required". */
  {"date_of_birth",
   "(?i)\\b(?:dob|d\\.o\\.b\\.?|date[ _-]of[ _-]birth|birth[ _-]?date|birthday|bday|b-day|born(?:\\s+on)?"
   "|geburtsdatum|geburtstag|geb\\.|geboren(?:\\s+am)?|date de naissance|fecha de nacimiento"
   "|nacid[oa](?:\\s+el)?|data di nascita|nat[oa](?:\\s+il)?|geboortedatum|geboren op|f[öo]delsedatum"
   "|n[ée]e?\\s+le|née|né|date\\s+et\\s+lieu\\s+de\\s+naissance"
   "|f[øo]dselsdato|data de nascimento|nascid[oa](?:\\s+em)?)"
   "[\"']?\\s*[:=]?\\s*[\"']?(?:on\\s+|am\\s+|le\\s+|el\\s+|il\\s+)?"
   "(?:\\d{4}[-/. ]\\d{1,2}[-/. ]\\d{1,2}(?!\\d)|\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})(?!\\d)"
   "|\\d{1,2}(?:st|nd|rd|th)?\\.?\\s+(?:of\\s+)?(?:" MONTHS ")\\.?,?\\s+\\d{4}"
   "|(?:" MONTHS ")\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|(?:" MONTHS ")\\.?\\s+\\d{4}|\\d{8}(?!\\d))",
   NULL, NULL, NULL, 4,
   "dob|d.o.b|birth|bday|b-day|born|geburt|geb.|geboren|naissance|nacimiento|nacid|nascita|nato|nata"
   "|geboorte|delsedatum|dselsdato|nascimento|nascid|n\xc3\xa9|ne le|nee le", 0, NULL, 0},

  /* The same with cues in other scripts ("生年月日: 1990年5月3日", "дата
   * рождения: 01.01.1980", "doğum tarihi", "data urodzenia"). */
  {"date_of_birth",
   "(?i)(?:生年月日|出生日期|出生年月日|생년월일|дата рождения|дата народження|data urodzenia|születési dátum"
   "|doğum tarihi|ημερομηνία γέννησης|تاريخ الميلاد)\\s*[:：=]?\\s*"
   "(?:\\d{4}\\s?[年년]\\s?\\d{1,2}\\s?[月월]\\s?\\d{1,2}|\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}"
   "|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{2,4})",
   NULL, NULL, NULL, 4, NULL, 0, NULL, 0},

  /* ---- device serials and hardware ids after their label (system_profiler,
   * ioreg, dmidecode, wmic, getprop, "S/N", "serial=…", machine-id, UDID).
   * Must NOT catch "serial port", "serial: true", "Serial Number: To Be
   * Filled By O.E.M.", all-zero values or a uuid without a label. */
  {"device_serial",
   "(?i:\\b(?:serial(?:[ _-]?(?:number|no|num|nr))?|serialnumber|serialno|s/n|s\\.n\\.|sn"
   "|seriennummer|serien-?nr|num[ée]ro de s[ée]rie|n[°º] de s[ée]rie|n[úu]mero de serie|numero di serie"
   "|serienummer|ioplatformserialnumber|ro\\.(?:boot\\.)?serialno|hardware uuid|platform uuid|ioplatformuuid"
   "|machine[-_ ]?id|device[-_ ]?id|udid|android[_ ]?id|service tag|asset tag|imsi|iccid|meid)\\b)"
   "(?:\\s*\\([^()]{1,20}\\))?[\"'\\]]?\\s*(?:[:#=]|\\s(?=\\s*[\\[\"']?[A-Za-z0-9]))\\s*[\\[\"']?"
   "(?=[A-Za-z0-9-]*\\d)[A-Za-z0-9][A-Za-z0-9-]{5,63}",
   ja__valid_serial, "devid", NULL, 1,
   "serial|s/n|s.n.|sn|serien| de s|serie|uuid|machine|device|udid|android|service tag|asset tag|imsi|iccid|meid", 0, NULL, 0},
  /* Advertising ids after their label (IDFA, IDFV, GAID/AAID, adid,
   * advertising_id, OAID …): a uuid, 32 or 16 hex. Must NOT catch the
   * all-zero id, "ad_id=1234" or a bare uuid v4. */
  {"advertising_id",
   "(?i:(?<![A-Za-z0-9])(?:idfa|idfv|gaid|aaid|adid|ad[_ -]?id|advertising[_ -]?id(?:entifier)?"
   "|google[_ ]?ad(?:vertising)?[_ ]?id|advertisingidentifier|identifierforadvertising|identifierforvendor"
   "|ifa|oaid|msai|rida|afai|maid|mobile[_ ]?ad[_ ]?id)\\b)"
   "[\"']?\\s*[:=]?\\s*[\"']?"
   "(?:" H "{8}-" H "{4}-" H "{4}-" H "{4}-" H "{12}|" H "{32}|" H "{16})(?![0-9A-Fa-f-])",
   ja__valid_adid, "devid", NULL, 1, "idfa|idfv|gaid|aaid|adid|ad_id|ad id|ad-id|advertising|ifa|oaid|msai|rida|afai|maid", 0, NULL, 0},

  /* ---- vehicles: VINs (17 characters without I, O, Q). Bare: ISO 3779
   * check digit and letters mixed with digits; after "VIN": the check
   * digit for North-American WMIs, any VIN shape elsewhere. Must NOT catch
   * the same VIN with a wrong check digit, 17-digit numbers or upper-case
   * hex runs (which fail the check). */
  {"vin", "(?i:\\bVIN\\b)(?i:\\s*(?:no\\.?|number|#))?\\s*[:#=]?\\s*[A-HJ-NPR-Za-hj-npr-z0-9]{17}(?![A-Za-z0-9])",
   ja__valid_vin, NULL, NULL, 1, "vin", 17, NULL, 0},
  {"vin", "(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{8}[0-9X][A-HJ-NPR-Z0-9]{8}(?![A-Za-z0-9])", ja__valid_vin, NULL, NULL,
   3, NULL, 17, NULL, 0}, /* alone, not in a unit with the labelled row: each keeps its own gate */

  /* ---- precise coordinates: four or more decimals. A bare lat, lon pair
   * (also in geo: URIs and map URLs), labelled lat/lon values, decimal
   * degrees with hemispheres, DMS with seconds. Must NOT catch fewer
   * decimals, "1.2345.6789", "0.1234, 0.5678" (both integer parts 0),
   * "latency=40.7128". */
  {"coordinates",
   "(?<![\\w.-])[-+]?(?:1[0-7]\\d|[1-9]?\\d|180)\\.\\d{4,}(?:\\s*[,;/]\\s*|\\s)[-+]?(?:1[0-7]\\d|[1-9]?\\d|180)\\.\\d{4,}"
   "(?![\\d.])",
   ja__valid_latlon_pair, "geo", ".", 8, NULL, 0, NULL, 0},
  {"coordinates",
   "(?i:\\b(?:gps)?(?:(?:lat|latitude|lon|lng|longitude)\\b[\"']?\\s*[=:]?|long\\b[\"']?\\s*[=:]))"
   "\\s*[\"']?[-+]?\\d{1,3}\\.\\d{4,}(?![\\d.])", /* "long" is a word too: only with = or : */
   NULL, "geo", ".", 5, "lat|lon|lng", 0, NULL, 0},
  {"coordinates",
   "(?<![\\w.])\\d{1,3}\\.\\d{4,}\\s?°?\\s?[NS],?\\s*\\d{1,3}\\.\\d{4,}\\s?°?\\s?[EW](?![A-Za-z])",
   NULL, "geo", ".", 8, NULL, 0, NULL, 0},
  {"coordinates",
   "\\d{1,3}\\s?°\\s?\\d{1,2}\\s?['′’]\\s?\\d{1,2}(?:[.,]\\d+)?\\s?(?:\"|″|′′|''|”)\\s?[NSEWnsew]",
   NULL, "geo_dms", "\xb0", 3, NULL, 0, NULL, 0}, /* own unit: the others need 5+ digits */

  /* ---- postal addresses: street + number, postcodes in their national
   * shapes. Must NOT catch "port 8080", "HTTP 404", versions, "Street
   * View", "10 items, 20 MB", "1024 MB", "M2 chip". */
  /* Two units, each with a promise the gate checks before PCRE2 runs
   * (one of them opened on any prose with a digit and a capital):
   * "address" (the street lines and postcodes below, up to the
   * Australian one), every match of which holds two capitals or more —
   * a capitalised word and the capital of the street type, a state code
   * or the postcode's letters — so two bytes of CAPS (a non-ASCII capital
   * is two bytes of it by itself); and "address_eu" (the German and the
   * Spanish/Italian rows), every match of which holds its street word.
   * All rows are postal_address with no validator: which unit finds a
   * match changes no verdict. */
  /* US/UK/CA/AU street lines: number, 1-4 capitalised words, a street
   * type ("1600 Example Ave", "221B Baker Street", "10 Downing St."). */
  {"postal_address",
   "(?<![\\w.,-])\\d{1,6}[A-Za-z]?(?:-\\d{1,4})?\\s+(?:(?:[NSEW]\\.?|North|South|East|West)\\s+)?"
   "(?:\\p{Lu}[\\p{L}'.-]*\\s+){1,4}(?:Avenue|Ave|Street|St|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln"
   "|Way|Court|Ct|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl"
   "|Crescent|Cres|Gardens|Grove|Mews|Plaza|Alley|Loop|Pike)\\.?(?![\\p{L}\\d])",
   NULL, "address", CAPS, 1, NULL, 0, CAPS, 2},
  /* US "City, ST 12345(-6789)". */
  {"postal_address",
   "\\b" UPPER "\\p{L}+(?:\\s\\p{Lu}\\p{L}+){0,2},\\s*(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA"
   "|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR)"
   "\\s+\\d{5}(?:-\\d{4})?(?!\\d)",
   NULL, "address", CAPS, 5, NULL, 0, CAPS, 2},
  /* UK postcodes with their space ("SW1A 2AA", "M1 1AE", "GIR 0AA"). */
  {"postal_address",
   "(?<![A-Za-z0-9])(?:[A-PR-UWYZ][A-HK-Y]?\\d[A-Z\\d]?|GIR) \\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])",
   NULL, "address", CAPS, 2, NULL, 0, CAPS, 2},
  /* Canadian postal codes with their space ("M5V 2T6"). */
  {"postal_address", "(?<![A-Za-z0-9])[ABCEGHJ-NPRSTVXY]\\d[ABCEGHJ-NPRSTV-Z] \\d[ABCEGHJ-NPRSTV-Z]\\d(?![A-Za-z0-9])",
   NULL, "address", CAPS, 3, NULL, 0, CAPS, 2},
  /* Dutch postcodes ("1015 CJ", "1015CJ Amsterdam"): 4 digits, 2 letters
   * of the ones used (not F I O Q U Y; not SA SD SS), then the end, a
   * comma or a city. Must NOT catch "1024 MB", "2048 KB", "1080 HD". */
  {"postal_address",
   "(?<![\\w.,-])[1-9]\\d{3} ?(?!SA|SD|SS|MB|KB|GB|TB|PB|EB|HD|MS|NS|PM|AM|AD|BC|CE|KW|MW|GW|TW|KM|CM|MM|DB"
   "|PX|PT|EM|XL|VA|MP|CC|RC|LTS|GT|RX)[A-EGHJ-NPRSTVWXZ]{2}(?=\\s*$|,|\\s+\\p{Lu}\\p{Ll})",
   NULL, "address", CAPS, 4, NULL, 0, CAPS, 2},
  /* Australian "Suburb STATE 2000". */
  {"postal_address", "\\b" UPPER "\\p{Ll}+\\s+(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\\s+\\d{4}(?!\\d)", NULL, "address", CAPS, 4, NULL, 0, CAPS, 2},
  /* German, Austrian, Swiss streets ("Hauptstraße 12", "Berliner Str. 5a",
   * "Am Weg 3"-style compounds), optionally ", 10115 Berlin". */
  {"postal_address",
   "\\b" UPPER "[\\p{L}-]*(?:straße|strasse|str\\.|weg|gasse|platz|allee|damm|ufer|chaussee|steig|pfad|markt"
   "|gatan|vägen|gränd|torget|gata|veien|gade|vej|katu|straat|laan|gracht|plein|kade|dreef|singel)"
   "\\s+\\d{1,4}\\s?[a-zA-Z]?(?![\\p{L}\\d])"
   "|\\b" UPPER "\\p{L}+\\s+(?:Straße|Strasse|Str\\.|Weg|Gasse|Platz|Allee|Ring|Damm)\\s+\\d{1,4}\\s?[a-z]?(?![\\p{L}\\d])",
   NULL, "address_eu", CAPS, 1,
   "str|weg|gasse|platz|allee|damm|ufer|chaussee|steig|pfad|markt|gata|v\xc3\xa4gen|gr\xc3\xa4nd|torget|veien|gade|vej"
   "|katu|laan|gracht|plein|kade|dreef|singel|ring", 0, NULL, 0},
  /* Spanish, Italian, Portuguese, Catalan streets: type, name, number
   * ("Calle Mayor 5", "Via Roma 10", "Rua Augusta, 100"). */
  {"postal_address",
   "\\b(?:Calle|C/|Avenida|Avda\\.?|Av\\.|Plaza|Paseo|Carrer|Passeig|Via|Viale|Piazza|Corso|Largo|Rua|Travessa|Praça"
   "|ul\\.|al\\.|pl\\.|os\\.|ulica|aleja)"
   "\\s+(?:(?:de(?:l| la| los| las)?|dos|das|da|do|di|della|del)\\s+)?\\p{Lu}\\p{Ll}+(?:\\s+\\p{Lu}\\p{Ll}+){0,3},?"
   "\\s+(?:n\\.?[º°o]?\\s*)?\\d{1,4}(?![\\d.])",
   NULL, "address_eu", CAPS, 1,
   "calle|c/|avenida|avda|av.|plaza|paseo|carrer|passeig|via|piazza|corso|largo|rua|travessa|pra\xc3\xa7" "a|ul.|al."
   "|pl.|os.|ulica|aleja", 0, NULL, 0},
  /* (French streets and postcode labels may be all lower case: a unit of
   * their own, so that the one above needs a capital.) */
  /* French streets ("12 rue de la Paix", "3 bis avenue Foch"); place,
   * cours, route, passage, square only with an article after them (so "3
   * route handlers" passes). */
  {"postal_address",
   "(?<![\\w.,-])\\d{1,4}(?:\\s?(?:bis|ter|[A-D]))?,?\\s+(?i:(?:rue|avenue|av\\.|boulevard|bd|impasse|allée|allee"
   "|chemin|quai)\\s+(?:de la |de l['’]|du |des |de |d['’]|l['’])?|(?:place|cours|route|passage|square|voie)\\s+"
   "(?:de la |de l['’]|du |des |de |d['’]))\\p{L}[\\p{L}'’-]+",
   NULL, "address_lc", " \t\n\v\f\r", 1,
   "rue|avenue|av.|boulevard|bd|impasse|all|chemin|quai|place|cours|route|passage|square|voie", 0, NULL, 0},
  /* Japanese postal mark ("〒100-0001"), PO boxes, and postcodes after a
   * label ("ZIP: 62704", "PLZ 10115", "postcode: SW1A2AA"). Must NOT catch
   * "zip -r", "zip 3 files" or "postcode: required". */
  {"postal_address",
   "\\b(?:P\\.?\\s?O\\.?\\s?Box|Postfach|Apartado|Casella postale)\\s+\\d{1,6}"
   "|(?i:\\b(?:post(?:al)?[ _-]?code|zip[ _-]?code|zipcode|postleitzahl|code postal|c[oó]digo postal|cep|plz)\\b)"
   "\\s*[:#=]?\\s*(?=[A-Z0-9 -]*\\d)[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]"
   "|(?i:\\bzip\\b)\\s*[:#=]\\s*(?=[A-Z0-9 -]*\\d)[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]",
   NULL, "address_lc", " \t\n\v\f\r:#=", 3,
   "box|postfach|apartado|casella|post|zip|plz|cep|code postal|digo postal|postleitzahl", 0, NULL, 0},
  {"postal_address", "〒\\s?\\d{3}-?\\d{4}", NULL, "address_jp", "\xe3", 7, NULL, 0, NULL, 0},

  /* ---- people's names where text shows them (docs/redaction.md: the lexicons). The
   * name is the match's end; ja__valid_name_any (a strong cue) takes any given name,
   * ja__valid_name_strict a plain given name, given name + surname, or honorific +
   * surname. Names are capitalised (\p{Lu}); a given name that is also a
   * word ("Will", "Grace") needs a surname, or a strong cue and the end of
   * the value or punctuation after it. Must NOT catch "Hi there", "Dear
   * user", "Hello World", "by default", "by Name", "I'm sorry", "From:
   * settings", "cc: none", "Author: unknown", "Hey Jarvis", "Thanks,
   * Claude", capitalised product words. */
  /* Greetings: "Hi Maria", "Dear Mr. Okafor", "Hello Priya,", "Hallo Jonas". */
  {"person_name",
   "(?i:\\b(?:hi|hello|hey|hiya|heya|dear|greetings|good (?:morning|afternoon|evening)|morning|hallo|liebe[rs]?"
   "|sehr geehrte[rs]?|bonjour|salut|cher|hola|querid[oa]|buongiorno|ciao|caro|cara|hej|hoi|moin|servus"
   "|namaste|salaam))[,:]?\\s+" NAME2 "(?=[,.!?;:)]|\\s*$)",
   ja__valid_name_any, "person", CAPS, 0, GREET, 0, NULL, 0},
  {"person_name",
   "(?i:\\b(?:hi|hello|hey|hiya|heya|dear|greetings|good (?:morning|afternoon|evening)|morning|hallo|liebe[rs]?"
   "|sehr geehrte[rs]?|bonjour|salut|cher|hola|querid[oa]|buongiorno|ciao|caro|cara|hej|hoi|moin|servus"
   "|namaste|salaam))[,:]?\\s+(?:" HON "\\.?\\s+)?" NAME2,
   ja__valid_name_strict, "person", CAPS, 0, GREET, 0, NULL, 0},
  /* Sign-offs: "Thanks, Tom", "Best regards, Anna Schmidt", "Cheers, Sam",
   * "Viele Grüße, Jonas". */
  {"person_name",
   "(?i:\\b(?:thanks|thank you|many thanks|thx|cheers|regards|best regards|kind regards|warm regards"
   "|warmest regards|best wishes|best|all the best|sincerely|yours sincerely|yours truly|yours faithfully"
   "|cordially|respectfully|love|xoxo|take care|talk soon|mit freundlichen grüßen|viele grüße|liebe grüße"
   "|beste grüße|grüße|gruß|cordialement|amicalement|bisous|saludos|un saludo|atentamente|cordiali saluti"
   "|saluti|abraços|atenciosamente|met vriendelijke groet|groeten|hälsningar|mvh))[,!.]?\\s+(?:" HON "\\.?\\s+)?" NAME2
   "(?=[,.!?;:)—–]|\\s+[-—–]|\\s*$)",
   ja__valid_name_any, "person", CAPS, 0, SIGN, 0, NULL, 0},
  {"person_name",
   "(?i:\\b(?:thanks|thank you|many thanks|thx|cheers|regards|best regards|kind regards|warm regards"
   "|warmest regards|best wishes|best|all the best|sincerely|yours sincerely|yours truly|yours faithfully"
   "|cordially|respectfully|love|xoxo|take care|talk soon|mit freundlichen grüßen|viele grüße|liebe grüße"
   "|beste grüße|grüße|gruß|cordialement|amicalement|bisous|saludos|un saludo|atentamente|cordiali saluti"
   "|saluti|abraços|atenciosamente|met vriendelijke groet|groeten|hälsningar|mvh))[,!.]?\\s+" NAME2,
   ja__valid_name_strict, "person", CAPS, 0, SIGN, 0, NULL, 0},
  /* Weaker introductions: "I'm Chen", "I am Anna Schmidt", "this is Tom". */
  {"person_name",
   "(?i:\\b(?:i['’]m|i am|this is|it['’]s|ich bin|je suis|soy|sono|ik ben|eu sou))\\s+" NAME2,
   ja__valid_name_strict, "person", CAPS, 0, "i'm|i am|this is|it's|ich bin|je suis|soy|sono|ik ben|eu sou", 0, NULL, 0},
  /* Header fields and bylines: "Author: …", "From: …", "Contact: …",
   * "cc: …", "Signed-off-by: …", "by Jonas Weber", "written by …". */
  {"person_name",
   "(?i:\\b(?:authors?|from|sender|contact(?: person)?|cc|bcc|attn|reply-to|signed-off-by|co-authored-by"
   "|reviewed-by|reported-by|tested-by|acked-by|suggested-by|assignee|assigned to|owner|reporter|maintainer"
   "|autor|auteur|verfasser|absender|kontakt|ansprechpartner|patient|client|customer|employee|student|guest"
   "|passenger|recipient|beneficiary|(?:card|account|policy)holder|holder|applicant|tenant|caller|driver|rider"
   "|buyer|seller|borrower|insured|emergency contact|next of kin|spouse|guardian|parent|host|attendee|speaker"
   "|interviewee|candidate|donor|payee|payer|sold to|bill to|ship to|deliver to))\\s*:\\s*(?:" HON "\\.?\\s+)?" NAME2
   "|\\b(?i:by|assigned to|cc'?d|reviewed by)\\s+(?:" HON "\\.?\\s+)?" NAME2,
   ja__valid_name_strict, "person", CAPS, 0,
   "author|from|sender|contact|cc|attn|reply|-by|assign|owner|reporter|maintainer|autor|auteur"
   "|verfasser|absender|kontakt|ansprech|by|patient|client|customer|employee|student|guest|passenger|recipient"
   "|beneficiary|holder|applicant|tenant|caller|driver|rider|buyer|seller|borrower|insured|next of kin|spouse"
   "|guardian|parent|host|attendee|speaker|interviewee|candidate|donor|payee|payer|sold to|bill to|ship to"
   "|deliver to", 0, NULL, 0},
  /* Name fields: "first name: Anna", "Name: Priya Raman", "display_name=…":
   * a given name (or given + surname); "last name: Okafor": any
   * capitalised word but a placeholder. */
  {"person_name",
   "(?i:\\b(?:(?:full|first|given|display|real|user|contact|customer|account|legal)[ _-]?name|name|vorname"
   "|prénom|prenom|nombre|nome))[\"']?\\s*[:=]\\s*[\"']?" NAME2,
   ja__valid_name_strict, "person", CAPS, 0, "name|vorname|nom|nombre|nome", 0, NULL, 0},
  {"person_name",
   "(?i:\\b(?:last[ _-]?name|family[ _-]?name|surname|nachname|apellidos?|cognome|nom de famille))"
   "[\"']?\\s*[:=]\\s*[\"']?\\p{Lu}\\p{L}+(?:['’-]\\p{Lu}?\\p{L}+)*(?![\\p{L}'’-])",
   ja__valid_surname_field, "person", CAPS, 0, "name|surname|nachname|apellido|cognome|nom", 0, NULL, 0},
  /* Honorific and surname anywhere ("Mr. Okafor", "Dr Chen"); "Dr" not
   * right after a capitalised word (a street: "Elm Dr. Springfield"). */
  {"person_name",
   "(?<![\\p{L}\\d])(?:Mr|Mrs|Ms|Mx|Prof|Herr|Frau|Mme|Mlle)\\.?\\s+\\p{Lu}\\p{Ll}+(?:[-'’]\\p{Lu}\\p{Ll}+)?(?![\\p{L}'’-])"
   "|(?<!\\p{Lu}\\p{Ll} )(?<!\\p{Lu}\\p{Ll}{2} )(?<!\\p{Lu}\\p{Ll}{3} )(?<!\\p{Lu}\\p{Ll}{4} )"
   "(?<!\\p{Lu}\\p{Ll}{5} )(?<!\\p{Lu}\\p{Ll}{6} )(?<![\\p{L}\\d])Dr\\.?\\s+\\p{Lu}\\p{Ll}+(?![\\p{L}'’-])",
   ja__valid_name_strict, "person", CAPS, 0, "mr|ms|mx|prof|herr|frau|mme|mlle|dr", 0, NULL, 0},
  /* Greetings and sign-offs in Cyrillic, Greek, Polish and Turkish
   * ("Привет, Дмитрий!", "Cześć Łukasz", "Saygılarımla, Elif"). */
  {"person_name",
   "(?i:(?<![\\p{L}])(?:привет|здравствуйте|здравствуй|добрый день|доброе утро|уважаемый|уважаемая|дорогой"
   "|дорогая|с уважением|спасибо|вітаю|привіт|шановний|шановна|здраво|поздрав|γεια σου|αγαπητέ|αγαπητή"
   "|cześć|dzień dobry|szanowny panie|szanowna pani|pozdrawiam|merhaba|sevgili|saygılarımla|teşekkürler))"
   "[,:!]?\\s+" NAME2,
   ja__valid_name_strict, "person_x", CAPS, 0, GREET_X, 0, NULL, 0},
  /* CJK: a name after a name field ("作者：王芳", "氏名: 山田太郎", "이름: 김민준")
   * or a greeting with an honorific ("こんにちは、田中さん", "안녕하세요 민준님").
   * Must NOT catch "你好世界" or "皆さん" (no field, no name + honorific). */
  {"person_name",
   "(?:作者|联系人|聯絡人|姓名|名前|氏名|担当者|作成者|发件人|寄件人|收件人|이름|성명|작성자|담당자)\\s*[:：]\\s*"
   "[\\p{Han}\\p{Hangul}]{2,4}"
   "|(?:こんにちは|こんばんは|おはようございます|拝啓|你好|您好|안녕하세요)[、,，!！\\s]*" CJKNAME
   "(?:さん|様|さま|先生|くん|ちゃん|님|씨|老师|女士|小姐)",
   NULL, "person_x", HIGH, 0,
   "作者|联系人|聯絡人|姓名|名前|氏名|担当者|作成者|发件人|寄件人|收件人|이름|성명|작성자|담당자|こんにちは|こんばんは"
   "|おはようございます|拝啓|你好|您好|안녕하세요", 0, NULL, 0}, /* the row's words, exactly (no (?i)) */
  /* A dash signature at the end ("— Priya Raman", "-- Tom"). */
  {"person_name", "(?<!\\S)(?:-{1,2}|\xe2\x80\x94|\xe2\x80\x93|~)\\s*" NAME2 "\\s*$", ja__valid_name_strict, "person_x",
   CAPS, 0, "-|~|\xe2\x80\x94|\xe2\x80\x93", 0, NULL, 0},
  /* (A unit of its own: the only name row without a capital.) Introductions with a strong cue ("my name is Priya", "call me Sam",
   * "je m'appelle Élodie"): any given name, in any case. */
  {"person_name",
   "(?i)\\b(?:my name is|my name's|call me|mein name ist|ich heiße|ich heisse|je m['’]appelle|me llamo"
   "|mi nombre es|mi chiamo|meu nome é|jag heter|mijn naam is)\\s+\\p{L}[\\p{L}'’-]+(?:\\s+\\p{L}[\\p{L}'’-]+)?(?![\\p{L}'’-])",
   ja__valid_name_any, "person_lc", " ", 0, "name|call me|hei|appelle|llamo|nombre|chiamo|nome|heter|naam", 0, NULL, 0},
  /* ================================================================
   * Round 3: the long tail real systems produce. Each row written from
   * the format's specification (registry rules, check digits, the tool
   * that prints it), with the near-misses it must let through. Rows come
   * after the earlier ones, so a value both know keeps its earlier kind.
   * ================================================================ */

  /* ---- any UUID: 8-4-4-4-12 hex digits, any version and case, braced,
   * after urn:uuid:, inside a path or a registry line. Drive, device,
   * install and request ids alike: no catalog property carries one. Must
   * NOT catch the nil and max UUIDs (one digit throughout: placeholders),
   * 32 hex digits without dashes (a digest), ULIDs, git-describe ids. */
  {"uuid", "(?<![0-9A-Fa-f])" H "{8}-" H "{4}-" H "{4}-" H "{4}-" H "{12}(?![0-9A-Fa-f])", ja__valid_varied_hex,
   NULL, "-", 0, NULL, 12, HEX_DIGITS, 32},

  /* ---- drive, partition and volume identifiers as their tools print
   * them (fstab, blkid, diskutil, mdadm, LVM, zpool, fdisk, `vol`): after
   * the label, an id of 8 or more letters and digits holding a digit
   * (vfat XXXX-XXXX, NTFS 16 hex, MBR 0x…, PARTUUID=xxxxxxxx-NN, mdadm
   * 4×8 hex, LVM's base62 groups, zpool's decimal guid); links under
   * /dev/disk/by-id (serials, WWNs, EUIs), by-uuid, by-partuuid. Must NOT
   * catch "UUID=<your-uuid>", "LABEL=root", "/dev/disk/by-uuid/",
   * "zpool status", device nodes. */
  {"drive_id",
   "(?i:(?<![A-Za-z])(?:PART)?UUID(?:_SUB)?|\\b(?:[PVL]V|VG|fs|volume|disk|partition|pool|array|device|vdev)[ _-]?(?:uuid|guid)"
   "|\\bguid|\\bvolume serial number(?:\\s+is)?|\\bdisk identifier|\\bvolume id|\\bdisk signature)"
   "\\s*[=:]?\\s*[\"']?(?:0x)?(?=[0-9A-Za-z:-]*\\d)[0-9A-Za-z]{2,}(?:[-:][0-9A-Za-z]{2,}){0,7}",
   ja__valid_drive_id, "drive", NULL, 1, "uuid|guid|serial number|disk identifier|volume id|disk signature", 0, NULL, 0},
  {"drive_id", "(?i)/dev/disk/by-(?:id|uuid|partuuid|diskseq)/[^\\s/]{6,}", NULL, "drive", NULL, 0, "/dev/disk/by-", 0,
   NULL, 0},

  /* ---- Windows security identifiers of domain, machine and Entra ID
   * accounts (S-1-5-21-a-b-c[-RID], S-1-12-1-a-b-c-d). Must NOT catch the
   * well-known SIDs (S-1-5-18, S-1-5-32-544, S-1-1-0, S-1-16-12288). */
  {"windows_sid", "(?<![\\w-])S-1-(?:5-21|12-1)(?:-\\d{1,10}){3,5}(?![\\w-])", NULL, NULL, "-", 7,
   "s-1-5-21-|s-1-12-1-", 0, NULL, 0},

  /* ---- LDAP: a distinguished name whose first RDN names a person or an
   * account (CN=Jane Doe,OU=…; uid=jdoe,ou=…), and the account attributes
   * (sAMAccountName, userPrincipalName, mailNickname) with a value. Must
   * NOT catch base DNs ("dc=example,dc=com", "OU=Workstations,…"),
   * well-known containers ("CN=Users,DC=…", "CN=Computers,…") or filters
   * ("(sAMAccountName=*)"). */
  {"ldap_dn",
   "(?i)(?<![A-Za-z0-9])(?:cn|uid)=(?!(?:users|computers|builtin|system|configuration|schema|program data"
   "|microsoft|foreignsecurityprincipals|managed service accounts|keys|infrastructure|lostandfound|policies"
   "|domain (?:users|admins|computers|controllers|guests)|enterprise admins|schema admins|administrators"
   "|services|partitions|sites|subnets|default|config|admin|root|manager|directory manager)\\s*[,+])"
   "(?:[^,=+\\\\*()\\s]|\\\\.|\\s(?=[^,=]*[,+]))+(?:\\+[A-Za-z]+=[^,]+)?,\\s*(?:ou|dc|cn|o|l|c|st|uid)=",
   NULL, "ldap", "=", 0, "cn=|uid=", 0, NULL, 0},
  {"ldap_dn",
   "(?i)\\b(?:sAMAccountName|userPrincipalName|mailNickname)\\s*[=:]\\s*(?![*)\\s])[^\\s,)(*]{2,}",
   NULL, "ldap", ":=", 0, "samaccountname|userprincipalname|mailnickname", 0, NULL, 0},

  /* ---- user names. Every row ends its match with the name, and
   * ja__valid_account turns away system and placeholder accounts (root,
   * nobody, admin, guest, www-data, git, …). @handles after a cue
   * ("follow me @x", "logged in as @x", "cc @x") or alone when they hold
   * a given name or end in digits ("@jane_doe92", "@maria.garcia");
   * DOMAIN\user with a NetBIOS domain in capitals or after whoami/user:;
   * uid=N(name) as `id` prints it; labelled logins ("login: m.garcia",
   * "username=tomsmith"); tool output naming an owner (who, ls -l,
   * chown, sudo's log, su -, ssh user@host). Must NOT catch Slack's
   * @here/@channel/@everyone, decorators and annotations ("@Override",
   * "@pytest.fixture"), CSS at-rules, npm scopes ("@types/node"),
   * "NT AUTHORITY\SYSTEM", "BUILTIN\Administrators", "uid=0(root)",
   * "Account: Free plan". */
  {"username",
   "(?i:\\b(?:follow(?:ing)?(?:\\s+(?:me|us))?(?:\\s+on\\s+\\w+)?|(?:logged|signed)\\s+in\\s+as|as|by|cc|ping|thanks"
   "|thank\\s+you|dm|message|contact|mention(?:ed)?|reply(?:ing)?\\s+to|via|ask|tag(?:ged)?|handle|twitter|instagram"
   "|insta|ig|tiktok|telegram|tg|github|gh|mastodon|bluesky|threads|snapchat|discord|user)\\b[:\\s]+)"
   "@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}(?<![.])(?![\\w@/(.-])",
   ja__valid_account, "user_at", "@", 0, NULL, 0, NULL, 0},
  {"username", "^\\s*@(?=[A-Za-z0-9_.]*[A-Za-z])[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?=\\s*$)",
   ja__valid_handle, "user_at", "@", 0, NULL, 0, NULL, 0},
  {"username",
   "(?<![\\w\\\\.$%-])[A-Z][A-Z0-9-]{1,14}\\\\[A-Za-z][A-Za-z0-9._-]{0,18}[A-Za-z0-9](?![\\w\\\\.-])"
   "|(?i:\\b(?:whoami|user(?:name)?|account|logon|logged on as|runas\\s+/user)\\s*[:=]?\\s*)"
   "[A-Za-z][A-Za-z0-9-]{1,14}\\\\[A-Za-z][A-Za-z0-9._-]{0,18}[A-Za-z0-9](?![\\w\\\\.-])",
   ja__valid_domain_user, "user_domain", "\\", 0, NULL, 0, NULL, 0},
  {"username", "\\buid=\\d{1,10}\\((?=[A-Za-z_])[A-Za-z0-9_.-]{1,32}(?=\\))", ja__valid_account, "user_uid", "(", 1,
   "uid=", 0, NULL, 0},
  {"username",
   "(?i:\\b(?:user(?:[ _-]?name)?|login(?:[ _-]?name)?|owner|account(?:[ _-]?name)?|logon(?:[ _-]?name)?|handle"
   "|screen[ _-]?name|nick(?:[ _-]?name)?|user[ _-]?id|whoami))\\s*[:=]\\s*[\"']?"
   "(?:[A-Za-z0-9][A-Za-z0-9._-]{1,30}[A-Za-z0-9](?=\\s*(?:$|[,;)\\]\"']))"
   "|(?=[A-Za-z0-9._-]*[0-9._])[A-Za-z0-9][A-Za-z0-9._-]{1,30}[A-Za-z0-9](?![\\w@.-]))",
   ja__valid_account, "user_login", ":=", 0, "user|login|owner|account|logon|handle|name|nick|whoami", 0, NULL, 0},
  {"username",
   "(?m)^[a-z_][a-z0-9_.-]{1,31}(?=\\s+(?:pts/\\d+|tty\\w*|console)\\s+(?:\\d{4}-\\d\\d-\\d\\d|[A-Z][a-z]{2}\\s+\\d))",
   ja__valid_account, "user_who", " \t", 1, "pts/|tty|console", 0, NULL, 0},
  {"username", "(?<![\\w-])[dlcbps-][rwxsStT-]{9}[@+.]?\\s+\\d+\\s+(?=[a-z_])[A-Za-z0-9_.-]{1,32}(?=\\s+\\S+\\s+\\d+\\s+\\S+\\s+\\d)",
   ja__valid_account, "user_ls", " \t", 3, NULL, 0, NULL, 0},
  {"username",
   "\\bchown\\s+(?:-[A-Za-z]+\\s+)*(?=[a-z_])[a-z0-9_.-]{1,32}(?=[:.\\s])"
   "|\\bsudo:\\s+(?=[a-z_])[a-z0-9_.-]{1,32}(?=\\s+:\\s+(?:TTY|PWD|USER|COMMAND)=)"
   "|\\bsu\\s+(?:-l?|--login)\\s+(?=[a-z_])[a-z0-9_.-]{2,32}(?![\\w.-])"
   "|^\\s*(?:sudo\\s+)?su\\s+(?=[a-z_])[a-z0-9_.-]{2,32}(?=\\s*$)"
   "|\\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id)\\b[^|;&\\n]*?\\s(?:-l\\s+)?(?=[a-z_])[a-z0-9_.-]{1,32}(?=@[A-Za-z0-9.-]+)",
   ja__valid_account, "user_tool", " \t", 0, "chown|sudo|su|ssh|scp|sftp|rsync|mosh", 0, NULL, 0},

  /* ---- a person's profile page: one user segment after a social or
   * developer site (github.com/<user>, x.com/<user>, t.me/<user>, …),
   * the sites' own profile paths (/in/, /user/, /u/, /profile/,
   * profile.php?id=, /users/<n>), and /@user on any host (Mastodon,
   * Medium, YouTube, TikTok, Threads). Must NOT catch repositories and
   * other two-segment paths ("github.com/ollama/ollama",
   * "huggingface.co/Qwen/…"), the sites' own pages ("x.com/home",
   * "github.com/login", "linkedin.com/feed/"), subreddits. */
  {"social_profile_url",
   "(?i)(?<![\\w.-])(?:https?://)?(?:www\\.|m\\.|mobile\\.|[a-z]{2}\\.)?(?:github\\.com|gitlab\\.com|x\\.com|twitter\\.com"
   "|instagram\\.com|facebook\\.com|fb\\.com|t\\.me|telegram\\.me|tiktok\\.com|threads\\.net|keybase\\.io|twitch\\.tv"
   "|pinterest\\.com|soundcloud\\.com|behance\\.net|dribbble\\.com|codeberg\\.org|bitbucket\\.org|linktr\\.ee|patreon\\.com"
   "|ko-fi\\.com|buymeacoffee\\.com|vk\\.com|ok\\.ru|dev\\.to|about\\.me|gravatar\\.com|huggingface\\.co|kaggle\\.com"
   "|replit\\.com|flickr\\.com/(?:people|photos)|snapchat\\.com/add|npmjs\\.com/~|pypi\\.org/user|linkedin\\.com/(?:in|pub)"
   "|reddit\\.com/(?:user|u)|youtube\\.com/(?:c|channel|user)|bsky\\.app/profile|weibo\\.com(?:/u)?|quora\\.com/profile"
   "|discord\\.com/users|steamcommunity\\.com/(?:id|profiles)|last\\.fm/user|strava\\.com/athletes|xing\\.com/profile"
   "|stackoverflow\\.com/users(?:/\\d+)?|leetcode\\.com/(?:u/)?|hackerrank\\.com/(?:profile/)?|codepen\\.io|medium\\.com)"
   "/@?(?!(?:home|explore|login|logout|signup|sign_up|join|settings|search|about|help|features|pricing|topics|trending"
   "|marketplace|notifications|orgs|organizations|enterprise|enterprises|sponsors|new|watch|hashtag|i|intent|share|messages"
   "|privacy|terms|tos|legal|policies|policy|accounts|direct|reels?|p|stories|groups|pages|events|gaming|developers?"
   "|docs|blog|jobs|careers|contact|support|security|status|api|apps|downloads?|collections|teams?|models|datasets"
   "|spaces|papers|tasks|tags?|users|feed|site|readme|codespaces|issues|pulls|discussions|dashboard|compose|library"
   "|learn|resources|solutions|premium|business|ads|index\\.html|r|c|s|in|search|popular|all|directory|videos"
   "|creators?|discover|foryou|following|trending|shop|store|live|music|news|sitemap|robots\\.txt|favicon\\.ico"
   "|manifest\\.json|[a-z]{2}(?:-[a-z]{2})?)/?(?:[?#\\s\"')]|$))"
   "[A-Za-z0-9_.%-]{2,60}/?(?=[?#\\s\"')]|$)",
   NULL, "social", "/", 0, ".com/|.co/|.me/|.io/|.net/|.org/|.tv/|.to/|.ee/|.ru/|.app/|.fm/", 0, NULL, 0},
  {"social_profile_url", "(?i)\\b(?:https?://)?[a-z0-9-]+(?:\\.[a-z0-9-]+)+/@[A-Za-z0-9_.]{2,40}/?(?=[?#\\s\"')]|$)"
   "|(?i)facebook\\.com/profile\\.php\\?id=\\d{5,}",
   NULL, "social", "/", 0, "/@|profile.php", 0, NULL, 0},
  /* ---- credentials under an authorization scheme or in a form some
   * vendor prints: Okta's "SSWS <token>", Elastic's "ApiKey <base64>",
   * Braintree access tokens, Weights & Biases logins, software product
   * keys (five groups of five). Must NOT catch the scheme word alone. */
  {"auth_scheme_token",
   "\\b(?:SSWS|ApiKey|Apikey|apikey)\\s+[A-Za-z0-9+/=_.-]{20,}|\\bToken token=[A-Za-z0-9+/=_.-]{20,}",
   NULL, "auth3", " =", 0, "ssws|apikey|token token=", 0, NULL, 0},
  {"braintree_token", "access_token\\$(?:production|sandbox)\\$[a-z0-9]{16}\\$[a-f0-9]{32}", NULL, "auth3", "$", 0,
   "access_token$", 0, NULL, 0},
  {"wandb_key", "(?i)\\bwandb\\s+login\\s+(?:--relogin\\s+)?[a-f0-9]{40}(?![a-f0-9])", NULL, "auth3", " ", 0, "wandb", 0,
   NULL, 0},
  {"product_key", "(?<![A-Za-z0-9-])(?:[A-Z0-9]{5}-){4}[A-Z0-9]{5}(?![A-Za-z0-9-])", ja__valid_mixed, NULL, "-", 1,
   NULL, 5, "-", 4},
  /* HTTP authentication beyond Basic: NTLM messages (base64 of
   * "NTLMSSP"), SPNEGO/Kerberos tokens after Negotiate, Digest responses,
   * and credentials as a client library takes them (auth=('user', 'pw'),
   * HTTPBasicAuth("user", "pw")). Must NOT catch "WWW-Authenticate:
   * Negotiate", "NTLM authentication failed", "Basic realm=…". */
  {"basic_auth",
   "\\bNTLM\\s+TlRMTVNTUA[A-Za-z0-9+/=]{10,}|\\bNegotiate\\s+(?:YII|oYI|YIG|oRs|oYG)[A-Za-z0-9+/=]{20,}"
   "|(?i:\\bdigest\\s+username=\"[^\"]+\"[^\\n]*?\\bresponse=\"[0-9a-f]{32,})"
   "|(?:\\bauth\\s*=\\s*\\(|HTTP(?:Basic|Digest)Auth\\s*\\()\\s*['\"][^'\"]{1,64}['\"]\\s*,\\s*['\"](?!" PLACEHOLDER ")[^'\"]{3,}['\"]",
   NULL, "auth3", NULL, 0, "ntlm|negotiate|digest|auth", 0, NULL, 0},

  /* ---- OAuth/OIDC tokens and codes of the large identity providers, as
   * they issue them: Google authorization codes ("4/0A…"), Microsoft
   * account codes ("M.C5…_BAY.…") and Entra refresh tokens ("0.A…"),
   * Sign in with Apple codes and refresh tokens ("c|r<32 hex>.0.<4>.<22>"),
   * Salesforce session ids ("00D…!…"), Amazon's "Atza|"/"Atzr|"; and any
   * provider's token or code after its name ("refresh_token=…",
   * "authorization code: …", "code_verifier=…"). Must NOT catch
   * "grant_type=authorization_code", "response_type=code", "state=xyz",
   * "code_challenge_method=S256", "refresh token expired". */
  {"oauth_token",
   "(?<![\\w/])4/0A[A-Za-z0-9_-]{30,}"
   "|(?<![\\w.])M\\.C\\d{3}_[A-Z]{2,4}\\.\\d\\.[A-Z]\\.[A-Za-z0-9-]{20,}"
   "|(?<![\\w.])0\\.A[A-Za-z0-9_-]{60,}(?:\\.[A-Za-z0-9_-]+)*"
   "|(?<![\\w.])[cr][0-9a-f]{32}\\.0\\.[a-z]{4}\\.[A-Za-z0-9_-]{16,}"
   "|(?<![A-Za-z0-9])00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{60,}"
   "|(?<![\\w|])Atz[ar]\\|[A-Za-z0-9_-]{40,}",
   NULL, "oauth", NULL, 0, "4/0a|m.c|0.a|.0.|00d|atza|atzr", 0, NULL, 0},
  {"oauth_token",
   "(?i)(?<![A-Za-z0-9])(?:authori[sz]ation[ _-]code|auth[ _-]code|access[ _-]token|refresh[ _-]token|id[ _-]token"
   "|device[ _-]code|bearer[ _-]token|session[ _-]token|api[ _-]token|personal[ _-]access[ _-]token|oauth[ _-]token"
   "|code[ _-]verifier|client[ _-]secret|app[ _-]secret|consumer[ _-]secret|signing[ _-]secret)"
   "[\"']?\\s*(?:is\\s+|[:=]\\s*)[\"']?(?!" PLACEHOLDER ")(?=[A-Za-z0-9._~+/=-]*\\d)[A-Za-z0-9._~+/=-]{16,}",
   NULL, "oauth_label", NULL, 1, "code|token|verifier|secret", 0, NULL, 0},

  /* ---- URLs whose path or query is the credential: webhook URLs of
   * automation services (Zapier, IFTTT, Make, Microsoft Teams, Google
   * Chat, Telegram's bot API), one-click links (magic sign-in, password
   * reset, e-mail confirmation, invitations, unsubscribe) with a token of
   * 20 or more characters, signed query strings ("sig=", "Signature=",
   * "X-Goog-Signature="). Must NOT catch the same pages without a token
   * ("…/reset-password"), ordinary queries ("?q=llama&page=2"). */
  {"signed_url",
   "(?i)hooks\\.zapier\\.com/hooks/catch/\\d+/[A-Za-z0-9]+|maker\\.ifttt\\.com/(?:trigger/[^/\\s]+/with/)?(?:json/)?key/[A-Za-z0-9_-]{10,}"
   "|hook\\.(?:[a-z]{2}\\d\\.)?(?:make|integromat)\\.com/[a-z0-9]{16,}|\\.webhook\\.office\\.com/webhookb?2?/\\S{20,}"
   "|outlook\\.office\\.com/webhook/\\S{20,}|chat\\.googleapis\\.com/v1/spaces/[^/\\s]+/messages\\?\\S*\\bkey="
   "|api\\.telegram\\.org/(?:file/)?bot\\d+:[A-Za-z0-9_-]{20,}",
   NULL, "url3", "/", 0, "hooks.zapier|ifttt|make.com|integromat|webhook|googleapis|telegram", 0, NULL, 0},
  {"signed_url",
   "(?i)\\b[a-z][a-z0-9+.-]*://[^\\s?#]*(?:magic|login|signin|sign-in|verify|verification|confirm|reset|invite|invitation"
   "|activate|activation|unsubscribe|passwordless|auth|sso|onboard|claim|access|share|download)[^\\s?#]*"
   "\\?(?:[^\\s#]*&)?[A-Za-z_]{1,24}=(?=[A-Za-z0-9_~.%-]*\\d)(?=[A-Za-z0-9_~.%-]*[A-Za-z])[A-Za-z0-9_~.%-]{20,}",
   NULL, "url3", "?", 1, "://", 0, NULL, 0},
  {"signed_url",
   "(?i)(?<![A-Za-z0-9_])(?:sig|signature|x-goog-signature|x-amz-signature|x-oss-signature)="
   "[A-Za-z0-9%+/=_~.-]{20,}",
   NULL, "url3", "=", 0, "sig", 0, NULL, 0},

  /* ---- JSON Web Encryption (five dot-separated parts after a "{"
   * header), which the JWT row does not see. */
  {"jwt", "eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", NULL, NULL,
   ".", 0, "eyj", 0, NULL, 0},

  /* ---- key material that identifies its holder: PEM public keys and
   * certificates with their body (the header alone passes: it is a word
   * in an error message), SSH public key bodies with or without their
   * type, SHA256 and MD5 fingerprints, OpenPGP fingerprints and long key
   * ids after their label. Must NOT catch "ssh-ed25519" alone, Docker's
   * "sha256:<64 hex>" digests, "-----BEGIN PUBLIC KEY-----" alone,
   * "gpg: Good signature". */
  {"public_key",
   "-----BEGIN (?:[A-Z0-9]+ )*(?:PUBLIC KEY|CERTIFICATE(?: REQUEST)?|PGP PUBLIC KEY BLOCK|PGP SIGNATURE|X509 CRL|PKCS7"
   "|CMS)-----(?:\\s|\\\\n)*[A-Za-z0-9+/]{16,}",
   NULL, "key3_pem", "-", 0, "-----begin", 0, NULL, 0},
  {"ssh_key",
   "(?:ssh-(?:ed25519|ed448|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com"
   "|rsa-sha2-(?:256|512))\\s+AAAA[A-Za-z0-9+/]{20,}"
   "|(?<![A-Za-z0-9+/])AAAA(?:C3NzaC1lZDI1NTE5|C3NzaC1lZDQ0OA|B3NzaC1yc2E|B3NzaC1kc3M|E2VjZHNhLXNoYTItbmlzdHA"
   "|GnNrLXNzaC1lZDI1NTE5|InNrLWVjZHNh)[A-Za-z0-9+/]{16,}",
   NULL, "key3_ssh", "A", 0, "aaaa", 0, NULL, 0},
  {"ssh_key", "(?<![A-Za-z0-9])SHA256:[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/])", NULL, "key3_sha", ":", 0, "sha256:", 0, NULL, 0},
  {"ssh_key", "(?<![0-9A-Fa-f:])(?:MD5:)?[0-9a-f]{2}(?::[0-9a-f]{2}){15}(?![0-9A-Fa-f:])", ja__valid_varied_hex, "key3_md5",
   ":", 0, NULL, 0, ":", 15},
  {"pgp_key_id", "(?<![0-9A-Fa-f])[0-9A-F]{4}(?: {1,2}[0-9A-F]{4}){9}(?![0-9A-Fa-f])", ja__valid_varied_hex, "key3_pgp",
   " ", 0, NULL, 0, HEX_DIGITS, 40},
  {"pgp_key_id",
   "(?i:\\b(?:gpg:\\s+key|pgp\\s+key|key\\s*id|keyid|fingerprint|fpr|openpgp4fpr|primary key fingerprint|key)\\s*[:=]?\\s*)"
   "(?:0x)?(?:[0-9A-Fa-f]{40}|[0-9A-F]{16})(?![0-9A-Za-z])",
   ja__valid_varied_hex, "key3_pgp_label", NULL, 0, "key|fingerprint|fpr", 16, NULL, 0},

  /* ---- card security codes and PINs after their label ("CVV: 123",
   * "cvc 7391", "CVV2=042", "security code on the back: 319"). Must NOT
   * catch "Enter the 3-digit CVC", "CVC check failed", "CVV must be 3 or
   * 4 digits", "PIN pad ready". */
  {"card_security_code",
   "(?i)\\b(?:cvv2?|cvc2?|cvn|csc|cav2|cid|card\\s+(?:verification|security)\\s+(?:code|value|number)"
   "|security\\s+code(?:\\s+on\\s+the\\s+back)?)\\b\\s*(?:is\\s+|[:=#]\\s*)?\\d{3,4}(?![\\d-])",
   NULL, NULL, NULL, 3, "cvv|cvc|cvn|csc|cav2|cid|card|security", 0, NULL, 0},
  /* ---- a secret under any name that says so: an identifier ending in
   * key, token, secret, password, credentials or auth (an environment
   * variable, a config entry: "ALGOLIA_ADMIN_KEY=…", "stripe.webhook_secret:
   * …") and a value that looks random (a run of 12 or more letters and
   * digits mixing both, or 20 of base64). Must NOT catch names alone,
   * placeholders, counts ("token_count=512"), ordinary settings values
   * ("cache_key=users-2024-06-15-v2", "routing key: orders.created"). */
  {"secret_assignment",
   "(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)*[_.-](?i:key|token|secret|pat|apikey|password|passwd|pwd"
   "|credentials?|auth)[\"']?\\s*[:=]\\s*[\"']?(?!" PLACEHOLDER ")[A-Za-z0-9_+/=.~-]{12,}",
   ja__valid_random_value, NULL, ":=", 0, "key|token|secret|pat|pass|pwd|credential|auth", 0, NULL, 0},
  /* The word for password in more languages, written in ASCII: Finnish
   * salasana, Estonian parool, Norwegian passord, Lithuanian slaptazodis,
   * Icelandic lykilord, Malay/Indonesian kata laluan/kata sandi, Catalan
   * contrasenya, Basque pasahitza, Bosnian/Croatian sifra. */
  {"secret_assignment",
   "(?i)(?<![A-Za-z])(?:salasana|parool|passord|slaptazodis|slaptažodis|lykilord|lykilorð|kata\\s+(?:laluan|sandi)"
   "|contrasenya|pasahitza|sifra|šifra|jelszo|jelszó|parole|geslo)(?![A-Za-z])" SECRET_SEP "(?!" PLACEHOLDER ")[^\\s\"'=>]",
   NULL, NULL, ":=", 0, "salasana|parool|passord|slapta|lykilor|kata|contrasenya|pasahitza|ifra|jelsz|parole|geslo", 0, NULL, 0},
  /* ---- national identity numbers, round 3. After a label in the
   * language of the issuing country (and in English), any id-like value
   * with 4 or more digits counts: fail closed, a mistyped number in that
   * field is still the person's. Must NOT catch the labels alone
   * ("NIN verification pending", "PAN card", "주민등록번호 뒷자리는 7자리"). */
  {"national_id",
   "(?i:(?<![A-Za-z0-9])(?:UIDAI|T\\.\\s?C\\.(?:\\s?kimlik)?(?:\\s?no)?|kimlik\\s+(?:numaras[iı]|no)|f[øo]dselsn(?:umme)?r"
   "|contribuinte|IRD(?:\\s+number)?|isikukood|IIN|NIN|BVN|NIK|PhilSys(?:\\s+(?:number|PSN))?|PSN|CCCD|c[aă]n\\s+c[uư][oớ]c"
   "|Kenya\\s+ID|Personalausweis(?:nummer)?|Ausweisnummer|c[ée]dula(?:\\s+de\\s+(?:identidad|ciudadan[ií]a))?|RUT|RUN"
   "|AMKA|Iqama|Teudat\\s+Zehut|RRN|My\\s+Number|ROC\\s+ID|NRIC|FIN|Emirates\\s+ID|EID|cod\\s+numeric\\s+personal|CNP"
   "|Thai\\s+ID|citizen\\s+ID|CURP|NSS|DUI|CUIL|CUIT|NIT|DPI|CPF|RG|SSS|TIN|UMID|HKID|MyKad|IC\\s+(?:no|number)"
   "|NRC|NID|NIDA|Ghana\\s+card|PIN\\s+number|KRA\\s+PIN|voter\\s+ID|EPIC|Aadhar|Aadhaar|PAN|SIN|SSN|OIB|EGN|JMBG|EMBG"
   "|personal\\s+code|asmens\\s+kodas|personas\\s+kods|rodn[eé]\\s+[čc][ií]slo|HETU|PESEL|BSN|NIE|DNI|NIF|NIR|NINO"
   "|codice\\s+fiscale|steuer-?id|insee))"
   "(?![A-Za-z])(?i:[\\s_-]*(?:no\\.?|nr\\.?|n\\.?\\s?[ºo°]|number|num|#))?\\s*[:#=]?\\s*(?i:is\\s+)?"
   "(?=[A-Za-z0-9 ./()-]*\\d)[A-Za-z0-9(](?:[A-Za-z0-9()]|[ ./-](?=[A-Za-z0-9(])){5,22}",
   ja__valid_labelled_id, "nid3_label", NULL, 4,
   "uidai|t.c|kimlik|dselsn|contribuinte|ird|isikukood|iin|nin|bvn|nik|philsys|psn|cccd|cuoc|cu\xe1\xbb\x9b|cu\xe1\xbb\x9a|c\xc6\xb0|c\xc6\xaf|kenya|ausweis|dula|rut|run"
   "|amka|iqama|zehut|rrn|my number|roc|nric|fin|emirates|eid|cnp|numeric|thai|citizen|curp|rfc|nss|dui|cuil|cuit|nit"
   "|dpi|cpf|rg|sss|tin|umid|hkid|mykad|ic|nrc|nid|ghana|pin|voter|epic|aadha|pan|sin|ssn|oib|egn|mbg|personal|asmens"
   "|personas|rodn|hetu|pesel|bsn|nie|dni|nif|nir|nino|fiscale|steuer|insee", 0, NULL, 0},
  /* The same labels in their own scripts (Korean, Japanese, Chinese,
   * Hebrew, Arabic, Greek, Cyrillic, Thai, Hindi). */
  {"national_id",
   "(?:주민등록번호|외국인등록번호|주민번호|個人番号|マイナンバー|身分證字號|身分證號碼?|身份證號碼?|身份证号码?|香港身份證|居民身份证"
   "|ת\\.ז\\.?|ת\"ז|תעודת\\s+זהות|מספר\\s+זהות|מס['׳]\\s+זהות|رقم\\s+الهوية|الهوية\\s+الوطنية|رقم\\s+الإقامة|الرقم\\s+القومي"
   "|رقم\\s+قومي|ΑΜΚΑ|ΑΦΜ|Α\\.?Δ\\.?Τ\\.?|ИИН|ИНН|СНИЛС|ЖСН|РНОКПП|паспорт|เลขประจำตัวประชาชน|बत्ताक|आधार(?:\\s+संख्या)?"
   "|पैन|운전면허번호)"
   "\\s*[:：#=]?\\s*(?=[A-Za-z0-9 ./()-]*\\d)[A-Za-z0-9(](?:[A-Za-z0-9()]|[ ./-](?=[A-Za-z0-9(])){5,22}",
   ja__valid_labelled_id, "nid3_label_x", HIGH, 4, NULL, 0, NULL, 0},
  /* An identity card's number after its label holds letters and few
   * digits ("Personalausweisnummer: L01X8YRCM"); "ID No. 23288515"
   * counts unless an order, a session or another thing's id is meant. */
  {"national_id",
   "(?i:\\b(?:personalausweis(?:nummer)?|ausweisnummer|id[ _-]card(?:[ _-](?:number|no))?|identity[ _-]card(?:[ _-](?:number|no))?"
   "|carte\\s+d['’]identit[ée]|carta\\s+d['’]identit[àa]))\\s*(?:no\\.?|nr\\.?|number|#)?\\s*[:#=]?\\s*"
   "(?=[A-Z0-9]*\\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{8,10}(?![A-Za-z0-9])"
   "|(?<![\\w-])(?<!(?i)order |request |session |job |ticket |invoice |transaction |message |process |thread |user "
   "|product |item |build |event |run |task |client |customer |device |app |team |group |project |account |record "
   "|reference )"
   "(?i:ID)\\s*(?i:No\\.?|Nr\\.?|Number|#)\\s*[:#]?\\s*\\d[\\d -]{5,16}\\d(?![\\d-])",
   ja__valid_mixed, "nid3_card", NULL, 1, "ausweis|id|identity|identit", 0, NULL, 0},

  /* Bare national ids whose shape and check digit decide (13+ digits
   * with a birth date, letters that make the shape, the country's own
   * punctuation): KR RRN, ZA ID, RO CNP, MX CURP, TW, SG NRIC/FIN, HKID
   * (check in brackets), IE PPS, CH AHV (756…), CL RUT (dotted or with
   * its dash), TH (dashed 1-4-5-2-1), AE Emirates ID (784-…, Luhn), AU TFN
   * and NO fødselsnummer as grouped, DK CPR
   * (DDMMYY-SSSS, mod 11), PK CNIC (5-7-1), MY MyKad (YYMMDD-PB-NNNN),
   * MX RFC. Must NOT catch the same shapes with a wrong check digit, bare
   * 9-12 digit runs (order numbers: a check digit cannot decide them),
   * 13-digit epoch milliseconds (no valid birth date and check). Japan's
   * My Number shares its 4-4-4 grouping with Aadhaar (whose row checks
   * Verhoeff): only after its label. */
  {"national_id", "(?<![\\d-])\\d{6}-?[1-8]\\d{6}(?![\\d-])", ja__kr_rrn_ok, "nid3", NULL, 13, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d-])\\d{6} ?\\d{4} ?\\d{3}(?![\\d-])", ja__za_id_ok, "nid3", NULL, 13, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d-])[1-9]\\d{12}(?![\\d-])", ja__ro_cnp_ok, "nid3", NULL, 13, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d-])\\d-\\d{4}-\\d{5}-\\d{2}-\\d(?![\\d-])|(?<![\\d-])\\d \\d{4} \\d{5} \\d{2} \\d(?![\\d-])",
   ja__th_id_ok, "nid3", NULL, 13, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d-])784-?\\d{4}-?\\d{7}-?\\d(?![\\d-])", ja__luhn_ok, "nid3", NULL, 15, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d.])756(?:\\.\\d{4}\\.\\d{4}\\.\\d{2}|\\d{10})(?![\\d.])", ja__ch_ahv_ok, "nid3", NULL, 13, NULL, 0,
   NULL, 0},
  {"national_id", "(?<![\\d.-])\\d{1,2}\\.\\d{3}\\.\\d{3}-[\\dkK](?![\\w-])|(?<![\\d.-])\\d{7,8}-[\\dkK](?![\\w-])",
   ja__cl_rut_ok, "nid3_sep", "-", 7, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d.-])\\d{3} \\d{3} \\d{3}(?![\\d.-])", ja__au_tfn_ok, "nid3_sep", " ", 9, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d.-])\\d{6} \\d{5}(?![\\d.-])", ja__no_fnr_ok, "nid3_sep", " ", 11, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d.-])\\d{6}-\\d{4}(?![\\d.-])", ja__dk_cpr_ok, "nid3_sep", "-", 10, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d-])\\d{5}-\\d{7}-\\d(?![\\d-])", NULL, "nid3_sep", "-", 13, NULL, 0, NULL, 0},
  {"national_id", "(?<![\\d-])\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])-\\d{2}-\\d{4}(?![\\d-])", NULL, "nid3_sep", "-", 12,
   NULL, 0, NULL, 0},
  {"national_id", "(?<![A-Za-z0-9])[A-Z]{1,2}\\d{6} ?\\([0-9A]\\)", ja__hk_id_ok, "nid3_letters", "(", 6, NULL, 0, NULL, 0},
  {"national_id", "(?<![A-Za-z0-9])[A-Z][1289]\\d{8}(?![A-Za-z0-9])", ja__tw_id_ok, "nid3_letters", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 9, NULL, 10, NULL,
   0},
  {"national_id", "(?<![A-Za-z0-9])[STFG]\\d{7}[A-Z](?![A-Za-z0-9])", ja__sg_nric_ok, "nid3_letters", "STFG", 7, NULL, 9, NULL,
   0},
  {"national_id", "(?<![A-Za-z0-9])\\d{7}[A-W][AHWTX]?(?![A-Za-z0-9])", ja__ie_pps_ok, "nid3_letters", "ABCDEFGHIJKLMNOPQRSTUVW", 7, NULL, 8, NULL,
   0},
  {"national_id", "(?<![A-Za-z0-9])[A-Z]{4}\\d{6}[HMX][A-Z]{5}[A-Z0-9]\\d(?![A-Za-z0-9])", ja__mx_curp_ok, "nid3_letters",
   "HMX", 7, NULL, 18, NULL, 0},
  {"national_id",
   "(?<![A-Za-z0-9])[A-Z&]{3,4}\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])[A-Z0-9]{3}(?![A-Za-z0-9])", NULL,
   "nid3_letters", "ABCDEFGHIJKLMNOPQRSTUVWXYZ&", 6, NULL, 12, NULL, 0},

  /* ---- health identifiers: after their label (MRN, patient id, chart #,
   * member id, NHS/CHI number, Medicare, health card, the German
   * Krankenversichertennummer and Fallnummer, Ontario's OHIP) any value
   * with 4 digits; bare where the format decides: NHS numbers grouped
   * 3-3-4 (mod 11), US MBIs (CMS's character positions), DEA numbers
   * (check digit). Must NOT catch clinical codes (ICD-10, LOINC, SNOMED,
   * CPT), the labels alone ("MRN field is required"), "Medicare levy 2%",
   * a bare 10-digit run (epoch seconds). */
  {"medical_id",
   "(?i:(?<![A-Za-z0-9])(?:MRN|medical\\s+record(?:\\s+(?:number|no\\.?|#))?|med\\.?\\s*rec\\.?(?:\\s+(?:no\\.?|#))?"
   "|patient(?:\\s*(?:id|number|no\\.?|#))|chart\\s*(?:no\\.?|#|number)|member\\s*(?:id|number|no\\.?|#)"
   "|subscriber\\s+id|policy\\s+(?:number|no\\.?|#)|health\\s+(?:card|insurance|plan)\\s*(?:number|no\\.?|#|id)?"
   "|insurance\\s+(?:id|number|no\\.?)|Krankenversichertennummer|Versichertennummer|Versicherungsnummer|Fallnummer"
   "|Patientennummer|Patienten-?ID|OHIP|RAMQ|CHI\\s*(?:number|no\\.?|#)?|NHS\\s*(?:number|no\\.?|#)?"
   "|health\\s+and\\s+care\\s+number|HCN|Medicare\\s*(?:number|no\\.?|#|id|card(?:\\s+number)?)?|Medicaid\\s*(?:id|number|#)?"
   "|HICN|MBI|NPI|DEA(?:\\s*(?:number|no\\.?|#))?|encounter\\s*(?:id|number|#)|admission\\s*(?:number|no\\.?|#)"
   "|prescriber\\s+NPI|NIHSS|dossier\\s+m[ée]dical|n[°º]\\s*de\\s+s[ée]curit[ée]\\s+sociale))"
   "(?![A-Za-z])\\s*[:#=]?\\s*(?:is\\s+)?(?=[A-Za-z0-9 ./()-]*\\d)[A-Za-z0-9](?:[A-Za-z0-9]|[ ./-](?=[A-Za-z0-9])){3,22}",
   ja__valid_labelled_id, "med", NULL, 4,
   "mrn|medical|med|patient|chart|member|subscriber|policy|health|insurance|versicher|fallnummer|ohip|ramq|chi|nhs"
   "|hcn|medicare|medicaid|hicn|mbi|npi|dea|encounter|admission|nihss|dossier|curit", 0, NULL, 0},
  {"medical_id", "(?<![\\d.-])\\d{3}([ -])\\d{3}\\g{-1}\\d{4}(?![\\d.-])", ja__nhs_ok, "med_bare", " -", 10, NULL, 0, NULL,
   0},
  {"medical_id",
   "(?<![A-Za-z0-9])[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\\d-?"
   "[AC-HJKMNP-RT-Y]{2}\\d{2}(?![A-Za-z0-9])",
   ja__mbi_ok, "med_bare", "ACDEFGHJKMNPQRTUVWXY", 4, NULL, 0, NULL, 0},
  {"medical_id", "(?<![A-Za-z0-9])[ABCDEFGHJKLMPRSTUX][A-Z9]\\d{7}(?![A-Za-z0-9])", ja__dea_ok, "med_bare", "ABCDEFGHJKLMPRSTUX", 7, NULL, 9,
   NULL, 0},

  /* ---- bank accounts: after their label in many languages (account
   * number, acct, sort code, BSB, IFSC, transit and institution,
   * Kontonummer and BLZ, Agência and Conta, 口座 and 普通, 계좌번호, счёт,
   * routing number, ABA, RTN) any value with 4 digits; bare where a check
   * decides: a CLABE (18 digits, 3-7-1), a RIB (5 5 11 2, key mod 97);
   * payment handles (UPI ids, paypal.me, Venmo, Cash App $cashtags).
   * Must NOT catch BIC/SWIFT codes alone (they name a bank), "sort code
   * format 00-00-00", "account settings", "routing table updated",
   * "routing key: orders.created", bare 9-digit numbers. */
  {"bank_account",
   "(?i:(?<![A-Za-z0-9])(?:(?:bank\\s+|checking\\s+|savings\\s+|current\\s+)?account(?:\\s*(?:number|no\\.?|nr\\.?|#))?"
   "|acct(?:\\s*(?:no\\.?|#|number))?|a/c(?:\\s*no\\.?)?|acc(?:\\s*no\\.?)?|sort\\s+code|BSB|IFSC|transit(?:\\s+(?:number|no\\.?))?"
   "|institution(?:\\s+(?:number|no\\.?))?|routing(?:/transit)?(?:\\s*(?:number|no\\.?|#))?|ABA(?:\\s+(?:number|no\\.?|routing))?"
   "|RTN|ACH\\s+routing|Kontonummer|Kontonr\\.?|Konto|BLZ|Bankleitzahl|Ag[eê]ncia|Agencia|Conta(?:\\s+corrente)?|cuenta"
   "|compte|rekening(?:nummer)?|numer\\s+konta|счёт|счет|р/с|расч[её]тный\\s+сч[её]т|CBU|CVU|CLABE|RIB))"
   "(?![A-Za-z])\\s*[:#=]?\\s*(?=[0-9 ./-]*\\d)\\d(?:\\d|[ ./-](?=\\d)){3,30}",
   ja__valid_labelled_id, "bank", NULL, 4,
   "account|acct|a/c|acc|sort|bsb|ifsc|transit|institution|routing|aba|rtn|konto|blz|bankleitzahl|ncia|agencia|conta"
   "|cuenta|compte|rekening|konta|сч|р/с|cbu|cvu|clabe|rib", 0, NULL, 0},
  {"bank_account",
   "(?:口座番号|口座|普通|当座|계좌번호|계좌|账号|帳號|银行账户|銀行帳戶|खाता\\s+संख्या)\\s*[:：]?\\s*\\d(?:\\d|[ ./-](?=\\d)){3,30}",
   ja__valid_labelled_id, "bank_x", HIGH, 4, NULL, 0, NULL, 0},
  {"bank_account", "(?<![\\d.-])\\d{18}(?![\\d.-])", ja__clabe_ok, "bank_bare", NULL, 18, NULL, 18, NULL, 0},
  {"bank_account", "(?<![\\dA-Za-z])\\d{5} ?\\d{5} ?[0-9A-Za-z]{11} ?\\d{2}(?![\\dA-Za-z])", ja__fr_rib_ok, "bank_bare", NULL,
   12, NULL, 0, NULL, 0},
  {"payment_handle",
   "(?i:\\b(?:UPI(?:\\s+ID)?|VPA))\\s*[:=]?\\s*[A-Za-z0-9._-]{2,}@[A-Za-z]{2,}"
   "|(?<![\\w.-])[A-Za-z0-9._-]{2,}@(?:ok(?:axis|hdfcbank|icici|sbi)|ybl|ibl|axl|paytm|upi|apl|ratn|icici|sbi|hdfcbank"
   "|axisbank|kotak|barodampay|aubank|idfcbank|indus|federal|pnb|boi|cnrb|unionbank|ikwik|freecharge|jio|yapl|waaxis"
   "|wahdfcbank|waicici|wasbi|fam|slice|superyes|naviaxis|axisb|yesbank|rbl|dbs|hsbc|sc|citi)(?![\\w.-])"
   "|(?i:(?:https?://)?(?:www\\.)?(?:paypal\\.me|venmo\\.com(?:/u)?|cash\\.app|revolut\\.me|monzo\\.me|ko-fi\\.com)/[$@]?[A-Za-z0-9_.-]{2,})"
   "|(?i:\\b(?:venmo|cash\\s?app|cashtag|paypal|zelle|revolut)\\b)\\s*:?\\s*[$@][A-Za-z][A-Za-z0-9_.-]{1,29}",
   NULL, "pay", "@$/", 0, NULL, 0, NULL, 0},
  /* ---- phone numbers after their label ("phone: 555-0143", "tel.
   * 2025550143", "callback 14155550187"), 7 to 15 digits however grouped;
   * also the reading of a shaped value ("contact.phone:2025550143" reads
   * "contact phone 2025550143"). Must NOT catch "phone: required",
   * "country code +44", a label before a short number ("tel 42"). */
  {"phone",
   "(?i)(?<![A-Za-z0-9])(?:phone|tel|telephone|mobile|cell(?:phone)?|mob|fax|whatsapp|sms|callback|call\\s+me(?:\\s+at)?"
   "|ph|tlf|telefon|t[ée]l[ée]phone|tel[ée]fono|telefone|handy|portable|celular|móvil|movil)"
   "(?:\\s*(?:no\\.?|number|#|nr\\.?))?\\s*[:=#.]?\\s*\\+?\\(?\\d(?:[\\d ().-]{5,20})\\d(?![\\d-])",
   ja__valid_phone_digits, "phone3", NULL, 7,
   "phone|tel|mobile|cell|mob|fax|whatsapp|sms|callback|call me|ph|tlf|handy|portable|celular|vil", 0, NULL, 0},

  /* SIM ICCIDs (89…, Luhn; labelled, any grouping). Must NOT catch a batch
   * number failing Luhn. */
  {"iccid", "(?i:\\bICCID\\b)\\s*[:=#]?\\s*89(?:[ -]?\\d){16,20}|(?<![\\d-])89\\d{16,20}(?![\\d-])", ja__valid_iccid, "card3",
   NULL, 18, NULL, 0, NULL, 0},

  /* ---- documents after labels in other scripts: passports ("護照號碼",
   * "护照号码", "旅券番号", "여권번호"), driving licences ("運転免許証番号",
   * "驾驶证号", "운전면허번호"), the Thai id's label as NFKC writes it; ICAO
   * 9303 TD1/TD2 line 1 of identity cards ("IDD<<Y56FC4TJW<<<…"). */
  {"passport", "(?:護照號碼|护照号码|护照号|護照號|旅券番号|パスポート番号|여권번호|номер паспорта|паспорт)\\s*[:：#]?\\s*[A-Z0-9]{6,10}",
   NULL, "doc3", HIGH, 0, NULL, 0, NULL, 0},
  {"driving_licence", "(?:運転免許証番号|免許証番号|运転免许证号|驾驶证号码?|駕駛執照號碼|운전면허번호|운전면허증\\s*번호)\\s*[:：#]?\\s*[A-Z0-9-]{8,16}",
   NULL, "doc3", HIGH, 0, NULL, 0, NULL, 0},
  {"national_id", "เลขประจ(?:ำ|\\x{0E4D}\\x{0E32})ตัวประชาชน\\s*[:：]?\\s*\\d(?:[\\d -]){11,16}\\d", NULL, "doc3", HIGH, 13, NULL, 0,
   NULL, 0},
  {"passport", "(?<![A-Z0-9<])[IAC][A-Z<][A-Z]{1,3}<{0,2}(?=[A-Z0-9]*\\d)[A-Z0-9]{6,9}[0-9<]?<{5,}", NULL, "doc3_mrz", "<", 1,
   "<<<<<", 0, NULL, 0},
  {"national_id", "\\bID\\s*(?:no\\.?|number|#)?\\s*[:#]?\\s*\\d{7,8}-\\d(?![\\d-])", ja__valid_il_id, "doc3_mrz", "-", 8, "id",
   0, NULL, 0},

  /* ---- analytics and advertising cookies with their values (Google
   * Analytics _ga/_gid/__utm*, Ads _gcl_*, IDE, Meta _fbp/_fbc, Microsoft
   * MUID/_uetsid, TikTok _ttp, LinkedIn li_at, Hotjar _hjSessionUser_*,
   * Segment ajs_*_id, Matomo _pk_id.*, Amplitude, Mixpanel, HubSpot,
   * Google's session cookies) and the bare GA client id "GA1.2.<id>.<t>".
   * Must NOT catch the names alone ("_ga"), masked or deleted values, site
   * property ids (UA-12345678-1, G-XXXXXXXXXX), cookie attributes. */
  {"tracking_cookie",
   "(?<![\\w.-])(?:_ga(?:_[A-Z0-9]+)?|_gid|_gat\\w*|_fbp|_fbc|_gcl_\\w+|__utm[abcvz]|_hjSession(?:User)?_\\d+|_hjid"
   "|ajs_(?:anonymous|user)_id|_uet[sv]id|IDE|MUID|MR|_ttp|_tt_enable_cookie|li_at|li_gc|bcookie|bscookie|lidc"
   "|__Secure-[0-9A-Za-z_-]+|SID|HSID|SSID|APISID|SAPISID|NID|1P_JAR|AEC|_pk_id\\.\\w+\\.\\w+|_pk_ses\\.\\w+\\.\\w+"
   "|amplitude_id_\\w+|AMP_\\w+|mp_\\w+_mixpanel|_clck|_clsk|_hp2_id\\.\\w+|optimizelyEndUserId|__hstc|hubspotutk|__hssc"
   "|_mkto_trk|_scid|_sctr|_rdt_uuid|_pin_unauth|personalization_id|guest_id|twid|datr|c_user|_shopify_[ys]"
   "|intercom-(?:id|session)-\\w+|ab\\.storage\\.\\w+|_dd_s|rl_anonymous_id|rl_user_id|posthog|ph_\\w+_posthog)"
   "=(?!(?i:deleted|null|none|undefined|expired)(?:;|\\s|$)|<|\\[|\\$\\{)[^;\\s]{6,}",
   NULL, "cookie3", "=", 0,
   "_ga|_gid|_gat|_fbp|_fbc|_gcl_|__utm|_hj|ajs_|_uet|ide=|muid=|mr=|_ttp=|_tt_|li_at|li_gc|bcookie|bscookie|lidc"
   "|__secure-|sid=|apisid|1p_jar|aec=|_pk_|amplitude_id|amp_|mixpanel|_clck|_clsk|_hp2_|optimizely|__hs"
   "|hubspotutk|_mkto|_scid|_sctr|_rdt|_pin_|personalization_id|guest_id|twid|datr|c_user|_shopify|intercom-"
   "|ab.storage|_dd_s|rl_|posthog", 0, NULL, 0},
  {"tracking_cookie", "(?<![\\w.])GA1\\.\\d\\.\\d{6,10}\\.\\d{9,10}(?!\\d)", NULL, "cookie3_ga", ".", 16, "ga1.", 0, NULL, 0},

  /* ---- places: exiftool's GPS lines ("37 deg 46' 29.64\" N", the
   * rationals "37/1,46/1,2964/100"), Open Location Codes (full
   * "7FQ366RJ+GP5", short with a locality "P89X+Q8 Zürich"; not a padded
   * one "8FVC9G00+", ~5 km), what3words addresses ("///word.word.word",
   * w3w.co links), geohashes and UTM/MGRS after their label or in their
   * shape. Must NOT catch "35°N", "GPS Version ID : 2.3.0.0", "zoom 17z",
   * "EPSG:4326", bare word.word.word (a settings key). */
  {"coordinates",
   "\\b\\d{1,3}\\s+deg\\s+\\d{1,2}'\\s*\\d{1,2}(?:\\.\\d+)?\"\\s*[NSEW]\\b"
   "|(?i:gps\\w*(?:latitude|longitude|position|coordinates)\\w*)\\s*[=:]?\\s*\\d{1,3}/\\d+[, ]\\s*\\d{1,2}/\\d+[, ]\\s*\\d+/\\d+",
   NULL, "geo3_deg", NULL, 3, "deg|gps", 0, NULL, 0},
  {"coordinates",
   "(?<![0-9A-Za-z+])[23456789CFGHJMPQRVWX]{8}\\+[23456789CFGHJMPQRVWX]{2,3}(?![0-9A-Za-z+])"
   "|(?<![0-9A-Za-z+])[23456789CFGHJMPQRVWX]{4,6}\\+[23456789CFGHJMPQRVWX]{2,3}(?=,?\\s+\\p{Lu})",
   ja__valid_mixed, "geo3_plus", "+", 1, NULL, 0, NULL, 0},
  {"coordinates",
   "///\\p{L}+\\.\\p{L}+\\.\\p{L}+|(?i:\\bw3w\\.co/)\\p{L}+\\.\\p{L}+\\.\\p{L}+|(?i:what3words)\\s*[:=]?\\s*(?:///)?\\p{L}+\\.\\p{L}+\\.\\p{L}+"
   "|(?i:\\bgeohash)\\s*[:=]?\\s*[0-9b-hjkmnp-z]{6,12}\\b"
   "|\\bUTM\\s+\\d{1,2}[C-X]\\s+\\d{6}(?:\\.\\d+)?\\s*(?:mE\\s*)?\\d{7}\\b|(?i:\\bMGRS)\\s*[:=]?\\s*\\d{1,2}[C-X]\\s?[A-Z]{2}\\s?\\d{4,5}\\s?\\d{4,5}\\b",
   NULL, "geo3_words", NULL, 0, "///|w3w.co/|what3words|geohash|utm|mgrs", 0, NULL, 0},

  /* ---- host names that spell out the subscriber's address, as ISPs and
   * clouds name them: the four numbers joined by '-' or '.' ("c-203-0-113-17.
   * hsd1.ca.comcast.net", "ec2-203-0-113-56.compute-1.amazonaws.com"),
   * zero-padded ("softbank203000113056.bbtec.net"), in hex
   * ("pCB007122.dip0.t-ipconnect.de"), or three of them beside an access
   * word (dsl, dyn, pool, abo …). Must NOT catch "gpu-node-01.example.org",
   * "ec2.us-east-1.amazonaws.com", "x86-64-v3", "ip6-localhost". */
  {"reverse_dns_host",
   "(?i)(?<![\\w.-])[a-z0-9-]*?\\d{1,3}[-.]\\d{1,3}[-.]\\d{1,3}[a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}(?![\\w.-])",
   ja__valid_ip_hostname, "rdns_dash", ".", 3, NULL, 0, "-.", 3},
  {"reverse_dns_host", "(?i)(?<![\\w.-])[a-z]{1,14}\\d{12}(?:\\.[a-z0-9-]+)+\\.[a-z]{2,}(?![\\w.-])",
   ja__valid_ip_hostname, "rdns_12", ".", 12, NULL, 13, NULL, 0},
  {"reverse_dns_host",
   "(?i)(?<![\\w.-])[a-z]{1,3}[0-9a-f]{8}\\.(?=[a-z0-9.-]*(?:dip|dyn|pool|dsl|cable|ppp|dhcp|cust|client|broadband|static"
   "|res|home|fios|hsd|catv|ftth|user|abo|host|cpe|wanadoo|mobile))(?:[a-z0-9-]+\\.)+[a-z]{2,}(?![\\w.-])",
   ja__valid_ip_hostname, "rdns_hex", ".", 0,
   "dip|dyn|pool|dsl|cable|ppp|dhcp|cust|client|broadband|static|res|home|fios|hsd|catv|ftth|user|abo|host|cpe"
   "|wanadoo|mobile", 9, NULL, 0},

  /* ---- Wi-Fi network names: after SSID/ESSID/network labels, in Wi-Fi
   * QR codes ("WIFI:S:…;T:WPA;P:…;;") and nmcli's "connected to '…'";
   * WPA passphrases ("psk=…"). Home names and router defaults alike
   * (NETGEAR47 is on public wardriving maps). Must NOT catch public and
   * federated hotspots (eduroam, xfinitywifi, attwifi …), states ("Wi-Fi:
   * off", "SSID broadcast disabled"), "network: ethernet". */
  {"wifi_ssid",
   "(?i:(?<![A-Za-z0-9])(?:E?SSID|wi-?fi\\s+network(?:\\s+name)?|wifi\\s+name|network\\s+name|wlan\\s+name|hotspot\\s+name))"
   "(?:\\s*[:=]\\s*|\\s+)[\"'‘]?(?!(?i:eduroam|xfinitywifi|attwifi|cablewifi|twcwifi|optimumwifi|btwifi|btopenzone|_the cloud"
   "|starbucks|google starbucks|boingo|linksys(?:$|\\s)|default|hidden|none|any|off|on|auto|<|\\[|\\{|\\$"
   "|broadcast|disabled|enabled|not |is |must |required|unknown|n/a)\\b)[^\\s\"'][^\"'\\n;]{0,31}"
   "|(?i:\\bnetwork)\\s*:\\s*(?=[^\\s]*[A-Z0-9])(?!(?i:ethernet|wifi|wired|host|bridge|none|default|mainnet|testnet|local)\\b)"
   "[^\\s\"'][^\"'\\n;]{1,31}"
   "|WIFI:(?:[A-Z]:[^;]*;)*S:[^;]+;|\\bconnected\\s+to\\s+[\"'‘][^\"'’]{2,32}[\"'’]"
   "|(?i:\\b(?:psk|wpa_passphrase|wpa-psk|pre-shared\\s+key))\\s*[=:]\\s*\"?[^\\s\"]{8,63}",
   NULL, "wifi", " \t:=", 0, "ssid|wi-fi|wifi|network|wlan|hotspot|connected|psk|wpa|pre-shared", 0, NULL, 0},

  /* ---- device ids in tool output: adb's device list ("R58NRZL4G75
   * device product:…"), Dell service tags after their label (seven
   * letters or digits). */
  {"device_serial",
   "(?m)^[A-Za-z0-9]{6,20}(?=\\s+(?:device|unauthorized|offline|recovery|sideload|bootloader)\\b)"
   "|(?i:\\b(?:service\\s+tag|express\\s+service\\s+code))\\s*[:#=]?\\s*[A-Z0-9]{7}(?![A-Za-z0-9])",
   ja__valid_serial_token, "dev3", NULL, 0, "device|unauthorized|offline|recovery|sideload|bootloader|service|express", 0,
   NULL, 0},

  /* ---- vehicle registration plates: after a label in any language, or
   * bare in formats no product code shares: UK (AB12 CDE), France SIV
   * (AB-123-CD), Germany (M-AB 1234, a district and the letters joined by
   * '-'), China (province character + letter), Japan (region, class,
   * kana, serial), Korea (digits, a Hangul syllable, four digits), Russia
   * (the twelve Cyrillic letters and a region), India (a state code).
   * Must NOT catch GPU and CPU names ("RTX 4090", "GTX-1080"), phone
   * models ("SM-G991B"), CVE/GHSA/KB ids, ticket keys ("PROJ-123"),
   * "ISO 27001", "eu-west-1", "UTF-16LE", quantisations ("Q4_K_M"). */
  {"vehicle_plate",
   "(?i:(?<![A-Za-z])(?:licen[cs]e\\s+plate(?:\\s+(?:number|no\\.?))?|number\\s+plate|(?:car\\s+|vehicle\\s+)?plate(?:\\s+(?:number|no\\.?|#))?"
   "|reg(?:istration)?(?:\\s+(?:number|no\\.?|plate|mark))?|rego|Kennzeichen|Nummernschild|immatriculation|plaque(?:\\s+d['’]immatriculation)?"
   "|targa|matr[ií]cula|placa|kenteken|rekisterinumero|rekisterikilpi|registreringsnummer|regnr|tablica\\s+rejestracyjna"
   "|numer\\s+rejestracyjny|SPZ|госномер|гос\\.?\\s*номер|номер\\s+автомобиля|车牌号?码?|車牌號?碼?|ナンバー|번호판|차량번호))"
   "(?![A-Za-z])\\s*[:：=#]?\\s*(?=[^,;\\n]*\\d)[\\p{Lu}\\d\\p{Han}\\p{Hangul}\\p{Hiragana}](?:[\\p{Lu}\\d\\p{Han}\\p{Hangul}\\p{Hiragana}]"
   "|[ ·・-](?=[\\p{Lu}\\d\\p{Han}\\p{Hangul}\\p{Hiragana}])){1,11}",
   ja__valid_plate, "plate", CAPS, 1,
   "licen|plate|reg|rego|kennzeichen|nummernschild|immatriculation|plaque|targa|matr|placa|kenteken|rekisteri"
   "|registrering|regnr|tablica|rejestracyjny|spz|\xd0|\xe8\xbd|\xe8\xbb|\xe3\x83\x8a|\xeb\xb2\x88|\xec\xb0\xa8", 0, NULL, 0},
  {"vehicle_plate",
   "(?<![A-Za-z0-9-])[A-HJ-NP-TV-Z]{2}-\\d{3}-[A-HJ-NP-TV-Z]{2}(?![A-Za-z0-9-])"
   "|(?<![A-Za-z0-9-])[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} ?\\d{1,4}[EH]?(?![A-Za-z0-9-])",
   NULL, "plate_bare_dash", "-", 1, NULL, 0, NULL, 0},
  {"vehicle_plate",
   "(?<![A-Za-z0-9-])[A-HJ-PR-Y][A-HJ-PR-Y]\\d{2} ?[A-HJ-PR-Z]{3}(?![A-Za-z0-9-])"
   "|(?<![A-Za-z0-9])(?:AN|AP|AR|AS|BR|CG|CH|DD|DL|DN|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|OR|PB|PY|RJ|SK"
   "|TN|TR|TS|UK|UP|WB) ?\\d{1,2} ?[A-Z]{1,3} ?\\d{4}(?![A-Za-z0-9])",
   NULL, "plate_bare", CAPS, 2, NULL, 0, NULL, 0},
  {"vehicle_plate",
   "[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·•・ ]?[A-Z0-9]{5,6}(?![A-Za-z0-9])"
   "|\\p{Han}{1,4}\\s?\\d{2,3}\\s?\\p{Hiragana}\\s?\\d{1,2}-\\d{2}(?!\\d)"
   "|(?<!\\d)\\d{2,3}\\s?\\p{Hangul}\\s?\\d{4}(?!\\d)"
   "|(?<![\\p{L}\\d])[АВЕКМНОРСТУХ]\\s?\\d{3}\\s?[АВЕКМНОРСТУХ]{2}\\s?\\d{2,3}(?!\\d)",
   NULL, "plate_x", HIGH, 0, NULL, 0, NULL, 0},
  /* ---- cryptocurrency secrets. BIP-39 mnemonics: 12, 15, 18, 21 or 24
   * words of the standard's list in a row (spaces, commas, dashes,
   * numbering between them) carrying the mnemonic checksum, or after a
   * label without it. WIF and BIP-32 extended keys (xprv/xpub and their
   * kin: an extended public key reveals every address of a wallet) by
   * Base58Check; nostr nsec keys by bech32; raw keys after their label.
   * Must NOT catch fewer list words, prose mixing other words, "seed
   * phrase must be 12 or 24 words", a WIF-shaped string failing its
   * checksum, bare 64-hex digests. */
  {"seed_phrase",
   "(?<![A-Za-z])(?:\\d{1,2}[.):]\\s*)?[a-z]{3,8}(?:(?:[\\s,;]+|-)(?:\\d{1,2}[.):]\\s*)?[a-z]{3,8}){11,}(?![A-Za-z])",
   ja__valid_seed_phrase, "seed", NULL, 0, NULL, 0, SEED_SEPS, 11},
  {"seed_phrase",
   "(?i:\\b(?:seed(?:\\s+(?:phrase|words))?|mnemonic(?:\\s+phrase)?|(?:secret\\s+)?recovery\\s+(?:phrase|words|seed)|backup\\s+phrase"
   "|wallet\\s+words|passphrase|12|24)\\b)[\\s:=\"']*(?:\\d{1,2}[.):]\\s*)?[A-Za-z]{3,8}(?:(?:[\\s,;]+|-)(?:\\d{1,2}[.):]\\s*)?"
   "[A-Za-z]{3,8}){11,}",
   ja__valid_seed_phrase_labelled, "seed", NULL, 0, "seed|mnemonic|recovery|backup|wallet|passphrase|12|24", 0, SEED_SEPS,
   11},
  {"crypto_private_key", "(?<![A-Za-z0-9])[59KLc][1-9A-HJ-NP-Za-km-z]{50,51}(?![A-Za-z0-9])", ja__valid_wif, "crypto",
   NULL, 0, NULL, 51, NULL, 0},
  {"crypto_private_key",
   "(?<![A-Za-z0-9])(?:[xyzYZtuvUV](?:prv|pub)|Ltub|Ltpv|Mtub|Mtpv|dgub|dgpv|drkp|drkv)[1-9A-HJ-NP-Za-km-z]{100,108}(?![A-Za-z0-9])",
   ja__valid_xkey, "crypto", NULL, 0, "prv|pub|ltub|ltpv|mtub|mtpv|dgub|dgpv|drkp|drkv", 100, NULL, 0},
  {"crypto_private_key", "(?<![A-Za-z0-9])nsec1[02-9ac-hj-np-z]{58}(?![A-Za-z0-9])", ja__valid_bech32_any, "crypto", NULL, 0,
   "nsec1", 58, NULL, 0},
  {"crypto_private_key", "(?<![A-Z0-9])S[A-Z2-7]{55}(?![A-Z0-9])", ja__stellar_key_ok, "crypto", NULL, 0, NULL, 56, NULL, 0},
  {"crypto_private_key",
   "(?i:\\b(?:private|secret|spend|view|signing)\\s*(?:spend\\s+|view\\s+)?key|\\bpriv(?:ate)?[_-]?key|\\bkeypair|\\bseed(?:\\s+hex)?"
   "|\\bsecret\\s+key|\\bwallet\\s+key)\\s*[:=]?\\s*[\"']?(?:(?:0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])|[1-9A-HJ-NP-Za-km-z]{64,90}(?![A-Za-z0-9]))",
   NULL, "crypto_lbl", NULL, 0, "key|keypair|seed", 32, NULL, 0},

  /* ---- wallet addresses whose format carries a checksum: Base58Check
   * coins (Litecoin, Dogecoin, Dash, Zcash, Tron, Tezos …), bech32 on any
   * chain (ltc1, cosmos1, bnb1, avax1, npub1, addr1 …), CashAddr, XRP,
   * Monero (Keccak), Stellar (CRC16), Algorand (SHA-512/256), Substrate
   * SS58 (BLAKE2b); and, as they carry none, Solana, NEAR, ENS names and
   * Lightning node keys after a label. Must NOT catch an address failing
   * its checksum, IPFS CIDs (Qm…, bafy…: content hashes), "TRC-20",
   * pointers, digests, "bc1 addresses are bech32". */
  {"crypto_address", "(?<![A-Za-z0-9])[1-9A-HJ-NP-Za-km-z]{26,36}(?![A-Za-z0-9])", ja__valid_b58_address, "crypto", NULL, 0,
   NULL, 26, NULL, 0},
  {"crypto_address", "(?i)(?<![A-Za-z0-9])[a-z]{1,12}1[02-9ac-hj-np-z]{20,150}(?![A-Za-z0-9])", ja__valid_bech32_any, "crypto",
   "1", 0, NULL, 20, NULL, 0},
  {"crypto_address", "(?i)(?<![A-Za-z0-9])(?:(?:bitcoincash|bchtest|ecash):)?[qp][02-9ac-hj-np-z]{41}(?![A-Za-z0-9])",
   ja__cashaddr_ok, "crypto", NULL, 0, NULL, 41, NULL, 0},
  {"crypto_address", "(?<![A-Za-z0-9])r[1-9A-HJ-NP-Za-km-z]{24,34}(?![A-Za-z0-9])", ja__xrp_address_ok, "crypto", "r", 0, NULL,
   25, NULL, 0},
  {"crypto_address", "(?<![A-Za-z0-9])[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?(?![A-Za-z0-9])",
   ja__monero_address_ok, "crypto", NULL, 0, NULL, 95, NULL, 0},
  {"crypto_address", "(?<![A-Z0-9])G[A-Z2-7]{55}(?![A-Z0-9])", ja__stellar_key_ok, "crypto", NULL, 0, NULL, 56, NULL, 0},
  {"crypto_address", "(?<![A-Z0-9])[A-Z2-7]{58}(?![A-Z0-9])", ja__algorand_address_ok, "crypto", NULL, 0, NULL, 58, NULL, 0},
  {"crypto_address", "(?<![A-Za-z0-9])[1-9A-HJ-NP-Za-km-z]{46,48}(?![A-Za-z0-9])", ja__ss58_address_ok, "crypto", NULL, 0,
   NULL, 46, NULL, 0},
  {"crypto_address",
   "(?i:\\b(?:SOL(?:ana)?(?:\\s+(?:wallet|address))?|(?:wallet|deposit|receiving|recipient)\\s+address|pay\\s+to|send\\s+to"
   "|pubkey))\\s*[:=]?\\s*[1-9A-HJ-NP-Za-km-z]{32,44}(?![A-Za-z0-9])"
   "|(?i:\\b(?:node\\s+(?:pub)?key|node\\s+id|lightning(?:\\s+node)?(?:\\s+pubkey)?|pubkey))\\s*[:=]?\\s*0[23][0-9a-f]{64}\\b",
   NULL, "crypto_lbl", NULL, 0, "sol|address|pay to|send to|pubkey|node|lightning", 32, NULL, 0},
  {"crypto_address",
   "(?i:\\b(?:ENS(?:\\s+name)?|wallet))\\s*[:=]?\\s*[a-z0-9-]{3,}\\.eth\\b"
   "|(?i:\\bNEAR(?:\\s+account)?)\\s*[:=]?\\s*[a-z0-9_-]{2,}\\.near\\b",
   NULL, "crypto_names", ".", 0, ".eth|.near", 0, NULL, 0},
  /* ---- people's names, round 3. Bare full names: a given name of the
   * lexicon and a capitalised family name ("Jane Doe", "María José García
   * López", "Jean-Luc Moreau", "Zoë O'Connor"), initials and a family
   * name ("J. R. Smith"), a family name of the surname lexicon after any
   * capitalised word ("Oluwaseun Adeyemi") or before one where families
   * come first ("Nguyễn Văn An", "Kim Min-jun"), "DOE, Jane". Must NOT
   * catch a given name alone ("Maria"), assistant and model names
   * ("Claude 3.5 Sonnet", "Mistral Large"), products, themes and places
   * shaped like two capitalised words ("Tokyo Night", "Apple Watch",
   * "San Francisco", "Jordan River"): ja__valid_full_name knows the words
   * such names end with; nor a name right before an eponym word
   * ("Alan Turing Institute": without the lookahead PCRE2 would backtrack
   * from the rejected three words to the first two). */
  {"person_name",
   "(?<![\\p{L}\\d'’.@#/_\\\\-])(?:" UPPER "[\\p{Ll}'’]*\\p{Ll}(?:-\\p{Lu}\\p{Ll}+)?|" UPPER "\\.\\s?(?:\\p{Lu}\\.\\s?){0,2})"
   "(?:\\s+(?:\\p{Lu}\\.|\\p{Lu}[\\p{Ll}'’]*\\p{Ll}(?:-\\p{Lu}\\p{Ll}+)?|van|von|de|del|della|da|di|du|der|den|la|le|bin|ibn"
   "|al|el|dos|das|do|ter|ten|zu|af|y)){0,3}\\s+\\p{Lu}[\\p{L}'’]*\\p{Ll}(?:-\\p{Lu}\\p{Ll}+)?(?![\\p{L}\\d'’-]|\\s+(?:(?:Jr|Sr)\\.?\\s+)?" EPONYM_PLACE ")",
   ja__valid_full_name, "person_bare", CAPS, 0, NULL, 0, CAPS, 2},
  {"person_name", "(?<![\\p{L}\\d])" UPPER "\\p{Lu}+(?:[-' ]\\p{Lu}{2,})?,\\s*" UPPER "\\p{Ll}+(?![\\p{L}\\d])",
   ja__valid_surname_comma_given, "person_bare", CAPS, 0, NULL, 0, CAPS, 2},
  /* In scripts with their own names: Cyrillic (a surname or patronymic
   * ending, or a given name of the lexicon), Greek, Georgian and Armenian
   * (their family-name endings), Arabic, Hebrew and Devanagari (a given
   * name or family name of the small lists in ja__valid_script_name),
   * Thai (a given and a family name: two words alone), and CJK names
   * written with the space or middle dot between family and given names
   * ("佐藤 花子", "マリア・ガルシア", "约翰·史密斯"). Unspaced Han or Hangul
   * pass (they are words too: "王国", "한국어"). */
  {"person_name",
   "(?<!\\p{L})[\\x{0400}-\\x{04FF}\\x{0370}-\\x{03FF}\\x{0530}-\\x{058F}]+(?:\\s+[\\x{0400}-\\x{04FF}\\x{0370}-\\x{03FF}"
   "\\x{0530}-\\x{058F}]+){1,2}(?!\\p{L})"
   "|(?<!\\p{L})[\\x{10D0}-\\x{10FF}]{2,}\\s+[\\x{10D0}-\\x{10FF}]{2,}(?!\\p{L})"
   "|^\\s*[\\x{0600}-\\x{06FF}]{2,}(?:\\s+[\\x{0600}-\\x{06FF}]{2,}){1,3}\\s*$"
   "|^\\s*[\\x{0590}-\\x{05FF}]{2,}(?:\\s+[\\x{0590}-\\x{05FF}]{2,}){1,2}\\s*$"
   "|^\\s*[\\x{0900}-\\x{097F}]{2,}(?:\\s+[\\x{0900}-\\x{097F}]{2,}){1,2}\\s*$"
   "|^\\s*[\\x{0E00}-\\x{0E7F}]{2,16}\\s[\\x{0E00}-\\x{0E7F}]{2,16}\\s*$"
   "|^\\s*\\p{Han}{1,3}[ \\x{3000}\\x{30FB}\\x{00B7}]\\p{Han}{1,3}\\s*$"
   "|^\\s*[\\p{Katakana}\\x{30FC}]{2,}[\\x{30FB}\\x{00B7}=\\x{FF1D}][\\p{Katakana}\\x{30FC}]{2,}\\s*$"
   "|^\\s*\\p{Han}{2,4}\\x{00B7}\\p{Han}{2,4}\\s*$",
   ja__valid_script_name, "person_x3", HIGH, 0, NULL, 0, NULL, 0},

  /* ---- names after a cue in context: kinship ("my daughter Emma"),
   * self-introductions in other languages ("Меня зовут Анна", "我叫王小明",
   * "私の名前は山田太郎です", "제 이름은 김민준입니다"), honorific suffixes
   * ("田中さん", "김민수 님", "王老师"), greetings and sign-offs in other
   * scripts ("Xin chào anh Minh", "שלום דני,", "مرحبا أحمد", "Γεια σου
   * Νίκο", "नमस्ते प्रिया जी", "敬具 山田太郎", "此致 敬礼 王小明", "김민수
   * 드림"), a name after "Sent from my …". Must NOT catch "皆さん",
   * "고객님" (everyone, customer), "Привет, мир", "你好，世界", "Sent from
   * my iPhone" alone, "Hey Siri". */
  {"person_name",
   "(?i:\\b(?:my|our|his|her|their)\\s+(?:little\\s+|older\\s+|younger\\s+|baby\\s+|big\\s+)?(?:daughter|son|wife|husband"
   "|mother|mom|mum|father|dad|sister|brother|grandma|grandmother|granny|grandpa|grandfather|aunt|uncle|cousin|niece"
   "|nephew|girlfriend|boyfriend|partner|fianc[ée]e?|friend|colleague|coworker|boss|neighbou?r|kid|child|teacher"
   "|doctor|nurse|therapist|tutor|nanny|landlord|roommate|flatmate|stepson|stepdaughter|stepmother|stepfather"
   "|grandson|granddaughter|twin|bestie)(?:'s)?)[,:]?\\s+" NAME1,
   ja__valid_name_any, "person_ctx3", CAPS, 0, "my|our|his|her|their", 0, NULL, 0},
  {"person_name",
   "(?i:(?:меня\\s+зовут|моё\\s+имя|мое\\s+имя|мене\\s+звати|с\\s+уважением,?|спасибо,?|здравствуйте,?|привет,?"
   "|добрый\\s+день,?|дорог(?:ой|ая)|уважаем(?:ый|ая)|γεια\\s+σου|γεια\\s+σας|αγαπητέ|αγαπητή|με\\s+λένε))\\s+"
   "[\\x{0410}-\\x{042F}\\x{0401}\\x{0391}-\\x{03A9}\\x{0386}-\\x{038F}][\\x{0400}-\\x{04FF}\\x{0370}-\\x{03FF}]+",
   ja__valid_script_word, "person_ctx3_x", HIGH, 0, NULL, 0, NULL, 0},
  {"person_name",
   "(?:我叫|我的名字是|我的名字叫|本人是)\\s*\\p{Han}{2,4}"
   "|(?:私の名前は|わたしの名前は|僕の名前は|俺の名前は|私は|わたしは)\\s*[\\p{Han}\\p{Katakana}\\p{Hiragana}\\x{30FC}]{2,8}?(?:です|と申します|といいます|だ)"
   "|(?:お疲れ様です|お疲れさまです|お世話になっております|お世話になります|はじめまして)[。、.,!！\\s]*\\p{Han}{1,4}(?:です|と申します|でございます)"
   "|(?:제\\s*이름은|내\\s*이름은|저는)\\s*[가-힣]{2,4}(?:입니다|이에요|예요|라고\\s*합니다)"
   "|(?<![\\p{Han}\\p{Katakana}\\p{Hiragana}])(?!皆|みな|お客|客)[\\p{Han}]{1,4}(?:さん|様|さま|先生|くん|君|ちゃん|氏|殿)"
   "|(?<![\\p{Katakana}])[\\p{Katakana}\\x{30FC}]{2,8}(?:さん|様|さま|先生|くん|ちゃん)"
   "|(?<![가-힣])(?!고객|회원|여러분|선생|사장|부장|과장|팀장|교수|의사|관리자|사용자|손님|기사|작가|운영자|담당자)[가-힣]{2,4}\\s?(?:님|씨)"
   "|(?<![\\p{Han}])(?!各位|大家|诸位|各|全体)\\p{Han}{1,3}(?:老师|先生|女士|小姐|同学|医生|经理|总监|教授|阿姨|叔叔|律师)"
   "|(?:敬具|草々|かしこ|敬白)\\s*\\p{Han}{2,4}|此致\\s*敬礼[\\s,，。]*\\p{Han}{2,4}|(?<![가-힣])[가-힣]{2,4}\\s?(?:드림|올림)",
   NULL, "person_ctx3_x", HIGH, 0, NULL, 0, NULL, 0},
  {"person_name",
   "(?i:\\b(?:xin\\s+chào|chào)\\s+(?:anh|chị|em|cô|chú|bác|ông|bà|bạn)\\s+)\\p{Lu}\\p{L}+"
   "|(?:שלום|היי|הי)\\s+(?!עולם|לכולם|כולם)[\\x{05D0}-\\x{05EA}]{2,}(?=\\s*[,!.])"
   "|(?:مرحبا|مرحباً|أهلا|أهلاً|عزيزي|عزيزتي)\\s*[،,]?\\s*(?!بكم|بك|بالعالم|يا)[\\x{0621}-\\x{064A}]{2,}"
   "|(?:नमस्ते|नमस्कार|प्रिय)\\s+[\\x{0900}-\\x{097F}]{2,}(?:\\s+जी|\\s*,)",
   NULL, "person_ctx3_x", HIGH, 0, NULL, 0, NULL, 0},
  {"person_name",
   "(?i:\\bsent\\s+from\\s+my\\s+[\\w\\s-]{2,24}?)\\s*(?:[,—–-]+|\\s[—–-])\\s*" NAME1
   "|(?i:\\bsent\\s+from\\s+my\\s+[\\w\\s-]{2,24}?)\\s*(?:[—–-])\\s*" NAME1,
   ja__valid_name_any, "person_ctx3", CAPS, 0, "sent from my", 0, NULL, 0},
  /* ---- postal addresses, round 3: China (a road and its 号), Korea (a
   * city or district, then a road 로/길 and its number), Japan (a ward or
   * town and 丁目/番地), Russia and the CIS ("ул. Тверская, д. 7", also
   * romanised "ul. Lenina, d. 10"), Korea and Japan romanised ("123
   * Teheran-ro", "1-2-3 Jingumae, Shibuya-ku"), India (house numbers,
   * "3rd Cross", a locality and its six-digit PIN), Indonesia ("Jl.
   * Sudirman No. 5"), Mexico's colonia. Must NOT catch cities, countries
   * and time zones alone ("Beijing", "Seoul, Korea", "Europe/Berlin"),
   * "Building 3 of 5", "Route 66". */
  {"postal_address",
   "\\p{Han}{2,}(?:路|街|大道|大街|巷|胡同|弄|道)\\d{1,5}(?:-\\d{1,4})?号"
   "|(?:[가-힣]+(?:시|도|구|군|읍|면)\\s+){1,3}[가-힣0-9]+(?:로|길|대로)\\s?\\d{1,4}(?:-\\d{1,4})?"
   "|[\\p{Han}\\p{Katakana}]{1,6}(?:市|区|町|村)[\\p{Han}\\p{Katakana}\\p{Hiragana}]{0,8}\\d{1,4}(?:丁目|番地?|-)\\d{0,4}"
   "|(?i:(?<!\\p{L})(?:ул|улица|пр|пр-т|проспект|пер|переулок|ш|шоссе|б-р|бульвар|наб|пл|мкр|вул|вулиця))\\.?\\s+"
   "\\p{Lu}\\p{L}+(?:[\\s-]+\\p{L}+)?,?\\s+(?i:д|дом|буд)\\.?\\s*\\d+",
   NULL, "address3_x", HIGH, 1, NULL, 0, NULL, 0},
  /* Each form its own unit: as one alternation PCRE2 knew no byte a match
   * must hold and tried every form at every position of every value
   * with a capital (a third of a prose event's filter time); alone, each
   * has a literal the gate and PCRE2 look for. */
  {"postal_address",
   "(?i:\\b(?:ul|ulitsa|pr|prospekt|per|pereulok|sh|shosse|bul|naberezhnaya))\\.?\\s+\\p{Lu}\\p{L}+,?\\s+(?i:d|dom)\\.?\\s*\\d+",
   NULL, "address3_ru", CAPS, 1,
   /* every match holds the word and then '.' or a space (\s: ASCII, no UCP) */
   "ul.|ul |ul\t|ul\n|ul\v|ul\f|ul\r|ulitsa.|ulitsa |ulitsa\t|ulitsa\n|ulitsa\v|ulitsa\f"
   "|ulitsa\r|pr.|pr |pr\t|pr\n|pr\v|pr\f|pr\r|prospekt.|prospekt |prospekt\t|prospekt\n"
   "|prospekt\v|prospekt\f|prospekt\r|per.|per |per\t|per\n|per\v|per\f|per\r|pereulok."
   "|pereulok |pereulok\t|pereulok\n|pereulok\v|pereulok\f|pereulok\r|sh.|sh |sh\t|sh\n|sh\v"
   "|sh\f|sh\r|shosse.|shosse |shosse\t|shosse\n|shosse\v|shosse\f|shosse\r|bul.|bul |bul\t"
   "|bul\n|bul\v|bul\f|bul\r|naberezhnaya.|naberezhnaya |naberezhnaya\t|naberezhnaya\n"
   "|naberezhnaya\v|naberezhnaya\f|naberezhnaya\r", 0, NULL, 0},
  {"postal_address",
   "\\b\\d{1,5}(?:-\\d{1,4})?\\s+\\p{Lu}\\p{Ll}+-(?:ro|gil|daero|dong)\\b"
   "|\\b" UPPER "\\p{Ll}+-(?:gu|si|gun),\\s+\\p{Lu}\\p{Ll}+\\s+\\d{5}\\b"
   "|\\b\\d{1,4}-\\d{1,4}(?:-\\d{1,4})?\\s+\\p{Lu}\\p{Ll}+(?:-\\p{Lu}?\\p{Ll}+)?,\\s+\\p{Lu}\\p{Ll}+-(?:ku|shi|cho|machi|gun)\\b"
   "|\\b" UPPER "\\p{Ll}+(?:-\\p{Lu}\\p{Ll}+)?\\s+\\d{1,4}-\\d{1,4}(?:-\\d{1,4})?,\\s+\\p{Lu}\\p{Ll}+-(?:ku|shi|cho|machi|gun)\\b",
   NULL, "address3_kr_jp", "-", 1, "-ro|-gil|-daero|-dong|-gu|-si|-gun|-ku|-shi|-cho|-machi", 0, NULL, 0},
  {"postal_address",
   "(?i:\\b(?:H\\.?\\s?No|House\\s+No|Flat\\s+No|Plot\\s+No|Door\\s+No|D\\.?\\s?No))\\.?\\s*[:#]?\\s*\\d",
   NULL, "address3_hno", NULL, 1, "no", 0, NULL, 0},
  {"postal_address",
   "#\\s?\\d{1,4}[A-Z]?,\\s+\\d{1,2}(?:st|nd|rd|th)\\s+(?:Cross|Main|Block|Stage|Phase|Sector|Floor)\\b"
   "|\\b(?:Nagar|Colony|Layout|Bengaluru|Bangalore|Hyderabad|Mumbai|Delhi|Chennai|Kolkata|Pune|Ahmedabad|Jaipur"
   "|Telangana|Karnataka|Maharashtra|Tamil\\s+Nadu|Kerala|Gujarat|Rajasthan|Punjab),?\\s+[1-9]\\d{2}\\s?\\d{3}\\b",
   NULL, "address3_in", NULL, 2,
   "#|nagar|colony|layout|bengaluru|bangalore|hyderabad|mumbai|delhi|chennai|kolkata|pune|ahmedabad|jaipur"
   "|telangana|karnataka|maharashtra|tamil|kerala|gujarat|rajasthan|punjab", 0, NULL, 0},
  {"postal_address",
   "(?i:\\b(?:Jl|Jln|Jalan|Gg|Gang))\\.?\\s+\\p{Lu}\\p{L}+(?:\\s+\\p{Lu}\\p{L}+){0,3}\\s+No\\.?\\s*\\d+"
   "|\\bCol\\.\\s+\\p{Lu}\\p{L}+(?:\\s+\\p{Lu}\\p{L}+){0,3},\\s+(?:C\\.?P\\.?\\s*)?\\d{5}\\b",
   NULL, "address3_id_mx", NULL, 1, "jl|jalan|gg|gang|col.", 0, NULL, 0},

  /* ---- what a shaped value's separators can hide, read as written: an
   * e-mail spelt with "_at_" ("jane.doe_at_example.com"), a home directory
   * without its leading slash at the start of a value ("home/jdoe/…",
   * "Users/jane.doe/…"), an address after its label with the numbers
   * joined by '_', '-' or spaces ("ip_203_0_113_45"). Must NOT catch
   * "notify_at_startup", "homepage.url", "home_screen.layout", "ip_address",
   * loopback and unspecified addresses. */
  {"email",
   "(?i)(?<![A-Za-z0-9])[A-Za-z0-9.+-]+[_-]at[_-][A-Za-z0-9-]+(?:(?:[._-]dot[_-]|\\.)[A-Za-z0-9-]+)*(?:[._-]dot[_-]|\\.)"
   "(?:com|org|net|edu|gov|mil|int|info|biz|io|co|me|ai|app|dev|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|cz|pt|ie"
   "|ru|ua|jp|cn|kr|in|br|mx|ar|au|nz|ca|us|za|ng|ke|eg|tr|il|sg|hk|tw|id|my|ph|vn|th)(?![A-Za-z0-9])",
   NULL, "smuggle_at", "_-", 0, "_at_|-at-|_at-|-at_", 0, NULL, 0},
  {"home_path", "^\\s*(?:home|Users|users|mnt/[a-z]/Users)/[a-z_][A-Za-z0-9._-]{0,31}/", NULL, "smuggle_home", "/", 0,
   "home/|users/", 0, NULL, 0},
  {"ipv4",
   "(?i)\\b(?:ip|ipv4|ip[_ -]?addr(?:ess)?|addr|address|host|peer|client|server|remote|src|dst|source|dest)[\\s_:=-]+"
   "(?!127[\\s_-]|0[\\s_-]+0[\\s_-]+0[\\s_-]+0\\b)(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)(?:[ _-](?:25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}(?![\\d.])",
   NULL, "smuggle_ip", NULL, 4, "ip|addr|host|peer|client|server|remote|src|dst|source|dest", 0, NULL, 0},
};

#undef H
#undef H4
#undef NA
#undef LB
#undef RB
#undef IPV4
#undef TERM
#undef SYSTEMD_UNIT
#undef PLACEHOLDER
#undef PROSE
#undef SECRET_KEY
#undef SECRET_SEP
#undef SECRET_KEY_INTL
#undef MONTHS
#undef NAME1
#undef UPPER
#undef NAME2
#undef CJKNAME
#undef HON
#undef GREET
#undef CAPS
#undef HIGH
#undef SIGN
#undef SEED_SEPS

const ja__redact_rule *
ja__redact_rules(size_t *n)
{
  *n = sizeof rules / sizeof rules[0];
  return rules;
}
