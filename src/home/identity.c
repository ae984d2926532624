/*
 * home/identity.c — the install's anonymous id, the file `anon_id` shared with
 * install.sh and the Python backend: one UUID per install, mode 0600,
 * created atomically, never read or written through a symlink.
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "home/identity.h"
#include "util/fs.h"
#include "util/uuid.h"

/* The anon_id file as ja__file_check sees it: *exists, or an error for a
 * symlink or non-regular file. */
static ja_status
check_not_symlink(const char *path, int *exists)
{
  int64_t size;
  ja_status st = ja__file_check(path, "anon_id", &size);
  *exists = size >= 0;
  return st;
}

/* Read the id if the file holds a well-formed one. Surrounding whitespace
 * (install.sh and Python write a trailing newline) is ignored; the id
 * itself is reused exactly as written (install.sh's ids carry no version
 * bits and may be upper case). Returns 1 when @p out was filled. */
static int
read_existing(const char *path, char out[37])
{
  /* O_NOFOLLOW closes the window between lstat and open. */
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  size_t b = 0, e = (size_t)n;
  while (b < e && (buf[b] == ' ' || buf[b] == '\t' || buf[b] == '\n' || buf[b] == '\r'))
    b++;
  while (e > b && (buf[e - 1] == ' ' || buf[e - 1] == '\t' || buf[e - 1] == '\n' || buf[e - 1] == '\r'))
    e--;
  if (!ja__uuid_well_formed(buf + b, e - b))
    return 0;
  memcpy(out, buf + b, 36);
  out[36] = '\0';
  return 1;
}

ja_status
ja__identity_get(const char *path, int create, char out[37])
{
  int exists = 0;
  ja_status st = check_not_symlink(path, &exists);
  if (st != JA_OK)
    return st;
  if (exists && read_existing(path, out))
    return JA_OK;
  if (!create)
    return ja__error_set(JA_ECANTCREATE, "no usable anon_id at '%s'", path);

  char id[37];
  char line[38];
  ja__uuid_v4(id);
  memcpy(line, id, 36);
  line[36] = '\n';
  /* Another process may be creating the id right now: a missing file is
   * created with link() so the first writer wins, and everyone re-reads the
   * file to use the id that is on disk. A malformed file is replaced. */
  st = ja__file_write_atomic(path, line, 37, 0600, exists, NULL);
  if (st != JA_OK)
    return st;
  st = check_not_symlink(path, &exists);
  if (st != JA_OK)
    return st;
  if (!read_existing(path, out))
    return ja__error_set(JA_EIO, "anon_id '%s' vanished after it was written", path);
  return JA_OK;
}

ja_status
ja__identity_reset(const char *path, int create)
{
  int exists = 0;
  ja_status st = check_not_symlink(path, &exists);
  if (st != JA_OK)
    return st;
  if (exists && unlink(path) != 0 && errno != ENOENT)
    return ja__error_set(JA_EIO, "cannot remove anon_id '%s': %s", path, strerror(errno));
  if (!create)
    return JA_OK;
  char id[37];
  return ja__identity_get(path, 1, id);
}
