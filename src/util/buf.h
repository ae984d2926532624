/*
 * util/buf.h — a growable NUL-terminated byte buffer.
 */
#ifndef JA_UTIL_BUF_H
#define JA_UTIL_BUF_H

#include "boot.h"

typedef struct ja__buf {
  char *ptr;   /* heap storage, always NUL-terminated when non-NULL */
  size_t len;  /* bytes used, excluding the NUL */
  size_t cap;  /* bytes allocated */
} ja__buf;
ja_status ja__buf_append(ja__buf *b, const char *s, size_t n);
/* Room for @p extra more bytes (and the NUL) after b->len, so a caller can
 * write into b->ptr + b->len directly, then move b->len and end it. */
ja_status ja__buf_reserve(ja__buf *b, size_t extra);
ja_status ja__buf_printf(ja__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ja__buf_free(ja__buf *b);

#endif
