/*
 * fuzz_redact.c — fuzzes ja__redact_string (redact.c) with the input as one
 * string value; invalid UTF-8 is skipped, as callers never pass it. Checks:
 * the verdict is one of keep/empty/too_long/pii and deterministic; EMPTY iff
 * len 0; TOO_LONG iff more than 200 code points; a kind iff PII; the
 * engine's gates never change a verdict (same answer with JA__REDACT_NO_GATES).
 */
#include "boot.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "filter/redact.h"
#include "store/store.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_redact: invariant violated: %s (%s:%d)\n", #cond,  \
              __FILE__, __LINE__);                                             \
      abort();                                                                 \
    }                                                                          \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  if (!ja__utf8_valid(s, size))
    return 0;

  const char *kind = "unset";
  ja__drop d = ja__redact_string(s, size, &kind);
  CHECK(d == JA__DROP_NONE || d == JA__DROP_EMPTY || d == JA__DROP_TOO_LONG ||
        d == JA__DROP_PII);
  CHECK((d == JA__DROP_EMPTY) == (size == 0));
  CHECK((d == JA__DROP_TOO_LONG) == (ja__utf8_count(s, size) > JA__MAX_STR_CODEPOINTS));
  if (d == JA__DROP_PII) {
    CHECK(kind != NULL && kind[0] != '\0');
    /* Kinds are short snake_case names ("ipv4"), never parts of the input. */
    size_t n = strlen(kind);
    CHECK(n <= 32);
    for (size_t i = 0; i < n; i++)
      CHECK((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') ||
            kind[i] == '_');
    CHECK(kind < s || kind >= s + size);
  } else {
    CHECK(kind == NULL);
  }

  /* Deterministic, and the same without asking for the kind. */
  const char *kind2 = "unset";
  CHECK(ja__redact_string(s, size, &kind2) == d);
  CHECK(kind2 == kind || (kind && kind2 && strcmp(kind, kind2) == 0));
  CHECK(ja__redact_string(s, size, NULL) == d);

  /* The gates only skip units that cannot match: running every unit gives
   * the same verdict and kind. */
  const char *kind3 = "unset";
  CHECK(ja__redact_string_ex(s, size, JA__REDACT_NO_GATES, &kind3) == d);
  CHECK(kind3 == kind || (kind && kind3 && strcmp(kind, kind3) == 0));
  return 0;
}
