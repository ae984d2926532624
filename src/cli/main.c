/*
 * cli/main.c — main() of `jarvis-analytics`; everything else is in cli/ so
 * that tests can run the program's logic in-process.
 */
#include "boot.h"

#include "cli/cli.h"

int
main(int argc, char **argv)
{
  return ja__cli_main(argc, argv, stdout, stderr);
}
