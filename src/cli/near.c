/*
 * cli/near.c — "did you mean …" for the names of the catalog: event names,
 * property names and enum values a command line got nearly right (the
 * distance itself is util/suggest.c, shared with commands, options and
 * config.toml keys). A typed name is repeated only beside its suggestion,
 * where it is a near miss of a catalog name and so says nothing personal.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "cli/cli.h"
#include "filter/catalog.h"
#include "util/suggest.h"

const char *
ja__cli_near_event(const char *name)
{
  ja__suggest sg;
  ja__suggest_start(&sg, name, strlen(name));
  for (const ja__event_spec *e = ja__catalog; e->name; e++)
    ja__suggest_offer(&sg, e->name);
  return sg.best;
}

const char *
ja__cli_near_value(const char *enum_name, const char *value, int *valid)
{
  *valid = 0;
  for (const ja__enum *const *e = ja__catalog_enums; *e; e++) {
    if (strcmp((*e)->name, enum_name) != 0)
      continue;
    ja__suggest sg;
    ja__suggest_start(&sg, value, strlen(value));
    for (const char *const *v = (*e)->values; *v; v++) {
      if (strcmp(*v, value) == 0) {
        *valid = 1;
        return NULL;
      }
      ja__suggest_offer(&sg, *v);
    }
    return sg.best;
  }
  return NULL;
}

/* Append "'NEAR' for 'TYPED'" to @p out (@p n bytes), comma-separated. */
static void
add_pair(char *out, size_t n, const char *near, const char *typed)
{
  size_t len = strlen(out);
  if (len < n)
    snprintf(out + len, n - len, "%s'%s' for '%s'", len ? ", " : "", near, typed);
}

void
ja__cli_capture_hint(const char *event, const char *props, char *out, size_t n)
{
  out[0] = '\0';
  const ja__event_spec *ev = ja__catalog_event(event);
  if (!ev) {
    const char *near = ja__cli_near_event(event);
    if (near)
      snprintf(out, n, "did you mean '%s'?", near);
    return;
  }
  cJSON *doc = props ? cJSON_Parse(props) : NULL;
  char pairs[256] = "";
  const cJSON *obj = cJSON_IsObject(doc) ? doc : NULL, *item;
  cJSON_ArrayForEach(item, obj)
  {
    const ja__prop_spec *p = ja__catalog_prop(ev, item->string);
    if (!p) {
      ja__suggest sg;
      ja__suggest_start(&sg, item->string, strlen(item->string));
      for (const ja__prop_spec *q = ev->props; q->name; q++)
        ja__suggest_offer(&sg, q->name);
      if (sg.best)
        add_pair(pairs, sizeof pairs, sg.best, item->string);
    } else if (p->kind == JA__V_ENUM && cJSON_IsString(item)) {
      int valid;
      const char *near = ja__cli_near_value(p->enumeration->name, item->valuestring, &valid);
      if (near)
        add_pair(pairs, sizeof pairs, near, item->valuestring);
    }
  }
  cJSON_Delete(doc);
  if (pairs[0])
    snprintf(out, n, "did you mean %s?", pairs);
}
