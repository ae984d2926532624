/*
 * api/api.h — the public handle (struct ja_store) and what the public
 * entry points share: locking, opening the queue, the report builders.
 */
#ifndef JA_API_API_H
#define JA_API_API_H

#include "boot.h"
#include "home/config.h"
#include "store/store.h"

#include <pthread.h>

/* The public handle. */
struct ja_store {
  ja__config cfg;            /* environment + config.toml */
  ja__db db;                 /* the queue */
  unsigned flags;            /* JA_OPEN_* */
  pthread_mutex_t mutex;     /* serialises use of db (timed: see ja_capture) */
};

/* Whether this handle may create files: analytics on, no JA_OPEN_NO_CREATE. */
int ja__api_may_create(const ja_store *s);
/* Open the queue if it is not open yet (creating it only when analytics is
 * on and JA_OPEN_NO_CREATE is unset). Caller holds the mutex. */
ja_status ja__api_ensure_db(ja_store *s);
/* Open the queue if it exists, never creating it: *present = 0 (and
 * JA_OK) when there is none. Caller holds the mutex. */
ja_status ja__api_open_existing(ja_store *s, int *present);
void ja__api_lock(ja_store *s);
/* Lock, waiting at most @p ms; 0 on success, -1 on timeout. */
int ja__api_lock_timed(ja_store *s, int ms);
void ja__api_unlock(ja_store *s);

typedef struct cJSON cJSON;
/* The status document (see ja_report_json). */
ja_status ja__report_status(ja_store *s, cJSON **out);
/* Up to @p limit events, newest first: pending (or sent when @p sent) as a
 * JSON array of objects. An absent queue gives an empty array. */
ja_status ja__report_show(ja_store *s, int sent, int64_t limit, cJSON **out);

#endif
