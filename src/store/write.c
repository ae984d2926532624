/*
 * store/write.c — what writers put in a transaction: event rows, drop
 * counters, and the caps that push the oldest events out.
 */
#include "boot.h"

#include <sqlite3.h>
#include <string.h>

#include "sql_embed.h"
#include "store/store.h"
#include "util/clock.h"

ja_status
ja__store_count_drops(ja__db *d, ja__drop why, int64_t n, int64_t now_ms)
{
  if (n <= 0)
    return JA_OK;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_DROP_ADD, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, ja__drop_name(why), -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, n);
  sqlite3_bind_int64(s, 3, now_ms);
  return ja__store_step_done(d, s, "cannot count drops in");
}

/* Apply the age cap, then the size cap, counting what each pushes out. */
ja_status
ja__store_apply_caps(ja__db *d, int64_t now)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_PRUNE_EXPIRED, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, now - d->max_age_ms);
  if ((st = ja__store_step_done(d, s, "cannot expire events in")) != JA_OK)
    return st;
  int expired = sqlite3_changes(d->db);
  if ((st = ja__store_count_drops(d, JA__DROP_EXPIRED, expired, now)) != JA_OK)
    return st;

  if ((st = ja__store_stmt(d, JA__Q_QUEUE_COUNT, &s)) != JA_OK)
    return st;
  int rc = sqlite3_step(s);
  int64_t queued = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return ja__store_error(d, rc, "cannot count events in");
  if (queued > d->max_events) {
    if ((st = ja__store_stmt(d, JA__Q_PRUNE_OLDEST, &s)) != JA_OK)
      return st;
    sqlite3_bind_int64(s, 1, queued - d->max_events);
    if ((st = ja__store_step_done(d, s, "cannot trim queue")) != JA_OK)
      return st;
    if ((st = ja__store_count_drops(d, JA__DROP_QUEUE_FULL, sqlite3_changes(d->db), now)) != JA_OK)
      return st;
  } else if (expired == 0) {
    return JA_OK; /* the usual case: nothing pruned, nothing to reclaim */
  }
  return ja__store_exec(d, ja__sql_reclaim_space, "cannot reclaim space in");
}

ja_status
ja__store_add(ja__db *d, const ja__row *rows, size_t n, const unsigned drops[JA__DROP_COUNT],
              int64_t now_ms)
{
  JA_ASSERT(d->in_txn);
  ja_status st = JA_OK;
  for (size_t i = 0; i < n && st == JA_OK; i++) {
    const ja__row *row = &rows[i];
    sqlite3_stmt *s;
    if ((st = ja__store_stmt(d, JA__Q_INSERT, &s)) != JA_OK)
      break;
    sqlite3_bind_text(s, 1, row->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, row->ts_ms);
    char iso[32];
    ja__iso8601_ms(row->ts_ms, iso);
    sqlite3_bind_text(s, 3, iso, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, row->distinct_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, row->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, row->props_json, -1, SQLITE_STATIC);
    st = ja__store_step_done(d, s, "cannot queue event in");
  }
  for (int r = 1; st == JA_OK && drops && r < JA__DROP_COUNT; r++)
    st = ja__store_count_drops(d, (ja__drop)r, drops[r], now_ms);
  return st;
}

ja_status
ja__store_insert(ja__db *d, const ja__row *row, const unsigned drops[JA__DROP_COUNT],
                 int64_t now_ms)
{
  JA_ASSERT(d->db != NULL);
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  st = ja__store_add(d, row, row ? 1 : 0, drops, now_ms);
  if (st == JA_OK)
    st = ja__store_apply_caps(d, now_ms);
  return ja__store_end(d, st);
}
