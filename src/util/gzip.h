/*
 * util/gzip.h — gzip (RFC 1952) compression of a request body with zlib.
 */
#ifndef JA_UTIL_GZIP_H
#define JA_UTIL_GZIP_H

#include "boot.h"
#include "util/buf.h"

/* Replace the contents of @p out with @p n bytes of @p in, gzip-compressed.
 * JA_ENOMEM, or JA_EINTERNAL when zlib fails. */
ja_status ja__gzip(ja__buf *out, const char *in, size_t n);

#endif
