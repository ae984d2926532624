/*
 * cli/main.c — main() of `jarvis-analytics`; everything else is in cli/ so
 * that tests can run the program's logic in-process.
 */
#include "boot.h"

#include <signal.h>

#include "cli/cli.h"

int
main(int argc, char **argv)
{
  /* Past `ulimit -f` a write raises SIGXFSZ, whose default action kills the
   * process mid-transaction with no message. Ignored, the write fails with
   * EFBIG instead: SQLite rolls back and we exit 74 with one line.
   * Only the program does this, never the library: a host's signal
   * dispositions are its own. */
  signal(SIGXFSZ, SIG_IGN);
  return ja__cli_main(argc, argv, stdout, stderr);
}
