/*
 * cli/jarvis_analytics.c — the `jarvis-analytics` program as one table:
 * its commands, options, exit statuses and manual text. Parsing, --help
 * and the man page (program.c) all read it, so adding an option means
 * adding one row here.
 */
#include "boot.h"

#include "cli/cli.h"

static const cli_cmd commands[] = {
    {"capture", "EVENT [--props JSON] [--strict] [--verbose] [--json]",
     "redact, validate and queue one event", 1, 1, ja__cli_capture},
    {"status", "[--json]", "show whether analytics is on (and why not), the queue and drops", 0,
     0, ja__cli_status},
    {"show", "[--pending | --sent] [--event NAME] [--since WHEN] [--limit N] [--json]",
     "list queued (default) or sent events, newest first", 0, 0, ja__cli_show},
    {"reset-id", "[--json]", "replace the anonymous install id with a new one", 0, 0, ja__cli_reset_id},
    {"purge", "[--pending | --sent | --all] [--json]",
     "delete queued events (default), the sent log, or everything incl. drop counters", 0, 0,
     ja__cli_purge},
    {"session inference",
     "SESSION --tokens-in N --tokens-out N --latency-ms X [--model NAME] [--engine NAME] "
     "[--platform P] [--at ISO8601] [--json]",
     "record one chat turn of SESSION (raw, local only; see rollup)", 1, 1, ja__cli_session},
    {"session tool", "SESSION --tool NAME [--at ISO8601] [--json]",
     "record a tool use in SESSION", 1, 1, ja__cli_session},
    {"session error", "SESSION [--at ISO8601] [--json]", "record an error shown in SESSION", 1, 1,
     ja__cli_session},
    {"session end", "SESSION [--at ISO8601] [--json]", "end SESSION: the next rollup closes it", 1, 1,
     ja__cli_session},
    {"rollup", "[--now ISO8601] [--verbose] [--json]",
     "close ended or idle sessions and finished days into queued events", 0, 0, ja__cli_rollup},
    {"view", "[--output FILE] [--json]",
     "write one self-contained HTML page of what was collected (no network, no script)", 0, 0,
     ja__cli_view},
    {"catalog", "[--json | --markdown]", "print the event catalog", 0, 0, ja__cli_catalog},
    {"on", "[--json]", "turn analytics on: write enabled = true to config.toml", 0, 0,
     ja__cli_mode},
    {"off", "[--json]",
     "opt out: write enabled = false to config.toml (the uploader deletes what is queued)", 0, 0,
     ja__cli_mode},
    {"local", "[--json]",
     "keep analytics on this machine: write mode = \"local\" (captured, never uploaded)", 0, 0,
     ja__cli_mode},
    {"redact", "[--json] VALUE...",
     "run each VALUE through capture's string redaction: pass, or drop and why", 1,
     CLI_POS_UNBOUNDED, ja__cli_redact},
    {NULL, NULL, NULL, 0, 0, NULL},
};

static const cli_opt options[] = {
    {OPT_ALL, "all", NULL, "purge", "purge queued events, the sent log and the drop counters", 0, 0, 0},
    {OPT_AT, "at", "ISO8601", "session", "when it happened, e.g. 2026-03-01T10:00:00Z, at most 5 min ahead (default: now)", 0, 0, 0},
    {OPT_ENGINE, "engine", "NAME", "session/inference", "the inference engine (an ENGINE value, else counted as unknown)", 0, 0, 0},
    {OPT_EVENT, "event", "NAME", "show", "only events of this name", 0, 0, 0},
    {OPT_HELP, "help", NULL, "* -", "show help for the command and exit", 0, 0, 0},
    {OPT_JSON, "json", NULL, "*", "machine-readable JSON output", 0, 0, 0},
    {OPT_LATENCY_MS, "latency-ms", "X", "session/inference", "latency of the turn in milliseconds (0 to 86400000, a day)", 0, 0, 0},
    {OPT_LIMIT, "limit", "N", "show", "at most N events (default 20)", 1, 1000000, 20},
    {OPT_MARKDOWN, "markdown", NULL, "catalog", "the catalog as markdown tables (default)", 0, 0, 0},
    {OPT_MODEL, "model", "NAME", "session/inference", "the model (only its hash_id is stored)", 0, 0, 0},
    {OPT_NOW, "now", "ISO8601", "rollup", "roll up as of this time (default: now)", 0, 0, 0},
    {OPT_OUTPUT, "output", "FILE", "view", "where to write (default jarvis-analytics-report.html; --json: standard output); - is standard output", 0, 0, 0},
    {OPT_PENDING, "pending", NULL, "show purge", "queued events not yet sent", 0, 0, 0},
    {OPT_PLATFORM, "platform", "P", "session/inference", "PLATFORM of first_chat_sent (default cli)", 0, 0, 0},
    {OPT_PROPS, "props", "JSON", "capture", "properties as a JSON object (default {}); - reads stdin", 0, 0, 0},
    {OPT_SINCE, "since", "WHEN", "show", "only events at or after WHEN (queued: their time; sent: when sent): 2026-03-01T10:00:00Z, 2026-03-01 or an age: 30m, 12h, 7d", 0, 0, 0},
    {OPT_SENT, "sent", NULL, "show purge", "the log of events sent (kept 30 days)", 0, 0, 0},
    {OPT_STRICT, "strict", NULL, "capture", "exit 3 when the event is stored but a property dropped, 65 when it is dropped", 0, 0, 0},
    {OPT_TOKENS_IN, "tokens-in", "N", "session/inference", "prompt tokens (>= 0)", 0, INT64_MAX, 0},
    {OPT_TOKENS_OUT, "tokens-out", "N", "session/inference", "completion tokens (>= 0)", 0, INT64_MAX, 0},
    {OPT_TOOL, "tool", "NAME", "session/tool", "the tool (only its hash_id is stored; a TOOL value or custom_tool for tool_first_used)", 0, 0, 0},
    {OPT_VERSION, "version", NULL, "-", "print the version and exit", 0, 0, 0},
    {OPT_VERBOSE, "verbose", NULL, "capture rollup", "say what was stored or dropped, and why", 0, 0, 0},
};

static const cli_exit exits[] = {
    {JA_EXIT_OK, "done: stored, dropped by policy (without --strict), analytics off or paused, or "
                 "nothing to do; also when capture, reset-id or purge did their work but could not write their "
                 "output (said on stderr)"},
    {JA_EXIT_PARTIAL, "capture --strict: the event was stored, but at least one of its properties "
                      "was dropped by policy"},
    {JA_EXIT_USAGE, "usage: unknown command or option, missing or extra argument, "
                    "a redact VALUE that is not valid UTF-8, a session/rollup number or time "
                    "that does not parse"},
    {JA_EXIT_DATAERR, "malformed properties or event name; a session signal the library refuses "
                      "(empty session id, a latency NaN, negative or over a day, a time more than "
                      "5 min ahead of the clock, an unknown --platform, ...); capture --strict: "
                      "nothing was stored, the whole event was dropped by policy"},
    {JA_EXIT_SOFTWARE, "internal error (a bug)"},
    {JA_EXIT_OSERR, "out of memory"},
    {JA_EXIT_CANTCREAT, "cannot create the home directory, queue or anon_id; view cannot create "
                        "its --output file (no such folder, not writable)"},
    {JA_EXIT_IOERR, "I/O error (including output of status, show, view, catalog, redact or --help that "
                    "cannot be written), or the queue cannot be read; status, show and purge of a "
                    "queue that is not a usable SQLite database (left untouched; capture moves it aside)"},
    {JA_EXIT_TEMPFAIL, "the queue stayed locked past the busy timeout; the event was dropped and "
                       "counted as busy; on/off/local: config.toml changed while it was being "
                       "rewritten (nothing written)"},
    {JA_EXIT_NOPERM, "refused: anon_id, the queue, its -wal or -shm is a symlink, not a regular file, "
                     "hard-linked or another user's; or the home is another user's or writable by others; "
                     "on/off/local: config.toml is one of those, or writable by everyone"},
    {JA_EXIT_CONFIG, "configuration: no home can be found, the queue's path is too long for SQLite, "
                     "on/off/local over an [analytics] table with a mistake (named), "
                     "or the queue comes from a newer version"},
};

/* Option values the shell completions offer (the rest are free text). */
static const cli_values values[] = {
    {"capture", NULL, "@events"},
    {"show", "event", "@events"},
    {"session inference", "engine", "ENGINE"},
    {"session inference", "platform", "PLATFORM"},
    {"session tool", "tool", "TOOL"},
};

/* "--a and --b" (or "--a, --b and --c") of the options of @p ids given. */
static void
name_given(const cli_args *a, const cli_opt_id *ids, size_t n, char *out, size_t size)
{
  size_t given = 0, len = 0, total = 0;
  for (size_t i = 0; i < n; i++)
    total += a->on[ids[i]];
  out[0] = '\0';
  for (size_t i = 0; i < n && len < size; i++) {
    if (!a->on[ids[i]])
      continue;
    const char *sep = given == 0 ? "" : given + 1 == total ? " and " : ", ";
    const char *name = NULL;
    for (size_t k = 0; k < a->prog->noptions; k++)
      if (a->prog->options[k].id == ids[i])
        name = a->prog->options[k].name;
    int w = snprintf(out + len, size - len, "%s--%s", sep, name ? name : "?");
    len += w > 0 ? (size_t)w : 0;
    given++;
  }
}

/* At most one of each group of exclusive flags. */
static int
check(const cli_args *a, FILE *err)
{
  static const cli_opt_id which[] = {OPT_PENDING, OPT_SENT, OPT_ALL};
  static const cli_opt_id format[] = {OPT_JSON, OPT_MARKDOWN};
  char names[96];
  if (a->on[OPT_PENDING] + a->on[OPT_SENT] + a->on[OPT_ALL] > 1) {
    name_given(a, which, 3, names, sizeof names);
    return ja__cli_usagef(err, a, "%s exclude each other: choose one", names);
  }
  if (a->on[OPT_JSON] && a->on[OPT_MARKDOWN]) {
    name_given(a, format, 2, names, sizeof names);
    return ja__cli_usagef(err, a, "%s exclude each other: choose one", names);
  }
  return 0;
}

const cli_program ja__cli_jarvis_analytics = {
    .name = "jarvis-analytics",
    .tagline = "the local, privacy-first analytics queue of OpenJarvis",
    .description =
        "Redacts (PII dropped), validates against a fixed catalog and durably queues usage "
        "events in a local SQLite database (mode 0600) that you can read with sqlite3(1). "
        "Nothing personal is stored; every drop is counted by reason, never with its value.",
    .commands = commands,
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .exits = exits,
    .nexits = sizeof exits / sizeof exits[0],
    .values = values,
    .nvalues = sizeof values / sizeof values[0],
    .acting = "capture reset-id purge rollup session inference session tool session error session end "
              "on off local",
    .help_footer =
        "Environment: OPENJARVIS_HOME (default ~/.openjarvis), DO_NOT_TRACK=1 (off),\n"
        "OPENJARVIS_LOG_LEVEL=DEBUG (one 'Analytics: ...' line per event on stderr).\n",
    .man_tail =
        ".SH ENVIRONMENT\n"
        ".TP\n.B OPENJARVIS_HOME\nThe store directory (default \\fI~/.openjarvis\\fP; set but empty "
        "counts as unset).\n"
        ".TP\n.B DO_NOT_TRACK\nAny value other than empty, 0, false or no (any case, surrounding "
        "spaces ignored) turns analytics off: nothing is written. Privacy wins a typo: 2, on "
        "or y mean off too.\n"
        ".TP\n.B OPENJARVIS_LOG_LEVEL\nDEBUG prints one \\(aqAnalytics: ...\\(aq line per event on "
        "standard error.\n"
        ".TP\n.B OPENJARVIS_ANALYTICS_HOST\\fR, \\fPOPENJARVIS_ANALYTICS_KEY\nOverride the "
        "upload host and project key of config.toml.\n"
        ".SH FILES\n"
        ".TP\n.I $OPENJARVIS_HOME/analytics_queue.db\nThe queue (views \\fBpending\\fP, "
        "\\fBdrops\\fP, \\fBsent\\fP), mode 0600.\n"
        ".TP\n.I $OPENJARVIS_HOME/anon_id\nThe anonymous install id, mode 0600.\n"
        ".TP\n.I $OPENJARVIS_HOME/config.toml\nIts [analytics] table: enabled, mode (upload or "
        "local: captured, never uploaded), host, key, "
        "anon_id_path, flush_interval_seconds, flush_at_size, max_events (queue cap, default "
        "10000) and max_age_days (age cap, default 30): the caps apply to every process that "
        "opens the store. Only DO_NOT_TRACK or enabled = false opt out; a mistake in the table "
        "pauses analytics (nothing stored, sent or deleted). The on, off and local commands "
        "write enabled and mode here.\n",
    .see_also = "jarvis-analytics-upload",
    .check = check,
};
