/*
 * store/open.c — opening the queue: safe creation (0600, no symlinks),
 * connection pragmas, forward migrations from sql/migrations.
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sql_embed.h"
#include "store/store.h"
#include "util/fs.h"

/* Create the file ourselves, mode 0600, before SQLite sees it: SQLite would
 * create it 0644, and its -wal/-shm files copy the main file's mode. */
static ja_status
prepare_file(ja__db *d, int create, int *is_new)
{
  int64_t size;
  ja_status st = ja__file_check(d->path, "queue", &size);
  *is_new = size == 0;
  if (st != JA_OK || size >= 0)
    return st;
  if (!create)
    return ja__error_set(JA_ECANTCREATE, "queue '%s' does not exist yet", d->path);
  int fd = ja__sys.open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    return ja__error_set(JA_ECANTCREATE, "cannot create queue '%s': %s", d->path, strerror(errno));
  if (fd >= 0) {
    fchmod(fd, 0600);
    close(fd);
  }
  *is_new = 1;
  return JA_OK;
}

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

/* Bring the schema to the latest version. Several processes may open a new
 * store at once: BEGIN IMMEDIATE serialises them, and the version is read
 * again inside the transaction so each migration runs exactly once. */
static ja_status
migrate(ja__db *d)
{
  int have = 0;
  ja_status st = read_user_version(d, &have);
  if (st != JA_OK)
    return st;
  if (have == latest_version())
    return JA_OK;
  if (have > latest_version())
    return ja__error_set(JA_EVERSION, "queue '%s' has schema version %d, newer than %d: "
                         "upgrade jarvis-analytics", d->path, have, latest_version());
  if ((st = ja__store_exec(d, "BEGIN IMMEDIATE", "cannot migrate")) != JA_OK)
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

ja_status
ja__store_open(ja__db *d, int create)
{
  int is_new = 0;
  ja_status st = prepare_file(d, create, &is_new);
  if (st != JA_OK)
    return st;
  /* NOFOLLOW: SQLite itself refuses a symlinked path too (belt and braces
   * against a swap between our lstat and its open). NOMUTEX: the handle's
   * own mutex serialises use of this connection. */
  int rc = sqlite3_open_v2(d->path, &d->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                           NULL);
  if (rc != SQLITE_OK) {
    st = ja__store_error(d, rc, "cannot open queue");
    ja__store_close(d);
    return st;
  }
  sqlite3_extended_result_codes(d->db, 1);
  ja__store_busy_install(d); /* store/db.c: polls until the call's deadline */
  if (is_new)
    st = ja__store_exec(d, ja__sql_new_database, "cannot initialise queue");
  if (st == JA_OK && (st = ja__store_exec(d, ja__sql_connection, "cannot configure queue")) == JA_OK)
    st = migrate(d);
  if (st != JA_OK)
    ja__store_close(d);
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
}

