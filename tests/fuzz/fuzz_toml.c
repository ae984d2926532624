/*
 * fuzz_toml.c — fuzzes ja__toml_read_analytics (toml.c) on a whole config.toml.
 * Checks: 0 or -1; on -1 one non-empty line (a short buffer gets a prefix)
 * that never echoes an API-key-looking `key = "..."` value; on 0 string
 * fields are NUL-terminated within their buffers and values are in range.
 */
#include "boot.h"
#include "home/config.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_toml: invariant violated: %s (%s:%d)\n", #cond,    \
              __FILE__, __LINE__);                                             \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define ERR_BIG 512
#define ERR_SMALL 24 /* shorter than most messages: exercises truncation */
#define SECRET_MIN 12

/* Occurrences (overlapping) of @p needle[0..n) in @p hay[0..len). */
static size_t
count_in(const char *hay, size_t len, const char *needle, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; n && i + n <= len; i++)
    if (memcmp(hay + i, needle, n) == 0)
      c++;
  return c;
}

static int
is_key_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.';
}

/* Check that no API-key-looking value of a `key = "..."` line (12+ of
 * [A-Za-z0-9_.-] with a letter and a digit, found only once in the input,
 * so the text cannot have come into the message another way) is in @p err. */
static void
check_key_not_echoed(const char *text, size_t len, const char *err)
{
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *lend = nl ? nl : end;
    const char *q = p;
    while (q < lend && (*q == ' ' || *q == '\t'))
      q++;
    if (lend - q >= 3 && memcmp(q, "key", 3) == 0) {
      q += 3;
      while (q < lend && (*q == ' ' || *q == '\t'))
        q++;
      if (q < lend && *q == '=') {
        q++;
        while (q < lend && (*q == ' ' || *q == '\t'))
          q++;
        if (q < lend && (*q == '"' || *q == '\'')) {
          const char *v = ++q;
          int letter = 0, digit = 0;
          while (q < lend && is_key_char(*q)) {
            letter |= (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z');
            digit |= *q >= '0' && *q <= '9';
            q++;
          }
          size_t n = (size_t)(q - v);
          if (q < lend && *q == v[-1] && n >= SECRET_MIN && letter && digit &&
              count_in(text, len, v, n) == 1)
            CHECK(count_in(err, strlen(err), v, n) == 0);
        }
      }
    }
    p = nl ? nl + 1 : end;
  }
}

static void
check_field(const char *buf, size_t cap, int has, int may_be_empty)
{
  const char *nul = memchr(buf, '\0', cap);
  CHECK(nul != NULL);
  size_t n = (size_t)(nul - buf);
  if (!has) {
    CHECK(n == 0);
    return;
  }
  CHECK(may_be_empty || n > 0);
  CHECK(ja__utf8_valid(buf, n));
  CHECK(!ja__utf8_has_control(buf, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* Exactly @p size bytes, no NUL after them: an over-read trips ASan. */
  char *text = malloc(size ? size : 1);
  char *err = malloc(ERR_BIG);
  char *small = malloc(ERR_SMALL);
  ja__toml_analytics *out = malloc(sizeof *out);
  ja__toml_analytics *out2 = malloc(sizeof *out2);
  if (!text || !err || !small || !out || !out2)
    abort();
  if (size)
    memcpy(text, data, size);
  memset(err, 'x', ERR_BIG);

  int rc = ja__toml_read_analytics(text, size, "config.toml", out, err, ERR_BIG);
  CHECK(rc == 0 || rc == -1);
  CHECK(memchr(err, '\0', ERR_BIG) != NULL);
  size_t elen = strlen(err);

  if (rc == -1) {
    CHECK(elen > 0);
    CHECK(strncmp(err, "config.toml:", 12) == 0);
    for (size_t i = 0; i < elen; i++) {
      unsigned char c = (unsigned char)err[i];
      CHECK(c >= 0x20 && c != 0x7F); /* one line, no control characters */
    }
    CHECK(ja__utf8_valid(err, elen));
    check_key_not_echoed(text, size, err);
  } else {
    check_field(out->host, sizeof out->host, out->has_host, 0);
    check_field(out->key, sizeof out->key, out->has_key, 1);
    check_field(out->anon_id_path, sizeof out->anon_id_path, out->has_anon_id_path, 0);
    CHECK(!out->has_flush_interval || out->flush_interval_seconds >= 1);
    CHECK(!out->has_flush_at_size || (out->flush_at_size >= 1 && out->flush_at_size <= 1000));
    CHECK(!out->has_enabled || out->enabled == 0 || out->enabled == 1);
    /* Values are only read inside an [analytics] table. */
    CHECK(out->has_table || !(out->has_enabled || out->has_host || out->has_key ||
                              out->has_anon_id_path || out->has_flush_interval ||
                              out->has_flush_at_size));
  }

  /* A short buffer gets the same verdict and a prefix of the message. */
  memset(small, 'x', ERR_SMALL);
  int rc2 = ja__toml_read_analytics(text, size, "config.toml", out2, small, ERR_SMALL);
  CHECK(rc2 == rc);
  CHECK(memchr(small, '\0', ERR_SMALL) != NULL);
  CHECK(strncmp(err, small, strlen(small)) == 0);
  CHECK(rc == -1 ? small[0] != '\0' : 1);
  CHECK(rc == -1 || memcmp(out, out2, sizeof *out) == 0);

  /* No message buffer at all: same verdict. */
  CHECK(ja__toml_read_analytics(text, size, NULL, out2, NULL, 0) == rc);

  free(out2);
  free(out);
  free(small);
  free(err);
  free(text);
  return 0;
}
