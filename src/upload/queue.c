/*
 * upload/queue.c — the uploader's own connection to the queue: found from
 * the configuration alone (never through a ja_store handle, whose
 * connection belongs to that handle), opened only when the queue exists.
 */
#include "boot.h"

#include <string.h>

#include "home/config.h"
#include "store/store.h"
#include "upload/upload.h"
#include "util/fs.h"

/* How long a claim or an ack waits for another writer's lock: the
 * uploader is no one's caller, so it waits longer than a capture (whose
 * caller must not wait) before it gives up for this run (exit 75). */
#define UPLOAD_BUSY_TIMEOUT_MS 2000
#define DAY_MS INT64_C(86400000)

ja_status
ja__upload_open_queue(ja__db *d, const ja__config *cfg, int *present)
{
  *present = 0;
  memset(d, 0, sizeof *d);
  d->busy_fd = -1;
  d->busy_timeout_ms = UPLOAD_BUSY_TIMEOUT_MS;
  d->max_events = cfg->max_events;
  d->max_age_ms = cfg->max_age_days > INT64_MAX / DAY_MS ? INT64_MAX : cfg->max_age_days * DAY_MS;
  /* The home resolved once (it may sit under symlinked parents; SQLite's
   * NOFOLLOW refuses a symlink anywhere in the path it is given), then
   * the queue's own name inside it. */
  char real[JA_PATH_MAX];
  int missing = 0;
  ja_status st = ja__dir_resolve(cfg->home, real, sizeof real, &missing);
  if (st != JA_OK || missing)
    return st;
  const char *base = strrchr(cfg->db_path, '/');
  if ((st = ja__path_join(d->path, sizeof d->path, real, base ? base + 1 : cfg->db_path)) != JA_OK)
    return st;
  /* As a reader opens it: never created, never repaired (a corrupt queue
   * is for the next capture to move aside); an empty file is no queue. */
  return ja__store_open_existing(d, present);
}
