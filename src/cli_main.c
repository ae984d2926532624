/*
 * cli_main.c — main() of `jarvis-analytics`; everything else is in cli*.c
 * so that tests can run the program's logic in-process.
 */
#include "cli.h"

int
main(int argc, char **argv)
{
  return ja__cli_main(argc, argv, stdout, stderr);
}
