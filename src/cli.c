/*
 * cli.c — `jarvis-analytics` top level: parse, dispatch to the command,
 * and turn a ja_status into a sysexits code with one line on stderr.
 */
#include "cli.h"

int
ja__cli_fail(FILE *err, const char *cmd, ja_status st)
{
  const char *msg = ja_last_error();
  ja__cli_errorf(err, cmd, "%s", msg[0] ? msg : ja_status_str(st));
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
ja__cli_main(int argc, char **argv, FILE *out, FILE *err)
{
  cli_args a;
  const cli_cmd *cmd = NULL;
  int rc = ja__cli_parse(argc, argv, &a, err);
  if (rc != 0)
    goto done;
  if (a.command && a.command[0] == '-') { /* --version */
    fprintf(out, "jarvis-analytics %s\n", ja_version());
    goto done;
  }
  cmd = a.command ? ja__cli_find(a.command) : NULL;
  if (a.help) {
    ja__cli_help(cmd, out);
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
