/*
 * cli/upload_main.c — main() of `jarvis-analytics-upload`; the program is
 * in cli/ (jarvis_analytics_upload.c, upload.c) so tests can run it
 * in-process.
 */
#include "boot.h"

#include <signal.h>

#include "cli/cli.h"

int
main(int argc, char **argv)
{
  /* As in main.c: past `ulimit -f` a failed write, not a silent kill. And
   * a peer closing the connection must be an error to retry, never the
   * death of the process (libcurl is told CURLOPT_NOSIGNAL; a write on a
   * reset socket would still raise SIGPIPE). */
  signal(SIGXFSZ, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  return ja__cli_upload_main(argc, argv, stdout, stderr);
}
