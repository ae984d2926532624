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
                               timeout, TLS failure, or stopped by a signal) */
  char retry_after[64];     /* the Retry-After header's value, "" if none */
  char error[256];          /* status 0: what went wrong (never the key) */
  char body[512];           /* the start of the answer's body (NUL-terminated):
                               a 2xx is a delivery only when it is PostHog's
                               answer (ja__upload_answer_ok) */
  size_t body_len;          /* bytes of the body kept in body[] */
  int body_cut;             /* the body was longer than body[] */
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

/* Whether @p host may be used: https://HOST[:PORT][/], or http:// for a
 * loopback host only (localhost, 127.0.0.0/8, [::1]); printable ASCII only
 * (a control or invisible character is a mistake in the configuration,
 * never something to send to a resolver); no user info, query or
 * fragment. Returns 0, or -1 with why in @p why (which never shows user
 * info: ja__transport_host_shown). */
int ja__transport_host_ok(const char *host, char *why, size_t whysz);
/* @p host as shown in any message: "user:password@" replaced by "***@",
 * every byte outside printable ASCII as \xNN. */
void ja__transport_host_shown(const char *host, char *out, size_t outsz);
/* 1 when @p host (an accepted one) names a loopback address. */
int ja__transport_host_loopback(const char *host);
/* The curl transport for @p host: JA_ECONFIG (with the reason) when
 * ja__transport_host_ok refuses it; JA_ENOMEM/JA_EINTERNAL when libcurl
 * cannot start. TLS verification is always on, redirects are not
 * followed, one connection is reused across requests. A loopback host is
 * contacted directly, never through a proxy (a proxy would see the key
 * in clear over http://); any other host honours the system proxy
 * settings (https_proxy, no_proxy). A request in flight stops as soon as
 * ja__upload_signal is set (status 0). */
ja_status ja__transport_curl_new(ja__transport **out, const char *host);

#endif
