/*
 * upload/transport.h — the one small interface between the drain loop and
 * the network (sentry-native's transport shape): send one gzip body, get
 * one answer. transport_curl.c is the only file that includes <curl/curl.h>;
 * tests script answers through a fake that implements the same struct.
 */
#ifndef JA_UPLOAD_TRANSPORT_H
#define JA_UPLOAD_TRANSPORT_H

#include "boot.h"

/* One answer. */
typedef struct ja__http_answer {
  int status;               /* HTTP status; 0 when none came (refused, reset,
                               timeout, TLS failure) */
  char retry_after[64];     /* the Retry-After header's value, "" if none */
  char error[256];          /* status 0: what went wrong (never the key) */
} ja__http_answer;

typedef struct ja__transport ja__transport;
struct ja__transport {
  /* POST @p body (@p len bytes, gzip) to {host}/batch/ within
   * @p timeout_ms (connect + whole exchange). JA_OK with @p ans filled for
   * any answer or none (status 0); an error status only when the request
   * could not even be made (JA_ENOMEM …). */
  ja_status (*send)(ja__transport *t, const char *body, size_t len, int64_t timeout_ms,
                    ja__http_answer *ans);
  /* Release everything (the connection too). */
  void (*close)(ja__transport *t);
  void *impl;               /* the implementation's state */
};

/* Whether @p host may be used (DESIGN §7): https://HOST[:PORT][/], or
 * http:// for a loopback host only (localhost, 127.0.0.0/8, [::1]). No
 * user info, query or fragment. Returns 0, or -1 with why in @p why. */
int ja__transport_host_ok(const char *host, char *why, size_t whysz);
/* The curl transport for @p host: JA_ECONFIG (with the reason) when
 * ja__transport_host_ok refuses it; JA_ENOMEM/JA_EINTERNAL when libcurl
 * cannot start. TLS verification is always on, redirects are not
 * followed, the system proxy settings (http_proxy, https_proxy, no_proxy)
 * are honoured, and one connection is reused across requests. */
ja_status ja__transport_curl_new(ja__transport **out, const char *host);

#endif
