/*
 * cli_man_main.c — main() of jarvis-analytics-mangen, a build-time tool that
 * writes the man page jarvis-analytics.1 from the CLI's own tables
 * (ja__cli_man in cli_options.c), so the manual cannot drift from --help.
 */
#include "cli.h"

int
main(void)
{
  ja__cli_man(stdout);
  return fflush(stdout) == 0 ? 0 : 1;
}
