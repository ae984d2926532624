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
#include "upload/upload.h"

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

void
ja__transport_host_shown(const char *host, char *out, size_t outsz)
{
  if (outsz == 0)
    return;
  size_t o = 0;
  const char *scheme = strstr(host, "://");
  const char *auth = scheme ? scheme + 3 : host;
  const char *at = NULL;
  for (const char *p = auth; *p && *p != '/' && *p != '?' && *p != '#'; p++)
    if (*p == '@')
      at = p; /* the last one: user info may itself hold '@' */
  for (const char *p = host; *p && o + 1 < outsz; p++) {
    if (at && p == auth) {
      o += (size_t)snprintf(out + o, outsz - o, "***");
      p = at; /* the '@' is copied next round */
      if (o + 1 >= outsz)
        break;
    }
    unsigned char c = (unsigned char)*p;
    if (c >= 0x21 && c <= 0x7e) {
      out[o++] = (char)c;
    } else if (o + 4 < outsz) {
      o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
    } else {
      break;
    }
  }
  out[o < outsz ? o : outsz - 1] = '\0';
}

/* The host name of an accepted host, without brackets or port. */
static void
host_name(const char *host, char *name, size_t n)
{
  const char *rest = strstr(host, "://");
  rest = rest ? rest + 3 : host;
  size_t alen = strcspn(rest, "/?#");
  if (rest[0] == '[') {
    const char *end = memchr(rest, ']', alen);
    size_t len = end ? (size_t)(end - rest - 1) : 0;
    snprintf(name, n, "%.*s", (int)len, rest + 1);
  } else {
    snprintf(name, n, "%.*s", (int)strcspn(rest, ":/"), rest);
  }
}

int
ja__transport_host_loopback(const char *host)
{
  char name[256];
  host_name(host, name, sizeof name);
  return loopback_name(name);
}

int
ja__transport_host_ok(const char *host, char *why, size_t whysz)
{
  char shown[600];
  ja__transport_host_shown(host, shown, sizeof shown);
  for (const unsigned char *p = (const unsigned char *)host; *p; p++)
    if (*p < 0x21 || *p > 0x7e) {
      snprintf(why, whysz, "host '%s' holds a control, space or non-ASCII character at byte %zu",
               shown, (size_t)(p - (const unsigned char *)host) + 1);
      return -1;
    }
  const char *rest;
  int https;
  if (strncasecmp(host, "https://", 8) == 0)
    https = 1, rest = host + 8;
  else if (strncasecmp(host, "http://", 7) == 0)
    https = 0, rest = host + 7;
  else {
    snprintf(why, whysz, "host '%s' must start with https://", shown);
    return -1;
  }
  size_t alen = strcspn(rest, "/?#");
  if (strpbrk(rest, "?#")) {
    snprintf(why, whysz, "host '%s' may not have a query or fragment", shown);
    return -1;
  }
  if (memchr(rest, '@', alen)) {
    snprintf(why, whysz, "host '%s' may not hold a user name or password", shown);
    return -1;
  }
  if (alen == 0 || alen >= 256) {
    snprintf(why, whysz, "host '%s' is not a plain https://HOST[:PORT]", shown);
    return -1;
  }
  if (https)
    return 0;
  if (rest[0] == '[' && !memchr(rest, ']', alen)) {
    snprintf(why, whysz, "host '%s' is not a plain http://HOST[:PORT]", shown);
    return -1;
  }
  if (!ja__transport_host_loopback(host)) {
    snprintf(why, whysz, "host '%s': http:// is only allowed to loopback (use https://)", shown);
    return -1;
  }
  return 0;
}

/* Keep the start of the answer's body (a 2xx must be PostHog's answer to
 * count as a delivery); the rest is read and forgotten. */
static size_t
cb_body(char *p, size_t size, size_t n, void *u)
{
  ja__http_answer *ans = u;
  size_t len = size * n, room = sizeof ans->body - 1 - ans->body_len;
  size_t take = len < room ? len : room;
  memcpy(ans->body + ans->body_len, p, take);
  ans->body_len += take;
  ans->body[ans->body_len] = '\0';
  if (take < len)
    ans->body_cut = 1;
  return len;
}

/* A signal (SIGINT, SIGTERM) stops the request in flight: the run then
 * gives its reservations back and exits. */
static int
cb_progress(void *u, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  (void)u;
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  return ja__upload_signal != 0;
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
    ans->body_len = 0;
    ans->body[0] = '\0';
    ans->body_cut = 0;
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
  curl_easy_setopt(c->h, CURLOPT_WRITEDATA, ans);
  CURLcode rc = curl_easy_perform(c->h);
  if (rc != CURLE_OK) {
    /* curl's message names the host at most, never the body (the key). */
    snprintf(ans->error, sizeof ans->error, "%s",
             rc == CURLE_ABORTED_BY_CALLBACK ? "stopped by a signal" : curl_easy_strerror(rc));
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
  /* A loopback host directly, whatever http_proxy says: "" turns every
   * proxy off, the environment's included (a proxy on the way to
   * 127.0.0.1 would read the key in clear, and its 200 is no delivery).
   * Any other host: libcurl honours https_proxy / no_proxy
   * (tests/e2e/test_upload.py: Proxy). */
  if (ja__transport_host_loopback(host))
    curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "jarvis-analytics/" JA_VERSION_STRING);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb_body);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb_progress);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb_header);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  *out = t;
  return JA_OK;
}
