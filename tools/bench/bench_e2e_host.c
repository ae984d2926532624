/*
 * bench_e2e_host.c — the capture half of tools/bench/bench_e2e.py: a host
 * that opens the store through the public API, captures N
 * chat_session_ended events (the properties posthog-node's half sends) and
 * closes it, then prints one JSON line with the CPU time (of this
 * process) and wall time from the first capture to the end of the
 * close, and how many events were stored. The uploader's half is run by
 * the script.
 *
 *   bench_e2e_host [--events N] [--home DIR]   (default 1000; a temp home,
 *                                              removed afterwards)
 */
#include "boot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

int
main(int argc, char **argv)
{
  ja_bench_name("bench_e2e_host");
  long n = 1000;
  const char *home = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
      n = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
      home = argv[++i];
    else {
      fprintf(stderr, "usage: bench_e2e_host [--events N] [--home DIR]\n");
      return 64;
    }
  }
  if (n < 1 || n > 10000000)
    ja_bench_die("--events must be 1..10000000", NULL);
  char tmp[] = "/tmp/ja-bench-e2e-XXXXXX";
  if (!home && !(home = mkdtemp(tmp)))
    ja_bench_die("cannot make a temporary home", NULL);
  setenv("OPENJARVIS_HOME", home, 1);

  ja_store *s = NULL;
  if (ja_store_open(&s, NULL) != JA_OK)
    ja_bench_die("cannot open the store", ja_last_error());
  long stored = 0;
  char props[512];
  double c0 = ja_bench_cpu_s(), w0 = ja_bench_now_s();
  for (long i = 0; i < n; i++) {
    snprintf(props, sizeof props,
             "{\"turn_count\":%ld,\"tokens_in\":1000,\"tokens_out\":500,\"latency_ms_p50\":250.5,"
             "\"latency_ms_p95\":800,\"tool_count\":3,\"unique_tools\":2,\"unique_models\":1,"
             "\"error_count\":0,\"model_hash\":\"8754b77c7eee26e4\",\"engine\":\"ollama\","
             "\"duration_ms\":60000}",
             5 + i % 7);
    ja_outcome o = JA_OUTCOME_INIT;
    if (ja_capture(s, "chat_session_ended", props, &o) != JA_OK)
      ja_bench_die("capture failed", ja_last_error());
    stored += o.result == JA_RESULT_STORED;
  }
  ja_store_close(s);
  double cpu = ja_bench_cpu_s() - c0, wall = ja_bench_now_s() - w0;
  printf("{\"events\":%ld,\"stored\":%ld,\"cpu_us\":%.0f,\"wall_ms\":%.1f}\n", n, stored, cpu * 1e6,
         wall * 1e3);
  if (home == tmp) {
    static const char *const files[] = {"analytics_queue.db", "analytics_queue.db-wal",
                                        "analytics_queue.db-shm", "analytics_queue.db-busy",
                                        "anon_id"};
    char p[sizeof tmp + 64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
      snprintf(p, sizeof p, "%s/%s", tmp, files[i]);
      unlink(p);
    }
    rmdir(tmp);
  }
  return stored == n ? 0 : 1;
}
