/*
 * store/busy.c — busy drops: an event dropped because the queue stayed
 * locked cannot be counted in the locked database, so it is noted beside it
 * and folded into the counters by the next transaction that gets in.
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/fs.h"
#include "util/log.h"

static void
busy_path(const ja__db *d, char *out, size_t n)
{
  snprintf(out, n, "%s-busy", d->path);
}

void
ja__store_note_busy(ja__db *d)
{
  char path[JA_PATH_MAX + 8];
  busy_path(d, path, sizeof path);
  int fd = ja__sys.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  /* The lock orders us against a fold in progress (held for one commit). */
  if (fd >= 0 && flock(fd, LOCK_EX) == 0 && ja__sys.write(fd, "b", 1) == 1) {
    close(fd);
    return;
  }
  if (fd >= 0)
    close(fd);
  atomic_fetch_add(&d->pending_busy, 1);
}

/* Take the noted busy drops into the current transaction. The -busy file
 * stays open and locked until ja__store_busy_folded truncates it after
 * COMMIT (so a failed commit loses no count). A fold already under way
 * elsewhere is not waited for: its count lands with the next transaction. */
ja_status
ja__store_busy_fold(ja__db *d, int64_t now_ms)
{
  char path[JA_PATH_MAX + 8];
  busy_path(d, path, sizeof path);
  d->busy_mem = atomic_load(&d->pending_busy);
  int64_t n = (int64_t)d->busy_mem;
  d->busy_fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (d->busy_fd >= 0) {
    struct stat sb;
    if (flock(d->busy_fd, LOCK_EX | LOCK_NB) == 0 && fstat(d->busy_fd, &sb) == 0) {
      n += (int64_t)sb.st_size;
    } else {
      close(d->busy_fd);
      d->busy_fd = -1;
    }
  }
  return ja__store_count_drops(d, JA__DROP_BUSY, n, now_ms);
}

void
ja__store_busy_folded(ja__db *d, int committed)
{
  if (committed) {
    /* Subtract what was counted, not reset: another thread may have
     * noted a drop since. */
    atomic_fetch_sub(&d->pending_busy, d->busy_mem);
    if (d->busy_fd >= 0 && ftruncate(d->busy_fd, 0) != 0)
      ja__log_warn("cannot reset '%s-busy': %s", d->path, strerror(errno));
  }
  if (d->busy_fd >= 0)
    close(d->busy_fd); /* releases the lock */
  d->busy_fd = -1;
  d->busy_mem = 0;
}
