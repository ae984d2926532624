/*
 * redact.c — the value-level PII filter (DESIGN §5, filter 1): one string in,
 * one verdict out (keep, empty, too_long or pii + the pattern's kind). Owns the
 * pattern table, its one-time PCRE2 JIT compilation and the fail-closed rule.
 */
#include "ja_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <string.h>

/*
 * A validator looks at one match (@p m[0..mlen) inside the subject) and says
 * whether it is really PII (1) or a look-alike to skip (0). When it says 0 the
 * search goes on from the next character, so a later real match is still
 * found. Checks that are awkward in a regex (checksums such as Luhn or IBAN
 * mod-97) belong here.
 */
typedef int (*validator_fn)(const char *m, size_t mlen);

/* One row of the pattern table. */
typedef struct pattern {
  const char *kind;        /* reported as *kind; static, stable, snake_case */
  const char *regex;       /* PCRE2 syntax; case-sensitive unless it says (?i) */
  validator_fn validate;   /* NULL: every match counts */
} pattern;

static int ipv6_has_digit_when_compressed(const char *m, size_t mlen);

/* Shorthands so the table below stays readable. H = one hex digit. */
#define H "[0-9A-Fa-f]"
#define H4 H "{1,4}"
/* A non-ASCII code point: lets e-mail and host patterns cover IDN names. */
#define NA "[^\\x00-\\x7F]"

/*
 * THE pattern table. Every string value is scanned once per row, in order
 * (and once more per percent-decoded form when it holds %XX escapes); the
 * first row that matches (and whose validator agrees) names the kind.
 * Add rows freely; keep one comment per row saying what it catches and what
 * it must NOT catch (the must-pass cases live in tests/test_redact.c).
 * Patterns are compiled with PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, without
 * PCRE2_UCP: \s, \b and \w are ASCII-only.
 */
static const pattern patterns[] = {
  /* E-mail, incl. plus-tags, subdomains, IDN local parts and domains
   * ("first.last+filter@subdomain.example.co.uk", "josé@exämple.de").
   * Must NOT catch: retina asset names ("icon@2x.png", "logo@1.5x.svg"),
   * npm specs ("@tauri-apps/api@2.0.1": the "TLD" is numeric), "user@host". */
  {"email",
   "(?:[A-Za-z0-9._%+'!#$&*=?^`{|}~-]|" NA ")+@"
   "(?![0-9]+(?:\\.[0-9]+)?x\\.[A-Za-z0-9]+(?![.A-Za-z0-9-]))"
   "(?:(?:[A-Za-z0-9]|" NA ")(?:[A-Za-z0-9-]|" NA ")*\\.)+"
   "(?:[A-Za-z]|" NA "){2,}",
   NULL},

  /* IPv4 dotted quad, leading zeros allowed ("192.168.001.042"), also inside
   * "::ffff:10.0.0.1" and "10.0.0.5:8080". Must NOT catch three-part versions
   * ("0.1.1"), "v1.2.3.4", or a run of five or more numbers ("1.2.3.4.5"). */
  {"ipv4",
   "(?<![0-9.])(?<![vV])"
   "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\\.){3}"
   "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])"
   "(?![0-9])(?!\\.[0-9])",
   NULL},

  /* IPv6: the full eight groups, or any "::"-compressed form ("::1",
   * "fe80::1ff:fe23:4567:890a", "2001:db8::", zone ids "fe80::1%en0").
   * Must NOT catch clock times ("12:30:45": no "::" and fewer than eight
   * groups), model tags ("qwen3.5:2b", "llama3.1:8b"), a bare "::", or
   * hex-letter words around "::" such as "dead::beef" (the validator asks a
   * compressed form for at least one digit). MAC addresses have six groups. */
  {"ipv6",
   "(?<![0-9A-Fa-f:])(?:"
   "(?:" H4 ":){7}" H4
   "|(?:" H4 ":){1,7}:"
   "|(?:" H4 ":){1,6}:" H4
   "|(?:" H4 ":){1,5}(?::" H4 "){1,2}"
   "|(?:" H4 ":){1,4}(?::" H4 "){1,3}"
   "|(?:" H4 ":){1,3}(?::" H4 "){1,4}"
   "|(?:" H4 ":){1,2}(?::" H4 "){1,5}"
   "|" H4 ":(?::" H4 "){1,6}"
   "|:(?::" H4 "){1,7}"
   ")(?![0-9A-Fa-f:])",
   ipv6_has_digit_when_compressed},

  /* MAC-48 with ':' or '-' (one separator throughout): "00:1A:2B:3C:4D:5E",
   * "aa-bb-cc-dd-ee-ff". Must NOT catch clock times, UUIDs (8-4-4-4-12) or
   * part of a longer colon-hex run (EUI-64 is the ipv6 row's business). */
  {"mac",
   "(?<![0-9A-Fa-f:-])" H "{2}([:-])(?:" H "{2}\\1){4}" H "{2}(?![0-9A-Fa-f:-])",
   NULL},

  /* Home directories, which carry the user name: "/Users/alice",
   * "/home/bob/.ssh", "C:\Users\carol", "$HOME/x", "${HOME}", "~/Library",
   * "~alice/". Must NOT catch "/usr/local/bin/ollama", a bare "/home",
   * "$HOMEBREW_PREFIX", "~5/10" or "a~/b" (tilde inside a word). */
  {"home_path",
   "/(?:Users|home)/[^/\\s]"
   "|(?i:\\\\Users\\\\)[^\\\\\\s]"
   "|\\$\\{?HOME\\b"
   "|(?<![A-Za-z0-9_.~-])~(?:[a-z_][a-z0-9_.-]{0,31})?/",
   NULL},

  /* file:// URLs in any case ("file:///etc/passwd"). Must NOT catch "files"
   * or "profile" on their own. */
  {"file_url", "(?i)\\bfile://", NULL},

  /* OpenAI-style "sk-" keys. A vendor infix (proj-, ant-, svcacct-, admin-)
   * is enough with 20+ key characters after it; otherwise one run of 16+
   * letters/digits that holds a digit or an uppercase letter is needed
   * ("sk-1234567890abcdef" must drop, per OpenJarvis' tests). Must NOT catch
   * "sk-learn", "task-1234567890abcdef" (no word boundary) or a kebab-case
   * name like "sk-some-feature-name". */
  {"api_key",
   "(?<![A-Za-z0-9])sk-(?:"
   "(?:proj|ant|svcacct|admin)-[A-Za-z0-9_-]{20,}"
   "|(?:[A-Za-z0-9]+[-_])*(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{16,})",
   NULL},

  /* Slack tokens: xoxb- (bot), xoxp- (user), xoxa/xoxo/xoxr/xoxs, xapp-, with
   * 10+ characters after the prefix. Must NOT catch a bare "xoxb-". */
  {"api_key", "(?<![A-Za-z0-9])(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,}", NULL},

  /* GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ + 20+ chars (real ones have 36),
   * and fine-grained "github_pat_…". Must NOT catch "ghp_" in prose. */
  {"api_key",
   "(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})", NULL},

  /* AWS access key ids: AKIA/ASIA + exactly 16 uppercase letters/digits
   * ("AKIAIOSFODNN7EXAMPLE"). Must NOT catch shorter upper-case words. */
  {"api_key", "(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![a-z0-9])", NULL},

  /* Google API keys "AIza" + 20+ (real ones have 35) and OAuth access tokens
   * "ya29." + 16+. Must NOT catch "ya29" or "AIza" alone. */
  {"api_key",
   "(?<![A-Za-z0-9])(?:AIza[0-9A-Za-z_-]{20,}|ya29\\.[0-9A-Za-z_-]{16,})", NULL},

  /* JSON Web Tokens: base64url "{"-header, "." base64url "{"-payload, "."
   * signature (possibly empty for alg=none). Must NOT catch a lone "eyJ…"
   * word or dotted names ("eyJ.eyJ"). */
  {"jwt", "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*", NULL},

  /* "Bearer <token>" in any case, also after "Authorization:"; the token
   * needs a digit or 20+ characters. Must NOT catch the phrase "bearer
   * token", "Bearer <token>" placeholders or a bare "Bearer". */
  {"bearer",
   "(?i)\\bbearer[\\s:=]+(?:"
   "(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{3,}"
   "|[A-Za-z0-9._~+/=-]{20,})",
   NULL},

  /* Secret assignments, any case: "password=hunter2", "API_KEY: value",
   * "token=abc", "openai_api_key = sk…", "\"passwd\": \"x\"", "access-token:x".
   * The name must be followed by optional spaces/quote, ':' or '=', optional
   * spaces/quote and a value. Must NOT catch bare names ("max_tokens",
   * "openai_api_key", "password_reset_flow", "tokens: 5") or "password:"
   * with nothing after it. */
  {"secret_assignment",
   "(?i)(?:password|passwd|passphrase|secret|api[_-]?key|access[_-]?key"
   "|(?:access|auth|refresh|id)[_-]?token|token)"
   "[\"']?\\s*[:=]\\s*[\"']?[^\\s\"']",
   NULL},

  /* mDNS / Bonjour host names "alice-macbook.local" (also with ":port" or a
   * trailing full stop). Must NOT catch file names that merely contain
   * ".local." ("settings.local.json"), dotfiles (".env.local"),
   * "/usr/local" or "localhost". */
  {"local_hostname",
   "(?i)(?<![A-Za-z0-9._-])(?:(?:[A-Za-z0-9]|" NA ")(?:[A-Za-z0-9-]|" NA ")*\\.)+"
   "local(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])",
   NULL},
};

#undef H
#undef H4
#undef NA

#define NPATTERNS (sizeof patterns / sizeof patterns[0])

/* The kind reported when the patterns cannot be used: fail closed. */
static const char kind_unavailable[] = "redaction_unavailable";

/* Compiled once per process by compile_all() under pthread_once, then only
 * read, which is what makes matching thread-safe. Never freed: the process
 * keeps them until exit (they stay reachable for LeakSanitizer). */
static pcre2_code *compiled[NPATTERNS];
static int jitted[NPATTERNS];         /* 1 when pcre2_jit_compile succeeded */
static int unavailable;               /* 1 when any pattern failed to compile */
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

static int
ipv6_has_digit_when_compressed(const char *m, size_t mlen)
{
  /* Full eight-group forms are unambiguous; "::" forms need a digit so that
   * "dead::beef" or "a::b" (code, prose) pass while "::1" drops. */
  int compressed = 0;
  for (size_t i = 0; i < mlen; i++) {
    if (m[i] >= '0' && m[i] <= '9')
      return 1;
    if (m[i] == ':' && i + 1 < mlen && m[i + 1] == ':')
      compressed = 1;
  }
  return !compressed;
}

static void
compile_all(void)
{
  for (size_t i = 0; i < NPATTERNS; i++) {
    int err = 0;
    PCRE2_SIZE erroff = 0;
    compiled[i] = pcre2_compile((PCRE2_SPTR)patterns[i].regex, PCRE2_ZERO_TERMINATED,
                                PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &erroff, NULL);
    if (!compiled[i]) {
      PCRE2_UCHAR msg[256];
      if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
        msg[0] = 0;
      ja__log_warn("cannot compile redaction pattern %zu ('%s') at offset %zu: %s; "
                   "every string will be dropped",
                   i, patterns[i].kind, (size_t)erroff, (const char *)msg);
      unavailable = 1;
      continue;
    }
    /* No JIT (unsupported CPU, W^X policy) is not a failure: the interpreter
     * gives the same answers, only slower. */
    jitted[i] = pcre2_jit_compile(compiled[i], PCRE2_JIT_COMPLETE) == 0;
  }
}

/* Decode every %XX in @p s[0..len) into @p out (at least @p len bytes) and
 * return the new length, or 0 when there was nothing to decode. The result
 * may be invalid UTF-8 ("%FF"); PCRE2_MATCH_INVALID_UTF copes with that. */
static size_t
percent_decode(const char *s, size_t len, char *out)
{
  size_t o = 0;
  int changed = 0;
  for (size_t i = 0; i < len; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < len && (hi = ja__hex_value((unsigned char)s[i + 1])) >= 0 &&
        (lo = ja__hex_value((unsigned char)s[i + 2])) >= 0) {
      out[o++] = (char)(hi * 16 + lo);
      i += 2;
      changed = 1;
    } else {
      out[o++] = s[i];
    }
  }
  return changed ? o : 0;
}

/* Run every pattern over @p s[0..len). Returns the matching row's kind, NULL
 * when nothing matched, or kind_unavailable when PCRE2 failed at match time
 * (out of memory, match limit): fail closed. */
static const char *
scan(pcre2_match_data *md, const char *s, size_t len)
{
  for (size_t i = 0; i < NPATTERNS; i++) {
    PCRE2_SIZE start = 0;
    while (start <= len) {
      int rc = jitted[i]
                   ? pcre2_jit_match(compiled[i], (PCRE2_SPTR)s, len, start, 0, md, NULL)
                   : pcre2_match(compiled[i], (PCRE2_SPTR)s, len, start, 0, md, NULL);
      if (rc == PCRE2_ERROR_NOMATCH)
        break;
      if (rc < 0)
        return kind_unavailable;
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
      if (!patterns[i].validate || patterns[i].validate(s + ov[0], ov[1] - ov[0]))
        return patterns[i].kind;
      /* The validator said "look-alike": retry from the next character (not
       * from the match end) so an overlapping real match is not missed. */
      start = ov[0] + 1;
      while (start < len && ((unsigned char)s[start] & 0xC0) == 0x80)
        start++;
    }
  }
  return NULL;
}

/* The kind of PII in @p s[0..len) (at most 800 bytes), or NULL for none. */
static const char *
classify(const char *s, size_t len)
{
  char decoded[2][JA__MAX_STR_CODEPOINTS * 4];
  const char *found;

  pthread_once(&compile_once, compile_all);
  if (unavailable)
    return kind_unavailable;

  /* Per call, not per thread: a thread-local cache would leak at thread exit
   * (LeakSanitizer sees it) and this is one small allocation. One ovector
   * pair is enough: only the whole match is looked at. */
  pcre2_match_data *md = pcre2_match_data_create(1, NULL);
  if (!md)
    return kind_unavailable;
  found = scan(md, s, len);
  /* Percent-encoded forms ("user%40example.com", "%2Fhome%2Fbob"): scan the
   * decoded text too, and the twice-decoded text for double encoding
   * ("user%2540example.com"). Decoding never makes a string longer. */
  const char *cur = s;
  size_t curlen = len;
  for (int round = 0; !found && round < 2; round++) {
    size_t n = percent_decode(cur, curlen, decoded[round]);
    if (n == 0)
      break;
    found = scan(md, decoded[round], n);
    cur = decoded[round];
    curlen = n;
  }
  pcre2_match_data_free(md);
  return found;
}

ja__drop
ja__redact_string(const char *s, size_t len, const char **kind)
{
  if (kind)
    *kind = NULL;
  if (len == 0)
    return JA__DROP_EMPTY;
  /* Cheap bound first: more bytes than 200 four-byte code points can hold is
   * too long whatever they are, and it bounds classify()'s scratch buffers. */
  if (len > JA__MAX_STR_CODEPOINTS * 4 || ja__utf8_count(s, len) > JA__MAX_STR_CODEPOINTS)
    return JA__DROP_TOO_LONG;

  const char *found = classify(s, len);
  if (!found)
    return JA__DROP_NONE;
  if (kind)
    *kind = found;
  return JA__DROP_PII;
}
