/*
 * cli/complete.c — bash, zsh and fish completions rendered from a program's
 * table (commands, options, which option values come from the catalog) and
 * the event catalog, at build time by jarvis-analytics-mangen, so that a
 * completion cannot drift from --help any more than the man page can.
 *
 * Sections: words · bash · zsh · fish · entry point
 */
#include "boot.h"

#include <string.h>

#include "cli/cli.h"
#include "filter/catalog.h"

/* ---------------------------------------------------------------- words */

/* "jarvis-analytics" → "_jarvis_analytics": a shell function name. */
static void
func_name(const cli_program *prog, char *out, size_t n)
{
  snprintf(out, n, "_%s", prog->name);
  for (char *p = out; *p; p++)
    if (*p == '-')
      *p = '_';
}

/* The words of a value source: "@events" (the catalog's event names) or
 * the name of a catalog enum ("ENGINE"), space-separated. */
static void
source_words(const char *source, FILE *out)
{
  const char *sep = "";
  if (strcmp(source, "@events") == 0) {
    for (const ja__event_spec *e = ja__catalog; e->name; e++, sep = " ")
      fprintf(out, "%s%s", sep, e->name);
    return;
  }
  for (const ja__enum *const *e = ja__catalog_enums; *e; e++)
    if (strcmp((*e)->name, source) == 0)
      for (const char *const *v = (*e)->values; *v; v++, sep = " ")
        fprintf(out, "%s%s", sep, *v);
}

/* The value source of option @p opt (NULL: the positional arguments) of
 * command @p cmd, or NULL. */
static const char *
source_of(const cli_program *prog, const char *cmd, const char *opt)
{
  for (size_t i = 0; i < prog->nvalues; i++) {
    const cli_values *v = &prog->values[i];
    if (strcmp(v->command, cmd) == 0 &&
        (opt ? v->option && strcmp(v->option, opt) == 0 : v->option == NULL))
      return v->source;
  }
  return NULL;
}

/* Text for a single-quoted shell word: ' becomes '\'' (bash, zsh) or \'
 * (fish); for zsh's _arguments and _describe, [ ] : are escaped too. */
enum quote { Q_SH, Q_ZSH_SPEC, Q_FISH };
static void
quoted(FILE *out, const char *s, enum quote q)
{
  for (; *s; s++) {
    if (*s == '\'')
      fputs(q == Q_FISH ? "\\'" : "'\\''", out);
    else if (q == Q_ZSH_SPEC && (*s == '[' || *s == ']' || *s == ':' || *s == '\\'))
      fprintf(out, "\\%c", *s);
    else if (q == Q_FISH && *s == '\\')
      fputs("\\\\", out);
    else
      fputc(*s, out);
  }
}

/* ----------------------------------------------------------------- bash */

/* One case arm per command: the words @p what prints for it. */
enum bash_list { B_OPTIONS, B_TAKES_ARG };
static void
bash_case(const cli_program *prog, enum bash_list what, FILE *out)
{
  fputs("  case \"$1\" in\n", out);
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    fprintf(out, "    \"%s\") echo \"", c->name);
    const char *sep = "";
    for (size_t k = 0; k < prog->noptions; k++) {
      const cli_opt *o = &prog->options[k];
      if (ja__cli_applies(o, c->name) && (what == B_OPTIONS || o->arg)) {
        fprintf(out, "%s--%s", sep, o->name);
        sep = " ";
      }
    }
    fputs("\" ;;\n", out);
  }
  if (prog->commands[0].name[0]) { /* the program itself, before a command */
    fputs("    \"\") echo \"", out);
    const char *sep = "";
    for (size_t k = 0; k < prog->noptions; k++)
      if (ja__cli_applies(&prog->options[k], NULL) && (what == B_OPTIONS || prog->options[k].arg)) {
        fprintf(out, "%s--%s", sep, prog->options[k].name);
        sep = " ";
      }
    fputs("\" ;;\n", out);
  }
  fputs("  esac\n}\n", out);
}

static void
bash(const cli_program *prog, FILE *out)
{
  char fn[64];
  func_name(prog, fn, sizeof fn);
  int cmds = prog->commands[0].name[0] != '\0';
  fprintf(out,
          "# bash completion for %s. Generated from its option table and the event\n"
          "# catalog by jarvis-analytics-mangen --bash. DO NOT EDIT.\n\n"
          "# The options of command $1 (\"\": before a command).\n%s_options() {\n",
          prog->name, fn);
  bash_case(prog, B_OPTIONS, out);
  fprintf(out, "\n# Those of them whose value is the next word.\n%s_takes_arg() {\n", fn);
  bash_case(prog, B_TAKES_ARG, out);
  fprintf(out, "\n# The values of option $2 of command $1 (\"\": its first positional).\n"
               "%s_values() {\n  case \"$1|$2\" in\n", fn);
  for (size_t i = 0; i < prog->nvalues; i++) {
    const cli_values *v = &prog->values[i];
    fprintf(out, "    \"%s|%s%s\") echo \"", v->command, v->option ? "--" : "",
            v->option ? v->option : "");
    source_words(v->source, out);
    fputs("\" ;;\n", out);
  }
  fputs("  esac\n}\n\n", out);
  fprintf(out,
          "%s() {\n"
          "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" cmd=\"%s\" w i want_arg=\"\" npos=0\n"
          "  [ \"$COMP_CWORD\" -gt 0 ] && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
          "  local started=%d\n"
          "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "    w=\"${COMP_WORDS[i]}\"\n"
          "    # \"--opt=value\" may arrive as three words when = breaks words.\n"
          "    [ \"$w\" = \"=\" ] && continue\n"
          "    if [ -n \"$want_arg\" ]; then want_arg=\"\"; continue; fi\n"
          "    case \"$w\" in\n"
          "      --*=*) continue ;;\n"
          "      -*) case \" $(%s_takes_arg \"$cmd\") \" in *\" $w \"*) want_arg=1 ;; esac\n"
          "          continue ;;\n"
          "    esac\n"
          "    if [ \"$started\" = 0 ]; then cmd=\"$w\"; started=1; continue; fi\n",
          fn, "", cmds ? 0 : 1, fn);
  /* a group word takes its sub-command next */
  for (const cli_cmd *c = prog->commands; c->name; c++)
    if (ja__cli_group_first(prog, c))
      fprintf(out, "    if [ \"$cmd\" = \"%.*s\" ]; then cmd=\"$cmd $w\"; continue; fi\n",
              (int)ja__cli_group_len(c->name), c->name);
  fprintf(out,
          "    npos=$((npos + 1))\n"
          "  done\n"
          "  COMPREPLY=()\n"
          "  local opt=\"\"\n"
          "  if [ \"$prev\" = \"=\" ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
          "    opt=\"${COMP_WORDS[COMP_CWORD-2]}\"\n"
          "  elif [ \"$cur\" = \"=\" ]; then\n"
          "    opt=\"$prev\"; cur=\"\"\n"
          "  elif [ -n \"$want_arg\" ]; then\n"
          "    opt=\"$prev\"\n"
          "  fi\n"
          "  if [ -n \"$opt\" ]; then\n"
          "    COMPREPLY=($(compgen -W \"$(%s_values \"$cmd\" \"$opt\")\" -- \"$cur\"))\n"
          "    return 0\n"
          "  fi\n"
          "  case \"$cur\" in\n"
          "    --*=*)\n"
          "      COMPREPLY=($(compgen -P \"${cur%%%%=*}=\" -W \"$(%s_values \"$cmd\" \"${cur%%%%=*}\")\" \\\n"
          "                 -- \"${cur#*=}\"))\n"
          "      return 0 ;;\n"
          "    -*)\n"
          "      COMPREPLY=($(compgen -W \"$(%s_options \"$cmd\")\" -- \"$cur\"))\n"
          "      return 0 ;;\n"
          "  esac\n"
          "  case \"$cmd\" in\n",
          fn, fn, fn);
  if (cmds) {
    fputs("    \"\") COMPREPLY=($(compgen -W \"", out);
    const char *sep = "";
    for (const cli_cmd *c = prog->commands; c->name; c++) {
      size_t g = ja__cli_group_len(c->name);
      if (g && !ja__cli_group_first(prog, c))
        continue;
      fprintf(out, "%s%.*s", sep, (int)(g ? g : strlen(c->name)), c->name);
      sep = " ";
    }
    fputs("\" -- \"$cur\")) ;;\n", out);
    for (const cli_cmd *c = prog->commands; c->name; c++) {
      if (!ja__cli_group_first(prog, c))
        continue;
      size_t g = ja__cli_group_len(c->name);
      fprintf(out, "    \"%.*s\") COMPREPLY=($(compgen -W \"", (int)g, c->name);
      sep = "";
      for (const cli_cmd *d = c; d->name && strncmp(d->name, c->name, g + 1) == 0; d++) {
        fprintf(out, "%s%s", sep, d->name + g + 1);
        sep = " ";
      }
      fputs("\" -- \"$cur\")) ;;\n", out);
    }
  }
  fprintf(out,
          "    *) [ \"$npos\" = 0 ] && COMPREPLY=($(compgen -W \"$(%s_values \"$cmd\" \"\")\" -- \"$cur\")) ;;\n"
          "  esac\n"
          "  return 0\n"
          "}\n"
          "complete -F %s %s\n",
          fn, fn, prog->name);
}

/* ------------------------------------------------------------------ zsh */

/* The _arguments specs of command @p c. */
static void
zsh_arguments(const cli_program *prog, const cli_cmd *c, const char *indent, FILE *out)
{
  fprintf(out, "%s_arguments -s", indent);
  for (size_t k = 0; k < prog->noptions; k++) {
    const cli_opt *o = &prog->options[k];
    if (!ja__cli_applies(o, c->name))
      continue;
    fprintf(out, " \\\n%s  '--%s%s[", indent, o->name, o->arg ? "=" : "");
    quoted(out, o->help, Q_ZSH_SPEC);
    fputs("]", out);
    if (o->arg) {
      fputs(":", out);
      quoted(out, o->arg, Q_ZSH_SPEC);
      const char *src = source_of(prog, c->name, o->name);
      fputs(":", out);
      if (src) {
        fputs("(", out);
        source_words(src, out);
        fputs(")", out);
      } else {
        fputs(" ", out);
      }
    }
    fputs("'", out);
  }
  const char *src = source_of(prog, c->name, NULL);
  if (src) {
    fprintf(out, " \\\n%s  '1:value:(", indent);
    source_words(src, out);
    fputs(")'", out);
  } else if (c->max_pos > 0) {
    fprintf(out, " \\\n%s  '*:argument: '", indent);
  }
  fputs("\n", out);
}

/* 'name:summary' entries for _describe. */
static void
zsh_describe(const char *name, size_t n, const char *summary, FILE *out)
{
  fputs("    '", out);
  for (size_t i = 0; i < n; i++)
    fputc(name[i], out);
  fputs(":", out);
  quoted(out, summary, Q_SH);
  fputs("'\n", out);
}

static void
zsh(const cli_program *prog, FILE *out)
{
  char fn[64];
  func_name(prog, fn, sizeof fn);
  fprintf(out,
          "#compdef %s\n"
          "# zsh completion for %s. Generated from its option table and the event\n"
          "# catalog by jarvis-analytics-mangen --zsh. DO NOT EDIT.\n\n"
          "%s() {\n",
          prog->name, prog->name, fn);
  if (!prog->commands[0].name[0]) {
    zsh_arguments(prog, &prog->commands[0], "  ", out);
    fprintf(out, "}\n\n%s \"$@\"\n", fn);
    return;
  }
  fputs("  local -a commands\n  commands=(\n", out);
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    size_t g = ja__cli_group_len(c->name);
    if (g && !ja__cli_group_first(prog, c))
      continue;
    zsh_describe(c->name, g ? g : strlen(c->name), g ? "sub-commands: see --help" : c->summary, out);
  }
  fputs("  )\n"
        "  if (( CURRENT == 2 )); then\n"
        "    if [[ $PREFIX == -* ]]; then\n"
        "      compadd -- ", out);
  for (size_t k = 0; k < prog->noptions; k++)
    if (ja__cli_applies(&prog->options[k], NULL))
      fprintf(out, "--%s ", prog->options[k].name);
  fputs("\n    else\n"
        "      _describe -t commands command commands\n"
        "    fi\n"
        "    return\n"
        "  fi\n"
        "  local cmd=$words[2]\n"
        "  case $cmd in\n", out);
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    if (!ja__cli_group_first(prog, c))
      continue;
    size_t g = ja__cli_group_len(c->name);
    fprintf(out, "    %.*s)\n      if (( CURRENT == 3 )); then\n        local -a subs\n        subs=(\n",
            (int)g, c->name);
    for (const cli_cmd *d = c; d->name && strncmp(d->name, c->name, g + 1) == 0; d++) {
      fputs("    ", out);
      zsh_describe(d->name + g + 1, strlen(d->name + g + 1), d->summary, out);
    }
    fputs("        )\n"
          "        _describe -t commands 'sub-command' subs\n"
          "        return\n"
          "      fi\n"
          "      cmd=\"$cmd $words[3]\"\n"
          "      shift 2 words\n"
          "      (( CURRENT -= 2 )) ;;\n", out);
  }
  fputs("    *)\n"
        "      shift words\n"
        "      (( CURRENT -= 1 )) ;;\n"
        "  esac\n"
        "  case $cmd in\n", out);
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    fprintf(out, "    '%s')\n", c->name);
    zsh_arguments(prog, c, "      ", out);
    fputs("      ;;\n", out);
  }
  fprintf(out, "  esac\n}\n\n%s \"$@\"\n", fn);
}

/* ----------------------------------------------------------------- fish */

/* The -n condition that command @p c is being completed. */
static void
fish_condition(const cli_program *prog, const cli_cmd *c, FILE *out)
{
  if (!c->name[0]) {
    fputs("", out);
    return;
  }
  size_t g = ja__cli_group_len(c->name);
  if (!g) {
    fprintf(out, " -n '__fish_seen_subcommand_from %s'", c->name);
    return;
  }
  (void)prog;
  fprintf(out, " -n '__fish_seen_subcommand_from %.*s; and __fish_seen_subcommand_from %s'",
          (int)g, c->name, c->name + g + 1);
}

static void
fish_option(const cli_program *prog, const cli_cmd *c, const cli_opt *o, FILE *out)
{
  fprintf(out, "complete -c %s", prog->name);
  if (c)
    fish_condition(prog, c, out);
  else
    fputs(" -n __fish_use_subcommand", out);
  fprintf(out, " -l %s", o->name);
  if (o->arg) {
    fputs(" -r", out);
    const char *src = c ? source_of(prog, c->name, o->name) : NULL;
    if (src) {
      fputs(" -a '", out);
      source_words(src, out);
      fputs("'", out);
    }
  }
  fputs(" -d '", out);
  quoted(out, o->help, Q_FISH);
  fputs("'\n", out);
}

static void
fish(const cli_program *prog, FILE *out)
{
  fprintf(out,
          "# fish completion for %s. Generated from its option table and the event\n"
          "# catalog by jarvis-analytics-mangen --fish. DO NOT EDIT.\n\n"
          "complete -c %s -f\n",
          prog->name, prog->name);
  int cmds = prog->commands[0].name[0] != '\0';
  if (cmds) {
    for (const cli_cmd *c = prog->commands; c->name; c++) {
      size_t g = ja__cli_group_len(c->name);
      if (g && !ja__cli_group_first(prog, c))
        continue;
      fprintf(out, "complete -c %s -n __fish_use_subcommand -a %.*s -d '", prog->name,
              (int)(g ? g : strlen(c->name)), c->name);
      quoted(out, g ? "sub-commands: see --help" : c->summary, Q_FISH);
      fputs("'\n", out);
    }
    for (size_t k = 0; k < prog->noptions; k++)
      if (ja__cli_applies(&prog->options[k], NULL))
        fish_option(prog, NULL, &prog->options[k], out);
    /* the sub-commands of each group, until one is given */
    for (const cli_cmd *c = prog->commands; c->name; c++) {
      if (!ja__cli_group_first(prog, c))
        continue;
      size_t g = ja__cli_group_len(c->name);
      for (const cli_cmd *d = c; d->name && strncmp(d->name, c->name, g + 1) == 0; d++) {
        fprintf(out, "complete -c %s -n '__fish_seen_subcommand_from %.*s; and not "
                     "__fish_seen_subcommand_from",
                prog->name, (int)g, c->name);
        for (const cli_cmd *e = c; e->name && strncmp(e->name, c->name, g + 1) == 0; e++)
          fprintf(out, " %s", e->name + g + 1);
        fprintf(out, "' -a %s -d '", d->name + g + 1);
        quoted(out, d->summary, Q_FISH);
        fputs("'\n", out);
      }
    }
  }
  for (const cli_cmd *c = prog->commands; c->name; c++) {
    for (size_t k = 0; k < prog->noptions; k++)
      if (ja__cli_applies(&prog->options[k], c->name))
        fish_option(prog, c, &prog->options[k], out);
    const char *src = source_of(prog, c->name, NULL);
    if (src) {
      fprintf(out, "complete -c %s", prog->name);
      fish_condition(prog, c, out);
      fputs(" -a '", out);
      source_words(src, out);
      fputs("'\n", out);
    }
  }
}

/* ---------------------------------------------------------- entry point */

int
ja__cli_completion(const cli_program *prog, const char *shell, FILE *out)
{
  if (strcmp(shell, "bash") == 0)
    bash(prog, out);
  else if (strcmp(shell, "zsh") == 0)
    zsh(prog, out);
  else if (strcmp(shell, "fish") == 0)
    fish(prog, out);
  else
    return -1;
  return 0;
}
