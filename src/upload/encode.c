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

#include <string.h>

#include "upload/upload.h"
#include "util/clock.h"

ja_status
ja__upload_json_string(ja__buf *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  ja_status st = ja__buf_append(b, "\"", 1);
  const char *run = s;
  for (const char *p = s; st == JA_OK && *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c != '"' && c != '\\' && c >= 0x20)
      continue;
    st = ja__buf_append(b, run, (size_t)(p - run));
    char esc[7] = {'\\', (char)c, 0};
    size_t n = 2;
    if (c < 0x20) {
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
    }
    if (st == JA_OK)
      st = ja__buf_append(b, esc, n);
    run = p + 1;
  }
  if (st == JA_OK)
    st = ja__buf_append(b, run, strlen(run));
  if (st == JA_OK)
    st = ja__buf_append(b, "\"", 1);
  return st;
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
  for (size_t i = 0; i < ilen; i++)
    if (!is_space(inner[i]))
      empty = 0;
  size_t mark = b->len;
  ja_status st = ja__buf_append(b, first ? "{\"event\":" : ",{\"event\":", first ? 9 : 10);
  if (st == JA_OK)
    st = ja__upload_json_string(b, e->event);
  if (st == JA_OK)
    st = ja__buf_append(b, ",\"distinct_id\":", 15);
  if (st == JA_OK)
    st = ja__upload_json_string(b, e->distinct_id);
  if (st == JA_OK)
    st = ja__buf_append(b, ",\"properties\":{", 15);
  if (st == JA_OK && !empty) {
    st = ja__buf_append(b, inner, ilen);
    if (st == JA_OK)
      st = ja__buf_append(b, ",", 1);
  }
  if (st == JA_OK)
    st = ja__buf_append(b, LIB_PROPS, sizeof LIB_PROPS - 1);
  if (st == JA_OK)
    st = ja__upload_json_string(b, e->timestamp);
  if (st == JA_OK)
    st = ja__buf_append(b, ",\"uuid\":", 8);
  if (st == JA_OK)
    st = ja__upload_json_string(b, e->uuid);
  if (st == JA_OK)
    st = ja__buf_append(b, "}", 1);
  if (st != JA_OK && b->ptr) {
    b->len = mark; /* never leave half an event behind */
    b->ptr[mark] = '\0';
  }
  return st;
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
