/*
 * util/fs.c — domain-free file helpers: path joining, whole-file reads,
 * the file safety check, atomic file creation, the home directory
 * (creation, the checks it must pass, its real path, a lock on it). The
 * file-system calls that tests need to fail on purpose go through ja__sys.
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/fs.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1u << 0) /* <linux/fs.h>; stdio.h has it only with _GNU_SOURCE */
#endif

/* ------------------------------------------------------------ syscalls */

static int real_open(const char *path, int flags, unsigned mode) { return open(path, flags, (mode_t)mode); }
static long real_write(int fd, const void *buf, size_t n) { return (long)write(fd, buf, n); }
static int real_fsync(int fd) { return fsync(fd); }
static int real_rename(const char *from, const char *to) { return rename(from, to); }
static long real_read(int fd, void *buf, size_t n) { return (long)read(fd, buf, n); }

ja__syscalls ja__sys = {real_open, real_write, real_fsync, real_rename, real_read};

/* ---------------------------------------------------------------- paths */

ja_status
ja__path_join(char *out, size_t outsz, const char *dir, const char *name)
{
  size_t dl = strlen(dir);
  const char *sep = (dl > 0 && dir[dl - 1] == '/') ? "" : "/";
  int n = snprintf(out, outsz, "%s%s%s", dir, sep, name);
  if (n < 0 || (size_t)n >= outsz)
    return ja__error_set(JA_ECONFIG, "path too long: '%s/%s'", dir, name);
  return JA_OK;
}

/* ---------------------------------------------------------------- files */

ja_status
ja__file_read(const char *path, size_t max, char **out, size_t *len, int *missing)
{
  return ja__file_read_checked(path, max, JA__FILE_READ_RULES, out, len, missing, NULL);
}

ja_status
ja__file_read_checked(const char *path, size_t max, unsigned rules, char **out, size_t *len,
                      int *missing, struct stat *sb_out)
{
  *out = NULL;
  *len = 0;
  *missing = 0;
  /* The same open-then-fstat rule as the store's files, minus what only
   * fits files we own: a symlink is refused, not followed (it was, against
   * this function's own comment), and a FIFO is refused instead of blocking
   * the caller forever in open(). */
  int fd = -1;
  ja_status st = ja__file_open_checked(path, O_RDONLY, 0, NULL, rules, &fd);
  if (st != JA_OK)
    return st;
  if (fd < 0) {
    *missing = 1;
    return JA_OK;
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int e = errno;
    close(fd);
    return ja__error_set(JA_EIO, "cannot read '%s': %s", path, strerror(e));
  }
  if ((size_t)sb.st_size > max) {
    close(fd);
    return ja__error_set(JA_EIO, "cannot read '%s': larger than %zu bytes", path, max);
  }
  char *buf = malloc((size_t)sb.st_size + 1);
  if (!buf) {
    close(fd);
    return ja__error_set(JA_ENOMEM, "out of memory reading '%s'", path);
  }
  size_t n = 0;
  while (n < (size_t)sb.st_size) {
    ssize_t r = read(fd, buf + n, (size_t)sb.st_size - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return ja__error_set(JA_EIO, "cannot read '%s': %s", path, strerror(e));
    }
    if (r == 0)
      break; /* file shrank under us: take what is there */
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *out = buf;
  *len = n;
  if (sb_out)
    *sb_out = sb;
  return JA_OK;
}

ja_status
ja__file_check(const char *path, const char *what, int64_t *size)
{
  struct stat sb;
  *size = -1;
  if (lstat(path, &sb) != 0) {
    /* ENOTDIR: a parent is a file, so this file cannot exist either. */
    if (errno == ENOENT || errno == ENOTDIR)
      return JA_OK;
    return ja__error_set(JA_EIO, "cannot stat %s '%s': %s", what, path, strerror(errno));
  }
  /* Following a symlink would let whoever planted it point our writes (or
   * our reads of the install's id) anywhere. */
  if (S_ISLNK(sb.st_mode))
    return ja__error_set(JA_EUNSAFE, "refusing %s '%s': it is a symlink", what, path);
  if (!S_ISREG(sb.st_mode))
    return ja__error_set(JA_EUNSAFE, "refusing %s '%s': not a regular file", what, path);
  *size = (int64_t)sb.st_size;
  return JA_OK;
}

ja_status
ja__file_open_checked(const char *path, int flags, unsigned mode, const char *what,
                      unsigned rules, int *fd)
{
  /* "refusing queue '/x'" for the store's files, "refusing '/x'" otherwise. */
  const char *w = what ? what : "";
  const char *sp = what ? " " : "";
  *fd = ja__sys.open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
  if (*fd < 0) {
    int e = errno;
    if ((e == ENOENT || e == ENOTDIR) && !(flags & O_CREAT))
      return JA_OK;
    /* ELOOP: O_NOFOLLOW met a symlink. ENXIO: a FIFO with no reader,
     * opened for writing without blocking. */
    if (e == ELOOP || e == ENXIO)
      return ja__error_set(JA_EUNSAFE, "refusing %s%s'%s': %s", w, sp, path,
                           e == ELOOP ? "it is a symlink" : "not a regular file");
    if (flags & O_CREAT)
      return ja__error_set(JA_ECANTCREATE, "cannot create %s%s'%s': %s", w, sp, path, strerror(e));
    return ja__error_set(JA_EIO, "cannot open %s%s'%s': %s", w, sp, path, strerror(e));
  }
  struct stat sb;
  const char *why = NULL;
  if (fstat(*fd, &sb) != 0)
    why = strerror(errno);
  else if (!S_ISREG(sb.st_mode))
    why = "not a regular file";
  else if ((rules & JA__FILE_OURS) && sb.st_uid != geteuid())
    why = "owned by another user";
  else if ((rules & JA__FILE_OURS_OR_ROOT) && sb.st_uid != geteuid() && sb.st_uid != 0)
    why = "owned by another user";
  else if ((rules & JA__FILE_NOT_OTHERS_WRITABLE) && (sb.st_mode & S_IWOTH))
    why = "writable by every user";
  /* > 1, not != 1: a file replaced or removed after we opened it has no
   * name left (0 links); that is a race with reset-id, not a hard link. */
  else if ((rules & JA__FILE_ONE_LINK) && sb.st_nlink > 1)
    why = "it has other hard links";
  else if ((rules & JA__FILE_NARROW) && (sb.st_mode & 077) && fchmod(*fd, sb.st_mode & 0700) != 0)
    why = "readable by others and cannot be made private";
  if (why) {
    close(*fd);
    *fd = -1;
    return ja__error_set(JA_EUNSAFE, "refusing %s%s'%s': %s", w, sp, path, why);
  }
  return JA_OK;
}

ja_status
ja__file_open_safe(const char *path, int flags, unsigned mode, const char *what, int *fd)
{
  return ja__file_open_checked(path, flags, mode, what, JA__FILE_STORE_RULES, fd);
}

ja_status
ja__file_check_private(const char *path, const char *what, struct stat *sb, int *exists)
{
  *exists = 0;
  if (lstat(path, sb) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return JA_OK;
    return ja__error_set(JA_EIO, "cannot stat %s '%s': %s", what, path, strerror(errno));
  }
  const char *why = NULL;
  if (S_ISLNK(sb->st_mode))
    why = "it is a symlink";
  else if (!S_ISREG(sb->st_mode))
    why = "not a regular file";
  else if (sb->st_uid != geteuid())
    why = "owned by another user";
  else if (sb->st_nlink != 1)
    why = "it has other hard links";
  else if (sb->st_mode & 077) {
    /* AT_SYMLINK_NOFOLLOW: never change the mode of what a symlink swapped
     * in since the lstat points to (Linux without it: plain chmod of what
     * lstat just saw as a regular file). */
    mode_t m = sb->st_mode & 0700;
    if (fchmodat(AT_FDCWD, path, m, AT_SYMLINK_NOFOLLOW) != 0 &&
        ((errno != ENOTSUP && errno != EOPNOTSUPP) || chmod(path, m) != 0))
      why = "readable by others and cannot be made private";
    else
      sb->st_mode = (sb->st_mode & ~(mode_t)07777) | m;
  }
  if (why)
    return ja__error_set(JA_EUNSAFE, "refusing %s '%s': %s", what, path, why);
  *exists = 1;
  return JA_OK;
}

/* Directory part of @p path into @p out ("." when there is none). */
static void
dir_of(const char *path, char *out, size_t outsz)
{
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, outsz, ".");
  } else if (slash == path) {
    snprintf(out, outsz, "/");
  } else {
    snprintf(out, outsz, "%.*s", (int)(slash - path), path);
  }
}

/* Tries at a fresh temp name before giving up: a collision of 64 random
 * bits means a planted or stale file, not bad luck. */
#define TEMP_TRIES 4

/* Create a temp file for @p path: "<path>.tmp.<16 random hex>", O_EXCL.
 * The name is random, not "<path>.tmp.<pid>": every thread and handle of a
 * process shares the pid, and when they all created the first anon_id of a
 * fresh home at once they unlinked and overwrote each other's temp files
 * (a bug once: 6-7 of 8 concurrent ja_anon_id calls failed). Never unlinks
 * anything: a name that exists belongs to someone else. */
static ja_status
temp_create(const char *path, unsigned mode, char *tmp, size_t tmpsz, int *fd)
{
  int e = 0;
  for (int i = 0; i < TEMP_TRIES; i++) {
    unsigned char r[8];
    char hex[2 * sizeof r + 1];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    int n = snprintf(tmp, tmpsz, "%s.tmp.%s", path, hex);
    if (n < 0 || (size_t)n >= tmpsz)
      return ja__error_set(JA_ECANTCREATE, "path too long: '%s'", path);
    /* O_EXCL|O_NOFOLLOW: never write through a planted temp-file symlink. */
    *fd = ja__sys.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (*fd >= 0)
      return JA_OK;
    e = errno;
    if (e != EEXIST)
      break;
  }
  return ja__error_set(JA_ECANTCREATE, "cannot create '%s': %s", tmp, strerror(e));
}

/* Move @p tmp to @p path unless @p path exists (-1, EEXIST); @p tmp is
 * gone afterwards either way. renameat2(RENAME_NOREPLACE) does it in one
 * step. link() + unlink() is only the fallback (file systems and kernels
 * without it): for an instant the new file has two names, and a reader
 * that opens it then refuses it as hard-linked (the file rule): test
 * test_identity__new_id_never_seen_half_made. */
static int
move_noreplace(const char *tmp, const char *path)
{
  int rc, e;
#ifdef SYS_renameat2
  rc = (int)syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
  if (rc == 0)
    return 0;
  e = errno;
  if (e != EINVAL && e != ENOSYS && e != EOPNOTSUPP) {
    unlink(tmp);
    errno = e;
    return -1;
  }
#endif
  rc = link(tmp, path);
  e = errno;
  unlink(tmp);
  errno = e;
  return rc;
}

ja_status
ja__file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                      int replace, int *created)
{
  if (created)
    *created = 1;
  char tmp[JA_PATH_MAX];
  char dir[JA_PATH_MAX];
  int fd = -1;
  ja_status st = temp_create(path, mode, tmp, sizeof tmp, &fd);
  if (st != JA_OK)
    return st;
  /* The umask may have narrowed the mode; we want exactly @p mode. */
  if (fchmod(fd, (mode_t)mode) != 0) {
    int e = errno;
    close(fd);
    unlink(tmp);
    return ja__error_set(JA_EIO, "cannot chmod '%s': %s", tmp, strerror(e));
  }
  size_t off = 0;
  while (off < len) {
    long w = ja__sys.write(fd, data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = w < 0 ? errno : ENOSPC;
      close(fd);
      unlink(tmp);
      return ja__error_set(JA_EIO, "cannot write '%s': %s", tmp, strerror(e));
    }
    off += (size_t)w;
  }
  /* fsync before rename: otherwise a crash can leave the new name pointing
   * at an empty file (the rename reaches the disk before the data). */
  if (ja__sys.fsync(fd) != 0) {
    int e = errno;
    close(fd);
    unlink(tmp);
    return ja__error_set(JA_EIO, "cannot fsync '%s': %s", tmp, strerror(e));
  }
  close(fd);
  if (replace) {
    /* rename is atomic: readers see the old file or the new one, never half. */
    if (ja__sys.rename(tmp, path) != 0) {
      int e = errno;
      unlink(tmp);
      return ja__error_set(JA_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(e));
    }
  } else {
    /* Fails with EEXIST instead of replacing: when several writers create
     * the file at once, the first one wins and all use its bytes. */
    int rc = move_noreplace(tmp, path);
    int e = errno;
    if (rc != 0 && e == EEXIST) {
      if (created)
        *created = 0;
      return JA_OK;
    }
    if (rc != 0)
      return ja__error_set(JA_ECANTCREATE, "cannot create '%s': %s", path, strerror(e));
  }
  /* fsync the directory so the rename itself survives a power cut. */
  dir_of(path, dir, sizeof dir);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ja__sys.fsync(dfd);
    close(dfd);
  }
  return JA_OK;
}

/* Why a directory may not hold our private files, or NULL when it may:
 * another user's directory, or one others can write in (a /tmp-style
 * shared directory), could hold files planted before we came. */
static const char *
dir_unsafe(const struct stat *sb)
{
  if (!S_ISDIR(sb->st_mode))
    return "it is not a directory";
  if (sb->st_uid != geteuid())
    return "it belongs to another user";
  if (sb->st_mode & (S_IWGRP | S_IWOTH))
    return "others can write in it (run chmod go-w on it)";
  return NULL;
}

ja_status
ja__dir_ensure(const char *dir)
{
  if (mkdir(dir, 0700) == 0) {
    /* The umask can only narrow 0700, and a narrowed home is useless. */
    chmod(dir, 0700);
  } else if (errno != EEXIST) {
    return ja__error_set(JA_ECANTCREATE, "cannot create '%s': %s", dir, strerror(errno));
  }
  struct stat sb;
  if (stat(dir, &sb) != 0)
    return ja__error_set(JA_ECANTCREATE, "cannot create '%s': %s", dir, strerror(errno));
  if (!S_ISDIR(sb.st_mode))
    return ja__error_set(JA_EUNSAFE, "'%s' exists and is not a directory", dir);
  const char *why = dir_unsafe(&sb);
  if (why)
    return ja__error_set(JA_EUNSAFE, "refusing home '%s': %s", dir, why);
  if (access(dir, W_OK | X_OK) != 0)
    return ja__error_set(JA_ECANTCREATE, "cannot write in '%s': %s", dir, strerror(errno));
  return JA_OK;
}

ja_status
ja__dir_resolve(const char *dir, char *out, size_t outsz, int *missing)
{
  *missing = 0;
  out[0] = '\0';
  /* realpath, not our own walk: the home may sit under symlinked parents
   * (macOS /tmp and /var, a home directory moved to another disk), but
   * SQLite's NOFOLLOW refuses a symlink in any component of the path it is
   * given. So the symlinks are followed once, here, and everything after
   * works on the real path. */
  char *real = realpath(dir, NULL);
  if (!real) {
    if (errno == ENOENT || errno == ENOTDIR) {
      *missing = 1;
      return JA_OK;
    }
    return ja__error_set(JA_EIO, "cannot resolve home '%s': %s", dir, strerror(errno));
  }
  struct stat sb;
  ja_status st = JA_OK;
  const char *why = NULL;
  if (stat(real, &sb) != 0)
    st = ja__error_set(JA_EIO, "cannot stat home '%s': %s", real, strerror(errno));
  else if ((why = dir_unsafe(&sb)) != NULL)
    st = ja__error_set(JA_EUNSAFE, "refusing home '%s': %s", dir, why);
  else if (strlen(real) >= outsz)
    st = ja__error_set(JA_ECONFIG, "home path too long: '%s'", real);
  else
    memcpy(out, real, strlen(real) + 1);
  free(real);
  return st;
}

ja_status
ja__dir_lock(const char *dir, int wait_ms, int *fd)
{
  *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0)
    return ja__error_set(JA_EIO, "cannot open '%s': %s", dir, strerror(errno));
  /* Polled, not a blocking flock: a stopped process holding the lock must
   * cost us a bounded wait, never a hang. Holders keep it for a few
   * syscalls only. */
  ja__deadline until = ja__deadline_in(wait_ms);
  for (;;) {
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
      return JA_OK;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int e = errno;
      close(*fd);
      *fd = -1;
      return ja__error_set(JA_EIO, "cannot lock '%s': %s", dir, strerror(e));
    }
    if (ja__deadline_left_ms(until) == 0)
      break;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  close(*fd);
  *fd = -1;
  return ja__error_set(JA_EBUSY, "'%s' stayed locked for more than %d ms", dir, wait_ms);
}

void
ja__dir_unlock(int fd)
{
  if (fd >= 0)
    close(fd); /* closing the last descriptor releases the flock */
}

void
ja__dir_sync(const char *dir)
{
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ja__sys.fsync(dfd);
    close(dfd);
  }
}
