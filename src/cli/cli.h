/*
 * cli/cli.h — the command-line programs, split the curl way: a *program*
 * is described by one table (name, commands, options, exit codes, manual
 * text: jarvis_analytics.c today, the uploader's next to it); program.c
 * parses argv, prints --help and renders the man page from any such table;
 * commands.c runs each command over the public API; cli.c maps ja_status to
 * exit codes and runs a program. main.c and mangen.c are only main()s.
 */
#ifndef JA_CLI_H
#define JA_CLI_H

#include "boot.h"

/* Exit codes (sysexits.h values; docs/cli.md, Exit status). */
enum {
  JA_EXIT_OK = 0,
  JA_EXIT_PARTIAL = 3,     /* capture --strict: stored, but something dropped */
  JA_EXIT_USAGE = 64,      /* bad command line */
  JA_EXIT_DATAERR = 65,    /* malformed input; --strict: nothing stored */
  JA_EXIT_SOFTWARE = 70,   /* internal error */
  JA_EXIT_OSERR = 71,      /* out of memory */
  JA_EXIT_CANTCREAT = 73,  /* home, queue or anon_id cannot be created */
  JA_EXIT_IOERR = 74,      /* I/O error, corrupt queue */
  JA_EXIT_TEMPFAIL = 75,   /* store busy: try again */
  JA_EXIT_NOPERM = 77,     /* refused a symlink / unsafe path */
  JA_EXIT_CONFIG = 78      /* configuration error */
};

/* Option ids: one enum for every option of every program (curl's
 * C_<LONG_NAME>), so cli_args can hold any program's options. */
typedef enum cli_opt_id {
  OPT_HELP, OPT_VERSION, OPT_PROPS, OPT_STRICT, OPT_VERBOSE, OPT_JSON, OPT_PENDING, OPT_SENT, OPT_ALL,
  OPT_LIMIT, OPT_MARKDOWN, OPT_EVENT, OPT_SINCE, OPT_OUTPUT,
  OPT_TOKENS_IN, OPT_TOKENS_OUT, OPT_LATENCY_MS, OPT_MODEL, OPT_ENGINE, OPT_TOOL, OPT_AT,
  OPT_PLATFORM, OPT_NOW,
  /* jarvis-analytics-upload (and OPT_NOW above) */
  OPT_DRY_RUN, OPT_BATCH_SIZE, OPT_MAX_BATCHES, OPT_MAX_RETRIES, OPT_DEADLINE,
  CLI_NOPT
} cli_opt_id;

/* max_pos of a command that takes any number of positional arguments. */
#define CLI_POS_UNBOUNDED INT_MAX

struct cli_program;

/* What the parser found on the command line. */
typedef struct cli_args {
  const struct cli_program *prog; /* the program parsed for */
  const char *command;      /* "capture", … ; NULL for the top level; "" for
                               a program without commands */
  const char **pos;         /* positional arguments, in order; each points
                               into argv (the array is malloc'ed, room for
                               argc entries: ja__cli_args_free) */
  int npos;                 /* how many */
  int help;                 /* --help given */
  int version;              /* --version given */
  unsigned char on[CLI_NOPT];  /* option given (flags and valued options) */
  const char *val[CLI_NOPT];   /* its argument (NULL for a flag) */
  int64_t num[CLI_NOPT];       /* integer options: the value, or the default */
} cli_args;

/* One command of a program. A program without commands has exactly one,
 * named "" (its synopsis and summary are the program's). */
typedef struct cli_cmd {
  const char *name;         /* "capture" */
  const char *synopsis;     /* "EVENT [--props JSON] [--strict] [--verbose]" */
  const char *summary;      /* one line for --help */
  int min_pos, max_pos;     /* positional arguments allowed (max_pos may be
                               CLI_POS_UNBOUNDED) */
  int (*run)(const cli_args *a, FILE *out, FILE *err); /* returns the exit code */
} cli_cmd;

/* One option: which commands take it, its argument, its help. */
typedef struct cli_opt {
  cli_opt_id id;
  const char *name;         /* long name without "--" */
  const char *arg;          /* metavar, or NULL for a flag */
  const char *commands;     /* space-separated command names; "*" = every
                               command; "-" = the program itself, before
                               any command (jarvis-analytics --version) */
  const char *help;         /* one line for --help and the manual */
  int64_t min, max, def;    /* integer options (min < max): range, default */
} cli_opt;

/* Where the values of an option (or of a command's positional arguments)
 * come from, for the shell completions (complete.c). */
typedef struct cli_values {
  const char *command;      /* "capture", "session inference" */
  const char *option;       /* long name ("event"), or NULL: the first
                               positional argument */
  const char *source;       /* "@events": the catalog's event names; else
                               the name of a catalog enum ("ENGINE") */
} cli_values;

/* One exit status, for the manual's EXIT STATUS. */
typedef struct cli_exit {
  int code;
  const char *meaning;
} cli_exit;

/* A whole program: everything parsing, --help and the manual need. */
typedef struct cli_program {
  const char *name;          /* "jarvis-analytics" */
  const char *tagline;       /* NAME line of the manual, top line of --help */
  const char *description;   /* manual DESCRIPTION (plain text) */
  const cli_cmd *commands;   /* terminated by a NULL name */
  const cli_opt *options;    /* alphabetical */
  size_t noptions;
  const cli_exit *exits;
  size_t nexits;
  const cli_values *values;  /* value sources for completions (may be NULL) */
  size_t nvalues;
  /* Space-separated names of the commands that change the store (capture,
   * reset-id, purge): their exit status reports that change, and standard
   * output they cannot write is said on stderr without turning a done change
   * into a failure (a caller that retries a "failed" capture stores it
   * twice). For every other command the output is the result: output that
   * cannot be written exits 74. NULL: none. */
  const char *acting;
  const char *help_footer;   /* after the command list of the top --help */
  const char *man_tail;      /* roff: ENVIRONMENT, FILES … sections */
  const char *see_also;      /* space-separated names of related section-1
                                pages (besides sqlite3(1)), or NULL */
  /* Cross-option rules (one of --a/--b …): 0 or JA_EXIT_USAGE after one
   * line on @p err. May be NULL. */
  int (*check)(const cli_args *a, FILE *err);
} cli_program;

/* The programs. */
extern const cli_program ja__cli_jarvis_analytics;
extern const cli_program ja__cli_jarvis_analytics_upload;

/* Parse argv for @p prog into @p a. Returns 0, or JA_EXIT_USAGE
 * (JA_EXIT_OSERR when out of memory) after printing one line naming the
 * problem to @p err. Whatever it returns, release @p a with
 * ja__cli_args_free(). */
int ja__cli_parse(const cli_program *prog, int argc, char **argv, cli_args *a, FILE *err);
/* Free what ja__cli_parse() allocated in @p a (not argv's strings). */
void ja__cli_args_free(cli_args *a);
/* Print --help for @p cmd of @p prog (NULL: the overview of every command). */
void ja__cli_help(const cli_program *prog, const cli_cmd *cmd, FILE *out);
/* --help of every sub-command of group @p group ("session"). Sub-commands
 * are commands named "GROUP WORD"; options name them "GROUP/WORD" in
 * cli_opt::commands, or "GROUP" for all of them. */
void ja__cli_help_group(const cli_program *prog, const char *group, FILE *out);
const cli_cmd *ja__cli_find(const cli_program *prog, const char *name);
/* Length of the group word of a sub-command ("session inference": 7), 0
 * for a plain command. */
size_t ja__cli_group_len(const char *name);
/* 1 if @p c is the first sub-command of its group (a group is listed once). */
int ja__cli_group_first(const cli_program *prog, const cli_cmd *c);
/* 1 if option @p o applies to command @p cmd (NULL: the program itself,
 * before a command). */
int ja__cli_applies(const cli_opt *o, const char *cmd);
/* Write the man page (roff) of @p prog rendered from its tables. */
void ja__cli_man(const cli_program *prog, FILE *out);
/* Write the @p shell ("bash", "zsh", "fish") completion of @p prog,
 * rendered from its tables and the catalog (complete.c). 0, or -1 for a
 * shell it does not know. */
int ja__cli_completion(const cli_program *prog, const char *shell, FILE *out);
/* A usage error: "<what> '<arg>' (try '… --help')", one line; returns
 * JA_EXIT_USAGE. @p arg is what the user typed, quoted as such. */
int ja__cli_usage(FILE *err, const cli_args *a, const char *what, const char *arg);
/* The same with "; did you mean '<near>'?" when @p near is not NULL. */
int ja__cli_usage_near(FILE *err, const cli_args *a, const char *what, const char *arg,
                       const char *near);
/* A usage error in words of its own (nothing quoted as if typed). */
int ja__cli_usagef(FILE *err, const cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Name the running program in error lines (ja__cli_run does it). */
void ja__cli_set_program(const cli_program *prog);
/* "<program>: <cmd>: <msg>" on one line ("jarvis-analytics: capture: …"). */
void ja__cli_errorf(FILE *err, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Exit code for a failed library call, after printing ja_last_error(). */
int ja__cli_fail(FILE *err, const char *cmd, ja_status st);
/* Exit code for a ja_status, without printing. */
int ja__cli_exit_code(ja_status st);

/* Run @p prog: parse, dispatch, flush. Returns the exit code (no exit()). */
int ja__cli_run(const cli_program *prog, int argc, char **argv, FILE *out, FILE *err);
/* `jarvis-analytics`: ja__cli_run of ja__cli_jarvis_analytics. */
int ja__cli_main(int argc, char **argv, FILE *out, FILE *err);

/* `jarvis-analytics-upload`: ja__cli_run of ja__cli_jarvis_analytics_upload. */
int ja__cli_upload_main(int argc, char **argv, FILE *out, FILE *err);
/* Its one command (upload.c). */
int ja__cli_upload(const cli_args *a, FILE *out, FILE *err);
/* The same on the clock @p clock (NULL: ja__upload_real_clock), which its
 * deadline — the rollup it runs first included — is measured on: a
 * test's fake clock makes a deadline pass without waiting. */
struct ja__upload_clock;
int ja__cli_upload_clocked(const cli_args *a, const struct ja__upload_clock *clock, FILE *out,
                           FILE *err);

/* Open the store for a command; read-only commands pass JA_OPEN_NO_CREATE
 * and create nothing. 0, or the exit code after one line on @p err. */
int ja__cli_open_store(const cli_args *a, FILE *err, unsigned flags, ja_store **s);
typedef struct cJSON cJSON;
/* Print @p doc, indented; out of memory is an error (71), never an empty
 * output that exits 0. */
int ja__cli_print_json(FILE *out, FILE *err, const char *cmd, const cJSON *doc);
/* Print a --json document built with cJSON_Add* calls whose success is
 * @p ok (a NULL @p doc is out of memory too), then free it. */
int ja__cli_print_built(FILE *out, FILE *err, const char *cmd, cJSON *doc, int ok);

/* near.c: "did you mean …" for catalog names. The catalog event nearest
 * to a misspelt @p name (NULL: none near). */
const char *ja__cli_near_event(const char *name);
/* The value of enum @p enum_name ("PLATFORM") nearest to @p value; NULL
 * when none is near or @p value is one (then *@p valid = 1). */
const char *ja__cli_near_value(const char *enum_name, const char *value, int *valid);
/* "did you mean 'app_opened'?" for a misspelt @p event, or "did you mean
 * 'platform' for 'platfrom', 'cli' for 'clii'?" for near misses among the
 * properties JSON @p props (may be NULL); "" when nothing is near. */
void ja__cli_capture_hint(const char *event, const char *props, char *out, size_t n);

/* Commands of jarvis-analytics (commands.c; status.c, show.c). */
int ja__cli_capture(const cli_args *a, FILE *out, FILE *err);
int ja__cli_status(const cli_args *a, FILE *out, FILE *err);
int ja__cli_show(const cli_args *a, FILE *out, FILE *err);
int ja__cli_reset_id(const cli_args *a, FILE *out, FILE *err);
int ja__cli_purge(const cli_args *a, FILE *out, FILE *err);
int ja__cli_catalog(const cli_args *a, FILE *out, FILE *err);
int ja__cli_redact(const cli_args *a, FILE *out, FILE *err);
/* view.c: `view`, and the page it writes for a report collected with
 * JA__REPORT_HISTORY (malloc'ed). */
int ja__cli_view(const cli_args *a, FILE *out, FILE *err);
typedef struct ja__report ja__report;
ja_status ja__cli_view_html(const ja__report *r, char **out);
/* mode.c: `on`, `off`, `local` (write the choice to config.toml), and
 * the line that says the mode ("analytics: paused: <why>"), for status and
 * capture --verbose too. */
int ja__cli_mode(const cli_args *a, FILE *out, FILE *err);
void ja__cli_print_mode(FILE *out, const char *mode, const char *reason);
/* session.c: `session inference|tool|error|end`, `rollup`, and what a
 * rollup says of the sessions it closed in parts (more than 16 384
 * signals: one chat_session_ended per part with an inference, which no
 * reader of the events can tell from separate sessions) — `rollup` and the
 * uploader's own rollup say it the same way: sessions_closed,
 * closed_in_parts and sessions_in_parts added to @p doc (0: out of
 * memory), and a line per such session, as error lines ("<program>: …")
 * when @p error_lines. */
int ja__cli_session(const cli_args *a, FILE *out, FILE *err);
int ja__cli_rollup(const cli_args *a, FILE *out, FILE *err);
typedef struct ja__rollup_report ja__rollup_report;
int ja__cli_rollup_parts_json(cJSON *doc, const ja__rollup_report *r);
void ja__cli_say_rollup_parts(FILE *f, int error_lines, const ja__rollup_report *r);

#endif
