/*
 * upload/encode.c — the request body, a pure function of the stored rows
 * (PostHog's v0 batch): `{"api_key", "sent_at", "batch": [...]}`. Each event's
 * stored properties text is spliced in as it is, with the library's own
 * properties appended inside the same object: re-printing through cJSON
 * would round numbers and reorder keys, and uuid/timestamp/distinct_id/
 * event must be byte-identical on every attempt (PostHog deduplicates on
 * them). Only sent_at changes between attempts.
 */
#include "boot.h"

#include <stdint.h>
#include <string.h>

#include "upload/upload.h"
#include "util/clock.h"

/* Bytes that JSON needs escaped: control characters, '"' and '\\'; NUL
 * too, so a scan stops at the end of the string without a second test. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ['\\'] = 1};

/* Most a JSON string of @p n bytes can take: each byte as \u00XX, quotes. */
#define JSON_STRING_MAX(n) (6 * (n) + 2)

/* @p s (NUL-terminated) as a JSON string at @p o, which has room for
 * JSON_STRING_MAX(strlen(s)); → the end of what was written. Runs of
 * bytes that need nothing are copied whole (the uploader's strings —
 * uuids, timestamps, ids, names — are one run each). */
static char *
put_json_string(char *o, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  *o++ = '"';
  for (;;) {
    const char *p = s;
    while (!needs_escape[(unsigned char)*p])
      p++;
    memcpy(o, s, (size_t)(p - s));
    o += p - s;
    unsigned char c = (unsigned char)*p;
    if (c == '\0')
      break;
    *o++ = '\\';
    if (c == '"' || c == '\\') {
      *o++ = (char)c;
    } else {
      memcpy(o, "u00", 3);
      o[3] = hex[c >> 4];
      o[4] = hex[c & 15];
      o += 5;
    }
    s = p + 1;
  }
  *o++ = '"';
  return o;
}

ja_status
ja__upload_json_string(ja__buf *b, const char *s)
{
  size_t n = strlen(s);
  if (n > (SIZE_MAX - 2) / 6)
    return ja__error_set(JA_ENOMEM, "cannot quote a string of %zu bytes", n);
  ja_status st = ja__buf_reserve(b, JSON_STRING_MAX(n));
  if (st != JA_OK)
    return st;
  char *end = put_json_string(b->ptr + b->len, s);
  b->len = (size_t)(end - b->ptr);
  b->ptr[b->len] = '\0';
  return JA_OK;
}

ja_status
ja__upload_encode_begin(ja__buf *b, const char *api_key, int64_t now_ms)
{
  char sent_at[32];
  ja__iso8601_ms(now_ms, sent_at);
  b->len = 0;
  ja_status st = ja__buf_append(b, "{\"api_key\":", 11);
  if (st == JA_OK)
    st = ja__upload_json_string(b, api_key ? api_key : "");
  if (st == JA_OK)
    st = ja__buf_printf(b, ",\"sent_at\":\"%s\",\"batch\":[", sent_at);
  return st;
}

/* The library's own properties, one literal (a printf per event was 5 %
 * of the uploader's instructions). */
#define LIB_PROPS                                                                                  \
  "\"$lib\":\"jarvis-analytics\",\"$lib_version\":\"" JA_VERSION_STRING "\","                      \
  "\"$geoip_disable\":true,\"$process_person_profile\":false},\"timestamp\":"

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

ja_status
ja__upload_encode_event(ja__buf *b, const ja__up_event *e, int first)
{
  /* The stored text is a JSON object (the filter wrote it); its
   * inside goes in verbatim, then the library's properties. */
  const char *p = e->properties ? e->properties : "";
  size_t n = strlen(p);
  while (n > 0 && is_space(p[n - 1]))
    n--;
  while (n > 0 && is_space(*p))
    p++, n--;
  if (n < 2 || p[0] != '{' || p[n - 1] != '}')
    return ja__error_set(JA_EINVALID, "stored properties of event '%s' are not a JSON object",
                         e->uuid ? e->uuid : "?");
  const char *inner = p + 1;
  size_t ilen = n - 2;
  int empty = 1;
  for (size_t i = 0; i < ilen && empty; i++)
    if (!is_space(inner[i]))
      empty = 0;
  /* One reservation for the whole event, then plain writes into it (an
   * append per piece was a third of the encoder's instructions). */
  const char *ev = e->event ? e->event : "", *did = e->distinct_id ? e->distinct_id : "";
  const char *ts = e->timestamp ? e->timestamp : "", *id = e->uuid ? e->uuid : "";
  size_t strs = strlen(ev) + strlen(did) + strlen(ts) + strlen(id);
  if (strs > (SIZE_MAX / 8) - ilen)
    return ja__error_set(JA_ENOMEM, "event '%s' is too large to send", id);
  ja_status st = ja__buf_reserve(b, 10 + 15 + 15 + ilen + 1 + (sizeof LIB_PROPS - 1) + 8 + 1 +
                             4 * JSON_STRING_MAX(0) + 6 * strs);
  if (st != JA_OK)
    return st;
  char *o = b->ptr + b->len;
#define PUT(lit) (memcpy(o, lit, sizeof lit - 1), o += sizeof lit - 1)
  if (first)
    PUT("{\"event\":");
  else
    PUT(",{\"event\":");
  o = put_json_string(o, ev);
  PUT(",\"distinct_id\":");
  o = put_json_string(o, did);
  PUT(",\"properties\":{");
  if (!empty) {
    memcpy(o, inner, ilen);
    o += ilen;
    *o++ = ',';
  }
  PUT(LIB_PROPS);
  o = put_json_string(o, ts);
  PUT(",\"uuid\":");
  o = put_json_string(o, id);
  *o++ = '}';
#undef PUT
  b->len = (size_t)(o - b->ptr);
  b->ptr[b->len] = '\0';
  return JA_OK;
}

ja_status
ja__upload_encode_end(ja__buf *b)
{
  return ja__buf_append(b, "]}", 2);
}

ja_status
ja__upload_encode(ja__buf *b, const char *api_key, int64_t now_ms, const ja__up_event *ev,
                  size_t n)
{
  ja_status st = ja__upload_encode_begin(b, api_key, now_ms);
  for (size_t i = 0; st == JA_OK && i < n; i++)
    st = ja__upload_encode_event(b, &ev[i], i == 0);
  if (st == JA_OK)
    st = ja__upload_encode_end(b);
  return st;
}

void
ja__upload_mask_key(const char *key, char out[16])
{
  size_t n = key ? strlen(key) : 0;
  if (n == 0) {
    out[0] = '\0';
    return;
  }
  /* Short keys show nothing of themselves: 4 characters of an 8-character
   * key would be half of it. */
  if (n < 12)
    snprintf(out, 16, "***");
  else
    snprintf(out, 16, "%.4s***", key);
}
