/*
 * fuzz_event.c — fuzzes ja__event_prepare (event.c) on "NAME\nJSON" (no \n:
 * props_json NULL). Checks: EINVALID keeps and counts nothing; drop counts
 * add up; every kept property is in the event's catalog entry, passes
 * redaction and its validator, and equals the input value; every kept
 * number is stored in the one form docs/design.md gives.
 */
#include "boot.h"
#include "filter/catalog.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "store/store.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* Report a broken invariant and abort, which libFuzzer records as a crash. */
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_event: invariant violated: %s (%s:%d)\n", #cond,   \
              __FILE__, __LINE__);                                             \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static char *
copy_str(const uint8_t *p, size_t n)
{
  char *s = malloc(n + 1);
  if (!s)
    abort();
  if (n)
    memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

static int
is_lower_hex16(const char *s)
{
  size_t n = strlen(s);
  if (n != 16)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

/* The shapes (docs/design.md, The catalog) as POSIX regular expressions, a second
 * writing of catalog.c's loops: a version is a digit after an optional
 * `v`, every separator is followed by a letter or digit; a key starts and
 * ends with a letter or digit, `_` may repeat, `. - : /` may not, and it
 * holds a letter. Both 1-64 ASCII characters. */
static const char VERSION_RE[] = "^v?[0-9]([-.+_]?[A-Za-z0-9])*$";
static const char KEY_RE[] = "^[A-Za-z0-9](([-.:/]?[A-Za-z0-9_])*[-.:/]?[A-Za-z0-9])?$";

static int
matches(int key, const char *s)
{
  static regex_t rx[2];
  static int compiled;
  if (!compiled) {
    CHECK(regcomp(&rx[0], VERSION_RE, REG_EXTENDED | REG_NOSUB) == 0);
    CHECK(regcomp(&rx[1], KEY_RE, REG_EXTENDED | REG_NOSUB) == 0);
    compiled = 1;
  }
  return regexec(&rx[key], s, 0, NULL, 0) == 0;
}

static int
shape_ok(ja__vkind kind, const char *s)
{
  size_t n = strlen(s);
  if (n < 1 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      return 0;
  if (kind == JA__V_VERSION)
    return matches(0, s);
  return matches(1, s) && strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

/* The catalog validators, written again from their documented rules so
 * that a kept value is checked by something other than the code under test. */
static int
passes_validator(const ja__prop_spec *p, const cJSON *v)
{
  switch (p->kind) {
  case JA__V_BOOL:
    return cJSON_IsBool(v);
  case JA__V_INT:
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0 &&
           nearbyint(v->valuedouble) == v->valuedouble;
  case JA__V_NUM:
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && isfinite(v->valuedouble);
  case JA__V_STR64: {
    if (!cJSON_IsString(v))
      return 0;
    size_t n = ja__utf8_count(v->valuestring, strlen(v->valuestring));
    return n >= 1 && n <= 64;
  }
  case JA__V_VERSION:
  case JA__V_KEY:
    return cJSON_IsString(v) && shape_ok(p->kind, v->valuestring);
  case JA__V_HASH16:
    return cJSON_IsString(v) && is_lower_hex16(v->valuestring);
  case JA__V_ENUM:
    if (!cJSON_IsString(v) || !p->enumeration)
      return 0;
    for (const char *const *e = p->enumeration->values; *e; e++)
      if (strcmp(*e, v->valuestring) == 0)
        return 1;
    return 0;
  }
  return 0;
}

/* 1 if the kept value @p kept (re-parsed from props_json) is the input value
 * @p in: strings byte for byte, numbers as doubles (0 and -0 are equal). */
static int
same_value(const cJSON *kept, const cJSON *in)
{
  if (cJSON_IsBool(in))
    return cJSON_IsBool(kept) && cJSON_IsTrue(kept) == cJSON_IsTrue(in);
  if (cJSON_IsNumber(in))
    return cJSON_IsNumber(kept) && kept->valuedouble == in->valuedouble;
  if (cJSON_IsString(in))
    return cJSON_IsString(kept) && strcmp(kept->valuestring, in->valuestring) == 0;
  return 0;
}

/* The stored form of a number, written again from docs/design.md: integers
 * below 2^53 in full, else the shortest of 15, 16, 17 significant digits
 * that reads back the same; 0 for -0. (The fuzzers run in the C locale.) */
static void
stored_form(double d, char out[40])
{
  if (d == 0)
    d = 0;
  if (d == nearbyint(d) && fabs(d) < 9007199254740992.0) {
    snprintf(out, 40, "%.0f", d);
    return;
  }
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(out, 40, "%.*g", digits, d);
    if (strtod(out, NULL) == d)
      return;
  }
}

/* The text of kept property @p name's value in @p json (the member names
 * of props_json are plain catalog names). */
static void
stored_text(const char *json, const char *name, char out[64])
{
  char key[80];
  snprintf(key, sizeof key, "\"%s\":", name);
  const char *at = strstr(json, key);
  CHECK(at != NULL);
  at += strlen(key);
  size_t n = strcspn(at, ",}");
  CHECK(n < 64);
  memcpy(out, at, n);
  out[n] = '\0';
}

static void
check_common(const ja__event *ev)
{
  unsigned sum = 0;
  for (int d = 0; d < JA__DROP_COUNT; d++)
    sum += ev->drops[d];
  CHECK(ev->ndrops == sum);
  CHECK(ev->drops[JA__DROP_NONE] == 0);
  /* Store-level reasons never come out of one event's preparation. */
  CHECK(ev->drops[JA__DROP_QUEUE_FULL] == 0 && ev->drops[JA__DROP_EXPIRED] == 0 &&
        ev->drops[JA__DROP_BUSY] == 0);
  CHECK((ev->ndrops == 0) == (ev->first_reason == JA__DROP_NONE));
  CHECK((int)ev->first_reason >= 0 && (int)ev->first_reason < JA__DROP_COUNT);
  CHECK(ev->first_reason == JA__DROP_NONE || ev->drops[ev->first_reason] > 0);
  CHECK(memchr(ev->first_prop, '\0', sizeof ev->first_prop) != NULL);
}

static void
check_ok(const char *name, const char *json, const ja__event *ev)
{
  size_t nlen = strlen(name);
  CHECK(nlen >= 1 && nlen <= 256);
  CHECK(ja__utf8_valid(name, nlen) && !ja__utf8_has_control(name, nlen));
  CHECK(ev->spec == ja__catalog_event(name));

  if (!ev->spec) {
    CHECK(ev->props_json == NULL);
    CHECK(ev->ndrops == 1 && ev->drops[JA__DROP_UNKNOWN_EVENT] == 1);
    CHECK(ev->first_reason == JA__DROP_UNKNOWN_EVENT && ev->first_prop[0] == '\0');
    return;
  }
  CHECK(strcmp(ev->spec->name, name) == 0);
  CHECK(ev->drops[JA__DROP_UNKNOWN_EVENT] == 0);
  CHECK(ev->first_prop[0] == '\0' || ja__catalog_prop(ev->spec, ev->first_prop) != NULL);
  CHECK(ev->props_json != NULL);
  CHECK(ja__utf8_valid(ev->props_json, strlen(ev->props_json)));

  /* The input was accepted, so it is one JSON object; every property in it
   * is either kept or counted as a drop. */
  cJSON *in = cJSON_ParseWithOpts(json ? json : "{}", NULL, 1);
  CHECK(in != NULL && cJSON_IsObject(in));
  int nin = 0;
  unsigned off_shape = 0; /* strings outside their property's shape */
  for (const cJSON *a = in->child; a; a = a->next) {
    nin++;
    const ja__prop_spec *p = ja__catalog_prop(ev->spec, a->string);
    if (p && ja__catalog_is_shape(p->kind) && cJSON_IsString(a) && !shape_ok(p->kind, a->valuestring))
      off_shape++;
  }
  /* The shape comes before redaction: each of those is invalid_value. */
  CHECK(ev->drops[JA__DROP_INVALID_VALUE] >= off_shape);

  cJSON *out = cJSON_Parse(ev->props_json);
  CHECK(out != NULL);
  CHECK(cJSON_IsObject(out));
  int nkept = 0;
  for (const cJSON *a = out->child; a; a = a->next) {
    nkept++;
    CHECK(a->string != NULL);
    const ja__prop_spec *p = ja__catalog_prop(ev->spec, a->string);
    CHECK(p != NULL);
    for (const cJSON *b = a->next; b; b = b->next)
      CHECK(strcmp(a->string, b->string) != 0);
    CHECK(!cJSON_IsNull(a) && !cJSON_IsArray(a) && !cJSON_IsObject(a));
    if (cJSON_IsNumber(a)) {
      CHECK(isfinite(a->valuedouble) && !signbit(a->valuedouble));
      /* spliced as written or converted, a number is stored in one form */
      char want[40], got[64];
      stored_form(a->valuedouble, want);
      stored_text(ev->props_json, a->string, got);
      CHECK(strcmp(got, want) == 0);
    }
    if (cJSON_IsString(a)) {
      size_t n = strlen(a->valuestring);
      CHECK(ja__utf8_valid(a->valuestring, n));
      CHECK(ja__redact_string(a->valuestring, n, NULL) == JA__DROP_NONE);
    }
    CHECK(passes_validator(p, a));
    const cJSON *orig = cJSON_GetObjectItemCaseSensitive(in, a->string);
    CHECK(orig != NULL);
    CHECK(same_value(a, orig));
  }
  CHECK((unsigned)nkept + ev->ndrops == (unsigned)nin);
  cJSON_Delete(out);
  cJSON_Delete(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const uint8_t *nl = memchr(data, '\n', size);
  size_t cut = nl ? (size_t)(nl - data) : size;
  char *name = copy_str(data, cut);
  char *json = nl ? copy_str(nl + 1, size - cut - 1) : NULL;

  ja__event ev;
  ja_status st = ja__event_prepare(name, json, &ev);
  CHECK(st == JA_OK || st == JA_EINVALID || st == JA_ENOMEM);
  if (st == JA_OK) {
    check_common(&ev);
    check_ok(name, json, &ev);
  } else {
    CHECK(ev.props_json == NULL);
    if (st == JA_EINVALID)
      CHECK(ev.spec == NULL && ev.ndrops == 0);
  }

  /* Same input, same answer. */
  ja__event again;
  ja_status st2 = ja__event_prepare(name, json, &again);
  CHECK(st2 == st);
  if (st == JA_OK) {
    CHECK(again.spec == ev.spec && again.ndrops == ev.ndrops);
    CHECK(memcmp(again.drops, ev.drops, sizeof ev.drops) == 0);
    CHECK((again.props_json == NULL) == (ev.props_json == NULL));
    CHECK(!ev.props_json || strcmp(again.props_json, ev.props_json) == 0);
  }
  ja__event_free(&again);
  ja__event_free(&ev);
  CHECK(ev.props_json == NULL);
  free(json);
  free(name);
  return 0;
}
