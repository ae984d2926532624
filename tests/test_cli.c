/*
 * test_cli.c — `jarvis-analytics` run in-process through ja__cli_main:
 * the option table's parsing, usage errors (one line, exit 64), help for
 * every command, and exit codes mapped from the library's statuses.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cli/cli.h"

typedef struct {
  int rc;
  char *out, *err;
} run_result;

static run_result
run(const char *a0, ...)
{
  char *argv[16];
  int argc = 0;
  argv[argc++] = "jarvis-analytics";
  va_list ap;
  va_start(ap, a0);
  for (const char *a = a0; a && argc < 15; a = va_arg(ap, const char *))
    argv[argc++] = (char *)a;
  va_end(ap);
  argv[argc] = NULL;
  run_result r = {0, NULL, NULL};
  size_t olen = 0, elen = 0;
  FILE *out = open_memstream(&r.out, &olen);
  FILE *err = open_memstream(&r.err, &elen);
  r.rc = ja__cli_main(argc, argv, out, err);
  fclose(out);
  fclose(err);
  return r;
}

static void
done(run_result *r)
{
  free(r->out);
  free(r->err);
}

static int
lines(const char *s)
{
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void
expect_usage(run_result r, const char *needle)
{
  if (r.rc != 64 || lines(r.err) != 1 || !strstr(r.err, needle) ||
      strncmp(r.err, "jarvis-analytics: ", 18) != 0)
    fail_msg("rc=%d err='%s' (wanted 64 and '%s')", r.rc, r.err, needle);
  done(&r);
}

static void test_cli__usage_errors_exit_64_with_one_line(void **state)
{
  (void)state;
  jt_fresh_env();
  expect_usage(run(NULL), "missing command");
  expect_usage(run("frobnicate", NULL), "unknown command 'frobnicate'");
  expect_usage(run("--frob", NULL), "unknown option '--frob'");
  expect_usage(run("capture", NULL), "missing argument");
  expect_usage(run("capture", "app_opened", "--bogus", NULL), "unknown option '--bogus'");
  expect_usage(run("capture", "app_opened", "--props", NULL), "needs an argument");
  expect_usage(run("capture", "a", "b", NULL), "unexpected argument 'b'");
  expect_usage(run("capture", "app_opened", "--markdown", NULL), "unknown option '--markdown'");
  expect_usage(run("status", "--strict=1", NULL), "unknown option");
  expect_usage(run("show", "--limit", "0", NULL), "--limit");
  expect_usage(run("show", "--limit", "ten", NULL), "--limit");
  expect_usage(run("show", "--pending", "--sent", NULL), "choose one");
  expect_usage(run("purge", "--all", "--sent", NULL), "choose one");
  expect_usage(run("catalog", "--json", "--markdown", NULL), "choose one");
  expect_usage(run("reset-id", "-x", NULL), "unknown option '-x'");
  expect_usage(run("redact", NULL), "missing argument");
  expect_usage(run("redact", "--json", NULL), "missing argument");
  expect_usage(run("redact", "x", "--bogus", NULL), "unknown option '--bogus'");
  expect_usage(run("redact", "x", "--props", "{}", NULL), "unknown option '--props'");
  expect_usage(run("redact", "ok", "\xff", NULL), "VALUE 2 is not valid UTF-8");
  expect_usage(run("redact", "\xc0\xaf", NULL), "VALUE 1 is not valid UTF-8");
  /* Usage errors never touch the store. */
  assert_null(jt_read_file(jt_db_path(), NULL));
}

static void test_cli__help_for_every_command(void **state)
{
  (void)state;
  run_result r = run("--help", NULL);
  assert_int_equal(r.rc, 0);
  /* A sub-command ("session inference") is listed as its group word
   * followed by its own word. */
  for (const cli_cmd *c = ja__cli_jarvis_analytics.commands; c->name; c++) {
    char word[64];
    snprintf(word, sizeof word, "%s", c->name);
    char *sub = strchr(word, ' ');
    if (sub)
      *sub++ = '\0';
    const char *line = strstr(r.out, word);
    assert_non_null(line);
    if (sub)
      assert_non_null(strstr(line, sub));
  }
  done(&r);
  for (const cli_cmd *c = ja__cli_jarvis_analytics.commands; c->name; c++) {
    char word[64];
    snprintf(word, sizeof word, "%s", c->name);
    char *sub = strchr(word, ' ');
    if (sub)
      *sub++ = '\0';
    r = sub ? run(word, sub, "--help", NULL) : run(c->name, "--help", NULL);
    assert_int_equal(r.rc, 0);
    char want[64];
    snprintf(want, sizeof want, "usage: jarvis-analytics %s", c->name);
    if (strncmp(r.out, want, strlen(want)) != 0)
      fail_msg("%s --help: %s", c->name, r.out);
    assert_non_null(strstr(r.out, "--help"));
    done(&r);
  }
  r = run("--version", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, JA_VERSION));
  done(&r);
}

static void test_cli__option_value_forms(void **state)
{
  (void)state;
  jt_fresh_env();
  run_result r = run("capture", "app_opened", "--props={\"platform\":\"cli\"}", "--verbose", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "stored app_opened "));
  done(&r);
  r = run("show", "--limit=1", "--json", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "{\"platform\":\"cli\"}"));
  done(&r);
  /* "--" ends options: an event literally named "--help" is just unknown. */
  r = run("capture", "--verbose", "--", "--help", NULL);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "dropped: unknown_event\n");
  done(&r);
}

/* "did you mean …" for commands, sub-commands and options, from the
 * program's own tables; nothing when no name is near. */
static void test_cli__did_you_mean_commands_and_options(void **state)
{
  (void)state;
  jt_fresh_env();
  expect_usage(run("stauts", NULL), "unknown command 'stauts'; did you mean 'status'?");
  expect_usage(run("sesion", NULL), "unknown command 'sesion'; did you mean 'session'?");
  expect_usage(run("Show", NULL), "did you mean 'show'?");
  expect_usage(run("session", "inferense", "s", NULL),
               "unknown sub-command 'inferense'; did you mean 'inference'?");
  expect_usage(run("status", "--jsn", NULL), "unknown option '--jsn'; did you mean '--json'?");
  expect_usage(run("show", "--limt=3", NULL), "did you mean '--limit'?");
  expect_usage(run("show", "--pend", NULL), "did you mean '--pending'?");
  expect_usage(run("--verison", NULL), "did you mean '--version'?");
  expect_usage(run("--hlep", NULL), "did you mean '--help'?");
  /* only the options of that command: --limit belongs to show */
  run_result r = run("status", "--limit", "3", NULL);
  assert_int_equal(r.rc, 64);
  assert_null(strstr(r.err, "did you mean"));
  done(&r);
  r = run("frobnicate", NULL);
  assert_null(strstr(r.err, "did you mean"));
  done(&r);
}

static void test_cli__strict_exit_codes(void **state)
{
  (void)state;
  jt_fresh_env();
  run_result r = run("capture", "app_opened", "--props", "{\"version\":\"10.0.0.5\"}", NULL);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.err, "");
  done(&r);
  /* Stored, but a property dropped: 3; nothing stored: 65. */
  r = run("capture", "app_opened", "--strict", "--props", "{\"version\":\"10.0.0.5\"}", NULL);
  assert_int_equal(r.rc, JA_EXIT_PARTIAL);
  assert_int_equal(lines(r.err), 1);
  assert_non_null(strstr(r.err, "stored, but 1 property dropped"));
  assert_non_null(strstr(r.err, "'version' pii"));
  assert_null(strstr(r.err, "10.0.0.5")); /* never the value (version-shaped: redaction drops it) */
  done(&r);
  r = run("capture", "nope", "--strict", NULL);
  assert_int_equal(r.rc, JA_EXIT_DATAERR);
  assert_non_null(strstr(r.err, "nothing stored"));
  assert_non_null(strstr(r.err, "unknown_event"));
  done(&r);
  r = run("capture", "app_opened", "--strict", "--props", "{\"platform\":\"cli\"}", NULL);
  assert_int_equal(r.rc, 0);
  done(&r);
}

static void test_cli__library_errors_map_to_sysexits(void **state)
{
  (void)state;
  jt_fresh_env();
  run_result r = run("capture", "app_opened", "--props", "{oops", NULL);
  assert_int_equal(r.rc, 65);
  assert_int_equal(lines(r.err), 1);
  assert_non_null(strstr(r.err, "malformed properties JSON"));
  done(&r);
  /* Home under a missing parent: cannot create (73). */
  char home[2048];
  snprintf(home, sizeof home, "%s/missing/parent", jt_home());
  setenv("OPENJARVIS_HOME", home, 1);
  r = run("capture", "app_opened", NULL);
  assert_int_equal(r.rc, 73);
  assert_int_equal(lines(r.err), 1);
  assert_non_null(strstr(r.err, home));
  done(&r);
  assert_int_equal(ja__cli_fail(stderr, "x", JA_EBUSY), 75);
  assert_int_equal(ja__cli_fail(stderr, "x", JA_EUNSAFE), 77);
  assert_int_equal(ja__cli_fail(stderr, "x", JA_ECONFIG), 78);
  assert_int_equal(ja__cli_fail(stderr, "x", JA_ECORRUPT), 74);
}

static void test_cli__status_and_purge_create_nothing(void **state)
{
  (void)state;
  jt_fresh_env();
  run_result r = run("status", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "analytics: on"));
  assert_non_null(strstr(r.out, "not created yet"));
  done(&r);
  r = run("purge", "--all", NULL);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "purged 0 rows\n");
  done(&r);
  r = run("show", NULL);
  assert_int_equal(r.rc, 0);
  done(&r);
  assert_null(jt_read_file(jt_db_path(), NULL));
}

static void test_cli__catalog_outputs(void **state)
{
  (void)state;
  run_result r = run("catalog", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "| `usage_daily_summary` |"));
  done(&r);
  r = run("catalog", "--json", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\"usage_daily_summary\""));
  done(&r);
}

/* show hands out the stored properties text, so numbers keep every digit. */
static void test_cli__show_keeps_numbers_exact(void **state)
{
  (void)state;
  jt_fresh_env();
  run_result r = run("capture", "chat_session_ended", "--props",
                     "{\"tokens_in\":9007199254740991,\"latency_ms_p50\":0.30000000000000004}", NULL);
  assert_int_equal(r.rc, 0);
  done(&r);
  r = run("show", "--json", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "{\"tokens_in\":9007199254740991,\"latency_ms_p50\":0.30000000000000004}"));
  done(&r);
  r = run("show", NULL);
  assert_non_null(strstr(r.out, "9007199254740991"));
  done(&r);
}

/* A command may take any number of positional arguments (redact): all are
 * kept, in order, however many and wherever the options sit among them. */
static void test_cli__unbounded_positionals(void **state)
{
  (void)state;
  enum { NVALUES = 300 };
  static char values[NVALUES][16];
  char *argv[NVALUES + 4];
  int argc = 0;
  argv[argc++] = "jarvis-analytics";
  argv[argc++] = "redact";
  for (int i = 0; i < NVALUES; i++) {
    if (i == NVALUES / 2)
      argv[argc++] = "--json";
    snprintf(values[i], sizeof values[i], "v%d", i);
    argv[argc++] = values[i];
  }
  argv[argc] = NULL;
  cli_args a;
  assert_int_equal(ja__cli_parse(&ja__cli_jarvis_analytics, argc, argv, &a, stderr), 0);
  assert_string_equal(a.command, "redact");
  assert_int_equal(a.on[OPT_JSON], 1);
  assert_int_equal(a.npos, NVALUES);
  for (int i = 0; i < NVALUES; i++)
    assert_ptr_equal(a.pos[i], values[i]);
  ja__cli_args_free(&a);
  assert_null(a.pos);

  /* Bounded commands keep their limit. */
  char *two[] = {"jarvis-analytics", "capture", "app_opened", "b", NULL};
  run_result r = {0, NULL, NULL};
  size_t elen = 0;
  FILE *err = open_memstream(&r.err, &elen);
  assert_int_equal(ja__cli_parse(&ja__cli_jarvis_analytics, 4, two, &a, err), JA_EXIT_USAGE);
  ja__cli_args_free(&a);
  fclose(err);
  assert_non_null(strstr(r.err, "unexpected argument 'b'"));
  done(&r);
}

/* redact: one verdict per value, in order, values never echoed in text;
 * the store is never opened, so nothing is created. */
static void test_cli__redact_verdicts(void **state)
{
  (void)state;
  jt_fresh_env();
  run_result r = run("redact", "user@example.com", "0.4.2", "", "10.0.0.5", "--", "--json", NULL);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "drop email\npass\ndrop empty\ndrop ipv4\npass\n");
  assert_string_equal(r.err, "");
  done(&r);
  r = run("redact", "--json", "x86_64", "/home/bob/x", NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\"value\":\t\"/home/bob/x\""));
  assert_non_null(strstr(r.out, "\"kind\":\t\"home_path\""));
  assert_non_null(strstr(r.out, "\"verdict\":\t\"pass\""));
  done(&r);
  assert_int_equal(access(jt_home(), F_OK), -1);
  setenv("DO_NOT_TRACK", "1", 1);
  r = run("redact", "user@example.com", "qwen3.5:2b", NULL);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "drop email\npass\n");
  done(&r);
  unsetenv("DO_NOT_TRACK");
  assert_int_equal(access(jt_home(), F_OK), -1);
}

/* A program without commands (the shape of jarvis-analytics-upload): the
 * same parser, --help and man renderer serve it from its own table. */
static int toy_runs;
static int
toy_run(const cli_args *a, FILE *out, FILE *err)
{
  (void)err;
  toy_runs++;
  fprintf(out, "n=%lld verbose=%d\n", (long long)a->num[OPT_LIMIT], a->on[OPT_VERBOSE]);
  return 0;
}

static const cli_cmd toy_commands[] = {
    {"", "[--limit N] [--verbose]", "do the toy thing", 0, 0, toy_run},
    {NULL, NULL, NULL, 0, 0, NULL},
};
static const cli_opt toy_options[] = {
    {OPT_HELP, "help", NULL, "*", "show help and exit", 0, 0, 0},
    {OPT_LIMIT, "limit", "N", "*", "how many (default 7)", 1, 9, 7},
    {OPT_VERBOSE, "verbose", NULL, "*", "say more", 0, 0, 0},
};
static const cli_exit toy_exits[] = {{0, "done"}, {64, "usage"}};
static const cli_program toy = {
    .name = "toy-prog",
    .tagline = "a program without commands",
    .description = "Exercises the program table.",
    .commands = toy_commands,
    .options = toy_options,
    .noptions = 3,
    .exits = toy_exits,
    .nexits = 2,
};

static run_result
run_toy(int argc, char **argv)
{
  run_result r = {0, NULL, NULL};
  size_t olen = 0, elen = 0;
  FILE *out = open_memstream(&r.out, &olen);
  FILE *err = open_memstream(&r.err, &elen);
  r.rc = ja__cli_run(&toy, argc, argv, out, err);
  fclose(out);
  fclose(err);
  return r;
}

static void test_cli__program_without_commands(void **state)
{
  (void)state;
  char *plain[] = {"toy-prog", NULL};
  run_result r = run_toy(1, plain);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "n=7 verbose=0\n"); /* the table's default */
  done(&r);
  char *opts[] = {"toy-prog", "--limit", "3", "--verbose", NULL};
  r = run_toy(4, opts);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "n=3 verbose=1\n");
  done(&r);
  char *range[] = {"toy-prog", "--limit=10", NULL};
  r = run_toy(2, range);
  assert_int_equal(r.rc, JA_EXIT_USAGE);
  assert_non_null(strstr(r.err, "--limit needs a whole number from 1 to 9"));
  assert_non_null(strstr(r.err, "try 'toy-prog --help'"));
  done(&r);
  char *extra[] = {"toy-prog", "capture", NULL}; /* no commands: a positional */
  r = run_toy(2, extra);
  assert_int_equal(r.rc, JA_EXIT_USAGE);
  assert_non_null(strstr(r.err, "unexpected argument 'capture'"));
  done(&r);
  int before = toy_runs;
  char *help[] = {"toy-prog", "--help", NULL};
  r = run_toy(2, help);
  assert_int_equal(r.rc, 0);
  assert_int_equal(toy_runs, before); /* --help runs nothing */
  assert_int_equal(strncmp(r.out, "usage: toy-prog [--limit N] [--verbose]\n", 40), 0);
  assert_non_null(strstr(r.out, "--limit N"));
  assert_non_null(strstr(r.out, "how many (default 7)"));
  done(&r);

  char *man = NULL;
  size_t mlen = 0;
  FILE *m = open_memstream(&man, &mlen);
  ja__cli_man(&toy, m);
  fclose(m);
  assert_non_null(strstr(man, ".TH TOY\\-PROG 1"));
  assert_non_null(strstr(man, "toy\\-prog \\- a program without commands"));
  assert_non_null(strstr(man, ".SH OPTIONS"));
  assert_null(strstr(man, ".SH COMMANDS"));
  assert_non_null(strstr(man, ".B \\-\\-limit \\fIN\\fP"));
  free(man);
}
