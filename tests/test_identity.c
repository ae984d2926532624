/*
 * test_identity.c — anon_id: create, reuse (install.sh's format too),
 * replace malformed, refuse symlinks, reset, and failures while writing.
 */
#include "support.h"
#include "home/identity.h"
#include "util/fs.h"
#include "util/uuid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_path[2048];

static const char *
id_path(void)
{
  jt_fresh_env();
  mkdir(jt_home(), 0700);
  snprintf(g_path, sizeof g_path, "%s/anon_id", jt_home());
  return g_path;
}

static void test_identity__created_v4_0600_with_newline(void **state)
{
  (void)state;
  const char *p = id_path();
  char id[37];
  assert_int_equal(ja__identity_get(p, 1, id), JA_OK);
  assert_true(ja__uuid_well_formed(id, strlen(id)));
  assert_int_equal(id[14], '4');
  struct stat sb;
  assert_int_equal(stat(p, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  char *content = jt_read_file(p, NULL);
  char expect[40];
  snprintf(expect, sizeof expect, "%s\n", id);
  assert_string_equal(content, expect);
  free(content);
  char again[37];
  assert_int_equal(ja__identity_get(p, 1, again), JA_OK);
  assert_string_equal(id, again);
}

static void test_identity__install_sh_id_reused_as_is(void **state)
{
  (void)state;
  const char *p = id_path();
  /* No version bits, upper case, surrounding whitespace: reuse verbatim. */
  jt_write_file(p, "  12345678-ABCD-1234-1234-123456789ABC\r\n");
  char id[37];
  assert_int_equal(ja__identity_get(p, 1, id), JA_OK);
  assert_string_equal(id, "12345678-ABCD-1234-1234-123456789ABC");
  char *content = jt_read_file(p, NULL);
  assert_string_equal(content, "  12345678-ABCD-1234-1234-123456789ABC\r\n"); /* untouched */
  free(content);
}

static void test_identity__malformed_replaced(void **state)
{
  (void)state;
  const char *bad[] = {"", "\n", "not-a-uuid", "12345678-1234-1234-1234-123456789abz",
                       "12345678123412341234123456789abc", "12345678-1234-1234-1234-123456789abc0"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *p = id_path();
    jt_write_file(p, bad[i]);
    char id[37];
    assert_int_equal(ja__identity_get(p, 1, id), JA_OK);
    assert_int_equal(id[14], '4');
    char *content = jt_read_file(p, NULL);
    assert_memory_equal(content, id, 36);
    free(content);
  }
}

static void test_identity__malformed_without_create_is_error(void **state)
{
  (void)state;
  const char *p = id_path();
  jt_write_file(p, "garbage");
  char id[37];
  assert_int_equal(ja__identity_get(p, 0, id), JA_ECANTCREATE);
  char *content = jt_read_file(p, NULL);
  assert_string_equal(content, "garbage");
  free(content);
}

static void test_identity__symlink_refused(void **state)
{
  (void)state;
  const char *p = id_path();
  char target[2100];
  snprintf(target, sizeof target, "%s/target", jt_home());
  jt_write_file(target, "12345678-1234-1234-1234-123456789abc\n");
  assert_int_equal(symlink(target, p), 0);
  char id[37];
  assert_int_equal(ja__identity_get(p, 1, id), JA_EUNSAFE);
  assert_non_null(strstr(ja_last_error(), "symlink"));
  assert_int_equal(ja__identity_reset(p, 1), JA_EUNSAFE);
  struct stat sb;
  assert_int_equal(lstat(p, &sb), 0);
  assert_true(S_ISLNK(sb.st_mode)); /* left alone */
  /* A dangling symlink is refused too (no file created at its target). */
  unlink(p);
  snprintf(target, sizeof target, "%s/nowhere", jt_home());
  assert_int_equal(symlink(target, p), 0);
  assert_int_equal(ja__identity_get(p, 1, id), JA_EUNSAFE);
  assert_int_not_equal(stat(target, &sb), 0);
}

static void test_identity__reset_changes_id(void **state)
{
  (void)state;
  const char *p = id_path();
  char a[37], b[37];
  assert_int_equal(ja__identity_get(p, 1, a), JA_OK);
  assert_int_equal(ja__identity_reset(p, 1), JA_OK);
  assert_int_equal(ja__identity_get(p, 0, b), JA_OK);
  assert_string_not_equal(a, b);
  assert_int_equal(ja__identity_reset(p, 0), JA_OK); /* off: removed only */
  struct stat sb;
  assert_int_not_equal(stat(p, &sb), 0);
}

static int g_fail_what;
static long fail_write(int fd, const void *b, size_t n) { (void)fd; (void)b; (void)n; errno = ENOSPC; return -1; }
static int fail_fsync(int fd) { (void)fd; errno = EIO; return -1; }
static int fail_rename(const char *a, const char *b) { (void)a; (void)b; errno = EXDEV; return -1; }

static void test_identity__write_failures_leave_no_file(void **state)
{
  (void)state;
  for (g_fail_what = 0; g_fail_what < 3; g_fail_what++) {
    const char *p = id_path();
    ja__syscalls saved = ja__sys;
    if (g_fail_what == 0)
      ja__sys.write = fail_write;
    else if (g_fail_what == 1)
      ja__sys.fsync = fail_fsync;
    else {
      jt_write_file(p, "malformed"); /* replacement goes through rename */
      ja__sys.rename = fail_rename;
    }
    char id[37];
    ja_status st = ja__identity_get(p, 1, id);
    ja__sys = saved;
    assert_int_equal(st, JA_EIO);
    /* No temp file is left behind, and no half-written id. */
    char tmp[2200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", p, (long)getpid());
    struct stat sb;
    assert_int_not_equal(stat(tmp, &sb), 0);
    if (g_fail_what < 2)
      assert_int_not_equal(stat(p, &sb), 0);
  }
}
