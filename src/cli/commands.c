/*
 * cli/commands.c — one function per `jarvis-analytics` command, each a thin
 * layer over the public API (plus report.c for listings): open the store,
 * call, print the result as text or --json, return the exit code. `redact`
 * is the exception: it calls the redaction filter and never opens a store.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "filter/catalog.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "util/buf.h"
#include "util/utf8.h"

int
ja__cli_open_store(const cli_args *a, FILE *err, unsigned flags, ja_store **s)
{
  ja_options o = JA_OPTIONS_INIT;
  o.flags = flags;
  ja_status st = ja_store_open(s, &o);
  return st == JA_OK ? 0 : ja__cli_fail(err, a->command, st);
}

/* `--props -`: the JSON comes on stdin (argv cannot carry more than
 * 128 KiB on Linux; stdin has no such limit). Reads one byte past the
 * library's limit so that an oversized document is refused, not cut. */
static int
read_props_stdin(FILE *in, char **out, FILE *err)
{
  size_t cap = JA__MAX_PROPS_BYTES + 2, n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    ja__cli_errorf(err, "capture", "out of memory reading --props from stdin");
    return JA_EXIT_OSERR;
  }
  n = fread(buf, 1, cap - 1, in);
  if (ferror(in)) {
    free(buf);
    ja__cli_errorf(err, "capture", "cannot read --props from stdin");
    return JA_EXIT_IOERR;
  }
  if (memchr(buf, '\0', n)) {
    free(buf);
    ja__cli_errorf(err, "capture", "properties JSON on stdin contains a NUL byte");
    return JA_EXIT_DATAERR;
  }
  buf[n] = '\0';
  *out = buf;
  return 0;
}

/* "2 properties dropped, first: 'version' pii" (the name only if it is
 * a catalog property: unknown names are never echoed). */
static void
describe_prop_drops(const ja_outcome *o, char *buf, size_t n)
{
  snprintf(buf, n, "%u propert%s dropped, first: %s%s%s%s", o->dropped_props,
           o->dropped_props == 1 ? "y" : "ies", o->property[0] ? "'" : "", o->property,
           o->property[0] ? "' " : "", o->reason);
}

/* capture --json: what happened to the event, as one object. */
static int
print_outcome_json(FILE *out, FILE *err, const ja_outcome *o, const char *off_reason,
                   const char *hint)
{
  static const char *const results[] = {[JA_RESULT_STORED] = "stored",
                                        [JA_RESULT_DROPPED] = "dropped",
                                        [JA_RESULT_DISABLED] = "off"};
  cJSON *doc = cJSON_CreateObject();
  int stored = o->result == JA_RESULT_STORED;
  int ok = cJSON_AddStringToObject(doc, "result", results[o->result]) != NULL;
  ok &= (stored ? cJSON_AddStringToObject(doc, "uuid", o->uuid)
                : cJSON_AddNullToObject(doc, "uuid")) != NULL;
  ok &= (o->reason && o->reason[0] ? cJSON_AddStringToObject(doc, "reason", o->reason)
                                   : cJSON_AddNullToObject(doc, "reason")) != NULL;
  ok &= cJSON_AddNumberToObject(doc, "dropped_properties", o->dropped_props) != NULL;
  ok &= (o->property[0] ? cJSON_AddStringToObject(doc, "first_dropped_property", o->property)
                        : cJSON_AddNullToObject(doc, "first_dropped_property")) != NULL;
  ok &= (hint[0] ? cJSON_AddStringToObject(doc, "hint", hint)
                 : cJSON_AddNullToObject(doc, "hint")) != NULL;
  ok &= (o->result == JA_RESULT_DISABLED ? cJSON_AddStringToObject(doc, "off_reason", off_reason)
                                         : cJSON_AddNullToObject(doc, "off_reason")) != NULL;
  return ja__cli_print_built(out, err, "capture", doc, ok);
}

int
ja__cli_capture(const cli_args *a, FILE *out, FILE *err)
{
  char *stdin_props = NULL;
  const char *props = a->val[OPT_PROPS];
  int rc = 0;
  if (props && strcmp(props, "-") == 0) {
    if ((rc = read_props_stdin(stdin, &stdin_props, err)) != 0)
      return rc;
    props = stdin_props;
  }
  ja_store *s = NULL;
  /* JA_OPEN_SYNC: the event is on disk when `capture` exits (or is killed
   * right after saying so), the process's only capture waits for nothing
   * but its own commit. */
  if ((rc = ja__cli_open_store(a, err, JA_OPEN_SYNC, &s)) != 0) {
    free(stdin_props);
    return rc;
  }
  ja_outcome o = JA_OUTCOME_INIT;
  ja_status st = ja_capture(s, a->pos[0], props, &o);
  const char *why = NULL;
  ja_store_enabled(s, &why);
  int said = a->on[OPT_VERBOSE] || a->on[OPT_STRICT] || a->on[OPT_JSON];
  /* "did you mean …" only where the drop is said: a drop is silent. */
  char hint[320] = "", sep[3] = "";
  if (st == JA_OK && said && (o.result == JA_RESULT_DROPPED || o.dropped_props))
    ja__cli_capture_hint(a->pos[0], props, hint, sizeof hint);
  if (hint[0])
    snprintf(sep, sizeof sep, "; ");
  int text = a->on[OPT_VERBOSE] && !a->on[OPT_JSON];
  if (st != JA_OK) {
    rc = ja__cli_fail(err, a->command, st);
  } else if (o.result == JA_RESULT_DISABLED) {
    /* the line status prints ("analytics: paused: <why>"): a reason can
     * hold parentheses itself, so it is never wrapped in more */
    if (text) {
      fputs("not stored: ", out);
      ja__cli_print_mode(out, ja__config_mode_name(s->cfg.mode), why);
    }
  } else if (o.result == JA_RESULT_DROPPED) {
    if (text)
      fprintf(out, "dropped: %s%s%s\n", o.reason, sep, hint);
    if (a->on[OPT_STRICT]) {
      ja__cli_errorf(err, a->command, "nothing stored: the event was dropped by policy (%s)%s%s",
                     o.reason, sep, hint);
      rc = JA_EXIT_DATAERR;
    }
  } else {
    char drops[160] = "";
    if (o.dropped_props)
      describe_prop_drops(&o, drops, sizeof drops);
    if (text)
      fprintf(out, "stored %s %s%s%s%s%s%s\n", a->pos[0], o.uuid, drops[0] ? " (" : "", drops,
              sep, hint, drops[0] ? ")" : "");
    if (a->on[OPT_STRICT] && o.dropped_props) {
      ja__cli_errorf(err, a->command, "stored, but %s%s%s", drops, sep, hint);
      rc = JA_EXIT_PARTIAL;
    }
  }
  if (st == JA_OK && a->on[OPT_JSON]) {
    int jrc = print_outcome_json(out, err, &o, why ? why : "", hint);
    if (rc == 0)
      rc = jrc;
  }
  ja_store_close(s);
  free(stdin_props);
  return rc;
}

int
ja__cli_print_json(FILE *out, FILE *err, const char *cmd, const cJSON *doc)
{
  char *text = cJSON_Print(doc);
  if (!text) {
    ja__cli_errorf(err, cmd, "out of memory printing the JSON");
    return JA_EXIT_OSERR;
  }
  fprintf(out, "%s\n", text);
  cJSON_free(text);
  return JA_EXIT_OK;
}

int
ja__cli_print_built(FILE *out, FILE *err, const char *cmd, cJSON *doc, int ok)
{
  int rc;
  if (doc && ok) {
    rc = ja__cli_print_json(out, err, cmd, doc);
  } else {
    ja__cli_errorf(err, cmd, "out of memory printing the JSON");
    rc = JA_EXIT_OSERR;
  }
  cJSON_Delete(doc);
  return rc;
}

int
ja__cli_reset_id(const cli_args *a, FILE *out, FILE *err)
{
  ja_store *s = NULL;
  int rc = ja__cli_open_store(a, err, 0, &s);
  if (rc)
    return rc;
  ja_status st = ja_reset_id(s);
  char id[37] = "";
  int on = ja_store_enabled(s, NULL);
  if (st == JA_OK && on)
    st = ja_anon_id(s, id);
  if (st != JA_OK) {
    rc = ja__cli_fail(err, a->command, st);
  } else if (a->on[OPT_JSON]) {
    cJSON *doc = cJSON_CreateObject();
    int ok = (on ? cJSON_AddStringToObject(doc, "anon_id", id)
                 : cJSON_AddNullToObject(doc, "anon_id")) != NULL;
    ok &= cJSON_AddBoolToObject(doc, "enabled", on) != NULL;
    rc = ja__cli_print_built(out, err, a->command, doc, ok);
  } else if (!on) {
    fprintf(out, "anon_id removed (analytics is %s: no new id is made)\n",
            ja__config_mode_name(s->cfg.mode));
  } else {
    fprintf(out, "new anon_id: %s\n", id);
  }
  ja_store_close(s);
  return rc;
}

int
ja__cli_purge(const cli_args *a, FILE *out, FILE *err)
{
  ja_store *s = NULL;
  int rc = ja__cli_open_store(a, err, JA_OPEN_NO_CREATE, &s);
  if (rc)
    return rc;
  unsigned what = a->on[OPT_ALL]    ? (JA_PURGE_PENDING | JA_PURGE_SENT | JA_PURGE_DROPS)
                  : a->on[OPT_SENT] ? JA_PURGE_SENT
                            : JA_PURGE_PENDING;
  int64_t n = 0;
  ja_status st = ja_purge(s, what, &n);
  if (st != JA_OK) {
    rc = ja__cli_fail(err, a->command, st);
  } else if (a->on[OPT_JSON]) {
    cJSON *doc = cJSON_CreateObject();
    int ok = cJSON_AddNumberToObject(doc, "purged", (double)n) != NULL;
    ok &= cJSON_AddStringToObject(doc, "what", a->on[OPT_ALL]    ? "all"
                                               : a->on[OPT_SENT] ? "sent"
                                                                 : "pending") != NULL;
    rc = ja__cli_print_built(out, err, a->command, doc, ok);
  } else {
    fprintf(out, "purged %lld row%s\n", (long long)n, n == 1 ? "" : "s");
  }
  ja_store_close(s);
  return rc;
}

int
ja__cli_catalog(const cli_args *a, FILE *out, FILE *err)
{
  char *text = NULL;
  ja_status st = a->on[OPT_JSON] ? ja__catalog_json(&text) : ja__catalog_markdown(&text);
  if (st != JA_OK)
    return ja__cli_fail(err, a->command, st);
  fputs(text, out);
  if (a->on[OPT_JSON])
    fputc('\n', out);
  free(text);
  return JA_EXIT_OK;
}

/* One VALUE's verdict as a JSON object: {"value", "verdict", "reason",
 * "kind"}. NULL when out of memory. */
static cJSON *
redact_json(const char *value, ja__drop d, const char *kind)
{
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return NULL;
  int ok = cJSON_AddStringToObject(o, "value", value) != NULL &&
           cJSON_AddStringToObject(o, "verdict", d == JA__DROP_NONE ? "pass" : "drop") != NULL &&
           (d == JA__DROP_NONE ? cJSON_AddNullToObject(o, "reason")
                               : cJSON_AddStringToObject(o, "reason", ja__drop_name(d))) != NULL &&
           (kind ? cJSON_AddStringToObject(o, "kind", kind) : cJSON_AddNullToObject(o, "kind")) !=
               NULL;
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/*
 * `redact VALUE...`: each value through ja__redact_string, exactly as capture
 * filters every string property value, one verdict per value in order. A
 * pure function of argv: no config, no store, no file, whether analytics is
 * on or off. Text output never echoes a value (it may be PII); --json does,
 * since the caller passed it in.
 */
int
ja__cli_redact(const cli_args *a, FILE *out, FILE *err)
{
  /* capture only ever sees UTF-8 (malformed JSON text is refused before
   * redaction), so any other bytes have no verdict to check. All values are
   * checked before anything is printed. */
  for (int i = 0; i < a->npos; i++)
    if (!ja__utf8_valid(a->pos[i], strlen(a->pos[i]))) {
      ja__cli_errorf(err, a->command,
                     "VALUE %d is not valid UTF-8 (capture only ever receives UTF-8 strings)",
                     i + 1);
      return JA_EXIT_USAGE;
    }
  cJSON *doc = a->on[OPT_JSON] ? cJSON_CreateArray() : NULL;
  if (a->on[OPT_JSON] && !doc)
    goto oom;
  for (int i = 0; i < a->npos; i++) {
    const char *kind = NULL;
    ja__drop d = ja__redact_string(a->pos[i], strlen(a->pos[i]), &kind);
    if (d != JA__DROP_PII)
      kind = NULL; /* a kind names a PII pattern, nothing else */
    if (doc) {
      cJSON *o = redact_json(a->pos[i], d, kind);
      if (!o || !cJSON_AddItemToArray(doc, o)) {
        cJSON_Delete(o);
        goto oom;
      }
    } else if (d == JA__DROP_NONE) {
      fputs("pass\n", out);
    } else {
      /* "drop email"; a PII verdict without a kind reads "drop pii". */
      fprintf(out, "drop %s\n", kind ? kind : ja__drop_name(d));
    }
  }
  if (doc) {
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text)
      goto oom;
    fprintf(out, "%s\n", text);
    cJSON_free(text);
  }
  return JA_EXIT_OK;

oom:
  cJSON_Delete(doc);
  ja__cli_errorf(err, a->command, "out of memory");
  return JA_EXIT_OSERR;
}
