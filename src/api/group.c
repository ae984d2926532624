/*
 * api/group.c — what the writer thread does with one group: one write
 * transaction holding every event and signal of it, the store clock, the
 * busy folds and the caps done once for all of them, and one commit (one
 * fsync). A group the store will not take within busy_timeout_ms is
 * dropped and counted by reason, never waited on longer.
 */
#include "boot.h"

#include <string.h>

#include "api/api.h"
#include "home/identity.h"
#include "util/clock.h"

/* Write @p jobs in one transaction at @p wall_ms. */
static ja_status
write_once(ja_store *s, const ja__job *jobs, int64_t wall_ms)
{
  s->db.last_rc = 0; /* a stale code must not name this failure */
  ja_status st = ja__api_ensure_db(s);
  /* The anon_id as of this group (read per group, not cached: another
   * process — reset-id, install.sh — may replace it). */
  char anon[37] = "";
  if (st == JA_OK)
    st = ja__identity_get(s->cfg.anon_id_path, ja__api_may_create(s), anon);
  if (st == JA_OK)
    st = ja__store_begin(&s->db, wall_ms);
  if (st != JA_OK)
    return st;
  ja__emitter e = {anon, s->cfg.debug, NULL};
  for (const ja__job *j = jobs; j && st == JA_OK; j = j->next) {
    if (j->is_signal) {
      st = ja__rollup_record(&s->db, &j->sig, &e, s->platform, wall_ms);
      continue;
    }
    for (size_t i = 0; i < j->n && st == JA_OK; i++)
      st = ja__store_event(&s->db, &j->ev[i].ev, j->ev[i].uuid, anon, j->ev[i].ts_ms, 0,
                           wall_ms);
  }
  if (st == JA_OK)
    st = ja__store_apply_caps(&s->db, wall_ms);
  return ja__store_end(&s->db, st);
}

/* Whether a failed try is worth another one within the deadline. Busy is
 * not: the lock wait already took the whole deadline. */
static int
try_again(ja_status st, int attempt, ja__deadline dl)
{
  return st != JA_EBUSY && attempt + 1 < JA__WRITER_TRIES && ja__deadline_left_ms(dl) > 0;
}

int
ja__group_write(ja_store *s, ja__job *jobs, size_t rows, ja__group_result *r)
{
  int64_t wall = ja__now_ms();
  /* One deadline for every wait of the group: the handle's lock (a
   * report, purge or rollup of another thread), the store's lock (the
   * busy handler reads s->db.deadline), the tries. A JA_OPEN_SYNC caller
   * in it waits busy_timeout_ms in all from its call, not from here. */
  ja__deadline dl = ja__deadline_in(s->db.busy_timeout_ms);
  for (const ja__job *j = jobs; j; j = j->next)
    if (j->deadline_ns && j->deadline_ns < dl.at_ns)
      dl.at_ns = j->deadline_ns;
  ja_status st;
  int locked = ja__api_lock_until(s, dl) == 0;
  if (!locked) {
    st = ja__error_set(JA_EBUSY, "store '%s' busy for more than %d ms (held by another thread "
                       "of this handle)", s->db.path, s->db.busy_timeout_ms);
    r->reason = JA__DROP_BUSY;
  } else {
    for (int attempt = 0;; attempt++) {
      st = write_once(s, jobs, wall);
      if (st == JA_OK || !try_again(st, attempt, dl))
        break;
      /* A connection that found corruption is not trusted again: the next
       * try opens the queue anew (a file that is not a database is moved
       * aside and replaced there). */
      if (st == JA_ECORRUPT)
        ja__api_drop_db(s);
    }
    r->reason = st == JA_OK ? JA__DROP_NONE : ja__store_failure_reason(&s->db, st);
  }
  r->status = st;
  if (st == JA_OK)
    return locked;
  /* Until a caller has checked the queue and the anon_id again, nothing
   * more is accepted blindly: a store that stays broken (an anon_id that
   * became a symlink, a queue that cannot be opened) is the callers'
   * error again, not a stream of counted drops. Busy is not broken. */
  if (st != JA_EBUSY)
    atomic_store(&s->writable, 0);
  snprintf(r->msg, sizeof r->msg, "%s", ja_last_error());
  /* With JA_OPEN_SYNC every job of the group has a caller waiting for its
   * status: a failing store is their error, as a queue that cannot be
   * opened is (nothing stored or counted; they were never told "stored").
   * Busy is a counted drop in every mode, as it always was. */
  if ((s->flags & JA_OPEN_SYNC) && st != JA_EBUSY) {
    r->reason = JA__DROP_NONE;
    return locked;
  }
  /* Accepted = stored + counted drops: every row of the group is counted
   * (busy beside the database, in any process; the others by this
   * handle's next transaction that commits). */
  ja__store_count_later(&s->db, r->reason, rows);
  return locked;
}
