/*
 * store.c — the SQLite queue (analytics_queue.db): safe creation (0600, no
 * symlinks), connection pragmas, forward migrations from sql/migrations,
 * and the write transactions — capture inserts with caps and drop counters,
 * the uploader's claim/delete-by-uuid, purge. All SQL text lives in sql/.
 *
 * Sections: errors · open/migrate · capture · uploader support · purge
 */
#include "ja_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sql_embed.h"

/* --------------------------------------------------------------- errors */

ja_status
ja__store_error(ja__db *d, int rc, const char *what)
{
  const char *msg = d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc);
  switch (rc & 0xFF) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return ja__error_set(JA_EBUSY, "%s '%s': store busy for more than %d ms: %s", what, d->path,
                         d->busy_timeout_ms, msg);
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    return ja__error_set(JA_ECORRUPT, "%s '%s': not a usable queue database: %s", what, d->path,
                         msg);
  case SQLITE_NOMEM:
    return ja__error_set(JA_ENOMEM, "%s '%s': out of memory", what, d->path);
  case SQLITE_CANTOPEN:
  case SQLITE_READONLY:
    return ja__error_set(JA_ECANTCREATE, "%s '%s': %s", what, d->path, msg);
  default:
    return ja__error_set(JA_EIO, "%s '%s': %s", what, d->path, msg);
  }
}

static ja_status
exec_sql(ja__db *d, const char *sql, const char *what)
{
  int rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? JA_OK : ja__store_error(d, rc, what);
}

static void
rollback(ja__db *d)
{
  if (!sqlite3_get_autocommit(d->db))
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

/* End a transaction begun with BEGIN IMMEDIATE: COMMIT when @p st is JA_OK,
 * ROLLBACK otherwise or when the commit fails. Returns the final status. */
static ja_status
end_txn(ja__db *d, ja_status st, const char *what)
{
  if (st == JA_OK)
    st = exec_sql(d, "COMMIT", what);
  if (st != JA_OK)
    rollback(d);
  return st;
}

/* ---------------------------------------------------------- open/migrate */

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
  if ((st = exec_sql(d, "BEGIN IMMEDIATE", "cannot migrate")) != JA_OK)
    return st;
  st = read_user_version(d, &have);
  for (int i = 0; st == JA_OK && i < ja__sql_migration_count; i++) {
    const ja__sql_migration *m = &ja__sql_migrations[i];
    if (m->version <= have)
      continue;
    if ((st = exec_sql(d, m->sql, m->name)) != JA_OK)
      break;
    char set[64];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", m->version);
    st = exec_sql(d, set, "cannot set schema version of");
  }
  return end_txn(d, st, "cannot commit migration of");
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
  sqlite3_busy_timeout(d->db, d->busy_timeout_ms);
  if (is_new)
    st = exec_sql(d, ja__sql_new_database, "cannot initialise queue");
  if (st == JA_OK && (st = exec_sql(d, ja__sql_connection, "cannot configure queue")) == JA_OK)
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

/* A cached prepared statement, reset and unbound, ready to use. */
static ja_status
stmt(ja__db *d, int which, sqlite3_stmt **out)
{
  static const char *const *const text[JA__Q_COUNT] = {
      [JA__Q_INSERT] = &ja__sql_insert_event,
      [JA__Q_DROP_ADD] = &ja__sql_drop_add,
      [JA__Q_PRUNE_EXPIRED] = &ja__sql_prune_expired,
      [JA__Q_QUEUE_COUNT] = &ja__sql_queue_count,
      [JA__Q_PRUNE_OLDEST] = &ja__sql_prune_oldest,
  };
  *out = NULL; /* set on entry: callers may read it on any path */
  if (!d->q[which]) {
    int rc = sqlite3_prepare_v3(d->db, *text[which], -1, SQLITE_PREPARE_PERSISTENT, &d->q[which],
                                NULL);
    if (rc != SQLITE_OK)
      return ja__store_error(d, rc, "cannot prepare statement for");
  }
  sqlite3_reset(d->q[which]);
  sqlite3_clear_bindings(d->q[which]);
  *out = d->q[which];
  return JA_OK;
}

/* Step a statement that returns no rows. */
static ja_status
run(ja__db *d, sqlite3_stmt *s, const char *what)
{
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? JA_OK : ja__store_error(d, rc, what);
}

static ja_status count_drops(ja__db *d, ja__drop why, int64_t n, int64_t now);

/* ----------------------------------------------------------- busy drops */

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

/* Take the noted busy drops into the current transaction. On success *fd
 * stays open and locked; the caller truncates it after COMMIT (so a failed
 * commit loses no count) and closes it. A fold already under way elsewhere
 * is not waited for: its count lands with the next transaction. */
static ja_status
fold_busy(ja__db *d, int64_t now, int *fd, uint64_t *in_memory)
{
  char path[JA_PATH_MAX + 8];
  busy_path(d, path, sizeof path);
  *in_memory = atomic_load(&d->pending_busy);
  int64_t n = (int64_t)*in_memory;
  *fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (*fd >= 0) {
    struct stat sb;
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0 && fstat(*fd, &sb) == 0) {
      n += (int64_t)sb.st_size;
    } else {
      close(*fd);
      *fd = -1;
    }
  }
  return count_drops(d, JA__DROP_BUSY, n, now);
}

static void
fold_busy_done(ja__db *d, int fd, int committed, uint64_t in_memory)
{
  if (committed) {
    /* Subtract what was counted, not reset: another thread may have
     * noted a drop since. */
    atomic_fetch_sub(&d->pending_busy, in_memory);
    if (fd >= 0 && ftruncate(fd, 0) != 0)
      ja__log_warn("cannot reset '%s-busy': %s", d->path, strerror(errno));
  }
  if (fd >= 0)
    close(fd); /* releases the lock */
}

/* -------------------------------------------------------------- capture */

static ja_status
count_drops(ja__db *d, ja__drop why, int64_t n, int64_t now)
{
  if (n <= 0)
    return JA_OK;
  sqlite3_stmt *s;
  ja_status st = stmt(d, JA__Q_DROP_ADD, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, ja__drop_name(why), -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, n);
  sqlite3_bind_int64(s, 3, now);
  return run(d, s, "cannot count drops in");
}

/* Apply the age cap, then the size cap, counting what each pushes out. */
static ja_status
apply_caps(ja__db *d, int64_t now)
{
  sqlite3_stmt *s;
  ja_status st = stmt(d, JA__Q_PRUNE_EXPIRED, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, now - d->max_age_ms);
  if ((st = run(d, s, "cannot expire events in")) != JA_OK)
    return st;
  int expired = sqlite3_changes(d->db);
  if ((st = count_drops(d, JA__DROP_EXPIRED, expired, now)) != JA_OK)
    return st;

  if ((st = stmt(d, JA__Q_QUEUE_COUNT, &s)) != JA_OK)
    return st;
  int rc = sqlite3_step(s);
  int64_t queued = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return ja__store_error(d, rc, "cannot count events in");
  if (queued > d->max_events) {
    if ((st = stmt(d, JA__Q_PRUNE_OLDEST, &s)) != JA_OK)
      return st;
    sqlite3_bind_int64(s, 1, queued - d->max_events);
    if ((st = run(d, s, "cannot trim queue")) != JA_OK)
      return st;
    if ((st = count_drops(d, JA__DROP_QUEUE_FULL, sqlite3_changes(d->db), now)) != JA_OK)
      return st;
  } else if (expired == 0) {
    return JA_OK; /* the usual case: nothing pruned, nothing to reclaim */
  }
  return exec_sql(d, ja__sql_reclaim_space, "cannot reclaim space in");
}

ja_status
ja__store_insert(ja__db *d, const ja__row *row, const unsigned drops[JA__DROP_COUNT])
{
  JA_ASSERT(d->db != NULL);
  int64_t now = ja__now_ms();
  int rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return ja__store_error(d, rc, "cannot write to queue");
  int busy_fd = -1;
  uint64_t busy_mem = 0;
  ja_status st = JA_OK;
  if (row) {
    sqlite3_stmt *s;
    if ((st = stmt(d, JA__Q_INSERT, &s)) != JA_OK)
      goto done;
    sqlite3_bind_text(s, 1, row->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, row->ts_ms);
    char iso[32];
    ja__iso8601_ms(row->ts_ms, iso);
    sqlite3_bind_text(s, 3, iso, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, row->distinct_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, row->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, row->props_json, -1, SQLITE_STATIC);
    if ((st = run(d, s, "cannot queue event in")) != JA_OK)
      goto done;
  }
  for (int r = 1; drops && r < JA__DROP_COUNT; r++)
    if ((st = count_drops(d, (ja__drop)r, drops[r], now)) != JA_OK)
      goto done;
  if ((st = fold_busy(d, now, &busy_fd, &busy_mem)) != JA_OK)
    goto done;
  st = apply_caps(d, now);
done:
  st = end_txn(d, st, "cannot commit to queue");
  fold_busy_done(d, busy_fd, st == JA_OK, busy_mem);
  return st;
}

/* ----------------------------------------------------- uploader support */

ja_status
ja__store_claim(ja__db *d, const char *owner, int64_t now_ms, int64_t lease_until_ms, int limit,
                int *nclaimed)
{
  JA_ASSERT(d->db != NULL);
  *nclaimed = 0;
  sqlite3_stmt *s = NULL;
  ja_status st = exec_sql(d, "BEGIN IMMEDIATE", "cannot claim events in");
  if (st != JA_OK)
    return st;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_claim_batch, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, lease_until_ms);
    sqlite3_bind_int(s, 4, limit);
    rc = sqlite3_step(s);
  }
  sqlite3_finalize(s);
  if (rc == SQLITE_DONE)
    *nclaimed = sqlite3_changes(d->db);
  else
    st = ja__store_error(d, rc, "cannot claim events in");
  if ((st = end_txn(d, st, "cannot commit claim in")) != JA_OK)
    *nclaimed = 0;
  return st;
}

ja_status
ja__store_delete_uuids(ja__db *d, const char *owner, const char *const *uuids, size_t n,
                       int64_t *ndeleted)
{
  JA_ASSERT(d->db != NULL);
  *ndeleted = 0;
  sqlite3_stmt *s = NULL;
  ja_status st = exec_sql(d, "BEGIN IMMEDIATE", "cannot delete sent events in");
  if (st != JA_OK)
    return st;
  int rc = sqlite3_prepare_v2(d->db, ja__sql_delete_sent, -1, &s, NULL);
  if (rc != SQLITE_OK)
    st = ja__store_error(d, rc, "cannot delete sent events in");
  for (size_t i = 0; st == JA_OK && i < n; i++) {
    sqlite3_bind_text(s, 1, uuids[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    if ((st = run(d, s, "cannot delete sent event in")) == JA_OK)
      *ndeleted += sqlite3_changes(d->db);
  }
  sqlite3_finalize(s);
  if ((st = end_txn(d, st, "cannot commit deletion in")) != JA_OK)
    *ndeleted = 0;
  return st;
}

/* ---------------------------------------------------------------- purge */

ja_status
ja__store_purge(ja__db *d, unsigned what, int64_t *removed)
{
  JA_ASSERT(d->db != NULL);
  *removed = 0;
  ja_status st = exec_sql(d, "BEGIN IMMEDIATE", "cannot purge");
  if (st != JA_OK)
    return st;
  const struct {
    unsigned bit;
    const char *const *sql;
  } parts[] = {{JA_PURGE_PENDING, &ja__sql_purge_pending},
               {JA_PURGE_SENT, &ja__sql_purge_sent},
               {JA_PURGE_DROPS, &ja__sql_purge_drops}};
  for (size_t i = 0; st == JA_OK && i < sizeof parts / sizeof parts[0]; i++) {
    if (!(what & parts[i].bit))
      continue;
    if ((st = exec_sql(d, *parts[i].sql, "cannot purge")) == JA_OK)
      *removed += sqlite3_changes(d->db);
  }
  if ((st = end_txn(d, st, "cannot commit purge of")) != JA_OK) {
    *removed = 0;
    return st;
  }
  /* Give the space back; failure here loses nothing. */
  sqlite3_exec(d->db, ja__sql_reclaim_space, NULL, NULL, NULL);
  return JA_OK;
}
