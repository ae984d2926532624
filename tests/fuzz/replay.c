/*
 * replay.c — a main() for builds without libFuzzer: runs every file of the
 * seed corpus directories (or single files) given on the command line
 * through LLVMFuzzerTestOneInput, so each ctest `fuzz/<target>_corpus`
 * replays its corpus under whatever sanitizers the build uses.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replay one file. Its bytes go into a buffer of exactly their size, so an
 * over-read by the target trips AddressSanitizer. Returns 0, or -1 if the
 * file cannot be read. */
static int
replay_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open '%s'\n", path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap)
      break;
    uint8_t *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  int bad = !buf || ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    fprintf(stderr, "replay: cannot read '%s'\n", path);
    return -1;
  }
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  /* Name the input first, so the last line before a failure says which. */
  printf("replay: %s (%zu bytes)\n", path, len);
  fflush(stdout);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

/* Replay every regular, non-hidden file of @p dir in name order. Returns the
 * number replayed, or -1 on error. */
static long
replay_dir(const char *dir)
{
  struct dirent **names = NULL;
  int n = scandir(dir, &names, NULL, alphasort);
  if (n < 0) {
    fprintf(stderr, "replay: cannot list '%s'\n", dir);
    return -1;
  }
  long done = 0;
  for (int i = 0; i < n; i++) {
    char path[4096];
    int skip = names[i]->d_name[0] == '.';
    if (!skip && snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) >= (int)sizeof path)
      skip = 1;
    struct stat st;
    if (!skip && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(path) != 0)
        done = -1;
      else if (done >= 0)
        done++;
    }
    free(names[i]);
  }
  free(names);
  return done;
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  long total = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: '%s' does not exist\n", argv[i]);
      return 1;
    }
    long n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : (replay_file(argv[i]) == 0 ? 1 : -1);
    if (n < 0)
      return 1;
    total += n;
  }
  if (total == 0) {
    fprintf(stderr, "replay: no inputs found (an empty corpus tests nothing)\n");
    return 1;
  }
  printf("replay: %ld inputs, no failure\n", total);
  return 0;
}
