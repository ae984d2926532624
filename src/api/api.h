/*
 * api/api.h — the public handle (struct ja_store) and what the public
 * entry points share: locking, opening the queue, the report builders.
 */
#ifndef JA_API_API_H
#define JA_API_API_H

#include "boot.h"

#include <stdatomic.h>

#include "api/writer.h"
#include "home/config.h"
#include "rollup/rollup.h"
#include "store/store.h"
#include "util/lock.h"

/* The public handle. */
struct ja_store {
  ja__config cfg;            /* environment + config.toml */
  ja__db db;                 /* the queue */
  unsigned flags;            /* JA_OPEN_* */
  char platform[32];         /* PLATFORM of first_chat_sent (ja_options) */
  ja__lock lock;             /* serialises use of db, first come first
                                served: the writer's groups, reports,
                                purge, rollup, opening the queue */
  _Atomic int writable;      /* the queue was opened for writing and the
                                anon_id read (ja__api_ready), and no group
                                failed since: callers hand their events to
                                the writer without taking the lock */
  ja__writer writer;         /* the buffer and its thread (writer.h) */
  unsigned fork_gen;         /* fork.c: the fork generation it was opened in */
  ja_store *fork_prev, *fork_next; /* fork.c: the open handles */
};

/* Set the handle's PLATFORM (NULL: "cli"); JA_EINVALID if not in the enum. */
ja_status ja__api_set_platform(ja_store *s, const char *platform);
/* ja_rollup with a stop asked between its transactions (the uploader's
 * deadline) and the whole report (session.c). @p stop and @p r may be
 * NULL. */
ja_status ja__api_rollup(ja_store *s, int64_t now_ms, const ja__rollup_stop *stop,
                         ja__rollup_report *r);
/* Whether this handle may create files: analytics on, no JA_OPEN_NO_CREATE. */
int ja__api_may_create(const ja_store *s);
/* Open the queue if it is not open yet (creating it only when analytics is
 * on and JA_OPEN_NO_CREATE is unset). Caller holds the lock. */
ja_status ja__api_ensure_db(ja_store *s);
/* Close the queue's connection (the writer after finding it corrupt: the
 * next ja__api_ensure_db opens it again). Caller holds the lock. */
void ja__api_drop_db(ja_store *s);
/* Before a caller hands the writer anything: s->writable, or the queue
 * opened and the anon_id read now on the caller's thread (by the call's
 * deadline @p dl, for the handle and the store's lock together;
 * on JA_EBUSY the caller counts its events as busy drops). What cannot be
 * opened or read is the caller's error, as before there was a writer:
 * nothing is accepted. */
ja_status ja__api_ready(ja_store *s, ja__deadline dl);
/* JA_EINVALID (naming @p fn) for a NULL handle or one opened before fork()
 * in another process, else JA_OK. */
ja_status ja__api_usable(const ja_store *s, const char *fn);
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
