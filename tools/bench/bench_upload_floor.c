/*
 * bench_upload_floor.c — the floor bench_upload.py holds the uploader to:
 * the least work that turns a queue into request bodies. A raw SQLite
 * SELECT of each batch in id order, the same JSON body the uploader builds
 * (src/upload/encode.c: same keys, same library properties, properties
 * spliced as stored), gzip by zlib at the same level, window and memory
 * level (src/util/gzip.c), one stream reset per body. Each body is written to OUTDIR/NNNNNN.gz for the
 * `curl` CLI to post; nothing is filtered, leased, acknowledged or retried.
 *
 *   bench_upload_floor DB KEY BATCH OUTDIR
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

typedef struct buf {
  char *p;
  size_t n, cap;
} buf;

static void
put(buf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->n + n + 1)
      cap *= 2;
    if (!(b->p = realloc(b->p, cap))) {
      fprintf(stderr, "out of memory\n");
      exit(71);
    }
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
put_string(buf *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = s;
  put(b, "\"", 1);
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c != '"' && c != '\\' && c >= 0x20)
      continue;
    put(b, run, (size_t)(p - run));
    char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
    size_t n = 2;
    if (c < 0x20) {
      esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
      n = 6;
    }
    put(b, esc, n);
    run = p + 1;
  }
  put(b, run, strlen(run));
  put(b, "\"", 1);
}

#define LIB_PROPS                                                                                  \
  "\"$lib\":\"jarvis-analytics\",\"$lib_version\":\"0.0.0\","                                     \
  "\"$geoip_disable\":true,\"$process_person_profile\":false},\"timestamp\":"

int
main(int argc, char **argv)
{
  if (argc != 5) {
    fprintf(stderr, "usage: bench_upload_floor DB KEY BATCH OUTDIR\n");
    return 64;
  }
  const char *key = argv[2], *outdir = argv[4];
  char *end = NULL;
  long long batch_ll = strtoll(argv[3], &end, 10);
  if (end == argv[3] || *end != '\0' || batch_ll < 1 || batch_ll > 100000) {
    fprintf(stderr, "bench_upload_floor: BATCH must be a number from 1 to 100000, got '%s'\n",
            argv[3]);
    return 64;
  }
  int batch = (int)batch_ll;
  sqlite3 *db = NULL;
  sqlite3_stmt *q = NULL;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "SELECT id, uuid, timestamp, distinct_id, event, properties FROM events"
                         " WHERE id > ?1 ORDER BY id LIMIT ?2",
                         -1, &q, NULL) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
    return 66;
  }
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 7, Z_DEFAULT_STRATEGY) != Z_OK)
    return 71;
  buf body = {0}, gz = {0};
  int64_t after = 0, events = 0;
  for (int bodies = 0;; bodies++) {
    char sent_at[32];
    time_t now = time(NULL);
    strftime(sent_at, sizeof sent_at, "%Y-%m-%dT%H:%M:%S.000Z", gmtime(&now));
    body.n = 0;
    put(&body, "{\"api_key\":", 11);
    put_string(&body, key);
    put(&body, ",\"sent_at\":\"", 12);
    put(&body, sent_at, strlen(sent_at));
    put(&body, "\",\"batch\":[", 11);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int(q, 2, batch);
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
      after = sqlite3_column_int64(q, 0);
      const char *props = (const char *)sqlite3_column_text(q, 5);
      size_t plen = (size_t)sqlite3_column_bytes(q, 5);
      put(&body, n ? ",{\"event\":" : "{\"event\":", n ? 10 : 9);
      put_string(&body, (const char *)sqlite3_column_text(q, 4));
      put(&body, ",\"distinct_id\":", 15);
      put_string(&body, (const char *)sqlite3_column_text(q, 3));
      put(&body, ",\"properties\":{", 15);
      if (plen > 2) { /* the stored object's inside, then ours */
        put(&body, props + 1, plen - 2);
        put(&body, ",", 1);
      }
      put(&body, LIB_PROPS, sizeof LIB_PROPS - 1);
      put_string(&body, (const char *)sqlite3_column_text(q, 2));
      put(&body, ",\"uuid\":", 8);
      put_string(&body, (const char *)sqlite3_column_text(q, 1));
      put(&body, "}", 1);
      n++;
    }
    sqlite3_reset(q);
    if (n == 0) {
      printf("%lld events in %d bodies\n", (long long)events, bodies);
      break;
    }
    events += n;
    put(&body, "]}", 2);
    deflateReset(&z);
    size_t need = deflateBound(&z, (uLong)body.n);
    if (gz.cap < need) {
      gz.p = realloc(gz.p, need);
      gz.cap = need;
    }
    z.next_in = (Bytef *)body.p;
    z.avail_in = (uInt)body.n;
    z.next_out = (Bytef *)gz.p;
    z.avail_out = (uInt)gz.cap;
    if (!gz.p || deflate(&z, Z_FINISH) != Z_STREAM_END)
      return 70;
    char path[4096];
    snprintf(path, sizeof path, "%s/%06d.gz", outdir, bodies);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(gz.p, 1, z.total_out, f) != z.total_out || fclose(f) != 0) {
      perror(path);
      return 74;
    }
  }
  deflateEnd(&z);
  sqlite3_finalize(q);
  sqlite3_close(db);
  free(body.p);
  free(gz.p);
  return 0;
}
