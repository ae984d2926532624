/*
 * tests/host/capture_only.c — a host that only captures, built the way a
 * host embeds the library (the public header, the shared library, nothing
 * else). It captures one event into a throwaway home, then reads its own
 * /proc/self/maps: no libcurl, TLS library or zlib may be mapped — the
 * network stack belongs to jarvis-analytics-upload alone. Prints its peak
 * RSS (VmHWM) for tools/bench/bench_upload.py. Exit 0 ok, 1 a library
 * that must not be there is mapped, 2 the capture itself failed.
 *   capture_only [--keep-home]
 */
#define _DEFAULT_SOURCE
#include <jarvis_analytics.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Substrings of a mapped file's name that name the network stack. */
static const char *const forbidden[] = {"libcurl", "libssl", "libcrypto", "libgnutls",
                                        "libnghttp", "libz.so", NULL};

static long
vm_hwm_kb(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0)
      kb = strtol(line + 6, NULL, 10);
  if (f)
    fclose(f);
  return kb;
}

static void
remove_home(const char *dir)
{
  const char *files[] = {"analytics_queue.db", "analytics_queue.db-wal", "analytics_queue.db-shm",
                         "analytics_queue.db-busy", "anon_id", "home", NULL};
  char p[4200];
  for (int i = 0; files[i]; i++) {
    snprintf(p, sizeof p, "%s/home/%s", dir, files[i]);
    remove(p);
  }
  snprintf(p, sizeof p, "%s/home", dir);
  remove(p);
  remove(dir);
}

int
main(int argc, char **argv)
{
  char dir[] = "/tmp/ja-capture-only-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("capture_only: mkdtemp");
    return 2;
  }
  char home[sizeof dir + 8];
  snprintf(home, sizeof home, "%s/home", dir);
  setenv("OPENJARVIS_HOME", home, 1);
  unsetenv("DO_NOT_TRACK");
  ja_store *s = NULL;
  ja_outcome out = JA_OUTCOME_INIT;
  ja_status st = ja_store_open(&s, NULL);
  if (st == JA_OK)
    st = ja_capture(s, "app_opened", "{\"version\":\"1.2.3\",\"platform\":\"cli\"}", &out);
  ja_store_close(s);
  if (st != JA_OK || out.result != JA_RESULT_STORED) {
    fprintf(stderr, "capture_only: capture failed: %s (%s)\n", ja_status_str(st), ja_last_error());
    return 2;
  }
  int bad = 0;
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[4352], last[4352] = "";
  while (maps && fgets(line, sizeof line, maps)) {
    const char *path = strchr(line, '/');
    for (int i = 0; path && forbidden[i]; i++)
      if (strstr(path, forbidden[i])) {
        if (strcmp(path, last) != 0) /* one line per file, not per mapping */
          fprintf(stderr, "capture_only: a capture-only host maps %s", path);
        snprintf(last, sizeof last, "%s", path);
        bad = 1;
        break;
      }
  }
  if (!maps) {
    perror("capture_only: /proc/self/maps");
    bad = 1;
  } else {
    fclose(maps);
  }
  printf("peak_rss_kb %ld\n", vm_hwm_kb());
  if (!(argc > 1 && strcmp(argv[1], "--keep-home") == 0))
    remove_home(dir);
  return bad;
}
