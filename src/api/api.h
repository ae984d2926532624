/*
 * api/api.h — the public handle (struct ja_store) and what the public
 * entry points share: locking, opening the queue, the report builders.
 */
#ifndef JA_API_API_H
#define JA_API_API_H

#include "boot.h"
#include "home/config.h"
#include "store/store.h"
#include "util/lock.h"

/* The public handle. */
struct ja_store {
  ja__config cfg;            /* environment + config.toml */
  ja__db db;                 /* the queue */
  unsigned flags;            /* JA_OPEN_* */
  char platform[32];         /* PLATFORM of first_chat_sent (ja_options) */
  ja__lock lock;             /* serialises use of db, first come first
                                served (capture waits for it by its
                                deadline: ja__api_lock_until) */
};

/* Set the handle's PLATFORM (NULL: "cli"); JA_EINVALID if not in the enum. */
ja_status ja__api_set_platform(ja_store *s, const char *platform);
/* Whether this handle may create files: analytics on, no JA_OPEN_NO_CREATE. */
int ja__api_may_create(const ja_store *s);
/* Open the queue if it is not open yet (creating it only when analytics is
 * on and JA_OPEN_NO_CREATE is unset). Caller holds the lock. */
ja_status ja__api_ensure_db(ja_store *s);
/* Open the queue if it exists, never creating it: *present = 0 (and
 * JA_OK) when there is none. Caller holds the lock. */
ja_status ja__api_open_existing(ja_store *s, int *present);
/* Lock without a deadline (reports, purge, the anon id): their SQLite
 * lock waits get busy_timeout_ms each. */
void ja__api_lock(ja_store *s);
/* Lock by @p dl (CLOCK_MONOTONIC: a wall-clock jump changes nothing); 0 on
 * success, -1 once it has passed. On success @p dl becomes the store's
 * deadline for this call, so SQLite's lock wait (the busy handler) ends by
 * it too: one deadline for the whole call, never two waits in a row. */
int ja__api_lock_until(ja_store *s, ja__deadline dl);
/* Unlock, forgetting the call's deadline. */
void ja__api_unlock(ja_store *s);

typedef struct cJSON cJSON;
typedef struct ja__report ja__report;
/* The report model (store/report.h) of @p s: configuration, identity and
 * what the queue holds (nothing of it when there is no queue), with the
 * history when @p what has JA__REPORT_HISTORY. Creates nothing.
 * ja__report_free() @p r whatever this returns. */
ja_status ja__report_collect(ja_store *s, unsigned what, ja__report *r);
/* @p r as the status document (ja_report_json, `status --json`): JA_OK or
 * JA_ENOMEM, never a document with a part missing. */
ja_status ja__report_json(const ja__report *r, cJSON **out);
typedef struct ja__list_query ja__list_query;
typedef struct ja__list ja__list;
/* The events `show` lists (store/listing.h); an absent queue lists none. */
ja_status ja__report_list(ja_store *s, const ja__list_query *q, ja__list *out);

#endif
