/*
 * store/busy.c — busy drops: an event dropped because the queue stayed
 * locked cannot be counted in the locked database, so it is noted beside it
 * in "<db>-busy" and folded into the "busy" counter by the next transaction
 * that gets in — exactly once, across processes and crashes.
 *
 * The -busy file is a header line naming its generation (a random UUID fixed
 * when the file is created), then one byte per drop. Whoever sees a drop
 * appends a byte (O_APPEND: atomic); nobody ever truncates it. A fold runs
 * inside a write transaction — so one at a time, across processes — and
 * records in that same transaction how many drops of which generation are
 * counted (table busy_fold): a crash before COMMIT counts nothing, a crash
 * after it repeats nothing. A fully counted file is removed after COMMIT
 * (rotation) under flock(LOCK_EX | LOCK_NB), and appenders write only under
 * flock(LOCK_SH | LOCK_NB) to a file that is still linked, so no drop lands
 * in a removed file. Nothing here ever waits on a lock.
 *
 * Sections: the file (scan, create, append), folding and rotation, status
 * and the flush at close.
 */
/* O_TMPFILE and linkat's AT_SYMLINK_FOLLOW on /proc/self/fd (Linux): asked
 * for before any header, boot.h included. */
#define _GNU_SOURCE
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/uuid.h"

#define BUSY_MAGIC "jarvis-analytics busy v1 "
#define BUSY_MAGIC_LEN (sizeof BUSY_MAGIC - 1)
#define BUSY_HEADER_LEN (BUSY_MAGIC_LEN + 36 + 1) /* magic, uuid, newline */
/* A file without the header, only 'b' bytes, is the format before
 * generations (at most this big is believed); anything else is not ours. */
#define BUSY_LEGACY_MAX 65536
#define BUSY_WHAT "busy-drop file"

/* ------------------------------------------------------------- the file */

static void
busy_path(const ja__db *d, char *out, size_t n)
{
  snprintf(out, n, "%s-busy", d->path);
}

/* A -busy file, open, as a fold or status sees it. */
typedef struct busy_file {
  int fd;        /* -1: there is none */
  char gen[80];  /* its generation: the header's uuid, or legacy:<dev>:<ino> */
  int64_t drops; /* drops it holds (bytes past the header) */
  int64_t size;  /* its size when read */
} busy_file;

/* Whether @p fd starts with a well-formed header; its uuid into @p gen. */
static int
header_read(int fd, char gen[37])
{
  char h[BUSY_HEADER_LEN];
  ssize_t n = pread(fd, h, sizeof h, 0);
  if (n != (ssize_t)sizeof h || memcmp(h, BUSY_MAGIC, BUSY_MAGIC_LEN) != 0 ||
      h[sizeof h - 1] != '\n' || !ja__uuid_well_formed(h + BUSY_MAGIC_LEN, 36))
    return 0;
  memcpy(gen, h + BUSY_MAGIC_LEN, 36);
  gen[36] = '\0';
  return 1;
}

/* Whether @p fd holds only 'b' bytes (the headerless format), size @p n. */
static int
legacy_ok(int fd, int64_t n)
{
  char buf[4096];
  for (int64_t off = 0; off < n;) {
    ssize_t r = pread(fd, buf, sizeof buf, (off_t)off);
    if (r <= 0)
      return 0;
    for (ssize_t i = 0; i < r; i++)
      if (buf[i] != 'b')
        return 0;
    off += r;
  }
  return 1;
}

/* Open and read the -busy file. f->fd = -1 and JA_OK when there is none;
 * JA_EUNSAFE (via the file rule, or when it is not in our format) or JA_EIO
 * when something unusable is there: it is then left exactly as it is. */
static ja_status
busy_scan(const ja__db *d, busy_file *f)
{
  char path[JA_PATH_MAX + 8];
  busy_path(d, path, sizeof path);
  memset(f, 0, sizeof *f);
  ja_status st = ja__file_open_safe(path, O_RDONLY, 0, BUSY_WHAT, &f->fd);
  if (st != JA_OK || f->fd < 0)
    return st;
  struct stat sb;
  if (fstat(f->fd, &sb) != 0) {
    st = ja__error_set(JA_EIO, "cannot stat %s '%s': %s", BUSY_WHAT, path, strerror(errno));
    goto fail;
  }
  f->size = (int64_t)sb.st_size;
  if (header_read(f->fd, f->gen)) {
    f->drops = f->size - (int64_t)BUSY_HEADER_LEN;
    return JA_OK;
  }
  /* Headerless: written before generations existed. Its own inode stands
   * for its generation until it is counted and removed. */
  if (f->size <= BUSY_LEGACY_MAX && legacy_ok(f->fd, f->size)) {
    snprintf(f->gen, sizeof f->gen, "legacy:%llu:%llu", (unsigned long long)sb.st_dev,
             (unsigned long long)sb.st_ino);
    f->drops = f->size;
    return JA_OK;
  }
  st = ja__error_set(JA_EUNSAFE, "refusing %s '%s': not written by jarvis-analytics", BUSY_WHAT,
                     path);
fail:
  close(f->fd);
  f->fd = -1;
  return st;
}

/* Link an unnamed file holding @p h to @p path, no-replace: the file
 * appears whole (its header, one link) or not at all. JA_OK also when
 * someone else's file got there first; JA_EINTERNAL when O_TMPFILE or
 * /proc is not available here (the caller falls back). */
static ja_status
busy_create_tmpfile(const char *path, const char *h, size_t len)
{
#ifdef O_TMPFILE
  char dir[JA_PATH_MAX], proc[64];
  const char *slash = strrchr(path, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  int fd = ja__sys.open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL
               ? JA_EINTERNAL
               : ja__error_set(JA_ECANTCREATE, "cannot create %s '%s': %s", BUSY_WHAT, path,
                               strerror(errno));
  ja_status st = JA_OK;
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  /* fsync before the name appears: after a power cut the file is there
   * with its header or not there at all. */
  if (ja__sys.write(fd, h, len) != (long)len || ja__sys.fsync(fd) != 0)
    st = ja__error_set(JA_EIO, "cannot write %s '%s': %s", BUSY_WHAT, path, strerror(errno));
  else if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) != 0 && errno != EEXIST)
    st = errno == ENOENT ? JA_EINTERNAL /* no /proc */
                         : ja__error_set(JA_ECANTCREATE, "cannot create %s '%s': %s", BUSY_WHAT,
                                         path, strerror(errno));
  close(fd);
  return st;
#else
  (void)path;
  (void)h;
  (void)len;
  return JA_EINTERNAL;
#endif
}

/* Make a new -busy file holding only a fresh header, atomically: a reader
 * never sees it without its header, and when two processes create it at
 * once the first one wins and both append to it. */
static ja_status
busy_create(const char *path)
{
  char uuid[37], h[BUSY_HEADER_LEN + 1];
  ja__uuid_v4(uuid);
  snprintf(h, sizeof h, "%s%s\n", BUSY_MAGIC, uuid);
  ja_status st = busy_create_tmpfile(path, h, BUSY_HEADER_LEN);
  if (st != JA_EINTERNAL)
    return st;
  /* Elsewhere: temp, fsync, link. For a moment the file has two links,
   * and a fold or an appender then refuses it (it waits for the next). */
  ja__error_clear();
  return ja__file_write_atomic(path, h, BUSY_HEADER_LEN, 0600, 0, NULL);
}

/* Append @p n drops to the -busy file, creating it if needed. Returns how
 * many were written (all of them, or none unless a write came up short). */
static uint64_t
busy_append(const ja__db *d, uint64_t n)
{
  char path[JA_PATH_MAX + 8];
  busy_path(d, path, sizeof path);
  uint64_t done = 0;
  /* A few tries: the file may be created or rotated under us, each of which
   * takes microseconds; a try never waits. */
  for (int attempt = 0; attempt < 4 && done < n; attempt++) {
    int fd = -1;
    ja_status st = ja__file_open_safe(path, O_RDWR | O_APPEND, 0, BUSY_WHAT, &fd);
    if (st == JA_EUNSAFE)
      continue; /* also a file being created: linked twice for a moment */
    if (st != JA_OK)
      break;
    if (fd < 0) {
      if (busy_create(path) != JA_OK)
        break;
      continue;
    }
    struct stat sb;
    char gen[37];
    /* LOCK_SH | LOCK_NB: a rotation (LOCK_EX, a few microseconds) is under
     * way. A holder stopped there (Ctrl-Z) must not stop us: we give up and
     * the caller keeps the drop in memory. */
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 || fstat(fd, &sb) != 0 || sb.st_nlink == 0) {
      close(fd); /* nlink 0: rotated away between open and lock */
      continue;
    }
    if (!header_read(fd, gen)) {
      close(fd); /* legacy or foreign: never appended to */
      break;
    }
    char drops[256];
    memset(drops, 'b', sizeof drops);
    while (done < n) {
      size_t chunk = n - done < sizeof drops ? (size_t)(n - done) : sizeof drops;
      long w = ja__sys.write(fd, drops, chunk);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        break;
      done += (uint64_t)w;
    }
    close(fd);
    break;
  }
  ja__error_clear(); /* nothing here is the caller's error */
  return done;
}

void
ja__store_note_busy(ja__db *d, uint64_t n)
{
  if (n == 0)
    return;
  uint64_t done = busy_append(d, n);
  if (done < n)
    atomic_fetch_add(&d->pending_busy, n - done);
}

/* ---------------------------------------------------- folding, rotation */

/* What generation busy_fold says was counted, and how far ("" and 0 when
 * nothing ever was). */
static ja_status
fold_get(ja__db *d, char gen[80], int64_t *counted)
{
  gen[0] = '\0';
  *counted = 0;
  sqlite3_stmt *q;
  ja_status st = ja__store_stmt(d, JA__Q_BUSY_GET, &q);
  if (st != JA_OK)
    return st;
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    snprintf(gen, 80, "%s", (const char *)sqlite3_column_text(q, 0));
    *counted = sqlite3_column_int64(q, 1);
  }
  sqlite3_reset(q);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JA_OK
                                               : ja__store_error(d, rc, "cannot read busy drops in");
}

/* Drops in @p f not counted yet, by busy_fold's generation and count. */
static int64_t
fresh_drops(const busy_file *f, const char *gen, int64_t counted)
{
  /* Another generation: a new file after a rotation, every drop is new. A
   * count beyond the file: the file lost bytes (a power cut before they
   * reached the disk); what is there now is what was counted. */
  int64_t fresh = strcmp(gen, f->gen) == 0 ? f->drops - counted : f->drops;
  return fresh > 0 ? fresh : 0;
}

static void
warn_unusable(ja__db *d)
{
  if (!d->busy_warned)
    ja__log_warn("%s (left alone; busy drops are counted without it)", ja_last_error());
  d->busy_warned = 1;
  ja__error_clear();
}

ja_status
ja__store_busy_fold(ja__db *d, int64_t now_ms)
{
  d->busy_mem = atomic_load(&d->pending_busy);
  int64_t n = (int64_t)d->busy_mem;
  busy_file f;
  /* An unusable file (a FIFO, a hard link, not ours) is left alone and
   * costs no capture: appenders keep their drops in memory meanwhile. */
  if (busy_scan(d, &f) != JA_OK)
    warn_unusable(d);
  ja_status st = JA_OK;
  d->busy_fd = f.fd; /* closed by ja__store_busy_folded, on any path */
  d->busy_size = f.size;
  if (f.fd >= 0) {
    char gen[80];
    int64_t counted;
    sqlite3_stmt *q;
    if ((st = fold_get(d, gen, &counted)) == JA_OK)
      n += fresh_drops(&f, gen, counted);
    if (st == JA_OK && (st = ja__store_stmt(d, JA__Q_BUSY_SET, &q)) == JA_OK) {
      sqlite3_bind_text(q, 1, f.gen, -1, SQLITE_STATIC);
      sqlite3_bind_int64(q, 2, f.drops);
      st = ja__store_step_done(d, q, "cannot count busy drops in");
    }
  }
  if (st == JA_OK)
    st = ja__store_count_drops(d, JA__DROP_BUSY, n, now_ms);
  return st;
}

/* After COMMIT: remove the -busy file if every drop in it is counted. */
static void
busy_rotate(ja__db *d)
{
  char path[JA_PATH_MAX + 8];
  busy_path(d, path, sizeof path);
  struct stat held, named;
  /* Not LOCK_EX without LOCK_NB: an appender holding LOCK_SH is about to
   * write a drop; the file then waits for the next fold, which counts it. */
  if (flock(d->busy_fd, LOCK_EX | LOCK_NB) != 0)
    return;
  /* Same size as folded: nothing appended since, so what busy_fold now
   * says is counted is everything in it. Same inode at the name: it is
   * this file we remove. Under LOCK_EX no appender can write meanwhile,
   * and one that opened it earlier sees nlink 0 and makes a new one. */
  if (fstat(d->busy_fd, &held) != 0 || held.st_nlink != 1 || held.st_size != d->busy_size ||
      lstat(path, &named) != 0 || named.st_dev != held.st_dev || named.st_ino != held.st_ino)
    return;
  if (unlink(path) != 0)
    ja__log_warn("cannot remove '%s' (its drops are counted): %s", path, strerror(errno));
}

void
ja__store_busy_folded(ja__db *d, int committed)
{
  if (committed) {
    /* Subtract what was counted, not reset: another thread may have
     * noted a drop since. */
    atomic_fetch_sub(&d->pending_busy, d->busy_mem);
    if (d->busy_fd >= 0)
      busy_rotate(d);
  }
  if (d->busy_fd >= 0)
    close(d->busy_fd); /* releases any lock */
  d->busy_fd = -1;
  d->busy_mem = 0;
}

/* -------------------------------------------------- status, flush at close */

ja_status
ja__store_busy_waiting(ja__db *d, int64_t *out)
{
  *out = (int64_t)atomic_load(&d->pending_busy);
  busy_file f;
  if (busy_scan(d, &f) != JA_OK) {
    ja__error_clear(); /* unusable: nothing in it will ever be counted */
    return JA_OK;
  }
  if (f.fd < 0)
    return JA_OK;
  char gen[80];
  int64_t counted;
  ja_status st = fold_get(d, gen, &counted);
  if (st == JA_OK)
    *out += fresh_drops(&f, gen, counted);
  close(f.fd);
  return st;
}

uint64_t
ja__store_busy_flush(ja__db *d)
{
  uint64_t n = atomic_load(&d->pending_busy);
  if (n == 0)
    return 0;
  atomic_fetch_sub(&d->pending_busy, busy_append(d, n));
  if (atomic_load(&d->pending_busy) && d->db && !d->in_txn) {
    /* An empty transaction: ja__store_begin folds them. */
    ja_status st = ja__store_begin(d, ja__now_ms());
    if (st == JA_OK)
      ja__store_end(d, JA_OK);
    ja__error_clear();
  }
  return atomic_load(&d->pending_busy);
}
