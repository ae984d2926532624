/*
 * upload/recheck.c — the filters again, at send time: every claimed row
 * goes through the catalog and redaction of the running build before it
 * is encoded, whatever wrote it (this build's capture, an older build with
 * weaker rules, a hand edit with sqlite3). A property that fails is
 * removed; an event that fails, or a row that could not be sent as it is
 * (properties that are not a JSON object, a uuid, timestamp or
 * distinct_id that is not well formed), is dropped and counted.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "filter/event.h"
#include "upload/upload.h"
#include "util/http_date.h"
#include "util/utf8.h"

/* 8-4-4-4-12 hex digits (any version, any case): the stored uuid PostHog
 * deduplicates on. */
static int
uuid_shaped(const char *s)
{
  for (int i = 0; i < 36; i++) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return 0;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return 0;
    }
  }
  return s[36] == '\0';
}

/* The longest distinct_id sent: an anon_id is 36 characters; a host may
 * have written another id of its own, never a document. */
#define DISTINCT_ID_MAX 200

/* Is @p s text PostHog can take as one JSON string field as it is: valid
 * UTF-8, no control character, 1..@p max bytes? */
static int
field_ok(const char *s, size_t max)
{
  /* Printable ASCII — what ids and times are — needs neither UTF-8 check
   * (two passes over every field were 5 % of the uploader's instructions). */
  size_t n = 0;
  while (n <= max && (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7F)
    n++;
  if (s[n] == '\0')
    return n >= 1 && n <= max;
  n += strlen(s + n);
  return n >= 1 && n <= max && ja__utf8_valid(s, n) && !ja__utf8_has_control(s, n);
}

static ja__drop
row_shape(const char *uuid, const char *timestamp, const char *distinct_id)
{
  int64_t ms;
  if (!uuid_shaped(uuid))
    return JA__DROP_MALFORMED;
  if (!field_ok(timestamp, 64) || ja__iso8601_parse(timestamp, &ms) != 0)
    return JA__DROP_MALFORMED;
  if (!field_ok(distinct_id, DISTINCT_ID_MAX))
    return JA__DROP_MALFORMED;
  return JA__DROP_NONE;
}

ja_status
ja__upload_recheck(const char *uuid, const char *timestamp, const char *distinct_id,
                   const char *event, const char *properties, ja__up_verdict *out)
{
  memset(out, 0, sizeof *out);
  if ((out->drop = row_shape(uuid, timestamp, distinct_id)) != JA__DROP_NONE)
    return JA_OK;
  ja__event ev;
  ja_status st = ja__event_prepare(event, properties, &ev);
  if (st == JA_EINVALID) {
    /* Not JSON, not an object, not UTF-8, a repeated key, a bad name:
     * nothing of it can be judged, so none of it leaves. */
    ja__error_clear();
    out->drop = JA__DROP_MALFORMED;
    return JA_OK;
  }
  if (st != JA_OK)
    return st; /* out of memory: the row waits for the next run */
  if (!ev.spec) {
    out->drop = JA__DROP_UNKNOWN_EVENT;
    ja__event_free(&ev);
    return JA_OK;
  }
  memcpy(out->drops, ev.drops, sizeof out->drops);
  out->props = ev.props_json; /* handed over: ja__upload_verdict_free frees it */
  out->changed = strcmp(out->props, properties) != 0;
  return JA_OK;
}

void
ja__upload_verdict_free(ja__up_verdict *v)
{
  if (v && v->props) {
    cJSON_free(v->props);
    v->props = NULL;
  }
}
