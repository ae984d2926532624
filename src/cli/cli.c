/*
 * cli/cli.c — running a program: parse, dispatch to the command, flush,
 * and turn a ja_status into a sysexits code with one line on stderr.
 */
#include "boot.h"

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

int
ja__cli_run(const cli_program *prog, int argc, char **argv, FILE *out, FILE *err)
{
  cli_args a;
  int rc = ja__cli_parse(prog, argc, argv, &a, err);
  if (rc != 0)
    goto done;
  if (a.version) {
    fprintf(out, "%s %s\n", prog->name, ja_version());
    goto done;
  }
  const cli_cmd *cmd = a.command ? ja__cli_find(prog, a.command) : NULL;
  if (a.help) {
    ja__cli_help(prog, cmd, out);
    goto done;
  }
  rc = cmd->run(&a, out, err);
  if (fflush(out) != 0 && rc == JA_EXIT_OK) {
    ja__cli_errorf(err, cmd->name, "cannot write output");
    rc = JA_EXIT_IOERR;
  }
done:
  ja__cli_args_free(&a);
  return rc;
}

int
ja__cli_main(int argc, char **argv, FILE *out, FILE *err)
{
  return ja__cli_run(&ja__cli_jarvis_analytics, argc, argv, out, err);
}
