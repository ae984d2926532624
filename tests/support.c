/*
 * support.c — implementation of the cmocka test helpers (see support.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "support.h"
#include "sql_embed.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char g_dir[1024];
static char g_home[1100];
static char g_db[1200];

/* Every directory made by jt_fresh_env, removed when the test exits. */
static char *g_made[256];
static int g_nmade;

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void
remove_made_dirs(void)
{
  for (int i = 0; i < g_nmade; i++) {
    nftw(g_made[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(g_made[i]);
  }
  g_nmade = 0;
}

const char *jt_fresh_env(void)
{
  const char *tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/ja-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  assert_non_null(mkdtemp(g_dir));
  if (g_nmade == 0)
    atexit(remove_made_dirs);
  if (g_nmade < (int)(sizeof g_made / sizeof g_made[0]))
    g_made[g_nmade++] = strdup(g_dir);
  snprintf(g_home, sizeof g_home, "%s/home", g_dir);
  snprintf(g_db, sizeof g_db, "%s/analytics_queue.db", g_home);
  setenv("OPENJARVIS_HOME", g_home, 1);
  unsetenv("DO_NOT_TRACK");
  unsetenv("OPENJARVIS_LOG_LEVEL");
  unsetenv("OPENJARVIS_ANALYTICS_HOST");
  unsetenv("OPENJARVIS_ANALYTICS_KEY");
  return g_dir;
}

const char *jt_home(void) { return g_home; }
const char *jt_db_path(void) { return g_db; }

void jt_write_file(const char *path, const char *content)
{
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  size_t n = strlen(content);
  assert_int_equal(fwrite(content, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

char *jt_read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap = (n + 4096 + 1) * 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    size_t r = fread(buf + n, 1, 4096, f);
    n += r;
    if (r == 0)
      break;
  }
  fclose(f);
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

int jt_count_prefix(const char *dir, const char *prefix)
{
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  closedir(d);
  return n;
}

int jt_file_contains(const char *path, const char *needle)
{
  size_t len = 0;
  char *data = jt_read_file(path, &len);
  if (!data)
    return 0;
  size_t nl = strlen(needle);
  int found = 0;
  for (size_t i = 0; nl <= len && i + nl <= len; i++)
    if (memcmp(data + i, needle, nl) == 0) {
      found = 1;
      break;
    }
  free(data);
  return found;
}

ja_store *jt_open(void)
{
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, NULL);
  if (st != JA_OK)
    fail_msg("ja_store_open: %s: %s", ja_status_str(st), ja_last_error());
  return s;
}

sqlite3 *jt_lock_store(void)
{
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
  return db;
}

void jt_unlock_store(sqlite3 *db)
{
  assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

void jt_flush(ja_store *s)
{
  ja_status st = ja_flush(s, 600000);
  if (st != JA_OK)
    fail_msg("ja_flush: %s: %s", ja_status_str(st), ja_last_error());
}

ja_store *jt_open_sync(void)
{
  ja_options o = JA_OPTIONS_INIT;
  o.flags = JA_OPEN_SYNC;
  ja_store *s = NULL;
  ja_status st = ja_store_open(&s, &o);
  if (st != JA_OK)
    fail_msg("ja_store_open: %s: %s", ja_status_str(st), ja_last_error());
  return s;
}

static sqlite3_stmt *jt_query(sqlite3 **db, const char *db_path, const char *sql)
{
  assert_int_equal(sqlite3_open_v2(db_path, db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare '%s': %s", sql, sqlite3_errmsg(*db));
  return st;
}

int64_t jt_sql_int(const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = jt_query(&db, db_path, sql);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

char *jt_sql_text(const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = jt_query(&db, db_path, sql);
  char *out = NULL;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
    out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

sqlite3 *
jt_db_at_version(int version)
{
  mkdir(jt_home(), 0700);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(jt_db_path(), &db), SQLITE_OK);
  chmod(jt_db_path(), 0600);
  assert_int_equal(sqlite3_exec(db, ja__sql_new_database, NULL, NULL, NULL), SQLITE_OK);
  int last = 0;
  for (int i = 0; i < ja__sql_migration_count && ja__sql_migrations[i].version <= version; i++) {
    assert_int_equal(sqlite3_exec(db, ja__sql_migrations[i].sql, NULL, NULL, NULL), SQLITE_OK);
    last = ja__sql_migrations[i].version;
  }
  assert_int_equal(last, version);
  char sql[48];
  snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  return db;
}

size_t
jt_gunzip(const void *gz, size_t len, char *out, size_t cap)
{
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = (Bytef *)(uintptr_t)gz;
  z.avail_in = (uInt)len;
  z.next_out = (Bytef *)out;
  z.avail_out = (uInt)cap;
  assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
  size_t n = z.total_out;
  inflateEnd(&z);
  return n;
}

void
jt_status_drops(int64_t *busy, int64_t *other)
{
  ja_store *s = jt_open();
  char *json = NULL;
  assert_int_equal(ja_report_json(s, &json), JA_OK);
  ja_store_close(s);
  cJSON *doc = cJSON_Parse(json);
  ja_free(json);
  const cJSON *drops = cJSON_GetObjectItemCaseSensitive(doc, "drops");
  assert_true(cJSON_IsObject(drops));
  *busy = *other = 0;
  for (const cJSON *n = drops->child; n; n = n->next) {
    assert_true(cJSON_IsNumber(n));
    *(strcmp(n->string, "busy") == 0 ? busy : other) += (int64_t)n->valuedouble;
  }
  cJSON_Delete(doc);
}
