/*
 * cli/mangen.c — main() of jarvis-analytics-mangen, a build-time tool that
 * renders a program's man page (program.c: ja__cli_man) or its shell
 * completion (complete.c) from that program's own table and the catalog,
 * so neither can drift from --help.
 *   jarvis-analytics-mangen [--bash | --zsh | --fish] [PROGRAM]
 *   (PROGRAM: jarvis-analytics, the default, or jarvis-analytics-upload)
 */
#include "boot.h"

#include <string.h>

#include "cli/cli.h"

int
main(int argc, char **argv)
{
  static const cli_program *const programs[] = {&ja__cli_jarvis_analytics,
                                               &ja__cli_jarvis_analytics_upload};
  const char *shell = NULL;
  int i = 1;
  if (i < argc && strncmp(argv[i], "--", 2) == 0)
    shell = argv[i++] + 2;
  const char *want = i < argc ? argv[i] : "jarvis-analytics";
  for (size_t k = 0; k < sizeof programs / sizeof programs[0]; k++)
    if (strcmp(programs[k]->name, want) == 0) {
      if (!shell)
        ja__cli_man(programs[k], stdout);
      else if (ja__cli_completion(programs[k], shell, stdout) != 0) {
        fprintf(stderr, "jarvis-analytics-mangen: no completion for '%s' (bash, zsh, fish)\n",
                shell);
        return 64;
      }
      return fflush(stdout) == 0 ? 0 : 1;
    }
  fprintf(stderr, "jarvis-analytics-mangen: unknown program '%s'\n", want);
  return 64;
}
