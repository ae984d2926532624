/*
 * filter/event.c — turns (name, properties JSON) into an event that may be stored:
 * rejects malformed input, then applies the two filters — value-level
 * redaction (redact.c) and the structural catalog (catalog.c) — and keeps
 * count of every drop by reason. Also names the drop reasons.
 *
 * The properties are read in one pass (util/json.c), nothing built: each
 * member is judged as it is read, and one that is kept is copied into the
 * stored text as written (numbers: filter/number.c). Input refused later
 * in the pass undoes what was judged, so it is neither stored nor counted.
 *
 * Order, per property: what the value is (null, composite, not finite);
 * then, for a shaped property (version, key), its shape; then the
 * redaction patterns; then unknown_property and the other validators.
 */
#include "boot.h"

#include <stdlib.h>
#include <string.h>

#include "filter/catalog.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/number.h"
#include "filter/redact.h"
#include "util/json.h"
#include "util/utf8.h"

/* A top-level value as the filters see it. */
typedef struct value {
  ja__json_type type;
  ja__json_token tok; /* as written */
  const char *str;    /* a string's value (tok.p unless it has escapes) */
  size_t len;         /* its length */
  ja__number num;     /* a number */
} value;

/* A member name, decoded. */
typedef struct name_seen {
  const char *p;
  size_t n;
} name_seen;

/* What one pass over the properties keeps. */
typedef struct pass {
  ja__event *ev;
  const ja__event_spec *spec; /* NULL: the event is unknown, only checked */
  name_seen *names;           /* the first JA__MAX_PROPS names that are
                                 no property of the event */
  size_t nnames;              /* how many */
  uint64_t known;             /* bit k: props[k] of the event came */
  const ja__prop_spec *last;  /* the property found last: the next one is
                                 tried first (callers send them in order) */
  size_t count;               /* members read */
  int repeated;               /* a name came twice */
  char *decoded;              /* escapes decoded (made on the first one):
                                 each value is no longer than its spelling,
                                 so the text's length is room for all */
  size_t used;
  char *out;                  /* the stored text, written as we go */
  size_t len, cap;
} pass;

/* Filter 1, first half: what the value is. No pattern runs here, so these
 * reasons come before a shape too. */
static ja__drop
value_kind(const value *v)
{
  switch (v->type) {
  case JA__JSON_NULL:
    return JA__DROP_NULL;
  case JA__JSON_ARRAY:
  case JA__JSON_OBJECT:
    return JA__DROP_COMPOSITE;
  case JA__JSON_NUMBER:
    return v->num.finite ? JA__DROP_NONE : JA__DROP_NOT_FINITE;
  default:
    return JA__DROP_NONE; /* strings, booleans */
  }
}

static int
is_lower_hex16(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return n == 16;
}

/* Filter 2: the catalog's validator for a known property. JSON has one
 * number type, so an integral number (1 or 1.0) counts as an integer. */
static int
valid_for(const ja__prop_spec *p, const value *v)
{
  int str = v->type == JA__JSON_STRING;
  switch (p->kind) {
  case JA__V_BOOL:
    return v->type == JA__JSON_TRUE || v->type == JA__JSON_FALSE;
  case JA__V_INT:
    return v->type == JA__JSON_NUMBER && v->num.nonneg && v->num.integer;
  case JA__V_NUM:
    return v->type == JA__JSON_NUMBER && v->num.nonneg;
  case JA__V_STR64:
    if (!str)
      return 0;
    size_t n = ja__utf8_count(v->str, v->len);
    return n >= 1 && n <= 64;
  case JA__V_VERSION:
    return str && ja__catalog_is_version(v->str, v->len);
  case JA__V_KEY:
    return str && ja__catalog_is_key(v->str, v->len);
  case JA__V_HASH16:
    return str && is_lower_hex16(v->str, v->len);
  case JA__V_ENUM:
    if (!str)
      return 0;
    for (const char *const *e = p->enumeration->values; *e; e++)
      if (strlen(*e) == v->len && memcmp(*e, v->str, v->len) == 0)
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
 * does not count). Such a value cannot be held in a C string: refused,
 * never cut at the NUL. */
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

/* Why the reader refused @p json, said the way it has always been said:
 * the encoding first, then a NUL, then the grammar's first offending byte,
 * then half a surrogate pair. Runs only for refused input, so the pass
 * over good input stays one pass. */
static ja_status
refuse(const char *json, size_t n, const ja__json_reader *r)
{
  if (!ja__utf8_valid(json, n))
    return ja__error_set(JA_EINVALID, "properties JSON is not valid UTF-8");
  if (has_nul_escape(json, n))
    return ja__error_set(JA_EINVALID, "properties JSON contains a NUL character (\\u0000)");
  size_t at = r->at;
  const char *why = NULL;
  if (ja__json_check(json, n, &at, &why) != 0)
    return ja__error_set(JA_EINVALID, "malformed properties JSON at byte %zu: %s", at, why);
  return ja__error_set(JA_EINVALID, "malformed properties JSON at byte %zu: %s", r->at,
                       r->fault == JA__JSON_SURROGATE
                           ? "a \\u escape is half of a UTF-16 surrogate pair"
                           : "not a JSON text");
}

/* The value of a string token: as written, or its escapes decoded. */
static const char *
string_value(pass *ps, const ja__json_token *t, size_t *len)
{
  if (!t->escaped) {
    *len = t->n;
    return t->p;
  }
  const char *v = ps->decoded + ps->used;
  *len = ja__json_unescape(t->p, t->n, ps->decoded + ps->used);
  ps->used += *len;
  return v;
}

static ja_status
out_reserve(pass *ps, size_t extra)
{
  if (ps->len + extra + 2 <= ps->cap) /* room left for "}" and the NUL */
    return JA_OK;
  size_t cap = 2 * ps->cap + extra + 2;
  char *p = realloc(ps->out, cap);
  if (!p)
    return ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ps->spec->name);
  ps->out = p;
  ps->cap = cap;
  return JA_OK;
}

static void
out_put(pass *ps, const char *s, size_t n)
{
  memcpy(ps->out + ps->len, s, n);
  ps->len += n;
}

/* A string value as a JSON string, escaped the way the store always wrote
 * it: \" \\ \b \f \n \r \t, \u00XX for the other controls, all else as it
 * is (at most 6 bytes per byte, plus the quotes). */
static void
out_string(pass *ps, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  char *o = ps->out + ps->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *short_form = c == '"'    ? "\""
                             : c == '\\' ? "\\"
                             : c == '\b' ? "b"
                             : c == '\f' ? "f"
                             : c == '\n' ? "n"
                             : c == '\r' ? "r"
                             : c == '\t' ? "t"
                                         : NULL;
    if (short_form) {
      *o++ = '\\';
      *o++ = short_form[0];
    } else if (c < 0x20) {
      memcpy(o, "\\u00", 4);
      o[4] = hex[c >> 4];
      o[5] = hex[c & 15];
      o += 6;
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  ps->len = (size_t)(o - ps->out);
}

/* Append the kept property @p p = @p v to the stored text. */
static ja_status
keep(pass *ps, const ja__prop_spec *p, const value *v)
{
  char buf[40];
  const char *text = v->tok.p;
  size_t len = v->tok.n;
  if (v->type == JA__JSON_NUMBER && ja__number_text(&v->num, v->tok.p, buf, &text, &len) != 0)
    return ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ps->spec->name);
  if (v->type == JA__JSON_STRING)
    len = v->tok.escaped ? 6 * v->len + 2 : v->len + 2;
  ja_status st = out_reserve(ps, p->len + 4 + len);
  if (st != JA_OK)
    return st;
  if (ps->len > 1)
    ps->out[ps->len++] = ',';
  ps->out[ps->len++] = '"';
  out_put(ps, p->name, p->len);
  ps->out[ps->len++] = '"';
  ps->out[ps->len++] = ':';
  if (v->type != JA__JSON_STRING)
    out_put(ps, text, len); /* a number, true or false */
  else if (!v->tok.escaped)
    out_put(ps, v->tok.p - 1, v->tok.n + 2); /* nothing to escape: as written */
  else
    out_string(ps, v->str, v->len);
  return JA_OK;
}

/* Both filters on one member of a known event (@p p: its property, or
 * NULL): counted as a drop, or kept. */
static ja_status
judge(pass *ps, const ja__prop_spec *p, value *v)
{
  if (v->type == JA__JSON_NUMBER && ja__number_read(v->tok.p, v->tok.n, &v->num) != 0)
    return ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ps->spec->name);
  if (v->type == JA__JSON_STRING)
    v->str = string_value(ps, &v->tok, &v->len);
  ja__drop why = value_kind(v);
  /* A shape is checked before any redaction pattern: a value outside it is
   * invalid_value, whatever it also looks like; one inside it still goes
   * through redaction below. */
  if (why == JA__DROP_NONE && p && ja__catalog_is_shape(p->kind) && !valid_for(p, v))
    why = JA__DROP_INVALID_VALUE;
  if (why == JA__DROP_NONE && v->type == JA__JSON_STRING)
    why = ja__redact_string(v->str, v->len, NULL);
  if (why == JA__DROP_NONE && !p)
    why = JA__DROP_UNKNOWN_PROPERTY;
  if (why == JA__DROP_NONE && !valid_for(p, v))
    why = JA__DROP_INVALID_VALUE;
  if (why != JA__DROP_NONE) {
    note_drop(ps->ev, why, p);
    return JA_OK;
  }
  return keep(ps, p, v);
}

/* 1 when @p name[0..len) came before: for one of the event's first 64
 * properties by its bit, for any other name by comparing it with the
 * others (a property's name is never equal to a name that is none). */
static int
came_before(pass *ps, const ja__prop_spec *p, const char *name, size_t len)
{
  if (p && p - ps->spec->props < 64) {
    uint64_t bit = (uint64_t)1 << (p - ps->spec->props);
    int seen = (ps->known & bit) != 0;
    ps->known |= bit;
    return seen;
  }
  for (size_t k = 0; k < ps->nnames; k++)
    if (ps->names[k].n == len && memcmp(ps->names[k].p, name, len) == 0)
      return 1;
  if (ps->nnames < JA__MAX_PROPS)
    ps->names[ps->nnames++] = (name_seen){name, len};
  return 0;
}

/* Read @p json[0..n) in one pass: malformed input refused (JA_EINVALID),
 * else each member of a known event judged as it comes. A name that comes
 * twice (compared decoded: "a" and "\u0061" are one name) is refused: which
 * one would "win" is ambiguous (the name is not echoed). */
static ja_status
read_props(pass *ps, const char *json, size_t n)
{
  ja__json_reader r;
  int type = ja__json_begin(&r, json, n, 1);
  if (type < 0)
    return refuse(json, n, &r);
  if (type != JA__JSON_OBJECT) {
    const char *what = type == JA__JSON_ARRAY    ? "an array"
                       : type == JA__JSON_STRING ? "a string"
                       : type == JA__JSON_NUMBER ? "a number"
                       : type == JA__JSON_NULL   ? "null"
                                                 : "a boolean";
    return ja__error_set(JA_EINVALID, "properties must be a JSON object, not %s", what);
  }
  if (ps->spec) {
    ps->cap = n + 64;
    if (!(ps->out = malloc(ps->cap)))
      return ja__error_set(JA_ENOMEM, "out of memory preparing '%s'", ps->spec->name);
    out_put(ps, "{", 1);
  }
  ja__json_token key;
  value v;
  int rc;
  while ((rc = ja__json_next(&r, &key, &v.type, &v.tok)) > 0) {
    if ((key.escaped || v.tok.escaped) && !ps->decoded && !(ps->decoded = malloc(n)))
      return ja__error_set(JA_ENOMEM, "out of memory reading properties JSON");
    size_t name_len;
    const char *name = string_value(ps, &key, &name_len);
    const ja__prop_spec *p = NULL;
    if (ps->spec && (p = ja__catalog_prop_next(ps->spec, ps->last, name, name_len)) != NULL)
      ps->last = p;
    if (++ps->count <= JA__MAX_PROPS && !ps->repeated)
      ps->repeated = came_before(ps, p, name, name_len);
    /* Past an error still to be reported only the grammar is read on. */
    if (ps->count > JA__MAX_PROPS || ps->repeated || !ps->spec)
      continue;
    ja_status st = judge(ps, p, &v);
    if (st != JA_OK)
      return st;
  }
  if (rc < 0)
    return refuse(json, n, &r);
  if (ps->count > JA__MAX_PROPS)
    return ja__error_set(JA_EINVALID, "too many properties (%zu, at most %d)", ps->count,
                         JA__MAX_PROPS);
  if (ps->repeated)
    return ja__error_set(JA_EINVALID, "properties JSON repeats a property name");
  return JA_OK;
}

ja_status
ja__event_prepare(const char *name, const char *props_json, ja__event *ev)
{
  memset(ev, 0, sizeof *ev);
  ja_status st = check_name(name);
  if (st != JA_OK)
    return st;
  const char *json = props_json ? props_json : "{}";
  size_t n = strlen(json);
  if (n > JA__MAX_PROPS_BYTES)
    return ja__error_set(JA_EINVALID, "properties JSON is too large (more than %d bytes)",
                         JA__MAX_PROPS_BYTES);
  name_seen names[JA__MAX_PROPS]; /* not cleared: filled as members come */
  pass ps = {.ev = ev, .spec = ja__catalog_event(name), .names = names};
  st = read_props(&ps, json, n);
  free(ps.decoded);
  if (st != JA_OK) {
    free(ps.out);
    memset(ev, 0, sizeof *ev); /* nothing judged before the error counts */
    return st;
  }
  ev->spec = ps.spec;
  if (!ps.spec) {
    note_drop(ev, JA__DROP_UNKNOWN_EVENT, NULL);
    return JA_OK;
  }
  out_put(&ps, "}", 1);
  ps.out[ps.len] = '\0';
  ev->props_json = ps.out;
  return JA_OK;
}

void
ja__event_free(ja__event *ev)
{
  if (ev && ev->props_json) {
    free(ev->props_json);
    ev->props_json = NULL;
  }
}
