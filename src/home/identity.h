/*
 * home/identity.h — the install's anonymous id, the file anon_id.
 */
#ifndef JA_HOME_IDENTITY_H
#define JA_HOME_IDENTITY_H

#include "boot.h"

/* What counts as an anon_id: a regular file of ours (one link; a 0644 one is
 * narrowed to 0600) of at most 64 bytes. It is well-formed when it holds one
 * 8-4-4-4-12 hex id, surrounding whitespace ignored; damaged when it holds
 * only hex digits, dashes, whitespace and NUL bytes (empty, truncated);
 * anything else is not an anon_id and is never replaced or removed. */

/* Read the anon_id at @p path, or (when @p create) create it as a fresh v4:
 * temp file, fsync, move into place (or rename over a damaged one), mode 0600. A
 * well-formed id is reused as is. JA_EUNSAFE for a symlink, FIFO, directory,
 * foreign-owned or hard-linked file, or a file that is not an anon_id (all
 * left untouched); JA_EIO when it cannot be opened or read (untouched too).
 * When !create and the file is missing or damaged: JA_ECANTCREATE. */
ja_status ja__identity_get(const char *path, int create, char out[37]);
/* Replace the anon_id with a fresh v4 (rename over it) when @p create, else
 * remove it. Refuses exactly what ja__identity_get refuses, except that a
 * damaged or missing id is not an error. */
ja_status ja__identity_reset(const char *path, int create);

#endif
