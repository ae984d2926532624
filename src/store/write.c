/*
 * store/write.c — what writers put in a transaction: event rows, drop
 * counters, the store clock that the age cap trusts instead of any one
 * process's wall clock, and the caps that push the oldest events out in
 * bounded steps.
 *
 * Sections: drop counters · the store clock · rows · caps · one capture.
 */
#include "boot.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filter/event.h"
#include "sql_embed.h"
#include "store/store.h"
#include "util/clock.h"

/* -------------------------------------------------------- drop counters */

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
  if ((st = ja__store_step_done(d, s, "cannot count drops in")) != JA_OK)
    return st;
  /* Drops by day: the totals above keep only the last time. */
  if ((st = ja__store_stmt(d, JA__Q_DROP_DAY_ADD, &s)) != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, ja__drop_name(why), -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, n);
  sqlite3_bind_int64(s, 3, now_ms);
  if ((st = ja__store_step_done(d, s, "cannot count drops by day in")) != JA_OK)
    return st;
  int64_t day = now_ms / 86400000;
  if (day == d->drop_days_pruned)
    return JA_OK;
  int64_t at[1] = {now_ms};
  if ((st = ja__store_run_ints(d, JA__Q_DROP_DAY_PRUNE, at, 1, "cannot prune drops by day in")) ==
      JA_OK)
    d->drop_days_pruned = day;
  return st;
}

void
ja__store_count_later(ja__db *d, ja__drop why, uint64_t n)
{
  if (why == JA__DROP_BUSY)
    ja__store_note_busy(d, n); /* beside the database: counted by any process */
  else if (n)
    atomic_fetch_add(&d->pending[why], n);
}

uint64_t
ja__store_pending_count(ja__db *d)
{
  uint64_t n = 0;
  for (int r = 1; r < JA__DROP_COUNT; r++)
    n += atomic_load(&d->pending[r]);
  return n;
}

ja_status
ja__store_pending_fold(ja__db *d, int64_t now_ms)
{
  ja_status st = JA_OK;
  for (int r = 1; r < JA__DROP_COUNT && st == JA_OK; r++) {
    /* Subtracted only after COMMIT (ja__store_pending_folded): a drop
     * counted meanwhile by another thread is kept for the next one. */
    d->pending_mem[r] = atomic_load(&d->pending[r]);
    st = ja__store_count_drops(d, (ja__drop)r, (int64_t)d->pending_mem[r], now_ms);
  }
  return st;
}

void
ja__store_pending_folded(ja__db *d, int committed)
{
  for (int r = 1; r < JA__DROP_COUNT; r++) {
    if (committed && d->pending_mem[r])
      atomic_fetch_sub(&d->pending[r], d->pending_mem[r]);
    d->pending_mem[r] = 0;
  }
}

ja__drop
ja__store_failure_reason(const ja__db *d, ja_status st)
{
  switch (st) {
  case JA_EBUSY:
    return JA__DROP_BUSY;
  case JA_ECORRUPT:
    return JA__DROP_CORRUPT;
  default:
    return (d->last_rc & 0xFF) == SQLITE_FULL ? JA__DROP_DISK_FULL : JA__DROP_IO_ERROR;
  }
}

/* ------------------------------------------------------ the store clock */

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* This process's writer id: distinct for processes alive at the same time
 * (the pid) and, through the start time mixed in, for a later process
 * that reuses a pid. Recomputed in a forked child. Two ids for one
 * process would let its clock witness itself, so it is made under a lock. */
static int64_t
process_writer_id(void)
{
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static pid_t pid;
  static int64_t id;
  pthread_mutex_lock(&lock);
  pid_t now_pid = getpid();
  if (id == 0 || pid != now_pid) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t mix = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
    id = (int64_t)((((uint64_t)(uint32_t)now_pid << 31) ^ mix) & (uint64_t)INT64_MAX) | 1;
    pid = now_pid;
  }
  int64_t out = id;
  pthread_mutex_unlock(&lock);
  return out;
}

static int64_t
col_or_zero(sqlite3_stmt *s, int col)
{
  return sqlite3_column_type(s, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, col);
}

/* A clock is sane when it is set (not before 2025) and not behind what
 * the store has already witnessed (give or take the skew). */
static int
clock_sane(const ja__db *d, int64_t clock_ms)
{
  return clock_ms >= JA__CLOCK_FLOOR_MS && clock_ms >= d->witnessed_ms - JA__CLOCK_SKEW_MS;
}

ja_status
ja__store_witness(ja__db *d, int64_t now)
{
  JA_ASSERT(d->in_txn);
  if (d->txn_witnessed)
    return JA_OK;
  if (d->writer == 0)
    d->writer = process_writer_id();
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_CLOCK_READ, &s);
  if (st != JA_OK)
    return st;
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? ja__error_set(JA_ECORRUPT, "queue '%s' has no store clock row",
                                             d->path)
                             : ja__store_error(d, rc, "cannot read the store clock of");
  }
  int64_t clock = col_or_zero(s, 0);
  int64_t w1 = col_or_zero(s, 1), c1 = col_or_zero(s, 2);
  int64_t w2 = col_or_zero(s, 3), c2 = col_or_zero(s, 4);
  int64_t newest_age = col_or_zero(s, 5);
  d->oldest_age_ms = col_or_zero(s, 6);
  d->unaged = sqlite3_column_int(s, 7);
  sqlite3_reset(s);

  d->witnessed_ms = clock;
  const int64_t was[5] = {clock, w1, c1, w2, c2};
  int sane = clock_sane(d, now);
  /* Witness 1: what this handle computed before, plus the real time that
   * has passed since (CLOCK_MONOTONIC: a wall clock set forward or back in
   * between changes nothing). Sound whatever the wall clocks say. */
  int64_t mono = ja__mono_ns();
  if (d->seen_valid && d->seen_ms >= JA__CLOCK_FLOOR_MS && mono >= d->seen_mono_ns)
    clock = max64(clock, d->seen_ms + (mono - d->seen_mono_ns) / 1000000);
  if (sane) {
    /* Witness 2: this clock and the latest clock of another writer
     * process; the earlier of the two has passed unless both are ahead. */
    int64_t other = w1 == d->writer ? c2 : c1;
    if (clock < JA__CLOCK_FLOOR_MS && other == 0 && newest_age >= JA__CLOCK_FLOOR_MS)
      other = newest_age; /* not known yet: start from the newest event */
    if (other >= JA__CLOCK_FLOOR_MS)
      clock = max64(clock, min64(now, other));
    if (w1 == d->writer) {
      c1 = now;
    } else {
      w2 = w1, c2 = c1;
      w1 = d->writer, c1 = now;
    }
  }
  /* The row is written when a writer changes places or a time moves by
   * JA__CLOCK_WRITE_STEP_MS or more (or back): a burst of one process's
   * groups then writes it once a second, not once a commit (it was the
   * one page a commit wrote beyond the row and its indexes). What is
   * stored lags by less than the step — nothing to an age cap counted in
   * days; this handle goes on from its own newer time (seen_ms). */
  int64_t dclock = clock - was[0], dc1 = c1 - was[2];
  int moved = w1 != was[1] || w2 != was[3] || c2 != was[4] || dclock < 0 ||
              dclock >= JA__CLOCK_WRITE_STEP_MS || dc1 < 0 || dc1 >= JA__CLOCK_WRITE_STEP_MS;
  if (moved) {
    if ((st = ja__store_stmt(d, JA__Q_CLOCK_WRITE, &s)) != JA_OK)
      return st;
    sqlite3_bind_int64(s, 1, clock);
    int64_t v[4] = {w1, c1, w2, c2};
    for (int i = 0; i < 4; i++) {
      if (v[i])
        sqlite3_bind_int64(s, 2 + i, v[i]);
      else
        sqlite3_bind_null(s, 2 + i);
    }
    if ((st = ja__store_step_done(d, s, "cannot write the store clock of")) != JA_OK)
      return st;
  }
  d->witnessed_ms = clock;
  d->seen_ms = clock;
  d->seen_mono_ns = mono;
  d->seen_valid = 1;

  if (sane && clock_sane(d, now) && d->unaged) {
    /* Events captured under a wrong clock are aged from the first sane
     * clock after them, never from their own timestamp. (The probe
     * skipped this UPDATE, and its temporary table, when none waits.) */
    if ((st = ja__store_stmt(d, JA__Q_AGE_UNWITNESSED, &s)) != JA_OK)
      return st;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, JA__PRUNE_STEP);
    if ((st = ja__store_step_done(d, s, "cannot age events in")) != JA_OK)
      return st;
  }
  d->txn_witnessed = 1;
  return JA_OK;
}

/* ----------------------------------------------------------------- rows */

ja_status
ja__store_add(ja__db *d, const ja__row *rows, size_t n, const unsigned drops[JA__DROP_COUNT],
              int64_t now_ms)
{
  JA_ASSERT(d->in_txn);
  ja_status st = ja__store_witness(d, now_ms);
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
    /* A timestamp from a clock that is not sane is kept as captured (it is
     * what PostHog gets), but the age cap waits for a sane clock. */
    int64_t age = row->age_ms ? row->age_ms : row->ts_ms;
    if (clock_sane(d, age))
      sqlite3_bind_int64(s, 7, age);
    else
      sqlite3_bind_null(s, 7);
    if ((st = ja__store_step_done(d, s, "cannot queue event in")) == JA_OK)
      d->txn_added++;
  }
  for (int r = 1; st == JA_OK && drops && r < JA__DROP_COUNT; r++)
    st = ja__store_count_drops(d, (ja__drop)r, drops[r], now_ms);
  return st;
}

ja_status
ja__store_event(ja__db *d, const ja__event *ev, const char *uuid, const char *distinct_id,
                int64_t ts_ms, int64_t age_ms, int64_t now_ms)
{
  if (!ev->spec)
    return ja__store_add(d, NULL, 0, ev->drops, now_ms);
  ja__row row = {.uuid = uuid, .distinct_id = distinct_id, .event = ev->spec->name,
                 .props_json = ev->props_json, .ts_ms = ts_ms, .age_ms = age_ms};
  return ja__store_add(d, &row, 1, ev->drops, now_ms);
}

/* ----------------------------------------------------------------- caps */

/* Delete what statement @p which selects, at most @p limit rows, counting
 * them as @p why; *deleted gets how many. */
static ja_status
prune(ja__db *d, int which, int64_t cutoff, int64_t limit, ja__drop why, int64_t now,
      int64_t *deleted)
{
  *deleted = 0;
  if (limit <= 0)
    return JA_OK;
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, which, &s);
  if (st != JA_OK)
    return st;
  if (which == JA__Q_PRUNE_EXPIRED) {
    sqlite3_bind_int64(s, 1, cutoff);
    sqlite3_bind_int64(s, 2, limit);
    sqlite3_bind_int64(s, 3, d->aged_below);
  } else {
    sqlite3_bind_int64(s, 1, limit);
  }
  if ((st = ja__store_step_done(d, s, "cannot prune events in")) != JA_OK)
    return st;
  *deleted = sqlite3_changes(d->db);
  return ja__store_count_drops(d, why, *deleted, now);
}

/* Apply the age cap, then the size cap, from one budget. */
ja_status
ja__store_apply_caps(ja__db *d, int64_t now)
{
  JA_ASSERT(d->in_txn);
  ja_status st = ja__store_witness(d, now);
  if (st != JA_OK)
    return st;
  int64_t budget = d->txn_added + JA__PRUNE_STEP;
  d->txn_added = 0; /* spent: a second call in this transaction gets the step only */

  /* The store clock, not @p now: one wrong clock cannot expire anything a
   * correct one would keep. 0 (unknown) expires nothing. */
  int64_t expired = 0, trimmed = 0;
  int64_t cutoff = d->witnessed_ms - d->max_age_ms;
  /* The usual case, nothing old enough (the oldest age, probed by index
   * when the transaction began), skips the DELETE and its temporary
   * table; events this transaction added are never older than that. */
  /* Sent events stay in events (and in events_by_age) until their mark
   * retires, up to 30 days after they were sent, so the oldest age can be
   * a sent one: from the day the first of them passes the cap, every
   * transaction would walk all of them again. A prune starts at the
   * cutoff of this connection's last complete one (aged_below) and runs
   * again once the cutoff has moved on by the store clock's step: it
   * steps only over what aged past the cap since. */
  if (d->witnessed_ms >= JA__CLOCK_FLOOR_MS && d->oldest_age_ms && d->oldest_age_ms < cutoff &&
      cutoff >= d->aged_below + JA__CLOCK_WRITE_STEP_MS) {
    if ((st = prune(d, JA__Q_PRUNE_EXPIRED, cutoff, budget, JA__DROP_EXPIRED, now, &expired)) !=
        JA_OK)
      return st;
    if (expired < budget)
      d->aged_below_txn = cutoff; /* all found: taken at the commit */
  }
  budget -= expired;

  sqlite3_stmt *s;
  if ((st = ja__store_stmt(d, JA__Q_QUEUE_COUNT, &s)) != JA_OK)
    return st;
  int rc = sqlite3_step(s);
  int64_t queued = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return ja__store_error(d, rc, "cannot count events in");
  if (queued > d->max_events &&
      (st = prune(d, JA__Q_PRUNE_OLDEST, 0, min64(queued - d->max_events, budget),
                  JA__DROP_QUEUE_FULL, now, &trimmed)) != JA_OK)
    return st;
  if (expired + trimmed == 0)
    return JA_OK; /* the usual case: nothing pruned, nothing to reclaim */
  return ja__store_exec(d, ja__sql_reclaim_step, "cannot reclaim space in");
}

/* ---------------------------------------------------------- one capture */

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
