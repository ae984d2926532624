/*
 * api/admin.c — the calls that manage a store rather than feed it: the
 * anon id (read, reset), purge, and freeing what the library handed out.
 */
#include "boot.h"

#include <stdlib.h>

#include "api/api.h"
#include "home/identity.h"
#include "util/clock.h"
#include "util/fs.h"

/* anon_id read (or reset): created only when analytics is on and the
 * handle may create files; when off, a reset only removes the file. */
static ja_status
identity_call(ja_store *s, int reset, char out[37])
{
  int create = ja__api_may_create(s);
  ja__api_lock(s);
  ja_status st = create ? ja__dir_ensure(s->cfg.home) : JA_OK;
  if (st == JA_OK)
    st = reset ? ja__identity_reset(s->cfg.anon_id_path, create)
               : ja__identity_get(s->cfg.anon_id_path, create, out);
  ja__api_unlock(s);
  return st;
}

ja_status
ja_anon_id(ja_store *s, char out[37])
{
  ja__error_clear();
  if (!out)
    return ja__error_set(JA_EINVALID, "ja_anon_id: NULL argument");
  ja_status st = ja__api_usable(s, "ja_anon_id");
  return st == JA_OK ? identity_call(s, 0, out) : st;
}

ja_status
ja_reset_id(ja_store *s)
{
  ja__error_clear();
  ja_status st = ja__api_usable(s, "ja_reset_id");
  if (st != JA_OK)
    return st;
  /* Events accepted before the reset keep the id they were captured with:
   * the writer reads the id per group, so it writes them first. */
  ja__writer_flush(s, s->db.busy_timeout_ms);
  ja__error_clear();
  return identity_call(s, 1, NULL);
}

ja_status
ja_purge(ja_store *s, unsigned int what, int64_t *removed)
{
  ja__error_clear();
  int64_t n = 0;
  if (removed)
    *removed = 0;
  ja_status st = ja__api_usable(s, "ja_purge");
  if (st != JA_OK)
    return st;
  if (what == 0 || (what & ~(unsigned)(JA_PURGE_PENDING | JA_PURGE_SENT | JA_PURGE_DROPS)))
    return ja__error_set(JA_EINVALID, "ja_purge: bad arguments");
  /* What this handle accepted before the purge is purged too. */
  ja__writer_flush(s, s->db.busy_timeout_ms);
  ja__error_clear();
  ja__api_lock(s);
  /* Never create a queue just to empty it. */
  int present = 0;
  st = ja__api_open_existing(s, &present);
  if (st == JA_OK && present)
    st = ja__store_purge(&s->db, what, ja__now_ms(), &n);
  ja__api_unlock(s);
  if (removed)
    *removed = n;
  return st;
}

void
ja_free(void *p)
{
  free(p);
}
