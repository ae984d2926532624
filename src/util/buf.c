/*
 * util/buf.c — growable NUL-terminated byte buffers.
 */
#include "boot.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static ja_status
buf_grow(ja__buf *b, size_t extra)
{
  if (b->len + extra + 1 <= b->cap)
    return JA_OK;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *p = realloc(b->ptr, cap);
  if (!p)
    return ja__error_set(JA_ENOMEM, "out of memory (%zu bytes)", cap);
  b->ptr = p;
  b->cap = cap;
  return JA_OK;
}

ja_status
ja__buf_reserve(ja__buf *b, size_t extra)
{
  return buf_grow(b, extra);
}

ja_status
ja__buf_append(ja__buf *b, const char *s, size_t n)
{
  ja_status st = buf_grow(b, n);
  if (st != JA_OK)
    return st;
  memcpy(b->ptr + b->len, s, n);
  b->len += n;
  b->ptr[b->len] = '\0';
  return JA_OK;
}

ja_status
ja__buf_printf(ja__buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return ja__error_set(JA_EINTERNAL, "bad format '%s'", fmt);
  ja_status st = buf_grow(b, (size_t)n);
  if (st != JA_OK)
    return st;
  va_start(ap, fmt);
  vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return JA_OK;
}

void
ja__buf_free(ja__buf *b)
{
  free(b->ptr);
  b->ptr = NULL;
  b->len = b->cap = 0;
}

