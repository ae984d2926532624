/*
 * cli/program.c — everything a program table (cli.h: cli_program) drives:
 * the argv parser, --help, and the man page (rendered at build time by
 * mangen.c). Nothing here knows a particular program.
 *
 * Sections: lookup · errors · parsing · --help · man page
 */
#include "boot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/suggest.h"

/* --------------------------------------------------------------- lookup */

/* A program without commands has one, named "". */
static int
has_commands(const cli_program *prog)
{
  return prog->commands[0].name[0] != '\0';
}

const cli_cmd *
ja__cli_find(const cli_program *prog, const char *name)
{
  for (const cli_cmd *c = prog->commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

size_t
ja__cli_group_len(const char *name)
{
  const char *sp = strchr(name, ' ');
  return sp ? (size_t)(sp - name) : 0;
}

int
ja__cli_group_first(const cli_program *prog, const cli_cmd *c)
{
  size_t g = ja__cli_group_len(c->name);
  return g && (c == prog->commands || strncmp(c[-1].name, c->name, g + 1) != 0);
}

/* 1 if some command is a sub-command of group @p word ("session"). */
static int
is_group(const cli_program *prog, const char *word)
{
  size_t n = strlen(word);
  for (const cli_cmd *c = prog->commands; c->name; c++)
    if (n && ja__cli_group_len(c->name) == n && strncmp(c->name, word, n) == 0)
      return 1;
  return 0;
}

/* 1 if @p word (@p n bytes) is one of the space-separated words of @p list. */
static int
list_has(const char *list, const char *word, size_t n)
{
  if (n == 0)
    return 0;
  for (const char *p = list; (p = strstr(p, word)) != NULL; p++)
    if ((p == list || p[-1] == ' ') && strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
      return 1;
  return 0;
}

int
ja__cli_applies(const cli_opt *o, const char *cmd)
{
  if (!cmd) /* the program itself, before a command */
    return list_has(o->commands, "-", 1);
  if (list_has(o->commands, "*", 1))
    return 1;
  if (!*cmd) /* the one command of a program without commands */
    return list_has(o->commands, "-", 1);
  size_t g = ja__cli_group_len(cmd);
  if (g == 0)
    return list_has(o->commands, cmd, strlen(cmd));
  /* A sub-command is written "session/inference" in an option's list;
   * the group word alone ("session") means all of its sub-commands. */
  char key[64];
  snprintf(key, sizeof key, "%s", cmd);
  key[g] = '/';
  char group[64];
  snprintf(group, sizeof group, "%.*s", (int)g, cmd);
  return list_has(o->commands, key, strlen(key)) || list_has(o->commands, group, g);
}

/* --------------------------------------------------------------- errors */

/* The running program's name, for the "<program>: " prefix of every
 * error line (set by ja__cli_run; one program per process). */
static const char *g_program = "jarvis-analytics";

void
ja__cli_set_program(const cli_program *prog)
{
  g_program = prog->name;
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
  /* A library message may name the command itself ("session inference:
   * latency must be …"): said once. */
  size_t clen = cmd ? strlen(cmd) : 0;
  const char *body = msg;
  if (clen && strncmp(msg, cmd, clen) == 0 && msg[clen] == ':' && msg[clen + 1] == ' ')
    body = msg + clen + 2;
  if (cmd && *cmd)
    fprintf(err, "%s: %s: %s\n", g_program, cmd, body);
  else
    fprintf(err, "%s: %s\n", g_program, msg);
}

/* "try 'PROGRAM [COMMAND] --help'" for @p a. */
static void
help_hint(const cli_args *a, char *out, size_t n)
{
  const char *cmd = a->command && *a->command ? a->command : NULL;
  snprintf(out, n, "%s%s%s --help", a->prog->name, cmd ? " " : "", cmd ? cmd : "");
}

int
ja__cli_usage(FILE *err, const cli_args *a, const char *what, const char *arg)
{
  return ja__cli_usage_near(err, a, what, arg, NULL);
}

int
ja__cli_usage_near(FILE *err, const cli_args *a, const char *what, const char *arg,
                   const char *near)
{
  char hint[160];
  help_hint(a, hint, sizeof hint);
  if (near)
    ja__cli_errorf(err, a->command, "%s '%s'; did you mean '%s'? (try '%s')", what, arg, near,
                   hint);
  else
    ja__cli_errorf(err, a->command, "%s '%s' (try '%s')", what, arg, hint);
  return JA_EXIT_USAGE;
}

int
ja__cli_usagef(FILE *err, const cli_args *a, const char *fmt, ...)
{
  char msg[512], hint[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  help_hint(a, hint, sizeof hint);
  ja__cli_errorf(err, a->command, "%s (try '%s')", msg, hint);
  return JA_EXIT_USAGE;
}

/* The name of positional argument @p i in @p synopsis: its i-th word that
 * is neither an option, inside brackets, nor an option's argument
 * ("EVENT" of "EVENT [--props JSON]", "VALUE..." of "[--json] VALUE...").
 * "an argument" when there is none. */
static const char *
positional_name(const char *synopsis, int i, char *out, size_t n)
{
  int depth = 0, after_option = 0;
  for (const char *p = synopsis; *p;) {
    size_t len = strcspn(p, " ");
    int word = depth == 0 && !after_option && p[0] != '[' && p[0] != '-' && p[0] != '|';
    after_option = depth == 0 && p[0] == '-';
    for (size_t k = 0; k < len; k++)
      depth += p[k] == '[' ? 1 : p[k] == ']' ? -1 : 0;
    if (word && i-- == 0) {
      snprintf(out, n, "%.*s", (int)len, p);
      return out;
    }
    p += len + (p[len] == ' ');
  }
  return "an argument";
}

/* The command (or group: "session") nearest to a misspelt @p word; or
 * the program's own option when @p word is its name ("help", "version":
 * '--version', not the command 'session' that happens to be near). */
static const char *
near_command(const cli_program *prog, const char *word, char *out, size_t n)
{
  for (size_t k = 0; k < prog->noptions; k++)
    if (ja__cli_applies(&prog->options[k], NULL) && strcmp(word, prog->options[k].name) == 0) {
      snprintf(out, n, "--%s", word);
      return out;
    }
  ja__suggest sg;
  ja__suggest_start(&sg, word, strlen(word));
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    size_t g = ja__cli_group_len(c->name);
    ja__suggest_offer_n(&sg, c->name, g ? g : strlen(c->name));
  }
  if (!sg.best)
    return NULL;
  snprintf(out, n, "%.*s", (int)sg.best_len, sg.best);
  return out;
}

/* The sub-command of @p group nearest to a misspelt @p word ("inferense"). */
static const char *
near_subcommand(const cli_program *prog, const char *group, const char *word)
{
  ja__suggest sg;
  ja__suggest_start(&sg, word, strlen(word));
  size_t g = strlen(group);
  for (const cli_cmd *c = prog->commands; c->name; c++)
    if (ja__cli_group_len(c->name) == g && strncmp(c->name, group, g) == 0)
      ja__suggest_offer(&sg, c->name + g + 1);
  return sg.best;
}

/* "--name" of the option of the current command (or of the program
 * itself, before a command) nearest to a misspelt @p arg ("--jsn",
 * "--limt=3"); NULL when none is near. */
static const char *
near_option(const cli_args *a, const char *arg, char *out, size_t n)
{
  const char *name = arg[0] == '-' ? arg + 1 + (arg[1] == '-') : arg;
  size_t len = strcspn(name, "=");
  ja__suggest sg;
  ja__suggest_start(&sg, name, len);
  for (size_t k = 0; k < a->prog->noptions; k++)
    if (ja__cli_applies(&a->prog->options[k], a->command))
      ja__suggest_offer(&sg, a->prog->options[k].name);
  if (!sg.best)
    return NULL;
  snprintf(out, n, "--%s", sg.best);
  return out;
}

/* -------------------------------------------------------------- parsing */

static int
parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

static int
set_option(cli_args *a, const cli_opt *o, const char *value, FILE *err)
{
  if (o->id == OPT_HELP) {
    a->help = 1;
    return 0;
  }
  if (o->id == OPT_VERSION) {
    a->version = 1;
    return 0;
  }
  a->on[o->id] = 1;
  a->val[o->id] = value;
  if (o->arg && o->min < o->max && parse_int(value, o->min, o->max, &a->num[o->id]) != 0) {
    char what[160];
    snprintf(what, sizeof what, "--%s needs a whole number from %lld to %lld, not", o->name,
             (long long)o->min, (long long)o->max);
    return ja__cli_usage(err, a, what, value);
  }
  return 0;
}

/* The option named by "--name[=value]" for the current command. */
static const cli_opt *
find_option(const cli_args *a, const char *name, size_t nlen)
{
  for (size_t k = 0; k < a->prog->noptions; k++) {
    const cli_opt *o = &a->prog->options[k];
    if (strlen(o->name) == nlen && strncmp(o->name, name, nlen) == 0 &&
        ja__cli_applies(o, a->command))
      return o;
  }
  return NULL;
}

int
ja__cli_parse(const cli_program *prog, int argc, char **argv, cli_args *a, FILE *err)
{
  memset(a, 0, sizeof *a);
  a->prog = prog;
  for (size_t k = 0; k < prog->noptions; k++)
    a->num[prog->options[k].id] = prog->options[k].def;
  /* Room for every argument: there can never be more positionals. */
  a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
  if (!a->pos) {
    ja__cli_errorf(err, NULL, "out of memory parsing the command line");
    return JA_EXIT_OSERR;
  }
  int i = 1;
  const cli_cmd *cmd = &prog->commands[0];
  if (has_commands(prog)) {
    /* Before the command: only the program's own options (--help,
     * --version), and each of them is all there is to do. */
    if (i < argc && argv[i][0] == '-') {
      const char *arg = argv[i];
      const cli_opt *o = strcmp(arg, "-h") == 0 ? find_option(a, "help", 4)
                         : arg[1] == '-'        ? find_option(a, arg + 2, strlen(arg + 2))
                                                : NULL;
      if (o && !o->arg)
        return set_option(a, o, NULL, err);
      char near[80];
      return ja__cli_usage_near(err, a, "unknown option", arg,
                                near_option(a, arg, near, sizeof near));
    }
    if (i >= argc) {
      ja__cli_errorf(err, NULL, "missing command (try '%s --help')", prog->name);
      return JA_EXIT_USAGE;
    }
    if (!(cmd = ja__cli_find(prog, argv[i])) && is_group(prog, argv[i])) {
      /* A sub-command: "session inference …" (the second word names it). */
      a->command = argv[i];
      if (i + 1 < argc && argv[i + 1][0] != '-') {
        char name[128];
        snprintf(name, sizeof name, "%s %s", argv[i], argv[i + 1]);
        if (!(cmd = ja__cli_find(prog, name)))
          return ja__cli_usage_near(err, a, "unknown sub-command", argv[i + 1],
                                    near_subcommand(prog, argv[i], argv[i + 1]));
        i++;
      } else if (i + 1 < argc &&
                 (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0)) {
        a->help = 1; /* the group's help: every sub-command */
        return 0;
      } else {
        ja__cli_errorf(err, argv[i], "missing sub-command (try '%s %s --help')", prog->name,
                       argv[i]);
        return JA_EXIT_USAGE;
      }
    }
    char near[80];
    if (!cmd)
      return ja__cli_usage_near(err, a, "unknown command", argv[i],
                                near_command(prog, argv[i], near, sizeof near));
    i++;
  }
  a->command = cmd->name;
  int only_positional = 0;
  for (; i < argc; i++) {
    const char *arg = argv[i];
    if (only_positional || arg[0] != '-' || arg[1] == '\0') {
      if (a->npos >= cmd->max_pos)
        return ja__cli_usage(err, a, "unexpected argument", arg);
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
    char near[80];
    if (arg[1] != '-')
      return ja__cli_usage_near(err, a, "unknown option", arg, near_option(a, arg, near, sizeof near));
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    const cli_opt *o = find_option(a, name, eq ? (size_t)(eq - name) : strlen(name));
    if (!o)
      return ja__cli_usage_near(err, a, "unknown option", arg, near_option(a, arg, near, sizeof near));
    const char *value = NULL;
    if (o->arg) {
      if (eq) {
        value = eq + 1;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        char hint[160];
        help_hint(a, hint, sizeof hint);
        ja__cli_errorf(err, a->command, "option '--%s' needs an argument %s (try '%s')", o->name,
                       o->arg, hint);
        return JA_EXIT_USAGE;
      }
    } else if (eq) {
      return ja__cli_usage(err, a, "option takes no value:", arg);
    }
    int rc = set_option(a, o, value, err);
    if (rc)
      return rc;
  }
  if (a->help)
    return 0;
  if (a->npos < cmd->min_pos) {
    char name[64];
    return ja__cli_usagef(err, a, "missing argument %s",
                          positional_name(cmd->synopsis, a->npos, name, sizeof name));
  }
  return prog->check ? prog->check(a, err) : 0;
}

void
ja__cli_args_free(cli_args *a)
{
  free(a->pos);
  a->pos = NULL;
  a->npos = 0;
}

/* --------------------------------------------------------------- --help */

/* "--name ARG" of @p o: what the left column of --help shows. */
static int
option_left(const cli_opt *o, char *out, size_t n)
{
  return snprintf(out, n, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* The options of @p cmd (NULL: of the program itself), their help in one
 * column: 14 wide, or wider when an option with its argument is longer
 * (the uploader's --deadline SECONDS), so that no help runs into one. */
static void
help_options(const cli_program *prog, const cli_cmd *cmd, FILE *out)
{
  char left[64];
  int width = 14;
  for (size_t k = 0; k < prog->noptions; k++)
    if (ja__cli_applies(&prog->options[k], cmd ? cmd->name : NULL)) {
      int n = option_left(&prog->options[k], left, sizeof left);
      width = n > width ? n : width;
    }
  fprintf(out, "\noptions:\n");
  for (size_t k = 0; k < prog->noptions; k++) {
    const cli_opt *o = &prog->options[k];
    if (!ja__cli_applies(o, cmd ? cmd->name : NULL))
      continue;
    option_left(o, left, sizeof left);
    fprintf(out, "  %-*s %s\n", width, left, o->help);
  }
}

void
ja__cli_help_group(const cli_program *prog, const char *group, FILE *out)
{
  size_t g = strlen(group);
  int first = 1;
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    if (ja__cli_group_len(c->name) != g || strncmp(c->name, group, g) != 0)
      continue;
    if (!first)
      fputs("\n", out);
    first = 0;
    ja__cli_help(prog, c, out);
  }
}

void
ja__cli_help(const cli_program *prog, const cli_cmd *cmd, FILE *out)
{
  if (!has_commands(prog))
    cmd = &prog->commands[0];
  if (!cmd) {
    fprintf(out, "usage: %s COMMAND [OPTIONS]\n\n", prog->name);
    /* The tagline as a sentence: capitalised, with a full stop. */
    fprintf(out, "%c%s.\n\ncommands:\n", prog->tagline[0] - ('a' <= prog->tagline[0] &&
                                                          prog->tagline[0] <= 'z' ? 32 : 0),
            prog->tagline + 1);
    for (const cli_cmd *c = prog->commands; c->name; c++) {
      size_t g = ja__cli_group_len(c->name);
      if (g == 0) {
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
        continue;
      }
      if (!ja__cli_group_first(prog, c))
        continue; /* a group is listed once, at its first sub-command */
      fprintf(out, "  %-9.*s ", (int)g, c->name);
      const char *sep = "";
      for (const cli_cmd *d = c; d->name && strncmp(d->name, c->name, g + 1) == 0; d++, sep = " | ")
        fprintf(out, "%s%s", sep, d->name + g + 1);
      fprintf(out, " (see '%s %.*s --help')\n", prog->name, (int)g, c->name);
    }
    help_options(prog, NULL, out);
    fprintf(out, "\nRun '%s COMMAND --help' for the options of one command.\n%s", prog->name,
            prog->help_footer ? prog->help_footer : "");
    return;
  }
  const char *sp1 = cmd->name[0] ? " " : "";
  fprintf(out, "usage: %s%s%s%s%s\n\n%s\n", prog->name, sp1, cmd->name,
          cmd->synopsis[0] ? " " : "", cmd->synopsis, cmd->summary);
  help_options(prog, cmd, out);
  if (!has_commands(prog) && prog->help_footer)
    fprintf(out, "\n%s", prog->help_footer);
}

/* ------------------------------------------------------------- man page */

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

/* The options of @p c (NULL: of the program itself). */
static void
man_options(const cli_program *prog, const cli_cmd *c, FILE *out)
{
  for (size_t k = 0; k < prog->noptions; k++) {
    const cli_opt *o = &prog->options[k];
    if (!ja__cli_applies(o, c ? c->name : NULL))
      continue;
    fputs(".TP\n.B \\-\\-", out);
    roff(out, o->name);
    if (o->arg) {
      fputs(" \\fI", out);
      roff(out, o->arg);
      fputs("\\fP", out);
    }
    fputs("\n", out);
    roff(out, o->help);
    fputs("\n", out);
  }
}

void
ja__cli_man(const cli_program *prog, FILE *out)
{
  fprintf(out, ".\\\" Generated from src/cli/ by jarvis-analytics-mangen. DO NOT EDIT.\n.TH ");
  for (const char *p = prog->name; *p; p++) {
    if (*p == '-')
      fputc('\\', out);
    fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
  }
  fprintf(out, " 1 \"\" \"jarvis-analytics %s\" \"User Commands\"\n.SH NAME\n", ja_version());
  roff(out, prog->name);
  fputs(" \\- ", out);
  roff(out, prog->tagline);
  fputs("\n.SH SYNOPSIS\n", out);
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    fputs(".B ", out);
    roff(out, prog->name);
    if (c->name[0]) {
      fputs(" ", out);
      roff(out, c->name);
    }
    fputs("\n", out);
    if (c->synopsis[0]) {
      roff(out, c->synopsis);
      fputs("\n", out);
    }
    fputs(".br\n", out);
  }
  if (has_commands(prog)) {
    /* The program's own options: jarvis-analytics --version. */
    for (size_t k = 0; k < prog->noptions; k++) {
      const cli_opt *o = &prog->options[k];
      if (o->id != OPT_HELP && ja__cli_applies(o, NULL)) {
        fputs(".B ", out);
        roff(out, prog->name);
        fputs("\n\\-\\-", out);
        roff(out, o->name);
        fputs("\n.br\n", out);
      }
    }
  }
  fputs(".SH DESCRIPTION\n", out);
  roff(out, prog->description);
  fputs("\n", out);
  if (has_commands(prog)) {
    fputs(".SH OPTIONS\n", out);
    man_options(prog, NULL, out);
    fputs(".SH COMMANDS\n", out);
    for (const cli_cmd *c = prog->commands; c->name; c++) {
      fputs(".SS ", out);
      roff(out, c->name);
      fputs("\n", out);
      roff(out, c->summary);
      fputs(".\n", out);
      man_options(prog, c, out);
    }
  } else {
    fputs(".SH OPTIONS\n", out);
    man_options(prog, &prog->commands[0], out);
  }
  if (prog->man_tail)
    fputs(prog->man_tail, out);
  fputs(".SH EXIT STATUS\n", out);
  for (size_t i = 0; i < prog->nexits; i++) {
    fprintf(out, ".TP\n.B %d\n", prog->exits[i].code);
    roff(out, prog->exits[i].meaning);
    fputs("\n", out);
  }
  /* SEE ALSO: the related pages in alphabetical order, sqlite3(1) last. */
  fputs(".SH SEE ALSO\n", out);
  for (const char *p = prog->see_also; p && *p;) {
    size_t n = strcspn(p, " ");
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)n, p);
    fputs(".BR ", out);
    roff(out, name);
    fputs(" (1),\n", out);
    p += n + (p[n] == ' ');
  }
  fputs(".BR sqlite3 (1)\n", out);
}
