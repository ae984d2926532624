/*
 * cli_options.c — the command, option and exit-status tables of
 * `jarvis-analytics`, the argv parser that reads them, and the two
 * renderings of them: --help and the man page (jarvis-analytics.1, made at
 * build time by cli_man_main.c). Adding an option means adding one row
 * here; parsing, help and the manual follow.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const cli_cmd ja__cli_commands[] = {
    {"capture", "EVENT [--props JSON] [--strict] [--verbose]",
     "redact, validate and queue one event", 1, 1, ja__cli_capture},
    {"status", "[--json]", "show whether analytics is on (and why not), the queue and drops", 0,
     0, ja__cli_status},
    {"show", "[--pending | --sent] [--limit N] [--json]",
     "list queued (default) or sent events, newest first", 0, 0, ja__cli_show},
    {"reset-id", "", "replace the anonymous install id with a new one", 0, 0, ja__cli_reset_id},
    {"purge", "[--pending | --sent | --all]",
     "delete queued events (default), the sent log, or everything incl. drop counters", 0, 0,
     ja__cli_purge},
    {"catalog", "[--json | --markdown]", "print the event catalog", 0, 0, ja__cli_catalog},
    {"redact", "[--json] VALUE...",
     "run each VALUE through capture's string redaction: pass, or drop and why", 1,
     CLI_POS_UNBOUNDED, ja__cli_redact},
    {NULL, NULL, NULL, 0, 0, NULL},
};

/* One row per option: which commands take it, its argument, its help. */
typedef struct cli_opt {
  cli_opt_id id;
  const char *name;      /* long name without "--" */
  const char *arg;       /* metavar, or NULL for a flag */
  const char *commands;  /* space-separated command names; "*" = all */
  const char *help;
} cli_opt;

static const cli_opt options[] = {
    {OPT_ALL, "all", NULL, "purge", "purge queued events, the sent log and the drop counters"},
    {OPT_HELP, "help", NULL, "*", "show help for the command and exit"},
    {OPT_JSON, "json", NULL, "status show catalog redact", "machine-readable JSON output"},
    {OPT_LIMIT, "limit", "N", "show", "at most N events (default 20)"},
    {OPT_MARKDOWN, "markdown", NULL, "catalog", "the catalog as markdown tables (default)"},
    {OPT_PENDING, "pending", NULL, "show purge", "queued events not yet sent"},
    {OPT_PROPS, "props", "JSON", "capture", "properties as a JSON object (default {}); - reads stdin"},
    {OPT_SENT, "sent", NULL, "show purge", "the log of events sent (kept 30 days)"},
    {OPT_STRICT, "strict", NULL, "capture", "exit 65 when anything is dropped by policy"},
    {OPT_VERBOSE, "verbose", NULL, "capture", "say what was stored or dropped, and why"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

/* Exit statuses (sysexits.h values), for the manual's EXIT STATUS. */
static const struct {
  int code;
  const char *meaning;
} exit_codes[] = {
    {JA_EXIT_OK, "done: stored, dropped by policy (without --strict), analytics off, or nothing to do"},
    {JA_EXIT_USAGE, "usage: unknown command or option, missing or extra argument, "
                    "a redact VALUE that is not valid UTF-8"},
    {JA_EXIT_DATAERR, "malformed properties or event name; with --strict, anything dropped by policy"},
    {JA_EXIT_SOFTWARE, "internal error (a bug)"},
    {JA_EXIT_OSERR, "out of memory"},
    {JA_EXIT_CANTCREAT, "cannot create the home directory, queue or anon_id"},
    {JA_EXIT_IOERR, "I/O error, or the queue is not a usable SQLite database (left untouched)"},
    {JA_EXIT_TEMPFAIL, "the queue stayed locked past the busy timeout; the event was dropped and counted as busy"},
    {JA_EXIT_NOPERM, "refused: anon_id or the queue is a symlink or not a regular file"},
    {JA_EXIT_CONFIG, "configuration: no home can be found, or the queue comes from a newer version"},
};

const cli_cmd *
ja__cli_find(const char *name)
{
  for (const cli_cmd *c = ja__cli_commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

static int
applies(const cli_opt *o, const char *cmd)
{
  if (strcmp(o->commands, "*") == 0)
    return 1;
  size_t n = strlen(cmd);
  for (const char *p = o->commands; (p = strstr(p, cmd)) != NULL; p += n)
    if ((p == o->commands || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return 1;
  return 0;
}

void
ja__cli_errorf(FILE *err, const char *cmd, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* One line, always: newlines in a message would split it. */
  for (char *p = msg; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  if (cmd)
    fprintf(err, "jarvis-analytics: %s: %s\n", cmd, msg);
  else
    fprintf(err, "jarvis-analytics: %s\n", msg);
}

static int
usage_error(FILE *err, const char *cmd, const char *what, const char *arg)
{
  char hint[128];
  snprintf(hint, sizeof hint, "jarvis-analytics%s%s --help", cmd ? " " : "", cmd ? cmd : "");
  ja__cli_errorf(err, cmd, "%s '%s' (try '%s')", what, arg, hint);
  return JA_EXIT_USAGE;
}

static int
parse_limit(const char *s, int64_t *out)
{
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < 1 || v > 1000000)
    return -1;
  *out = v;
  return 0;
}

static int
set_option(cli_args *a, const cli_opt *o, const char *value, FILE *err)
{
  switch (o->id) {
  case OPT_HELP: a->help = 1; break;
  case OPT_PROPS: a->props = value; break;
  case OPT_STRICT: a->strict = 1; break;
  case OPT_VERBOSE: a->verbose = 1; break;
  case OPT_JSON: a->json = 1; break;
  case OPT_PENDING: a->pending = 1; break;
  case OPT_SENT: a->sent = 1; break;
  case OPT_ALL: a->all = 1; break;
  case OPT_MARKDOWN: a->markdown = 1; break;
  case OPT_LIMIT:
    if (parse_limit(value, &a->limit) != 0)
      return usage_error(err, a->command, "--limit needs a whole number from 1 to 1000000, not",
                         value);
    break;
  }
  return 0;
}

int
ja__cli_parse(int argc, char **argv, cli_args *a, FILE *err)
{
  memset(a, 0, sizeof *a);
  a->limit = 20;
  /* Room for every argument: there can never be more positionals. */
  a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
  if (!a->pos) {
    ja__cli_errorf(err, NULL, "out of memory parsing the command line");
    return JA_EXIT_OSERR;
  }
  int i = 1;
  /* Top level: only --help / --version before the command. */
  if (i < argc && argv[i][0] == '-') {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      a->help = 1;
      return 0;
    }
    if (strcmp(argv[i], "--version") == 0) {
      a->command = "--version";
      return 0;
    }
    return usage_error(err, NULL, "unknown option", argv[i]);
  }
  if (i >= argc) {
    ja__cli_errorf(err, NULL, "missing command (try 'jarvis-analytics --help')");
    return JA_EXIT_USAGE;
  }
  const cli_cmd *cmd = ja__cli_find(argv[i]);
  if (!cmd)
    return usage_error(err, NULL, "unknown command", argv[i]);
  a->command = cmd->name;
  int only_positional = 0;
  for (i++; i < argc; i++) {
    const char *arg = argv[i];
    if (only_positional || arg[0] != '-' || arg[1] == '\0') {
      if (a->npos >= cmd->max_pos)
        return usage_error(err, cmd->name, "unexpected argument", arg);
      a->pos[a->npos++] = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_positional = 1;
      continue;
    }
    if (strcmp(arg, "-h") == 0) {
      a->help = 1;
      continue;
    }
    if (arg[1] != '-')
      return usage_error(err, cmd->name, "unknown option", arg);
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *o = NULL;
    for (size_t k = 0; k < NOPTIONS; k++)
      if (strlen(options[k].name) == nlen && strncmp(options[k].name, name, nlen) == 0 &&
          applies(&options[k], cmd->name))
        o = &options[k];
    if (!o)
      return usage_error(err, cmd->name, "unknown option", arg);
    const char *value = NULL;
    if (o->arg) {
      if (eq) {
        value = eq + 1;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        ja__cli_errorf(err, cmd->name, "option '--%s' needs an argument %s (try 'jarvis-analytics %s --help')",
                       o->name, o->arg, cmd->name);
        return JA_EXIT_USAGE;
      }
    } else if (eq) {
      return usage_error(err, cmd->name, "option takes no value:", arg);
    }
    int rc = set_option(a, o, value, err);
    if (rc)
      return rc;
  }
  if (a->help)
    return 0;
  if (a->npos < cmd->min_pos) {
    ja__cli_errorf(err, cmd->name, "missing argument: %s (try 'jarvis-analytics %s --help')",
                   cmd->synopsis, cmd->name);
    return JA_EXIT_USAGE;
  }
  if (a->pending + a->sent + a->all > 1)
    return usage_error(err, cmd->name, "choose one of --pending, --sent, --all; got", "several");
  if (a->json && a->markdown)
    return usage_error(err, cmd->name, "choose one of --json, --markdown; got", "both");
  return 0;
}

void
ja__cli_args_free(cli_args *a)
{
  free(a->pos);
  a->pos = NULL;
  a->npos = 0;
}

void
ja__cli_help(const cli_cmd *cmd, FILE *out)
{
  if (!cmd) {
    fprintf(out, "usage: jarvis-analytics COMMAND [OPTIONS]\n\n"
                 "The local, privacy-first analytics queue of OpenJarvis.\n\ncommands:\n");
    for (const cli_cmd *c = ja__cli_commands; c->name; c++)
      fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "\nRun 'jarvis-analytics COMMAND --help' for the options of one command.\n"
                 "Environment: OPENJARVIS_HOME (default ~/.openjarvis), DO_NOT_TRACK=1 (off),\n"
                 "OPENJARVIS_LOG_LEVEL=DEBUG (one 'Analytics: ...' line per event on stderr).\n");
    return;
  }
  fprintf(out, "usage: jarvis-analytics %s%s%s\n\n%s\n", cmd->name, cmd->synopsis[0] ? " " : "",
          cmd->synopsis, cmd->summary);
  fprintf(out, "\noptions:\n");
  for (size_t k = 0; k < NOPTIONS; k++) {
    if (!applies(&options[k], cmd->name))
      continue;
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", options[k].name, options[k].arg ? " " : "",
             options[k].arg ? options[k].arg : "");
    fprintf(out, "  %-14s %s\n", left, options[k].help);
  }
}

/* Text for roff: a leading dot or quote would start a request, and a
 * backslash an escape; hyphens in option names must stay ASCII "\-". */
static void
roff(FILE *out, const char *s)
{
  if (*s == '.' || *s == '\'')
    fputs("\\&", out);
  for (; *s; s++) {
    if (*s == '\\')
      fputs("\\e", out);
    else if (*s == '-')
      fputs("\\-", out);
    else
      fputc(*s, out);
  }
}

void
ja__cli_man(FILE *out)
{
  fprintf(out, ".\\\" Generated from src/cli_options.c by jarvis-analytics-mangen. DO NOT EDIT.\n"
               ".TH JARVIS\\-ANALYTICS 1 \"\" \"jarvis-analytics %s\" \"User Commands\"\n"
               ".SH NAME\njarvis\\-analytics \\- the local, privacy\\-first analytics queue of "
               "OpenJarvis\n.SH SYNOPSIS\n", ja_version());
  for (const cli_cmd *c = ja__cli_commands; c->name; c++) {
    fputs(".B jarvis\\-analytics ", out);
    roff(out, c->name);
    fputs("\n", out);
    if (c->synopsis[0]) {
      roff(out, c->synopsis);
      fputs("\n", out);
    }
    fputs(".br\n", out);
  }
  fputs(".SH DESCRIPTION\nRedacts (PII dropped), validates against a fixed catalog and "
        "durably queues usage events in a local SQLite database (mode 0600) that you can read with "
        "\\fBsqlite3\\fP(1). Nothing personal is stored; every drop is counted by reason, "
        "never with its value.\n.SH COMMANDS\n", out);
  for (const cli_cmd *c = ja__cli_commands; c->name; c++) {
    fputs(".SS ", out);
    roff(out, c->name);
    fputs("\n", out);
    roff(out, c->summary);
    fputs(".\n", out);
    for (size_t k = 0; k < NOPTIONS; k++) {
      if (!applies(&options[k], c->name))
        continue;
      fputs(".TP\n.B \\-\\-", out);
      roff(out, options[k].name);
      if (options[k].arg) {
        fputs(" \\fI", out);
        roff(out, options[k].arg);
        fputs("\\fP", out);
      }
      fputs("\n", out);
      roff(out, options[k].help);
      fputs("\n", out);
    }
  }
  fputs(".SH ENVIRONMENT\n"
        ".TP\n.B OPENJARVIS_HOME\nThe store directory (default \\fI~/.openjarvis\\fP).\n"
        ".TP\n.B DO_NOT_TRACK\n1, true or yes (any case) turns analytics off: nothing is written.\n"
        ".TP\n.B OPENJARVIS_LOG_LEVEL\nDEBUG prints one \\(aqAnalytics: ...\\(aq line per event on "
        "standard error.\n"
        ".TP\n.B OPENJARVIS_ANALYTICS_HOST\\fR, \\fPOPENJARVIS_ANALYTICS_KEY\nOverride the "
        "upload host and project key of config.toml.\n"
        ".SH FILES\n"
        ".TP\n.I $OPENJARVIS_HOME/analytics_queue.db\nThe queue (views \\fBpending\\fP, "
        "\\fBdrops\\fP, \\fBsent\\fP), mode 0600.\n"
        ".TP\n.I $OPENJARVIS_HOME/anon_id\nThe anonymous install id, mode 0600.\n"
        ".TP\n.I $OPENJARVIS_HOME/config.toml\nIts [analytics] table: enabled, host, key, "
        "anon_id_path, flush_interval_seconds, flush_at_size.\n"
        ".SH EXIT STATUS\n", out);
  for (size_t i = 0; i < sizeof exit_codes / sizeof exit_codes[0]; i++) {
    fprintf(out, ".TP\n.B %d\n", exit_codes[i].code);
    roff(out, exit_codes[i].meaning);
    fputs("\n", out);
  }
  fputs(".SH SEE ALSO\n\\fBsqlite3\\fP(1)\n", out);
}
