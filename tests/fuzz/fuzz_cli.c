/*
 * fuzz_cli.c — fuzzes ja__cli_parse (src/cli/program.c): the input, split at NUL
 * bytes, is argv[1..] after "jarvis-analytics". Checks: returns 0 or 64 (71
 * when out of memory); an error prints exactly one line, 0 prints nothing; on
 * 0 the command, positional arguments, --limit and the mutually exclusive
 * flags are consistent.
 */
#include "boot.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_cli: invariant violated: %s (%s:%d)\n", #cond,     \
              __FILE__, __LINE__);                                             \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define MAX_ARGS 64

/* The error stream: one memory stream, opened once and rewound per input,
 * so what the parser prints can be checked. */
static char errbuf[8192];
static FILE *errf;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!errf) {
    errf = fmemopen(errbuf, sizeof errbuf, "w");
    if (!errf)
      abort();
  }
  /* One heap copy with a NUL after the last argument. */
  char *buf = malloc(size + 1);
  if (!buf)
    abort();
  if (size)
    memcpy(buf, data, size);
  buf[size] = '\0';

  char prog[] = "jarvis-analytics";
  char *argv[MAX_ARGS + 2];
  int argc = 0;
  argv[argc++] = prog;
  for (size_t i = 0; size && i <= size && argc <= MAX_ARGS;) {
    argv[argc++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  argv[argc] = NULL;

  rewind(errf);
  cli_args a;
  int rc = ja__cli_parse(&ja__cli_jarvis_analytics, argc, argv, &a, errf);
  fflush(errf);
  long n = ftell(errf);
  CHECK(n >= 0 && (size_t)n < sizeof errbuf);

  CHECK(rc == 0 || rc == JA_EXIT_USAGE || rc == JA_EXIT_OSERR);
  if (rc != 0) {
    CHECK(n > 0 && errbuf[n - 1] == '\n');
    CHECK(memchr(errbuf, '\n', (size_t)n) == errbuf + n - 1);
    CHECK(memchr(errbuf, '\r', (size_t)n) == NULL);
    CHECK(strncmp(errbuf, "jarvis-analytics: ", 18) == 0);
  } else {
    CHECK(n == 0);
    CHECK(a.npos >= 0 && a.npos <= argc - 2);
    CHECK(a.num[OPT_LIMIT] >= 1 && a.num[OPT_LIMIT] <= 1000000);
    for (int i = 0; i < a.npos; i++) {
      int found = 0;
      for (int k = 1; k < argc; k++)
        found |= a.pos[i] == argv[k];
      CHECK(found);
    }
    if (a.command) {
      const cli_cmd *c = ja__cli_find(&ja__cli_jarvis_analytics, a.command);
      CHECK(c != NULL && c->name == a.command);
      CHECK(a.npos <= c->max_pos);
      if (!a.help) {
        CHECK(a.npos >= c->min_pos);
        CHECK(a.on[OPT_PENDING] + a.on[OPT_SENT] + a.on[OPT_ALL] <= 1);
        CHECK(!(a.on[OPT_JSON] && a.on[OPT_MARKDOWN]));
      }
    } else if (!a.command) {
      CHECK((a.help || a.version) && a.npos == 0);
    }
  }
  ja__cli_args_free(&a);
  free(buf);
  return 0;
}
