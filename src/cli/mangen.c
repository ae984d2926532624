/*
 * cli/mangen.c — main() of jarvis-analytics-mangen, a build-time tool that
 * writes a program's man page from that program's own table (program.c:
 * ja__cli_man), so a manual cannot drift from --help.
 *   jarvis-analytics-mangen [PROGRAM]   (default: jarvis-analytics;
 *   also jarvis-analytics-upload)
 */
#include "boot.h"

#include <string.h>

#include "cli/cli.h"

int
main(int argc, char **argv)
{
  static const cli_program *const programs[] = {&ja__cli_jarvis_analytics,
                                               &ja__cli_jarvis_analytics_upload};
  const char *want = argc > 1 ? argv[1] : "jarvis-analytics";
  for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
    if (strcmp(programs[i]->name, want) == 0) {
      ja__cli_man(programs[i], stdout);
      return fflush(stdout) == 0 ? 0 : 1;
    }
  fprintf(stderr, "jarvis-analytics-mangen: unknown program '%s'\n", want);
  return 64;
}
