/*
 * cli.h — the `jarvis-analytics` command line, split the curl way:
 * cli_options.c parses argv from one option table (which also renders
 * --help), cli_commands.c runs each command over the public API, cli.c
 * dispatches and maps ja_status to exit codes. cli_main.c is only main().
 */
#ifndef JA_CLI_H
#define JA_CLI_H

#include "ja_internal.h"

/* Exit codes (sysexits.h values; README: EXIT STATUS). */
enum {
  JA_EXIT_OK = 0,
  JA_EXIT_USAGE = 64,      /* bad command line */
  JA_EXIT_DATAERR = 65,    /* malformed input; --strict policy drop */
  JA_EXIT_SOFTWARE = 70,   /* internal error */
  JA_EXIT_OSERR = 71,      /* out of memory */
  JA_EXIT_CANTCREAT = 73,  /* home, queue or anon_id cannot be created */
  JA_EXIT_IOERR = 74,      /* I/O error, corrupt queue */
  JA_EXIT_TEMPFAIL = 75,   /* store busy: try again */
  JA_EXIT_NOPERM = 77,     /* refused a symlink / unsafe path */
  JA_EXIT_CONFIG = 78      /* configuration error */
};

/* Option ids, one per entry of the option table. */
typedef enum cli_opt_id {
  OPT_HELP, OPT_PROPS, OPT_STRICT, OPT_VERBOSE, OPT_JSON, OPT_PENDING, OPT_SENT, OPT_ALL,
  OPT_LIMIT, OPT_MARKDOWN
} cli_opt_id;

/* max_pos of a command that takes any number of positional arguments. */
#define CLI_POS_UNBOUNDED INT_MAX

/* What the parser found on the command line. */
typedef struct cli_args {
  const char *command;      /* "capture", … or NULL for the top level */
  const char **pos;         /* positional arguments, in order; each points
                               into argv (the array is malloc'ed, room for
                               argc entries: ja__cli_args_free) */
  int npos;                 /* how many */
  int help;                 /* --help given */
  const char *props;        /* --props JSON */
  int strict, verbose, json, pending, sent, all, markdown; /* flags */
  int64_t limit;            /* --limit N (default 20) */
} cli_args;

/* One command of the table. */
typedef struct cli_cmd {
  const char *name;         /* "capture" */
  const char *synopsis;     /* "EVENT [--props JSON] [--strict] [--verbose]" */
  const char *summary;      /* one line for --help */
  int min_pos, max_pos;     /* positional arguments allowed (max_pos may be
                               CLI_POS_UNBOUNDED) */
  int (*run)(const cli_args *a, FILE *out, FILE *err); /* returns the exit code */
} cli_cmd;

extern const cli_cmd ja__cli_commands[];

/* Parse argv into @p a. Returns 0, or JA_EXIT_USAGE (JA_EXIT_OSERR when
 * out of memory) after printing one line naming the problem to @p err.
 * Whatever it returns, release @p a with ja__cli_args_free(). */
int ja__cli_parse(int argc, char **argv, cli_args *a, FILE *err);
/* Free what ja__cli_parse() allocated in @p a (not argv's strings). */
void ja__cli_args_free(cli_args *a);
/* Print --help for @p cmd (NULL: the overview of every command). */
void ja__cli_help(const cli_cmd *cmd, FILE *out);
const cli_cmd *ja__cli_find(const char *name);
/* Write the man page (roff) rendered from the same tables. */
void ja__cli_man(FILE *out);

/* "jarvis-analytics: <cmd>: <msg>" on one line. */
void ja__cli_errorf(FILE *err, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Exit code for a failed library call, after printing ja_last_error(). */
int ja__cli_fail(FILE *err, const char *cmd, ja_status st);

/* The whole program: returns the exit code. Testable (no exit()). */
int ja__cli_main(int argc, char **argv, FILE *out, FILE *err);

/* Commands (cli_commands.c). */
int ja__cli_capture(const cli_args *a, FILE *out, FILE *err);
int ja__cli_status(const cli_args *a, FILE *out, FILE *err);
int ja__cli_show(const cli_args *a, FILE *out, FILE *err);
int ja__cli_reset_id(const cli_args *a, FILE *out, FILE *err);
int ja__cli_purge(const cli_args *a, FILE *out, FILE *err);
int ja__cli_catalog(const cli_args *a, FILE *out, FILE *err);
int ja__cli_redact(const cli_args *a, FILE *out, FILE *err);

#endif
