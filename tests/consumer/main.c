/* tests/consumer/main.c — uses the library the way an embedding project
 * does: the public header by its installed name, the shared library target.
 * Exits 0 when the library it runs against is the one it was built with. */
#include <jarvis_analytics.h>

#include <stdio.h>
#include <string.h>

int
main(void)
{
  const char *v = ja_version();
  if (v == NULL || strcmp(v, JA_VERSION) != 0) {
    fprintf(stderr, "ja_consumer: header %s, library %s\n", JA_VERSION, v ? v : "(null)");
    return 1;
  }
  printf("ja_consumer: jarvis-analytics %s\n", v);
  return 0;
}
