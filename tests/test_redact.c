/*
 * test_redact.c — the value-level PII filter (src/filter/redact.c): OpenJarvis' own
 * redaction cases, the false positives the design names (versions, model tags, hashes …), the length rules,
 * percent-encoding, fail-over inside a string and thread safety.
 */
#include "support.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A value that must be dropped as PII with this kind. */
typedef struct drop_case {
  const char *value;   /* NUL-terminated test value */
  const char *kind;    /* expected *kind */
} drop_case;

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Misses are collected into one message so a failing run lists every value
 * that was misjudged, not only the first. */
typedef struct report {
  char text[16384];  /* "\n  'value': got …, want …" lines */
  size_t used;       /* bytes used in text */
  unsigned misses;   /* number of misjudged values */
} report;

static void
report_add(report *r, const char *value, size_t len, ja__drop got, const char *got_kind,
           const char *want)
{
  r->misses++;
  if (r->used >= sizeof r->text - 1)
    return;
  int n = snprintf(r->text + r->used, sizeof r->text - r->used,
                   "\n  '%.*s' (%zu bytes): got %s%s%s, want %s", (int)(len > 80 ? 80 : len),
                   value, len, ja__drop_name(got), got_kind ? "/" : "", got_kind ? got_kind : "",
                   want);
  if (n > 0)
    r->used += (size_t)n < sizeof r->text - r->used ? (size_t)n : sizeof r->text - r->used - 1;
}

static void
report_check(const report *r, const char *table, size_t total)
{
  if (r->misses)
    fail_msg("%s: %u of %zu values misjudged:%s", table, r->misses, total, r->text);
}

static void
expect_drops(const char *table, const drop_case *cases, size_t n)
{
  report r = {.used = 0};
  for (size_t i = 0; i < n; i++) {
    const char *kind = NULL;
    size_t len = strlen(cases[i].value);
    ja__drop d = ja__redact_string(cases[i].value, len, &kind);
    if (d != JA__DROP_PII || !kind || strcmp(kind, cases[i].kind) != 0) {
      char want[80];
      snprintf(want, sizeof want, "pii/%s", cases[i].kind);
      report_add(&r, cases[i].value, len, d, kind, want);
    }
  }
  report_check(&r, table, n);
}

static void
expect_passes(const char *table, const char *const *values, size_t n)
{
  report r = {.used = 0};
  for (size_t i = 0; i < n; i++) {
    const char *kind = "sentinel";
    size_t len = strlen(values[i]);
    ja__drop d = ja__redact_string(values[i], len, &kind);
    if (d != JA__DROP_NONE || kind != NULL)
      report_add(&r, values[i], len, d, kind, "none");
  }
  report_check(&r, table, n);
}

/* @p unit repeated @p times, NUL-terminated, malloc'ed. */
static char *
repeat(const char *unit, size_t times)
{
  size_t ulen = strlen(unit);
  char *s = malloc(ulen * times + 1);
  assert_non_null(s);
  for (size_t i = 0; i < times; i++)
    memcpy(s + i * ulen, unit, ulen);
  s[ulen * times] = 0;
  return s;
}

/* ---------------------------------------- from OpenJarvis tests/analytics/test_redaction.py */

/* Every value OpenJarvis' test expects its redactor to flag. */
static const drop_case openjarvis_drops[] = {
  {"user@example.com", "email"},
  {"first.last+filter@subdomain.example.co.uk", "email"},
  {"leak hidden in user@example.com sentence", "email"},
  /* OpenJarvis also flags "127.0.0.1"; here loopback passes (a loopback
   * address or URL names no one), see false_positives. */
  {"192.168.1.42", "ipv4"},
  {"trace from 10.0.0.5 here", "ipv4"},
  {"fe80::1ff:fe23:4567:890a", "ipv6"},
  {"00:1A:2B:3C:4D:5E", "mac"},
  {"AA:BB:CC:DD:EE:FF", "mac"},
  {"/Users/alice/Documents/secret.txt", "home_path"},
  {"/home/bob/.ssh/id_rsa", "home_path"},
  {"~/Library/Application Support", "home_path"},
  {"$HOME/secrets", "home_path"},
  {"file:///etc/passwd", "file_url"},
  {"sk-abcdefghijklmnop123456", "openai_key"},
  {"sk-proj-AbCdEfGhIjKlMnOpQrStUv", "openai_key"},
  {"xoxb-1234567890-abcdefghij-1234567890abcdef", "slack_token"},
  {"ghp_1234567890abcdefghij1234567890abcd", "github_token"},
  {"gho_1234567890abcdefghij1234567890abcd", "github_token"},
  {"AKIAIOSFODNN7EXAMPLE", "aws_access_key_id"},
  {"AIzaSyD-1234567890abcdefghij1234567890", "google_api_key"},
  {"ya29.a0AfH6SMBabc123def456ghi789jkl", "google_oauth_access_token"},
  {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"},
  {"Bearer abc123def456", "bearer_auth"},
  {"bearer xyz789", "bearer_auth"},
  {"password=hunter2", "secret_assignment"},
  {"API_KEY: super-secret-value", "secret_assignment"},
  {"token=abc123", "secret_assignment"},
  {"alice-macbook.local", "local_hostname"},
};

/* The values OpenJarvis' redact() test feeds through a whole event. */
static const drop_case openjarvis_redact_drops[] = {
  {"/Users/alice/file.txt", "home_path"},
  {"sk-1234567890abcdef", "openai_key"},
  {"Bearer abc123", "bearer_auth"},
};

/* Every value OpenJarvis' test expects to survive. */
static const char *const openjarvis_passes[] = {
  "darwin", "arm64", "0.1.1", "qwen3.5:2b", "ok", "chat", "v1.2.3",
  "8754b77c7eee26e4", "true", "short", "value",
};

static void test_redact__openjarvis_must_drop(void **state)
{
  (void)state;
  expect_drops("openjarvis must-drop", openjarvis_drops, N(openjarvis_drops));
}

static void test_redact__openjarvis_redact_examples(void **state)
{
  (void)state;
  expect_drops("openjarvis redact()", openjarvis_redact_drops, N(openjarvis_redact_drops));
}

static void test_redact__openjarvis_must_pass(void **state)
{
  (void)state;
  expect_passes("openjarvis must-pass", openjarvis_passes, N(openjarvis_passes));
  /* "x" * 200 passes: exactly at the limit. */
  char *x200 = repeat("x", 200);
  const char *kind = "sentinel";
  assert_int_equal(ja__redact_string(x200, 200, &kind), JA__DROP_NONE);
  assert_null(kind);
  free(x200);
}

/* ------------------------------------------------------------- our own must-drop cases */

/* Forms beyond OpenJarvis' cases: compressed IPv6, other separators, other
 * vendors' prefixes, assignment spellings, mDNS names in context. */
static const drop_case more_drops[] = {
  /* e-mail */
  {"josé@exämple.de", "email"},
  {"mail me: a.b-c_d@mail.example.org.", "email"},
  {"https://user:pass@example.com/x", "url_credentials"},
  /* any UUID (round 3) */
  {"550e8400-e29b-41d4-a716-446655440000", "uuid"},
  /* IPv4 */
  {"connect to 10.0.0.5:8080 failed", "ipv4"},
  {"192.168.001.042", "ipv4"},
  {"223.255.255.254", "ipv4"},
  {"::ffff:192.168.1.1", "ipv6"},
  /* IPv6 */
  {"::2", "ipv6"},
  {"[2001:db8::1]:8080", "ipv6"},
  {"2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ipv6"},
  {"2001:db8::", "ipv6"},
  {"2001:db8::ff00:42:8329", "ipv6"},
  {"fe80::1%en0", "ipv6"},
  {"dead:beef:cafe:babe:dead:beef:cafe:babe", "ipv6"},
  {"dead::beef and then ::2", "ipv6"},
  /* MAC */
  {"00-1a-2b-3c-4d-5e", "mac"},
  {"hw ether 3c:22:fb:01:02:03 up", "mac"},
  /* home directories */
  {"/home/bob", "home_path"},
  {"${HOME}/x", "home_path"},
  {"$HOME", "home_path"},
  {"~alice/notes.txt", "home_path"},
  {"C:\\Users\\carol\\Desktop", "windows_user_path"},
  {"C:/Users/carol/Desktop", "windows_user_path"},
  {"open '/Users/alice'", "home_path"},
  /* file:// */
  {"FILE://server/share", "file_url"},
  /* API keys */
  {"sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "anthropic_key"},
  {"sk-svcacct-abcdefghijklmnopqrst_uvwx", "openai_key"},
  {"OPENAI_API_KEY=sk-abcdefghijklmnop123456", "openai_key"},
  {"xoxp-1234567890-abcdef", "slack_token"},
  {"ghs_abcdefghijklmnopqrstuvwxyz0123456789", "github_token"},
  {"github_pat_11ABCDEFG0123456789_abcdefghijkl", "github_pat"},
  {"ASIAIOSFODNN7EXAMPLE", "aws_access_key_id"},
  /* JWT with alg=none (empty signature) */
  {"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "jwt"},
  /* Bearer */
  {"Authorization: Bearer abc123", "bearer_auth"},
  {"BEARER ABC123", "bearer_auth"},
  {"bearer abcdefghijklmnopqrstuvwxyz", "bearer_auth"},
  /* secret assignments */
  {"Passwd: x", "secret_assignment"},
  {"access_token=abc", "secret_assignment"},
  {"api-key = xyz", "secret_assignment"},
  {"apikey:xyz", "secret_assignment"},
  {"openai_api_key = abc", "secret_assignment"},
  {"{\"password\": \"x\"}", "secret_assignment"},
  {"client_secret=abc", "secret_assignment"},
  {"https://example.com/cb?token=abc", "url_secret_param"},
  /* mDNS host names */
  {"Alices-MacBook-Pro.local", "local_hostname"},
  {"ssh alice-macbook.local:22", "local_hostname"},
  {"reached alice-macbook.local.", "local_hostname"},
  {"http://printer.local/admin", "local_hostname"},
};

static void test_redact__more_must_drop(void **state)
{
  (void)state;
  expect_drops("more must-drop", more_drops, N(more_drops));
}

/* ------------------------------------------------------- false positives */

/* Look-alikes that must pass: clock times, versions, hashes, model tags,
 * file names, package specs, bare setting names, ordinary URLs. (UUIDs
 * passed until round 3: any UUID-shaped value drops now; the nil UUID
 * still passes.) */
static const char *const false_positives[] = {
  /* durations and timestamps */
  "12:30:45", "00:05:12.345", "2024-01-01T12:30:45Z", "1:02",
  /* versions */
  "0.1.1", "1.2.3", "v1.2.3", "v1.2.3.4", "2.0.1-beta.3", "1.2.3.4.5", "10.0.19041",
  /* hashes and ids */
  "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "00000000-0000-0000-0000-000000000000", "8754b77c7eee26e4",
  /* model tags */
  "qwen3.5:2b", "llama3.1:8b", "hf.co/org/model-GGUF:Q4_K_M", "deepseek-r1:14b",
  "mistral:7b-instruct-v0.3-q4_K_M", "gpt-4o-mini", "claude-3-5-sonnet-20241022",
  /* file names, paths, packages */
  "settings.local.json", ".env.local", "profiles.local_cache", "icon@2x.png",
  "logo@1.5x.svg", "@tauri-apps/api@2.0.1", "/usr/local/bin/ollama", "/home",
  "user@host", "scikit-learn", "sk-learn", "task-1234567890abcdef", "sk-some-feature-name",
  /* names without values */
  "max_tokens", "openai_api_key", "password_reset_flow", "tokens: 5", "token_count",
  "password:", "bearer token", "Bearer <token>", "Bearer", "$HOMEBREW_PREFIX",
  /* URLs */
  "https://example.com/docs", "http://localhost:11434", "localhost",
  /* loopback, unspecified, broadcast and masks name no one */
  "127.0.0.1", "http://127.0.0.1:8000/v1", "::1", "[::1]:8080", "http://[::1]:8080/",
  "0:0:0:0:0:0:0:1", "0.0.0.0:8000", "255.255.255.255",
  "netmask 255.255.255.0",
  "https://example.com/search?q=hello%20world",
  /* colons in code and prose */
  "dead::beef", "std::vector", "a::b", "::", "~5/10", "ratio 3:4",
  /* catalog enum values and other ordinary values */
  "x86_64", "morning-digest-mac", "tauri-macos", "file_read", "profile", "AKIA",
  "eyJhbGciOiJIUzI1NiJ9", "100%25", "50%", "%zz", "%FF%FE", "%C3%A9t%C3%A9", "1e999",
  "é", "日本語のテキスト",
};

static void test_redact__false_positives_pass(void **state)
{
  (void)state;
  expect_passes("false positives", false_positives, N(false_positives));
}

/* --------------------------------------------------------------------- length rules */

static void test_redact__empty(void **state)
{
  (void)state;
  const char *kind = "sentinel";
  assert_int_equal(ja__redact_string("", 0, &kind), JA__DROP_EMPTY);
  assert_null(kind);
  /* len 0 wins even over a non-empty buffer, and NULL is fine then. */
  assert_int_equal(ja__redact_string("user@example.com", 0, NULL), JA__DROP_EMPTY);
  assert_int_equal(ja__redact_string(NULL, 0, NULL), JA__DROP_EMPTY);
}

/* 200 code points pass, 201 are too long, for 1-, 2- and 4-byte characters:
 * the limit counts code points, not bytes. */
static void test_redact__length_limit(void **state)
{
  (void)state;
  static const char *const units[] = {"x", "\xC3\xA9" /* é */, "\xF0\x9F\x98\x80" /* 😀 */};
  report r = {.used = 0};
  for (size_t u = 0; u < N(units); u++) {
    for (size_t n = 199; n <= 202; n++) {
      char *s = repeat(units[u], n);
      size_t len = strlen(s);
      const char *kind = "sentinel";
      ja__drop want = n <= JA__MAX_STR_CODEPOINTS ? JA__DROP_NONE : JA__DROP_TOO_LONG;
      ja__drop d = ja__redact_string(s, len, &kind);
      if (d != want || kind != NULL)
        report_add(&r, s, len, d, kind, ja__drop_name(want));
      free(s);
    }
  }
  report_check(&r, "length limit", N(units) * 4);
}

/* The length check comes first: a 201-character value holding an e-mail is
 * too_long (no kind), while the same e-mail ending a 200-character value is
 * found at the very end. */
static void test_redact__length_before_patterns(void **state)
{
  (void)state;
  const char *email = "user@example.com";
  size_t elen = strlen(email);
  char buf[256];
  const char *kind = "sentinel";

  memset(buf, 'x', sizeof buf);
  buf[200 - elen - 1] = ' ';
  memcpy(buf + 200 - elen, email, elen);
  assert_int_equal(ja__redact_string(buf, 200, &kind), JA__DROP_PII);
  assert_string_equal(kind, "email");

  memset(buf, 'x', sizeof buf);
  memcpy(buf + 10, " user@example.com ", elen + 2);
  kind = "sentinel";
  assert_int_equal(ja__redact_string(buf, 201, &kind), JA__DROP_TOO_LONG);
  assert_null(kind);
}

/* ------------------------------------------------------------------ matching details */

/* A pattern matches anywhere: at the start, the end, after multibyte text. */
static const drop_case anywhere[] = {
  {"user@example.com is mine", "email"},
  {"mine is user@example.com", "email"},
  {"é日本 10.0.0.5", "ipv4"},
  {"日本語 ~/x 日本語", "home_path"},
  {"😀😀😀 Bearer abc123 😀", "bearer_auth"},
  {"line one\nline two: password=x", "secret_assignment"},
  {"tab\tsk-1234567890abcdef\tend", "openai_key"},
};

static void test_redact__matches_anywhere(void **state)
{
  (void)state;
  expect_drops("anywhere", anywhere, N(anywhere));
}

/* Percent-encoded values are decoded (twice, for double encoding) and the
 * decoded text is scanned too. */
static const drop_case percent_encoded[] = {
  {"user%40example.com", "email"},
  {"mailto:user%40example.com", "email"},
  {"user%2540example.com", "email"},
  {"%2FUsers%2Falice%2Fx", "home_path"},
  {"file%3A%2F%2F%2Fetc%2Fpasswd", "file_url"},
  {"10%2E0%2E0%2E5", "ipv4"},
  {"password%3Dhunter2", "secret_assignment"},
};

static void test_redact__percent_encoded(void **state)
{
  (void)state;
  expect_drops("percent-encoded", percent_encoded, N(percent_encoded));
}

/* Only @p len bytes are read: the value need not be NUL-terminated, and the
 * bytes past len do not count. The heap copies let ASan catch an over-read. */
static void test_redact__respects_len(void **state)
{
  (void)state;
  const char *email = "user@example.com";
  size_t elen = strlen(email);
  char *exact = malloc(elen);
  assert_non_null(exact);
  memcpy(exact, email, elen);
  const char *kind = NULL;
  assert_int_equal(ja__redact_string(exact, elen, &kind), JA__DROP_PII);
  assert_string_equal(kind, "email");
  kind = "sentinel";
  assert_int_equal(ja__redact_string(exact, 4, &kind), JA__DROP_NONE); /* "user" */
  assert_null(kind);
  free(exact);
}

/* kind may be NULL: the verdict is the same. */
static void test_redact__kind_optional(void **state)
{
  (void)state;
  assert_int_equal(ja__redact_string("user@example.com", 16, NULL), JA__DROP_PII);
  assert_int_equal(ja__redact_string("darwin", 6, NULL), JA__DROP_NONE);
}

/* The same value always gets the same verdict (nothing stateful between
 * calls, e.g. a validator's retry offset). */
static void test_redact__repeatable(void **state)
{
  (void)state;
  for (int i = 0; i < 3; i++) {
    const char *kind = NULL;
    assert_int_equal(ja__redact_string("dead::beef and then ::2", 23, &kind), JA__DROP_PII);
    assert_string_equal(kind, "ipv6");
    kind = "sentinel";
    assert_int_equal(ja__redact_string("dead::beef", 10, &kind), JA__DROP_NONE);
    assert_null(kind);
  }
}

/* -------------------------------------------------------------------- thread safety */

/* One value and the verdict every thread must get for it. */
typedef struct mixed_case {
  const char *value;  /* test value */
  ja__drop drop;      /* expected verdict */
  const char *kind;   /* expected kind (NULL unless PII) */
} mixed_case;

static const mixed_case mixed[] = {
  {"user@example.com", JA__DROP_PII, "email"},
  {"darwin", JA__DROP_NONE, NULL},
  {"fe80::1ff:fe23:4567:890a", JA__DROP_PII, "ipv6"},
  {"qwen3.5:2b", JA__DROP_NONE, NULL},
  {"dead::beef and then ::2", JA__DROP_PII, "ipv6"},
  {"12:30:45", JA__DROP_NONE, NULL},
  {"user%40example.com", JA__DROP_PII, "email"},
  {"", JA__DROP_EMPTY, NULL},
  {"Bearer abc123", JA__DROP_PII, "bearer_auth"},
  {"settings.local.json", JA__DROP_NONE, NULL},
  {"alice-macbook.local", JA__DROP_PII, "local_hostname"},
  {"\xC3\xA9t\xC3\xA9", JA__DROP_NONE, NULL},
  {"password=hunter2", JA__DROP_PII, "secret_assignment"},
};

#define THREADS 4
#define CALLS 10000

/* What one thread was given and what it found. */
typedef struct worker {
  pthread_barrier_t *start;  /* all threads begin together (racing the compile) */
  unsigned seed;             /* offsets the walk through mixed[] */
  unsigned wrong;            /* calls whose verdict or kind differed */
} worker;

static void *
work(void *arg)
{
  worker *w = arg;
  pthread_barrier_wait(w->start);
  for (unsigned i = 0; i < CALLS; i++) {
    const mixed_case *c = &mixed[(i * 7u + w->seed) % N(mixed)];
    const char *kind = NULL;
    ja__drop d = ja__redact_string(c->value, strlen(c->value), &kind);
    if (d != c->drop || (c->kind ? !kind || strcmp(kind, c->kind) != 0 : kind != NULL))
      w->wrong++;
  }
  return NULL;
}

/* 4 threads × 10 000 calls on mixed values, started together so that the
 * first calls race on the one-time set-up and on compiling (and JIT-compiling)
 * each unit the values need (each ctest entry is its own process, so
 * nothing has been compiled before this test). */
static void test_redact__threads(void **state)
{
  (void)state;
  pthread_barrier_t start;
  pthread_t tid[THREADS];
  worker w[THREADS];
  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
  for (unsigned t = 0; t < THREADS; t++) {
    w[t] = (worker){.start = &start, .seed = t * 3u, .wrong = 0};
    assert_int_equal(pthread_create(&tid[t], NULL, work, &w[t]), 0);
  }
  unsigned wrong = 0;
  for (unsigned t = 0; t < THREADS; t++) {
    assert_int_equal(pthread_join(tid[t], NULL), 0);
    wrong += w[t].wrong;
  }
  pthread_barrier_destroy(&start);
  if (wrong)
    fail_msg("%u of %u concurrent calls gave an inconsistent verdict", wrong, THREADS * CALLS);
}

/* The table's units are compiled when a value first passes their rows'
 * promises: judging a capture's worth of catalog values (a fresh process:
 * each ctest entry is one) compiles a handful, not the table; running
 * every unit compiles them all, with the same verdicts. */
static void test_redact__units_compile_when_first_needed(void **state)
{
  (void)state;
  size_t total = 0;
  assert_int_equal(ja__redact_units_compiled(&total), 0);
  assert_true(total > 50);
  static const char *const values[] = {"0.4.2", "cli", "linux", "x86_64", "ollama"};
  for (size_t i = 0; i < N(values); i++)
    assert_int_equal(ja__redact_string(values[i], strlen(values[i]), NULL), JA__DROP_NONE);
  size_t few = ja__redact_units_compiled(NULL);
  if (few > total / 10)
    fail_msg("%zu of %zu units compiled for five catalog values", few, total);
  assert_int_equal(ja__redact_string_ex("darwin", 6, JA__REDACT_NO_GATES, NULL), JA__DROP_NONE);
  assert_int_equal(ja__redact_units_compiled(NULL), total);
  const char *kind = NULL;
  assert_int_equal(ja__redact_string("user@example.com", 16, &kind), JA__DROP_PII);
  assert_string_equal(kind, "email");
  for (size_t i = 0; i < N(values); i++)
    assert_int_equal(ja__redact_string(values[i], strlen(values[i]), NULL), JA__DROP_NONE);
}

/* Every kind of the pattern table is documented in the redaction reference
 * (docs/redaction.md), so a new row cannot be added silently. */
static void test_redact__every_kind_in_the_reference(void **state)
{
  (void)state;
  char *readme = jt_read_file(JA_TEST_SRC_DIR "/docs/redaction.md", NULL);
  assert_non_null(readme);
  size_t n = 0;
  const ja__redact_rule *rules = ja__redact_rules(&n);
  report r = {.used = 0};
  for (size_t i = 0; i < n; i++) {
    char quoted[80];
    snprintf(quoted, sizeof quoted, "`%s`", rules[i].kind);
    if (!strstr(readme, quoted))
      report_add(&r, rules[i].kind, strlen(rules[i].kind), JA__DROP_PII, rules[i].kind,
                 "listed in docs/redaction.md");
  }
  free(readme);
  report_check(&r, "kinds in docs/redaction.md", n);
}
