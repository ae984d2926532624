/*
 * util/fs.h — paths and files: joining, whole-file reads, the safety check
 * every file of the store goes through, atomic creation, the home
 * directory, and the syscall table that tests fail on purpose.
 */
#ifndef JA_UTIL_FS_H
#define JA_UTIL_FS_H

#include "boot.h"

#include <sys/stat.h>

/* snprintf into a fixed buffer; JA_ECONFIG (with message) if truncated. */
ja_status ja__path_join(char *out, size_t outsz, const char *dir, const char *name);

/* Read a whole file of at most @p max bytes that is not ours to police
 * (config.toml belongs to OpenJarvis): opened by ja__file_open_checked with
 * JA__FILE_READ_RULES — never through a symlink, never blocking on a FIFO,
 * a regular file owned by this user or root and not writable by every user;
 * its mode is never changed. *out is malloc'ed and NUL-terminated. Sets
 * *missing = 1 (and returns JA_OK with *out NULL) when it does not exist.
 * JA_EUNSAFE when refused, JA_EIO / JA_ENOMEM when reading fails. */
ja_status ja__file_read(const char *path, size_t max, char **out, size_t *len, int *missing);
/* The same with the checks chosen by @p rules (JA__FILE_*), and the
 * file's fstat in *@p sb when it was read (@p sb may be NULL): what a
 * caller that rewrites the file needs (its mode, its identity). */
ja_status ja__file_read_checked(const char *path, size_t max, unsigned rules, char **out,
                                size_t *len, int *missing, struct stat *sb);

/* lstat @p path (named @p what in messages) and refuse what must not be
 * followed: JA_EUNSAFE for a symlink or anything but a regular file.
 * *size = its size, or -1 when it does not exist. JA_EIO if lstat fails. */
ja_status ja__file_check(const char *path, const char *what, int64_t *size);

/* THE rule for every file the store opens in the home, in one
 * place: open with O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC added to @p flags (a
 * symlink is never followed, a FIFO never blocks us), then fstat the
 * descriptor — never the name, which can be swapped — and require a regular
 * file, owned by this user, with one link. A file of ours with group or
 * other permission bits is narrowed to 0600 (older tools and umasks made
 * them 0644); one that cannot be narrowed is refused.
 * @p what names the file in messages ("queue", "anon_id").
 * Returns JA_OK with *fd open; JA_OK with *fd = -1 when it does not exist
 * (ENOENT/ENOTDIR, and O_CREAT not in @p flags); JA_EUNSAFE (nothing kept
 * open) for anything else there; JA_EIO / JA_ECANTCREATE when open fails. */
ja_status ja__file_open_safe(const char *path, int flags, unsigned mode, const char *what,
                             int *fd);

/* What ja__file_open_checked requires of the file, besides being a regular
 * file reached without a symlink (bitwise OR). */
enum {
  JA__FILE_OURS = 1u << 0,                /* owned by this user */
  JA__FILE_OURS_OR_ROOT = 1u << 1,        /* owned by this user or root */
  JA__FILE_NOT_OTHERS_WRITABLE = 1u << 2, /* no write bit for "other" */
  JA__FILE_ONE_LINK = 1u << 3,            /* link count 1 */
  JA__FILE_NARROW = 1u << 4,              /* group/other bits removed (0600) */
  /* The store's own files (ja__file_open_safe). */
  JA__FILE_STORE_RULES = JA__FILE_OURS | JA__FILE_ONE_LINK | JA__FILE_NARROW,
  /* A file we only read and do not own the policy of (config.toml): whoever
   * else can write it could point uploads elsewhere or switch analytics on,
   * so it is refused (root's file is fine: root can change ours anyway). Its
   * mode is never touched. */
  JA__FILE_READ_RULES = JA__FILE_OURS_OR_ROOT | JA__FILE_NOT_OTHERS_WRITABLE
};

/* The one file rule behind ja__file_open_safe and ja__file_read, with the
 * checks chosen by @p rules. @p what names the file in messages ("queue"),
 * or NULL for just its path. Returns as ja__file_open_safe does. */
ja_status ja__file_open_checked(const char *path, int flags, unsigned mode, const char *what,
                                unsigned rules, int *fd);

/* The same rule checked without opening @p path (lstat; a mode with
 * group/other bits narrowed by name, never through a symlink), for the
 * files SQLite opens: the queue, its -wal and -shm. This process must
 * never open and close a descriptor of those: closing any descriptor of a
 * file drops every POSIX lock the process holds on it, SQLite's locks of
 * all its other connections included (the WAL locks in -shm among them);
 * other processes then believe they are alone and reset the WAL, losing
 * committed events (test_open__first_captures_race_processes). *sb is
 * its lstat; *exists = 0 (JA_OK) when it does not exist. JA_EUNSAFE for a
 * symlink, non-regular, foreign or hard-linked file; JA_EIO when lstat
 * fails. */
ja_status ja__file_check_private(const char *path, const char *what, struct stat *sb,
                                 int *exists);

/* Create @p path atomically with @p data: write a temp file in the same
 * directory (mode @p mode), fsync it, then rename it over @p path (when
 * @p replace) or move it to @p path only if @p path does not exist yet
 * (when !replace: renameat2 RENAME_NOREPLACE, else link + unlink;
 * *created = 0 if someone else created it first), and
 * fsync the directory. @p created may be NULL. The temp file is
 * "<path>.tmp.<16 random hex>", created O_EXCL, so every thread, handle and
 * process writing the same @p path at once has its own; only the temp this
 * call created is ever removed. JA_ECANTCREATE when the temp or the link
 * cannot be made; JA_EIO when writing, fsync or rename fails. */
ja_status ja__file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                                int replace, int *created);

/* Make @p dir (one level, mode 0700) unless it exists as a directory.
 * JA_ECANTCREATE when it cannot, or cannot be written in; JA_EUNSAFE when
 * it is not a directory, belongs to another user, or group or others may
 * write in it (what is in a shared directory may have been planted). */
ja_status ja__dir_ensure(const char *dir);

/* The real path of directory @p dir (symlinks followed, once) into @p out,
 * after the same ownership/mode checks as ja__dir_ensure. *missing = 1
 * (JA_OK, out "") when it does not exist. JA_EUNSAFE, JA_EIO otherwise. */
ja_status ja__dir_resolve(const char *dir, char *out, size_t outsz, int *missing);

/* An exclusive flock on directory @p dir, waited for at most @p wait_ms
 * (JA_EBUSY past that); release with ja__dir_unlock(*fd). Serialises the
 * rare renames and links of the store's files among our processes. */
ja_status ja__dir_lock(const char *dir, int wait_ms, int *fd);
void ja__dir_unlock(int fd);
/* fsync directory @p dir, so that renames and links in it survive a power
 * cut. Best effort. */
void ja__dir_sync(const char *dir);

/* System calls that tests replace to simulate a full disk or I/O error
 * (like SQLite's aSyscall[] table). */
typedef struct ja__syscalls {
  int (*open)(const char *path, int flags, unsigned mode);
  long (*write)(int fd, const void *buf, size_t n);
  int (*fsync)(int fd);
  int (*rename)(const char *from, const char *to);
  long (*read)(int fd, void *buf, size_t n);
} ja__syscalls;
extern ja__syscalls ja__sys;

#endif
