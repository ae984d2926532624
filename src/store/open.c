/*
 * store/open.c — opening the queue. Sections: the checks every file passes
 * before SQLite sees it (the queue, -wal and -shm alike), building a new
 * queue complete in a private temp file and linking it into place, moving
 * a corrupt queue aside, connecting (with read-only fallbacks for readers),
 * forward migrations, and the two entry points.
 */
#define _GNU_SOURCE /* renameat2(RENAME_NOREPLACE), where glibc has it */
#include "boot.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sql_embed.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/fs.h"

/* A new queue is built under this name in the home, then linked to the
 * real one. Shorter than "analytics_queue.db", so the path limit checked
 * for the queue holds for it too. */
#define TEMP_PREFIX ".aq-new-"
/* A corrupt queue becomes "<queue>" CORRUPT_INFIX "<UTC time>". */
#define CORRUPT_INFIX ".corrupt-"
/* How often one open tries again after the queue changed under it (a
 * racing process created or replaced it). */
#define OPEN_ATTEMPTS 4

/* SQLite refuses a database whose path is within 8 bytes ("-journal") of
 * the VFS's mxPathname (pager.c, sqlite3PagerOpen): 512 for the unix VFS,
 * so at most 504 bytes. */
#define SQLITE_SUFFIX_MAX 8

ja_status
ja__store_path_check(const char *path)
{
  sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
  size_t max = (size_t)(vfs ? vfs->mxPathname : 512) - SQLITE_SUFFIX_MAX;
  size_t n = strlen(path);
  if (n > max)
    return ja__error_set(JA_ECONFIG, "queue path '%s' is %zu bytes, more than SQLite allows "
                         "(%zu): choose a shorter OPENJARVIS_HOME", path, n, max);
  return JA_OK;
}

/* ------------------------------------------------------------- checks */

/* What check_files found. */
typedef struct found {
  int exists;       /* the queue is there */
  int64_t size;     /* its size */
  dev_t dev;        /* which file was checked: a move aside must move */
  ino_t ino;        /*   exactly that one, not one a racer put there */
  int wal;          /* a non-empty -wal is there */
} found;

static const char *const k_suffix[] = {"", "-wal", "-shm"};

/* Every file SQLite will open passes THE file rule first (util/fs.h,
 * checked by name: ja__file_check_private says why never by descriptor):
 * a symlinked, FIFO, hard-linked or foreign -wal or -shm would otherwise
 * be adopted by SQLite as it stands (it creates them copying the queue's
 * mode and owner, and opens existing ones as they are). */
static ja_status
check_files(const ja__db *d, found *f)
{
  static const char *const what[] = {"queue", "queue's -wal", "queue's -shm"};
  memset(f, 0, sizeof *f);
  for (int i = 0; i < 3; i++) {
    char p[JA_PATH_MAX + 8];
    snprintf(p, sizeof p, "%s%s", d->path, k_suffix[i]);
    struct stat sb;
    int exists = 0;
    ja_status st = ja__file_check_private(p, what[i], &sb, &exists);
    if (st != JA_OK)
      return st;
    if (!exists && i == 0)
      return JA_OK; /* no queue: its leftovers are removed before one is made */
    if (!exists)
      continue;
    if (i == 0) {
      f->exists = 1;
      f->size = (int64_t)sb.st_size;
      f->dev = sb.st_dev;
      f->ino = sb.st_ino;
    } else if (i == 1) {
      f->wal = sb.st_size > 0;
    }
  }
  return JA_OK;
}

/* Directory part of the queue's path. */
static void
home_of(const ja__db *d, char *out, size_t n)
{
  const char *slash = strrchr(d->path, '/');
  if (!slash)
    snprintf(out, n, ".");
  else
    snprintf(out, n, "%.*s", (int)(slash == d->path ? 1 : slash - d->path), d->path);
}

/* --------------------------------------------------------- migrations */

static int
latest_version(void)
{
  return ja__sql_migrations[ja__sql_migration_count - 1].version;
}

static ja_status
read_user_version(ja__db *d, int *out)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(d->db, "PRAGMA user_version", -1, &st, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    *out = sqlite3_column_int(st, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? JA_OK : ja__store_error(d, rc, "cannot read schema version of");
}

/* Bring the schema to the latest version. Several processes may open an
 * old store at once: BEGIN IMMEDIATE serialises them, and the version is
 * read again inside the transaction so each migration runs exactly once. */
static ja_status
migrate(ja__db *d, int have)
{
  ja_status st = ja__store_exec(d, "BEGIN IMMEDIATE", "cannot migrate");
  if (st != JA_OK)
    return st;
  st = read_user_version(d, &have);
  for (int i = 0; st == JA_OK && i < ja__sql_migration_count; i++) {
    const ja__sql_migration *m = &ja__sql_migrations[i];
    if (m->version <= have)
      continue;
    if ((st = ja__store_exec(d, m->sql, m->name)) != JA_OK)
      break;
    char set[64];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", m->version);
    st = ja__store_exec(d, set, "cannot set schema version of");
  }
  /* Not ja__store_end: the schema (and so the drop counters that busy
   * drops fold into) may not exist before this transaction commits. */
  if (st == JA_OK)
    st = ja__store_exec(d, "COMMIT", "cannot commit migration of");
  if (st != JA_OK && !sqlite3_get_autocommit(d->db))
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  return st;
}

/* ---------------------------------------------------------- connecting */

static ja_status
connect_with(ja__db *d, const char *name, int flags)
{
  /* NOFOLLOW: d->path is the resolved path (no symlink in any component),
   * so this refuses only a symlink swapped in after check_files. NOMUTEX:
   * the handle's own mutex serialises use of this connection. */
  int rc = sqlite3_open_v2(name, &d->db, flags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    ja_status st = ja__store_error(d, rc, "cannot open queue");
    ja__store_close(d);
    return st;
  }
  sqlite3_extended_result_codes(d->db, 1);
  ja__store_busy_install(d); /* store/db.c: polls until the call's deadline */
  return JA_OK;
}

/* A failure that a read-only connection may get around. */
static int
cannot_write(int rc)
{
  rc &= 0xFF;
  return rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_PERM;
}

/* "file:" URI of @p path, every byte but unreserved ones and '/'
 * percent-encoded (a home may contain '?' or '#'). */
static ja_status
file_uri(const char *path, const char *query, char *out, size_t n)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = (size_t)snprintf(out, n, "file:");
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if (o + 4 >= n)
      return ja__error_set(JA_ECONFIG, "queue path too long: '%s'", path);
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        *p == '/' || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
      out[o++] = (char)*p;
    } else {
      out[o++] = '%';
      out[o++] = hex[*p >> 4];
      out[o++] = hex[*p & 15];
    }
  }
  int w = snprintf(out + o, n - o, "%s", query);
  if (w < 0 || (size_t)w >= n - o)
    return ja__error_set(JA_ECONFIG, "queue path too long: '%s'", path);
  return JA_OK;
}

/* Connect to the checked queue and read its schema version.
 * A reader (@p reader) that cannot write — a read-only home or file —
 * still reads: read-only first, then, when there is no -wal it could miss,
 * immutable (a WAL database needs a -shm that a read-only home cannot
 * give it). Writers get the error: they must not pretend. */
static ja_status
connect(ja__db *d, int reader, const found *f, int *version)
{
  d->immutable = 0;
  ja_status st = connect_with(d, d->path, SQLITE_OPEN_READWRITE);
  if (st == JA_OK && (st = read_user_version(d, version)) == JA_OK)
    return JA_OK;
  int rc = d->db ? sqlite3_extended_errcode(d->db) : SQLITE_CANTOPEN;
  if (!reader || !cannot_write(rc))
    goto done;
  ja__store_close(d);
  if ((st = connect_with(d, d->path, SQLITE_OPEN_READONLY)) == JA_OK &&
      (st = read_user_version(d, version)) == JA_OK)
    return JA_OK;
  rc = d->db ? sqlite3_extended_errcode(d->db) : SQLITE_CANTOPEN;
  if (f->wal || !cannot_write(rc))
    goto done;
  ja__store_close(d);
  char uri[JA_PATH_MAX * 3 + 32];
  if ((st = file_uri(d->path, "?immutable=1", uri, sizeof uri)) == JA_OK &&
      (st = connect_with(d, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)) == JA_OK &&
      (st = read_user_version(d, version)) == JA_OK) {
    d->immutable = 1;
    return JA_OK;
  }
done:
  ja__store_close(d);
  return st;
}

/* Connect, refuse a newer schema (before anything could write), set the
 * connection up and migrate. */
static ja_status
open_connection(ja__db *d, int reader, const found *f)
{
  int have = 0;
  ja_status st = connect(d, reader, f, &have);
  if (st != JA_OK)
    return st;
  int readonly = sqlite3_db_readonly(d->db, "main") == 1;
  if (have > latest_version()) {
    st = ja__error_set(JA_EVERSION, "queue '%s' has schema version %d, newer than %d: "
                       "upgrade jarvis-analytics", d->path, have, latest_version());
  } else if (readonly && !reader) {
    st = ja__error_set(JA_ECANTCREATE, "cannot write to queue '%s': it is read-only", d->path);
  } else if (readonly) {
    /* A reader that cannot write: no pragma that writes, no migration
     * (report.c copes with an older schema). */
    st = ja__store_exec(d, ja__sql_connection_readonly, "cannot configure queue");
  } else if ((st = ja__store_exec(d, ja__sql_connection, "cannot configure queue")) == JA_OK &&
             have < latest_version()) {
    st = migrate(d, have);
  }
  if (st != JA_OK)
    ja__store_close(d);
  return st;
}

/* ------------------------------------------------ building a new queue */

/* A new private file (O_EXCL, 0600, random name) in the queue's directory. */
static ja_status
make_temp(const ja__db *d, char *tmp, size_t n)
{
  char home[JA_PATH_MAX];
  home_of(d, home, sizeof home);
  for (int i = 0; i < 16; i++) {
    int w = snprintf(tmp, n, "%s/" TEMP_PREFIX "%08x", home, (unsigned)randombytes_random());
    if (w < 0 || (size_t)w >= n)
      return ja__error_set(JA_ECONFIG, "queue path too long: '%s'", d->path);
    int fd = ja__sys.open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      fchmod(fd, 0600); /* exactly 0600: SQLite copies it to -wal/-shm */
      close(fd);
      return JA_OK;
    }
    if (errno != EEXIST)
      return ja__error_set(JA_ECANTCREATE, "cannot create queue '%s': %s", tmp, strerror(errno));
  }
  return ja__error_set(JA_ECANTCREATE, "cannot create queue in '%s': no free temporary name",
                       home);
}

static void
remove_with_companions(const char *path)
{
  char p[JA_PATH_MAX + 8];
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s%s", path, k_suffix[i]);
    unlink(p);
  }
}

/* Make the whole queue in @p tmp: auto_vacuum (only possible on an empty
 * file, before WAL), WAL, every migration, and the store_events row
 * (@p kind, @p detail) when not NULL. Closing the only connection
 * checkpoints the WAL into the file and removes tmp-wal/tmp-shm. */
static ja_status
build(const ja__db *d, const char *tmp, const char *kind, const char *detail, int64_t now_ms)
{
  ja__db t;
  memset(&t, 0, sizeof t);
  snprintf(t.path, sizeof t.path, "%s", tmp);
  t.busy_timeout_ms = d->busy_timeout_ms;
  t.busy_fd = -1;
  ja_status st = connect_with(&t, tmp, SQLITE_OPEN_READWRITE);
  if (st == JA_OK)
    st = ja__store_exec(&t, ja__sql_new_database, "cannot initialise queue");
  if (st == JA_OK)
    st = ja__store_exec(&t, ja__sql_connection, "cannot configure queue");
  if (st == JA_OK)
    st = migrate(&t, 0);
  if (st == JA_OK && kind) {
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(t.db, ja__sql_store_event_add, -1, &q, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(q, 1, now_ms);
      sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 3, detail, -1, SQLITE_STATIC);
      rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(t.db);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
      st = ja__store_error(&t, rc, "cannot record the move in");
  }
  /* No statement is left open, so the close is real: it checkpoints. */
  if (t.db && sqlite3_close(t.db) != SQLITE_OK && st == JA_OK)
    st = ja__error_set(JA_EIO, "cannot close new queue '%s'", tmp);
  return st;
}

/* Tidy the home after a queue was made: remove every corrupt copy but
 * @p keep (the newest; NULL when none was made: then none is removed) —
 * each may be as large as the queue was — and temp files of creators
 * killed mid-way (older than STALE_TEMP_S: a live creator needs
 * milliseconds). */
#define STALE_TEMP_S 600
static void
tidy_home(const ja__db *d, const char *keep)
{
  char home[JA_PATH_MAX];
  home_of(d, home, sizeof home);
  const char *base = strrchr(d->path, '/');
  base = base ? base + 1 : d->path;
  const char *keep_base = keep ? strrchr(keep, '/') : NULL;
  keep_base = keep_base ? keep_base + 1 : keep;
  char prefix[JA_PATH_MAX + 16];
  snprintf(prefix, sizeof prefix, "%s" CORRUPT_INFIX, base);
  DIR *dir = opendir(home);
  if (!dir)
    return;
  time_t now = time(NULL);
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    int corrupt = keep_base && strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
                  strncmp(e->d_name, keep_base, strlen(keep_base)) != 0;
    int temp = strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0;
    char p[JA_PATH_MAX];
    struct stat sb;
    if ((!corrupt && !temp) || ja__path_join(p, sizeof p, home, e->d_name) != JA_OK)
      continue;
    if (temp && (lstat(p, &sb) != 0 || sb.st_mtime > now - STALE_TEMP_S))
      continue;
    unlink(p); /* a symlink planted there is removed, never followed */
  }
  closedir(dir);
}

/* rename(), but never over an existing file where the system can say so.
 * Not link() + unlink(): between the two the queue has two links, and
 * every racing opener would rightly refuse it (THE file rule). */
static int
rename_new(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1; /* EEXIST included */
#endif
  /* Only under the home's lock, after lstat found no queue: every process
   * of ours that puts a queue there holds the same lock. */
  return rename(from, to);
}

/* Put the queue built in @p tmp in place, under the home's lock.
 * When @p bad is not NULL it is the corrupt (or empty) queue that was
 * checked: it is renamed to @p aside with its -wal, and its -shm removed —
 * but only if the queue's name still is that very file (a racer may have
 * replaced it already, and its fresh queue must not be moved). Otherwise
 * it is put in place only where there is no queue, so the first of
 * several racers wins and the others use its queue. Either
 * way a -wal/-shm left without their queue go first: SQLite would replay
 * an old -wal into the new file. *moved = 1 when @p bad was moved. */
static ja_status
install(const ja__db *d, const char *tmp, const found *bad, const char *aside, int *moved)
{
  char home[JA_PATH_MAX], p[JA_PATH_MAX + 8], q[JA_PATH_MAX + 8];
  home_of(d, home, sizeof home);
  *moved = 0;
  int lock = -1;
  ja_status st = ja__dir_lock(home, d->busy_timeout_ms, &lock);
  if (st != JA_OK)
    return st;
  struct stat sb;
  int there = lstat(d->path, &sb) == 0;
  if (bad && there && sb.st_dev == bad->dev && sb.st_ino == bad->ino) {
    if (rename(d->path, aside) != 0) {
      st = ja__error_set(JA_EIO, "cannot move corrupt queue '%s' to '%s': %s", d->path, aside,
                         strerror(errno));
      goto done;
    }
    snprintf(p, sizeof p, "%s-wal", d->path);
    snprintf(q, sizeof q, "%s-wal", aside);
    if (rename(p, q) != 0 && errno != ENOENT)
      unlink(p);
    *moved = 1;
    there = 0;
  }
  if (!there) {
    for (int i = 1; i < 3; i++) {
      snprintf(p, sizeof p, "%s%s", d->path, k_suffix[i]);
      unlink(p);
    }
    if (rename_new(tmp, d->path) != 0 && errno != EEXIST)
      st = ja__error_set(JA_ECANTCREATE, "cannot create queue '%s': %s", d->path,
                         strerror(errno));
  }
done:
  ja__dir_unlock(lock);
  ja__dir_sync(home);
  return st;
}

/* Build a fresh queue and put it in place; @p bad (with @p why) when it
 * replaces a corrupt one. */
static ja_status
create_queue(const ja__db *d, const found *bad, const char *why)
{
  char tmp[JA_PATH_MAX], aside[JA_PATH_MAX], detail[JA_PATH_MAX + 600];
  /* The clock is read here, not by the caller: opening is the one store
   * step that runs before any entry point has a reason to read it. */
  int64_t now_ms = ja__now_ms();
  if (bad) {
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    int n = snprintf(aside, sizeof aside, "%s" CORRUPT_INFIX "%s", d->path, stamp);
    if (n < 0 || (size_t)n >= sizeof aside - 4)
      return ja__error_set(JA_ECONFIG, "queue path too long: '%s'", d->path);
    snprintf(detail, sizeof detail, "moved to '%s': %s", aside, why);
  }
  ja_status st = make_temp(d, tmp, sizeof tmp);
  if (st != JA_OK)
    return st;
  int moved = 0;
  st = build(d, tmp, bad ? "corrupt_moved" : NULL, bad ? detail : NULL, now_ms);
  if (st == JA_OK)
    st = install(d, tmp, bad, aside, &moved);
  remove_with_companions(tmp);
  if (st == JA_OK)
    tidy_home(d, moved ? aside : NULL);
  return st;
}

/* -------------------------------------------------------- entry points */

/* Open (and, when @p create, create or repair) the queue at d->path.
 * *present = 0 with JA_OK when a reader finds no queue. */
static ja_status
open_store(ja__db *d, int create, int *present)
{
  *present = 0;
  ja_status st = ja__store_path_check(d->path);
  int repaired = 0;
  for (int attempt = 0; st == JA_OK && attempt < OPEN_ATTEMPTS; attempt++) {
    found f;
    if ((st = check_files(d, &f)) != JA_OK)
      return st;
    if (!f.exists && !create)
      return JA_OK;
    if (!f.exists) {
      st = create_queue(d, NULL, NULL);
      continue;
    }
    /* An empty file holds nothing: there is nothing to read, and it is no
     * queue (older versions left one when killed while creating it). */
    if (f.size == 0) {
      if (!create)
        return JA_OK;
      st = create_queue(d, &f, "the file was empty");
      continue;
    }
    st = open_connection(d, !create, &f);
    if (st == JA_OK) {
      *present = 1;
      return JA_OK;
    }
    /* A queue SQLite cannot read stops analytics for good unless it goes:
     * moved aside (kept for a person to look at), replaced, recorded. A
     * reader only reports it; a newer schema is never touched. */
    if (st == JA_ECORRUPT && create && !repaired) {
      char why[512];
      snprintf(why, sizeof why, "%s", ja_last_error());
      repaired = 1;
      st = create_queue(d, &f, why);
    }
    if (st != JA_OK)
      return st;
  }
  if (st == JA_OK)
    st = ja__error_set(JA_EBUSY, "queue '%s' kept changing while being opened", d->path);
  return st;
}

ja_status
ja__store_open(ja__db *d, int create)
{
  int present = 0;
  ja_status st = open_store(d, create, &present);
  if (st == JA_OK && !present)
    return ja__error_set(JA_ECANTCREATE, "queue '%s' does not exist yet", d->path);
  return st;
}

ja_status
ja__store_open_existing(ja__db *d, int *present)
{
  ja_status st = open_store(d, 0, present);
  /* SQLite says CANTOPEN for a file it may not open: to a reader that is
   * "cannot read" (exit 74), not "cannot create" (73). */
  if (st == JA_ECANTCREATE) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ja_last_error());
    st = ja__error_set(JA_EIO, "%s", msg);
  }
  return st;
}

void
ja__store_close(ja__db *d)
{
  for (int i = 0; i < JA__Q_COUNT; i++) {
    sqlite3_finalize(d->q[i]);
    d->q[i] = NULL;
  }
  if (d->db) {
    sqlite3_close(d->db);
    d->db = NULL;
  }
  d->immutable = 0;
  d->aged_below = 0; /* a queue opened again may be another file */
}
