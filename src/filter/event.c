/*
 * filter/event.c — turns (name, properties JSON) into an event that may be stored:
 * rejects malformed input, then applies the two filters of DESIGN §5 —
 * value-level redaction (redact.c) and the structural catalog (catalog.c) —
 * and keeps count of every drop by reason. Also names the drop reasons.
 *
 * Order, per property: what the value is (null, composite, not finite);
 * then, for a shaped property (version, key), its shape; then the
 * redaction patterns; then unknown_property and the other validators.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filter/catalog.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "util/json.h"
#include "util/utf8.h"

/* 2^53: from here on a double cannot tell n from n+1, so an input such as
 * 9007199254740993 arrives already rounded. "int" values must be below it
 * (found by tests/fuzz, crashes/event-int-rounded-*). */
#define INT_LIMIT 9007199254740992.0

/* Filter 1, first half: what the value is (DESIGN §5.1). No pattern runs
 * here, so these reasons come before a shape too. */
static ja__drop
value_kind(const cJSON *v)
{
  if (cJSON_IsNull(v))
    return JA__DROP_NULL;
  if (cJSON_IsArray(v) || cJSON_IsObject(v))
    return JA__DROP_COMPOSITE;
  if (cJSON_IsNumber(v))
    return isfinite(v->valuedouble) ? JA__DROP_NONE : JA__DROP_NOT_FINITE;
  return JA__DROP_NONE; /* strings, booleans */
}

/* Filter 1, second half: a string's content (empty, too long, patterns). */
static ja__drop
redact_value(const cJSON *v)
{
  if (cJSON_IsString(v))
    return ja__redact_string(v->valuestring, strlen(v->valuestring), NULL);
  return JA__DROP_NONE;
}

/* A number as JSON text that parses back to exactly @p d. cJSON prints
 * with 15 digits whenever that is "close enough" (9007199254740991 became
 * 9.00719925474099e+15, 0.30000000000000004 became 0.3: tests/fuzz,
 * crashes/event-*-rounded-*), so numbers are printed here instead: the
 * shortest of 15, 16, 17 significant digits that round-trips, integers in
 * full, and always with '.' whatever the locale. 0 for -0. */
static cJSON *
exact_number(double d)
{
  char buf[64];
  if (d == 0)
    d = 0; /* -0 would print as "-0" */
  if (d == floor(d) && fabs(d) < INT_LIMIT) {
    snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    for (int digits = 15; digits <= 17; digits++) {
      snprintf(buf, sizeof buf, "%.*g", digits, d);
      if (strtod(buf, NULL) == d)
        break;
    }
  }
  /* printf and strtod both follow LC_NUMERIC, which a host may have set. */
  const char *point = localeconv()->decimal_point;
  if (point && point[0] && point[0] != '.' && !point[1]) {
    char *p = strchr(buf, point[0]);
    if (p)
      *p = '.';
  }
  return cJSON_CreateRaw(buf);
}

static int
is_lower_hex16(const char *s)
{
  size_t n = 0;
  for (; s[n]; n++)
    if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
      return 0;
  return n == 16;
}

/* Filter 2: the catalog's validator for a known property. JSON has one
 * number type, so an integral number (1 or 1.0) counts as an integer. */
static int
valid_for(const ja__prop_spec *p, const cJSON *v)
{
  switch (p->kind) {
  case JA__V_BOOL:
    return cJSON_IsBool(v);
  case JA__V_INT:
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < INT_LIMIT &&
           floor(v->valuedouble) == v->valuedouble;
  case JA__V_NUM:
    return cJSON_IsNumber(v) && v->valuedouble >= 0;
  case JA__V_STR64:
    if (!cJSON_IsString(v))
      return 0;
    size_t n = ja__utf8_count(v->valuestring, strlen(v->valuestring));
    return n >= 1 && n <= 64;
  case JA__V_VERSION:
    return cJSON_IsString(v) && ja__catalog_is_version(v->valuestring, strlen(v->valuestring));
  case JA__V_KEY:
    return cJSON_IsString(v) && ja__catalog_is_key(v->valuestring, strlen(v->valuestring));
  case JA__V_HASH16:
    return cJSON_IsString(v) && is_lower_hex16(v->valuestring);
  case JA__V_ENUM:
    if (!cJSON_IsString(v))
      return 0;
    for (const char *const *e = p->enumeration->values; *e; e++)
      if (strcmp(*e, v->valuestring) == 0)
        return 1;
    return 0;
  }
  return 0;
}

static void
note_drop(ja__event *ev, ja__drop why, const ja__prop_spec *known)
{
  ev->drops[why]++;
  if (ev->ndrops++ == 0) {
    ev->first_reason = why;
    if (known)
      snprintf(ev->first_prop, sizeof ev->first_prop, "%s", known->name);
  }
}

/* Reject what is malformed rather than a policy matter: such input is an
 * error of the caller, so nothing is stored and nothing is counted. */
static ja_status
check_name(const char *name)
{
  if (!name || !*name)
    return ja__error_set(JA_EINVALID, "event name is empty");
  size_t n = strlen(name);
  if (n > 256)
    return ja__error_set(JA_EINVALID, "event name is too long (%zu bytes, at most 256)", n);
  if (!ja__utf8_valid(name, n))
    return ja__error_set(JA_EINVALID, "event name is not valid UTF-8");
  if (ja__utf8_has_control(name, n))
    return ja__error_set(JA_EINVALID, "event name contains control characters");
  return JA_OK;
}

/* 1 if the JSON text has a \u0000 escape (an escaped backslash before "u"
 * does not count). cJSON would end the string there, silently keeping only
 * what comes before the NUL; such input is refused instead. */
static int
has_nul_escape(const char *json, size_t n)
{
  for (size_t i = 0; i + 5 < n; i++) {
    if (json[i] != '\\')
      continue;
    if (json[i + 1] == 'u' && json[i + 2] == '0' && json[i + 3] == '0' && json[i + 4] == '0' &&
        json[i + 5] == '0')
      return 1;
    i++; /* skip the escaped character, whatever it is */
  }
  return 0;
}

static ja_status
parse_props(const char *json, cJSON **out)
{
  *out = NULL;
  size_t n = strlen(json);
  if (n > JA__MAX_PROPS_BYTES)
    return ja__error_set(JA_EINVALID, "properties JSON is too large (more than %d bytes)",
                         JA__MAX_PROPS_BYTES);
  if (!ja__utf8_valid(json, n))
    return ja__error_set(JA_EINVALID, "properties JSON is not valid UTF-8");
  if (has_nul_escape(json, n))
    return ja__error_set(JA_EINVALID, "properties JSON contains a NUL character (\\u0000)");
  /* cJSON is lenient ({"version":01}, 1., a BOM, raw control characters
   * were accepted: hardening issue), so the grammar is checked first. */
  size_t at = 0;
  const char *why = NULL;
  if (ja__json_check(json, n, &at, &why) != 0)
    return ja__error_set(JA_EINVALID, "malformed properties JSON at byte %zu: %s", at, why);
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
  if (!root) {
    if (!end)
      end = json;
    return ja__error_set(JA_EINVALID, "malformed properties JSON at byte %zu", (size_t)(end - json));
  }
  if (!cJSON_IsObject(root)) {
    const char *what = cJSON_IsArray(root)    ? "an array"
                       : cJSON_IsString(root) ? "a string"
                       : cJSON_IsNumber(root) ? "a number"
                       : cJSON_IsNull(root)   ? "null"
                                              : "a boolean";
    cJSON_Delete(root);
    return ja__error_set(JA_EINVALID, "properties must be a JSON object, not %s", what);
  }
  int count = 0;
  for (const cJSON *a = root->child; a; a = a->next)
    count++;
  if (count > JA__MAX_PROPS) {
    cJSON_Delete(root);
    return ja__error_set(JA_EINVALID, "too many properties (%d, at most %d)", count, JA__MAX_PROPS);
  }
  /* cJSON keeps both copies of a repeated key; which one "wins" would be
   * ambiguous, so the input is refused (the name is not echoed). */
  for (const cJSON *a = root->child; a; a = a->next)
    for (const cJSON *b = a->next; b; b = b->next)
      if (strcmp(a->string, b->string) == 0) {
        cJSON_Delete(root);
        return ja__error_set(JA_EINVALID, "properties JSON repeats a property name");
      }
  *out = root;
  return JA_OK;
}

ja_status
ja__event_prepare(const char *name, const char *props_json, ja__event *ev)
{
  memset(ev, 0, sizeof *ev);
  ja_status st = check_name(name);
  if (st != JA_OK)
    return st;
  cJSON *in = NULL;
  st = parse_props(props_json ? props_json : "{}", &in);
  if (st != JA_OK)
    return st;

  ev->spec = ja__catalog_event(name);
  if (!ev->spec) {
    cJSON_Delete(in);
    note_drop(ev, JA__DROP_UNKNOWN_EVENT, NULL);
    return JA_OK;
  }

  cJSON *clean = cJSON_CreateObject();
  if (!clean) {
    cJSON_Delete(in);
    return ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ev->spec->name);
  }
  for (cJSON *item = in->child; item; item = item->next) {
    const ja__prop_spec *p = ja__catalog_prop(ev->spec, item->string);
    ja__drop why = value_kind(item);
    /* A shape is checked before any redaction pattern (issue 11, part 2):
     * a value outside it is invalid_value, whatever it also looks like;
     * one inside it still goes through redaction below. */
    if (why == JA__DROP_NONE && p && ja__catalog_is_shape(p->kind) && !valid_for(p, item))
      why = JA__DROP_INVALID_VALUE;
    if (why == JA__DROP_NONE)
      why = redact_value(item);
    if (why == JA__DROP_NONE && !p)
      why = JA__DROP_UNKNOWN_PROPERTY;
    if (why == JA__DROP_NONE && !valid_for(p, item))
      why = JA__DROP_INVALID_VALUE;
    if (why != JA__DROP_NONE) {
      note_drop(ev, why, p);
      continue;
    }
    cJSON *copy = cJSON_IsNumber(item) ? exact_number(item->valuedouble) : cJSON_Duplicate(item, 0);
    if (!copy) {
      st = ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ev->spec->name);
      break;
    }
    cJSON_AddItemToObject(clean, p->name, copy);
  }
  if (st == JA_OK) {
    ev->props_json = cJSON_PrintUnformatted(clean);
    if (!ev->props_json)
      st = ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ev->spec->name);
  }
  cJSON_Delete(clean);
  cJSON_Delete(in);
  return st;
}

void
ja__event_free(ja__event *ev)
{
  if (ev && ev->props_json) {
    cJSON_free(ev->props_json);
    ev->props_json = NULL;
  }
}
