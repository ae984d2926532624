/*
 * cli/mode.c — `jarvis-analytics on | off | local`: write the user's choice
 * into config.toml (home/config_edit.c), then say what analytics is now —
 * which may differ from the choice: DO_NOT_TRACK still turns it off, and a
 * mistake elsewhere in the settings still pauses it. Also the one line
 * that says the mode, shared with `status`.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "cli/cli.h"
#include "home/config.h"

void
ja__cli_print_mode(FILE *out, const char *mode, const char *reason)
{
  if (strcmp(mode, "on") == 0)
    fprintf(out, "analytics: on\n");
  else if (strcmp(mode, "local") == 0)
    fprintf(out, "analytics: local (captured and rolled up here, never uploaded)\n");
  else if (strcmp(mode, "paused") == 0) /* a mistake: nothing leaves, nothing is deleted */
    fprintf(out, "analytics: paused: %s\n", reason);
  else
    fprintf(out, "analytics: off: %s\n", reason); /* as paused: one sentence, whatever the reason holds */
}

static int
print_json(FILE *out, FILE *err, const char *cmd, const ja__config *cfg, int changed)
{
  cJSON *r = cJSON_CreateObject();
  int ok = r && cJSON_AddStringToObject(r, "mode", ja__config_mode_name(cfg->mode)) &&
           cJSON_AddStringToObject(r, "reason", cfg->off_reason) &&
           cJSON_AddStringToObject(r, "config", cfg->config_path) &&
           cJSON_AddBoolToObject(r, "changed", changed);
  return ja__cli_print_built(out, err, cmd, r, ok);
}

int
ja__cli_mode(const cli_args *a, FILE *out, FILE *err)
{
  ja__mode choice = strcmp(a->command, "off") == 0     ? JA__MODE_OFF
                    : strcmp(a->command, "local") == 0 ? JA__MODE_LOCAL
                                                       : JA__MODE_ON;
  ja__config cfg;
  int changed = 0;
  char what[64] = "";
  ja_status st = ja__config_load(&cfg, NULL);
  if (st == JA_OK)
    st = ja__config_write_mode(&cfg, choice, &changed, what);
  /* What it is now: the file as written, the environment as it is. */
  if (st == JA_OK)
    st = ja__config_load(&cfg, NULL);
  if (st != JA_OK)
    return ja__cli_fail(err, a->command, st);
  if (a->on[OPT_JSON])
    return print_json(out, err, a->command, &cfg, changed);
  if (changed)
    fprintf(out, "wrote [analytics] %s to %s\n", what, cfg.config_path);
  else
    fprintf(out, "%s already says [analytics] %s\n", cfg.config_path, what);
  ja__cli_print_mode(out, ja__config_mode_name(cfg.mode), cfg.off_reason);
  return JA_EXIT_OK;
}
