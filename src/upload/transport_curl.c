/*
 * upload/transport_curl.c — the libcurl transport (the only file that
 * includes <curl/curl.h>): one easy handle per run, so the connection (and
 * TLS session) is reused across batches; TLS verification always on;
 * http:// only to loopback; timeouts from the caller's deadline.
 */
#include "boot.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upload/transport.h"

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static int g_curl_ok;

static void
curl_once(void)
{
  g_curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

typedef struct curl_impl {
  CURL *h;
  struct curl_slist *headers;
  char url[600];
} curl_impl;

static int
loopback_name(const char *name)
{
  if (strcasecmp(name, "localhost") == 0)
    return 1;
  struct in_addr a4;
  if (inet_pton(AF_INET, name, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  struct in6_addr a6;
  if (inet_pton(AF_INET6, name, &a6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&a6);
  return 0;
}

int
ja__transport_host_ok(const char *host, char *why, size_t whysz)
{
  const char *rest;
  int https;
  if (strncasecmp(host, "https://", 8) == 0)
    https = 1, rest = host + 8;
  else if (strncasecmp(host, "http://", 7) == 0)
    https = 0, rest = host + 7;
  else {
    snprintf(why, whysz, "host '%s' must start with https://", host);
    return -1;
  }
  size_t alen = strcspn(rest, "/?#");
  if (rest[alen] == '?' || rest[alen] == '#' || strpbrk(rest, "?#")) {
    snprintf(why, whysz, "host '%s' may not have a query or fragment", host);
    return -1;
  }
  if (alen == 0 || alen >= 256 || memchr(rest, '@', alen) || strpbrk(host, " \t\r\n")) {
    snprintf(why, whysz, "host '%s' is not a plain https://HOST[:PORT]", host);
    return -1;
  }
  if (https)
    return 0;
  /* The host name alone: [v6] or name, without the port. */
  char name[256];
  if (rest[0] == '[') {
    const char *end = memchr(rest, ']', alen);
    if (!end) {
      snprintf(why, whysz, "host '%s' is not a plain http://HOST[:PORT]", host);
      return -1;
    }
    snprintf(name, sizeof name, "%.*s", (int)(end - rest - 1), rest + 1);
  } else {
    size_t nlen = strcspn(rest, ":/");
    snprintf(name, sizeof name, "%.*s", (int)nlen, rest);
  }
  if (!loopback_name(name)) {
    snprintf(why, whysz, "host '%s': http:// is only allowed to loopback (use https://)", host);
    return -1;
  }
  return 0;
}

/* Response bodies are not needed; read and forget them. */
static size_t
cb_discard(char *p, size_t size, size_t n, void *u)
{
  (void)p;
  (void)u;
  return size * n;
}

/* Keep the Retry-After header of the final answer. */
static size_t
cb_header(char *p, size_t size, size_t n, void *u)
{
  ja__http_answer *ans = u;
  size_t len = size * n;
  static const char name[] = "retry-after:";
  if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
    const char *v = p + sizeof name - 1;
    size_t vlen = len - (sizeof name - 1);
    while (vlen > 0 && (*v == ' ' || *v == '\t'))
      v++, vlen--;
    while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
      vlen--;
    if (vlen < sizeof ans->retry_after) {
      memcpy(ans->retry_after, v, vlen);
      ans->retry_after[vlen] = '\0';
    }
  } else if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
    ans->retry_after[0] = '\0'; /* a new response (after 100 Continue) */
  }
  return len;
}

static ja_status
curl_send(ja__transport *t, const char *body, size_t len, int64_t timeout_ms,
          ja__http_answer *ans)
{
  curl_impl *c = t->impl;
  memset(ans, 0, sizeof *ans);
  if (timeout_ms < 1)
    timeout_ms = 1;
  /* Connecting gets at most 10 s of the budget, so a black-holed address
   * leaves time to report; the whole exchange never outlives the deadline. */
  long connect_ms = timeout_ms < 10000 ? (long)timeout_ms : 10000;
  curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(c->h, CURLOPT_HEADERDATA, ans);
  CURLcode rc = curl_easy_perform(c->h);
  if (rc != CURLE_OK) {
    /* curl's message names the host at most, never the body (the key). */
    snprintf(ans->error, sizeof ans->error, "%s", curl_easy_strerror(rc));
    ans->status = 0;
    ans->retry_after[0] = '\0';
    return JA_OK;
  }
  long code = 0;
  curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
  ans->status = (int)code;
  return JA_OK;
}

static void
curl_close(ja__transport *t)
{
  if (!t)
    return;
  curl_impl *c = t->impl;
  if (c) {
    curl_easy_cleanup(c->h);
    curl_slist_free_all(c->headers);
    free(c);
  }
  free(t);
}

ja_status
ja__transport_curl_new(ja__transport **out, const char *host)
{
  *out = NULL;
  char why[600];
  if (ja__transport_host_ok(host, why, sizeof why) != 0)
    return ja__error_set(JA_ECONFIG, "%s", why);
  /* libcurl's global state, once per process whatever the number of
   * transports (curl_global_init is not thread-safe, and calling it per
   * transport re-initialised the TLS library each time). */
  pthread_once(&g_curl_once, curl_once);
  if (!g_curl_ok)
    return ja__error_set(JA_EINTERNAL, "cannot start libcurl");
  ja__transport *t = calloc(1, sizeof *t);
  curl_impl *c = calloc(1, sizeof *c);
  if (!t || !c) {
    free(t);
    free(c);
    return ja__error_set(JA_ENOMEM, "cannot start the transport: out of memory");
  }
  t->impl = c;
  t->send = curl_send;
  t->close = curl_close;
  size_t hl = strlen(host);
  while (hl > 0 && host[hl - 1] == '/')
    hl--;
  snprintf(c->url, sizeof c->url, "%.*s/batch/", (int)hl, host);
  c->h = curl_easy_init();
  struct curl_slist *hd = NULL, *tmp;
  const char *lines[] = {"Content-Type: application/json", "Content-Encoding: gzip",
                         "Expect:", NULL};
  for (int i = 0; lines[i]; i++) {
    if (!(tmp = curl_slist_append(hd, lines[i]))) {
      curl_slist_free_all(hd);
      hd = NULL;
      break;
    }
    hd = tmp;
  }
  c->headers = hd;
  if (!c->h || !hd) {
    curl_close(t);
    return ja__error_set(JA_ENOMEM, "cannot start libcurl: out of memory");
  }
  CURL *h = c->h;
  curl_easy_setopt(h, CURLOPT_URL, c->url);
  /* No CURLOPT_PROXY: libcurl honours the system's http_proxy /
   * https_proxy / no_proxy (tests/e2e/test_upload.py: Proxy). */
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "jarvis-analytics/" JA_VERSION_STRING);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb_discard);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb_header);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  *out = t;
  return JA_OK;
}
