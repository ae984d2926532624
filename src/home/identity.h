/*
 * home/identity.h — the install's anonymous id, the file anon_id.
 */
#ifndef JA_HOME_IDENTITY_H
#define JA_HOME_IDENTITY_H

#include "boot.h"

/* Read the anon_id at @p path, or (when @p create) create it as a fresh v4:
 * temp file, fsync, rename, mode 0600. A well-formed existing id is reused as
 * is; a malformed one is replaced. A symlink is refused (JA_EUNSAFE). When
 * !create and the file is missing or malformed: JA_ECANTCREATE. */
ja_status ja__identity_get(const char *path, int create, char out[37]);
/* Remove the anon_id (refusing symlinks), then create a new one if @p create. */
ja_status ja__identity_reset(const char *path, int create);

#endif
