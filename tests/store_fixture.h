/*
 * store_fixture.h — helpers shared by the test_store_*.c files: opening a
 * raw store, filling the queue, the fixed clock.
 */
#ifndef JA_TEST_STORE_FIXTURE_H
#define JA_TEST_STORE_FIXTURE_H

#include "support.h"
#include "api/api.h"
#include "filter/drop.h"
#include "filter/event.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/uuid.h"
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sql_embed.h"

/* @p d set up for the test's store (jt_db_path): 250 ms busy timeout,
 * caps of 10 000 events and 30 days; the home made. Nothing opened. */
void jt_store_db_init(ja__db *d);

/* A fresh environment (jt_fresh_env) and @p d set up for its store;
 * returns the test's directory. */
const char *jt_store_fresh(ja__db *d);

/* A fresh environment with a new store opened (created) in @p d. */
void jt_store_open_fresh(ja__db *d);

/* The same with a cap of @p max_events instead of 10 000. */
void jt_store_open_fresh_capped(ja__db *d, int64_t max_events);

/* The store's schema is the newest migration's. */
void jt_store_expect_latest(void);

/* A fresh environment whose store an older build left at schema
 * @p version, holding what @p sql puts in it; nothing left open. */
void jt_store_old(int version, const char *sql);

/* The store already on disk (an older schema made by the test) opened
 * without creating, which migrates it to the newest schema. */
void jt_store_open_migrated(ja__db *d);

void jt_store_insert_n(ja__db *d, int n);

/* ja__store_claim_rows with no byte limit: how many @p owner got. */
int jt_store_claim(ja__db *d, const char *owner, int64_t now, int64_t until, int limit, ja__lease_batch *b);

/* A fixed "today" for the clock tests: 2026-03-01T00:00:00Z. */
#define T0 INT64_C(1772323200000)

/* @p n rows straight into the table (the triggers keep the counters). */
void jt_store_raw_fill(ja__db *d, int n, int64_t ts);

/* The leased figure of status (report_queue.sql) at @p now. */
int64_t jt_store_status_leased(ja__db *d, int64_t now);

/* Pending events (no sent mark holds their id), by brute force. */
#define PENDING_IDS                                                                                \
  "(SELECT id FROM events e WHERE NOT EXISTS"                                                     \
  " (SELECT 1 FROM sent_mark m WHERE e.id BETWEEN m.lo AND m.hi))"

/* What status reads as oldest and newest (report_queue.sql, columns 2 and
 * 3) is the timestamp of the first and of the last pending event in
 * capture order, and the settled boundary has no pending event below it.
 * 1 if so. */
int jt_store_ends_truth(ja__db *d);

#endif
