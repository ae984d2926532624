/*
 * test_util.c — the small pieces everything leans on: UTF-8 checks, UUID
 * v7/v4 layout, hash_id vectors, ISO-8601 rendering, buffers.
 */
#include "support.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/utf8.h"
#include "util/uuid.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_util__utf8_valid_and_invalid(void **state)
{
  (void)state;
  const char *good[] = {"", "abc", "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x9a\x80", "\xf4\x8f\xbf\xbf"};
  const char *bad[] = {"\xff", "\xc0\x80", "\xc3", "\xe0\x80\x80", "\xed\xa0\x80",
                       "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "a\x80"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    assert_true(ja__utf8_valid(good[i], strlen(good[i])));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ja__utf8_valid(bad[i], strlen(bad[i])))
      fail_msg("bad case %zu accepted", i);
  assert_int_equal(ja__utf8_count("a\xc3\xa9\xf0\x9f\x9a\x80", 7), 3);
  assert_true(ja__utf8_has_control("a\tb", 3));
  assert_true(ja__utf8_has_control("a\x7f", 2));
  assert_true(ja__utf8_has_control("a\xc2\x85", 3)); /* NEL, a C1 control */
  assert_false(ja__utf8_has_control("caf\xc3\xa9", 5));
}

static void test_util__uuid_v7_layout(void **state)
{
  (void)state;
  int64_t ms = 1764072000123; /* 2025-11-25T12:00:00.123Z */
  char a[37], b[37];
  ja__uuid_v7(ms, a);
  ja__uuid_v7(ms, b);
  assert_true(ja__uuid_well_formed(a, 36));
  assert_string_not_equal(a, b);
  assert_int_equal(a[14], '7');
  assert_true(strchr("89ab", a[19]) != NULL);
  char hex[13];
  memcpy(hex, a, 8);
  memcpy(hex + 8, a + 9, 4);
  hex[12] = '\0';
  assert_int_equal(strtoll(hex, NULL, 16), ms);
  ja__uuid_v4(a);
  assert_int_equal(a[14], '4');
  assert_true(strchr("89ab", a[19]) != NULL);
}

static void test_util__uuid_shape_check(void **state)
{
  (void)state;
  assert_true(ja__uuid_well_formed("12345678-1234-1234-1234-123456789abc", 36));
  assert_true(ja__uuid_well_formed("12345678-ABCD-1234-1234-123456789ABC", 36));
  assert_false(ja__uuid_well_formed("12345678-1234-1234-1234-123456789abg", 36));
  assert_false(ja__uuid_well_formed("123456781234-1234-1234-123456789abcd", 36));
  assert_false(ja__uuid_well_formed("12345678-1234-1234-1234-123456789ab", 35));
}

/* Expected values from Python: hashlib.sha256(s.encode()).hexdigest()[:16]
 * (the e2e test compares against hashlib live through ctypes). */
static void test_util__hash_id_vectors(void **state)
{
  (void)state;
  char out[17];
  assert_int_equal(ja_hash_id("", out), JA_OK);
  assert_string_equal(out, "");
  assert_int_equal(ja_hash_id("abc", out), JA_OK);
  assert_string_equal(out, "ba7816bf8f01cfea"); /* FIPS 180-2 test vector */
  assert_int_equal(ja_hash_id("hello", out), JA_OK);
  assert_string_equal(out, "2cf24dba5fb0a30e");
}

static void test_util__iso8601(void **state)
{
  (void)state;
  char out[32];
  ja__iso8601_ms(0, out);
  assert_string_equal(out, "1970-01-01T00:00:00.000Z");
  ja__iso8601_ms(1764072000123, out);
  assert_string_equal(out, "2025-11-25T12:00:00.123Z");
  ja__iso8601_ms(951782400999, out); /* leap day 2000 */
  assert_string_equal(out, "2000-02-29T00:00:00.999Z");
}

static void test_util__buffers_grow(void **state)
{
  (void)state;
  ja__buf b = {0};
  for (int i = 0; i < 1000; i++)
    assert_int_equal(ja__buf_printf(&b, "%04d", i), JA_OK);
  assert_int_equal(b.len, 4000);
  assert_memory_equal(b.ptr + 3996, "0999", 4);
  ja__buf_free(&b);
  assert_null(b.ptr);
}

static void test_util__path_join_too_long(void **state)
{
  (void)state;
  char out[16];
  assert_int_equal(ja__path_join(out, sizeof out, "/a", "b"), JA_OK);
  assert_string_equal(out, "/a/b");
  assert_int_equal(ja__path_join(out, sizeof out, "/a/", "b"), JA_OK);
  assert_string_equal(out, "/a/b");
  assert_int_equal(ja__path_join(out, sizeof out, "/a-very-long-dir", "file"), JA_ECONFIG);
}

static void test_util__last_error_is_per_thread_and_never_null(void **state)
{
  (void)state;
  ja__error_clear();
  assert_non_null(ja_last_error());
  assert_string_equal(ja_last_error(), "");
  ja__error_set(JA_EIO, "cannot open '%s'", "x");
  assert_string_equal(ja_last_error(), "cannot open 'x'");
  for (int st = JA_OK; st >= JA_EINTERNAL; st--)
    assert_string_not_equal(ja_status_str((ja_status)st), "unknown status");
}

/* The file rule (util/fs.h), through the one function every opener uses:
 * each odd thing where a file should be is refused without blocking, and
 * without the file being changed. */
static void test_util__open_safe_refuses_odd_files(void **state)
{
  (void)state;
  char dir[JA_PATH_MAX], p[JA_PATH_MAX + 16], q[JA_PATH_MAX + 16];
  snprintf(dir, sizeof dir, "%s", jt_fresh_env());
  int fd = -2;
  snprintf(p, sizeof p, "%s/missing", dir);
  assert_int_equal(ja__file_open_safe(p, O_RDONLY, 0, "test", &fd), JA_OK);
  assert_int_equal(fd, -1);

  snprintf(p, sizeof p, "%s/fifo", dir); /* would block a plain open() */
  assert_int_equal(mkfifo(p, 0600), 0);
  assert_int_equal(ja__file_open_safe(p, O_RDONLY, 0, "test", &fd), JA_EUNSAFE);
  assert_int_equal(ja__file_open_safe(p, O_WRONLY, 0, "test", &fd), JA_EUNSAFE);
  assert_int_equal(fd, -1);

  snprintf(p, sizeof p, "%s/target", dir);
  jt_write_file(p, "keep");
  chmod(p, 0600);
  snprintf(q, sizeof q, "%s/link", dir);
  assert_int_equal(symlink(p, q), 0);
  assert_int_equal(ja__file_open_safe(q, O_RDWR, 0, "test", &fd), JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "symlink"));
  snprintf(q, sizeof q, "%s/hard", dir);
  assert_int_equal(link(p, q), 0);
  assert_int_equal(ja__file_open_safe(q, O_RDWR, 0, "test", &fd), JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "hard links"));
  unlink(q);

  snprintf(q, sizeof q, "%s/sub", dir);
  assert_int_equal(mkdir(q, 0700), 0);
  assert_int_equal(ja__file_open_safe(q, O_RDONLY, 0, "test", &fd), JA_EUNSAFE);

  /* Ours but 0644: narrowed to 0600 and opened. */
  assert_int_equal(chmod(p, 0644), 0);
  assert_int_equal(ja__file_open_safe(p, O_RDWR, 0, "test", &fd), JA_OK);
  assert_true(fd >= 0);
  close(fd);
  struct stat sb;
  assert_int_equal(stat(p, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);

  /* Another user's file (root can plant one for the test; others skip). */
  if (geteuid() == 0) {
    assert_int_equal(chown(p, 65534, 65534), 0);
    assert_int_equal(ja__file_open_safe(p, O_RDWR, 0, "test", &fd), JA_EUNSAFE);
    assert_non_null(strstr(ja_last_error(), "another user"));
  }
  char *text = jt_read_file(p, NULL);
  assert_string_equal(text, "keep");
  free(text);
}
