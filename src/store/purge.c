/*
 * store/purge.c — `jarvis-analytics purge`: delete queued events, what was
 * sent (the events kept in place inside a sent mark, the marks, the sent
 * log) and/or the drop counters (with the drops by day).
 */
#include "boot.h"

#include <sqlite3.h>
#include <string.h>

#include "sql_embed.h"
#include "store/store.h"

ja_status
ja__store_purge(ja__db *d, unsigned what, int64_t now_ms, int64_t *removed)
{
  JA_ASSERT(d->db != NULL);
  *removed = 0;
  ja_status st = ja__store_begin(d, now_ms);
  if (st != JA_OK)
    return st;
  const struct {
    unsigned bit;
    const char *const *sql;
    int counted;             /* its changes are rows removed */
  } parts[] = {{JA_PURGE_PENDING, &ja__sql_purge_pending, 1},
               /* Raw session signals and what the next rollup would make of
                * them: local data not sent yet, so --pending takes them too.
                * The first-use and day-done markers stay: they are what keeps
                * first_chat_sent or a day's summary from being sent twice. */
               {JA_PURGE_PENDING, &ja__sql_purge_rollup_signal, 1},
               {JA_PURGE_PENDING, &ja__sql_purge_rollup_session, 1},
               {JA_PURGE_PENDING, &ja__sql_purge_rollup_day, 1},
               {JA_PURGE_PENDING, &ja__sql_purge_rollup_day_name, 1},
               /* What was sent: the events kept in place inside a mark
                * (before the marks, which the delete trigger reads), the
                * marks, the sent log. */
               {JA_PURGE_SENT, &ja__sql_purge_sent_marked, 1},
               {JA_PURGE_SENT, &ja__sql_purge_marks, 0},
               {JA_PURGE_SENT, &ja__sql_purge_sent, 1},
               {JA_PURGE_DROPS, &ja__sql_purge_drops, 1}};
  for (size_t i = 0; st == JA_OK && i < sizeof parts / sizeof parts[0]; i++) {
    if (!(what & parts[i].bit))
      continue;
    if ((st = ja__store_exec(d, *parts[i].sql, "cannot purge")) == JA_OK && parts[i].counted)
      *removed += sqlite3_changes(d->db);
  }
  /* Drops by day go with the counters (not counted: the same drops). */
  if (st == JA_OK && (what & JA_PURGE_DROPS))
    st = ja__store_exec(d, ja__sql_purge_drop_days, "cannot purge");
  if ((st = ja__store_end(d, st)) != JA_OK) {
    *removed = 0;
    return st;
  }
  /* Give the space back; failure here loses nothing. */
  sqlite3_exec(d->db, ja__sql_reclaim_space, NULL, NULL, NULL);
  return JA_OK;
}
