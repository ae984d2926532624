/*
 * home/identity.c — the install's anonymous id, the file `anon_id` shared with
 * install.sh and the Python backend: one UUID per install, mode 0600,
 * created atomically, opened under the file rule (ja__file_open_safe), and
 * never replaced unless what is there is recognisably an anon_id.
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "home/identity.h"
#include "util/fs.h"
#include "util/uuid.h"

/* The largest file that can be an anon_id: 36 characters, a newline and
 * room for whatever whitespace an editor or a shell added. */
#define ANON_ID_MAX_BYTES 64

/* What stands at the anon_id path. */
typedef enum id_kind {
  ID_MISSING,  /* nothing there */
  ID_GOOD,     /* a well-formed id (out filled) */
  ID_DAMAGED,  /* an anon_id, but not a usable one: may be replaced */
  ID_FOREIGN   /* not an anon_id at all: never replaced, never removed */
} id_kind;

static int
is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Sort the @p n bytes read from an anon_id. Surrounding whitespace
 * (install.sh and Python write a trailing newline) is ignored and the id is
 * reused exactly as written: install.sh's ids carry no version bits and may
 * be upper case. A file that is not an id may still be a damaged one — small
 * and made only of hex digits, dashes, whitespace and NUL bytes (an empty or
 * truncated file, or the zeros a crash can leave of a file being written) —
 * and only then may it be replaced. Anything else (the queue, config.toml,
 * a user's notes: a bug once, "anon_id_path pointing at an existing file replaces
 * that file") is foreign. */
static id_kind
classify(const char *buf, size_t n, char out[37])
{
  if (n > ANON_ID_MAX_BYTES)
    return ID_FOREIGN;
  for (size_t i = 0; i < n; i++) {
    char c = buf[i];
    int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != '-' && c != '\0' && !is_blank(c))
      return ID_FOREIGN;
  }
  size_t b = 0, e = n;
  while (b < e && is_blank(buf[b]))
    b++;
  while (e > b && is_blank(buf[e - 1]))
    e--;
  if (!ja__uuid_well_formed(buf + b, e - b))
    return ID_DAMAGED;
  memcpy(out, buf + b, 36);
  out[36] = '\0';
  return ID_GOOD;
}

/* Open the anon_id under the file rule (no symlink, no FIFO hang, regular,
 * ours, one link; a 0644 one is narrowed to 0600) and sort what it holds.
 * A file we cannot open or read is an error (JA_EIO), never "damaged":
 * replacing an id we merely failed to read would change the install's
 * identity (a bug once: an unreadable anon_id was silently replaced). */
static ja_status
id_read(const char *path, id_kind *kind, char out[37])
{
  *kind = ID_MISSING;
  int fd = -1;
  ja_status st = ja__file_open_safe(path, O_RDONLY, 0, "anon_id", &fd);
  if (st != JA_OK || fd < 0)
    return st;
  /* One byte more than an anon_id may hold, to see that it holds more. */
  char buf[ANON_ID_MAX_BYTES + 1];
  size_t n = 0;
  while (n < sizeof buf) {
    long r = ja__sys.read(fd, buf + n, sizeof buf - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      return ja__error_set(JA_EIO, "cannot read anon_id '%s': %s", path, strerror(e));
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  *kind = classify(buf, n, out);
  if (*kind == ID_FOREIGN)
    return ja__error_set(JA_EUNSAFE,
                         "refusing anon_id '%s': it holds something other than an anon id",
                         path);
  return JA_OK;
}

/* Write a fresh v4 id with its newline: moved into place only if nothing
 * is there (@p replace 0: the first of several concurrent creators wins),
 * or renamed over a damaged one. */
static ja_status
id_write(const char *path, int replace)
{
  char line[38];
  ja__uuid_v4(line);
  line[36] = '\n';
  return ja__file_write_atomic(path, line, 37, 0600, replace, NULL);
}

ja_status
ja__identity_get(const char *path, int create, char out[37])
{
  id_kind kind;
  ja_status st = id_read(path, &kind, out);
  if (st != JA_OK || kind == ID_GOOD)
    return st;
  if (!create)
    return ja__error_set(JA_ECANTCREATE, "no usable anon_id at '%s'", path);
  /* Another thread or process may be creating the id right now: whoever
   * moves its file into place first wins, and everyone re-reads the file
   * to use the id that is on disk. */
  if ((st = id_write(path, kind == ID_DAMAGED)) != JA_OK)
    return st;
  if ((st = id_read(path, &kind, out)) != JA_OK)
    return st;
  if (kind != ID_GOOD)
    return ja__error_set(JA_EIO, "anon_id '%s' vanished after it was written", path);
  return JA_OK;
}

ja_status
ja__identity_reset(const char *path, int create)
{
  char old[37];
  id_kind kind;
  /* Only an anon_id of ours is replaced or removed: the same checks as a
   * read, so reset never deletes a foreign, linked or unreadable file. */
  ja_status st = id_read(path, &kind, old);
  if (st != JA_OK)
    return st;
  if (create) {
    /* rename over the old id: a reader sees the old id or the new one,
     * and no other creator can slip its own id into a gap. */
    if ((st = id_write(path, kind != ID_MISSING)) != JA_OK)
      return st;
    if ((st = id_read(path, &kind, old)) != JA_OK)
      return st;
    if (kind != ID_GOOD)
      return ja__error_set(JA_EIO, "anon_id '%s' vanished after it was written", path);
    return JA_OK;
  }
  if (kind != ID_MISSING && unlink(path) != 0 && errno != ENOENT)
    return ja__error_set(JA_EIO, "cannot remove anon_id '%s': %s", path, strerror(errno));
  return JA_OK;
}
