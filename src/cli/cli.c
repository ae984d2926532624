/*
 * cli/cli.c — running a program: parse, dispatch to the command, flush,
 * and turn a ja_status into a sysexits code with one line on stderr.
 */
#include "boot.h"

#include <errno.h>
#include <string.h>

#include "cli/cli.h"

int
ja__cli_exit_code(ja_status st)
{
  switch (st) {
  case JA_OK: return JA_EXIT_OK;
  case JA_EINVALID: return JA_EXIT_DATAERR;
  case JA_ENOMEM: return JA_EXIT_OSERR;
  case JA_EIO: return JA_EXIT_IOERR;
  case JA_ECANTCREATE: return JA_EXIT_CANTCREAT;
  case JA_ECONFIG: return JA_EXIT_CONFIG;
  case JA_EBUSY: return JA_EXIT_TEMPFAIL;
  case JA_ECORRUPT: return JA_EXIT_IOERR;
  case JA_EVERSION: return JA_EXIT_CONFIG;
  case JA_EUNSAFE: return JA_EXIT_NOPERM;
  case JA_EINTERNAL: return JA_EXIT_SOFTWARE;
  case JA_ETIMEOUT: return JA_EXIT_TEMPFAIL;
  }
  return JA_EXIT_SOFTWARE;
}

int
ja__cli_fail(FILE *err, const char *cmd, ja_status st)
{
  const char *msg = ja_last_error();
  ja__cli_errorf(err, cmd, "%s", msg[0] ? msg : ja_status_str(st));
  return ja__cli_exit_code(st);
}

/* 1 if @p word is one of the space-separated words of @p list. */
static int
in_list(const char *list, const char *word)
{
  size_t n = strlen(word);
  if (!list || n == 0)
    return 0;
  for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return 1;
  return 0;
}

/* After a command ran: was everything it printed written? A full disk,
 * /dev/full or EFBIG (ulimit -f, SIGXFSZ ignored in main.c) show up here.
 * The error indicator is checked as well as fflush: a write that failed
 * while the buffer was flushed earlier leaves nothing for fflush to fail. */
static int
check_output(const cli_program *prog, const cli_cmd *cmd, FILE *out, FILE *err, int rc)
{
  errno = 0;
  if (fflush(out) == 0 && !ferror(out))
    return rc;
  int e = errno ? errno : EIO;
  if (rc != JA_EXIT_OK)
    return rc; /* the failure already has its one line on stderr */
  const char *name = cmd && cmd->name[0] ? cmd->name : NULL;
  char why[128];
  if (strerror_r(e, why, sizeof why) != 0)
    snprintf(why, sizeof why, "error %d", e);
  if (cmd && in_list(prog->acting, cmd->name)) {
    /* Done is done: the exit status is the change's fate, not the
     * message's (a bug once: capture --verbose > /dev/full). */
    ja__cli_errorf(err, name, "done, but the output could not be written: %s", why);
    return rc;
  }
  ja__cli_errorf(err, name, "the output could not be written: %s", why);
  return JA_EXIT_IOERR;
}

int
ja__cli_run(const cli_program *prog, int argc, char **argv, FILE *out, FILE *err)
{
  cli_args a;
  const cli_cmd *cmd = NULL;
  ja__cli_set_program(prog);
  int rc = ja__cli_parse(prog, argc, argv, &a, err);
  if (rc != 0)
    goto done;
  cmd = a.command ? ja__cli_find(prog, a.command) : NULL;
  if (a.version)
    fprintf(out, "%s %s\n", prog->name, ja_version());
  else if (a.help && !cmd && a.command)
    ja__cli_help_group(prog, a.command, out);
  else if (a.help)
    ja__cli_help(prog, cmd, out);
  else
    rc = cmd->run(&a, out, err);
  /* --help and --version are output commands, whatever command they name. */
  rc = check_output(prog, a.help || a.version ? NULL : cmd, out, err, rc);
done:
  ja__cli_args_free(&a);
  return rc;
}

int
ja__cli_main(int argc, char **argv, FILE *out, FILE *err)
{
  return ja__cli_run(&ja__cli_jarvis_analytics, argc, argv, out, err);
}
