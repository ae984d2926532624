/*
 * cli/jarvis_analytics_upload.c — the `jarvis-analytics-upload` program as
 * one table (docs/upload.md says what a run does): its options, exit statuses and
 * manual text, read by the same parser, --help and man page renderer
 * (program.c) as jarvis-analytics.
 */
#include "boot.h"

#include "cli/cli.h"

static const cli_cmd commands[] = {
    {"", "[--dry-run] [--batch-size N] [--max-batches N] [--max-retries N] [--deadline SECONDS] "
         "[--now ISO8601] [--verbose] [--json]",
     "send the queued events to PostHog in batches, each delivered once", 0, 0, ja__cli_upload},
    {NULL, NULL, NULL, 0, 0, NULL},
};

static const cli_opt options[] = {
    {OPT_BATCH_SIZE, "batch-size", "N", "*",
     "events per request (default: [analytics] flush_at_size, 100); at most 5 MB each", 1, 100000, 0},
    {OPT_DEADLINE, "deadline", "SECONDS", "*",
     "stop by then, waits and requests included (default 300); what is left is kept", 1, 86400, 300},
    {OPT_DRY_RUN, "dry-run", NULL, "*",
     "print the exact JSON bodies (project key masked), one per line; send and change nothing", 0, 0, 0},
    {OPT_HELP, "help", NULL, "*", "show help and exit", 0, 0, 0},
    {OPT_JSON, "json", NULL, "*",
     "print what the run did as one JSON object: sent, dropped by reason, kept, reserved, why it "
     "stopped", 0, 0, 0},
    {OPT_MAX_BATCHES, "max-batches", "N", "*", "send at most N batches (default: until the queue is empty)",
     1, 1000000000, 0},
    {OPT_MAX_RETRIES, "max-retries", "N", "*",
     "retries per batch on 408, 429, 5xx or no answer (default 3: at most 4 requests)", 0, 100, 3},
    {OPT_NOW, "now", "ISO8601", "*",
     "the current time for leases, backoff and the sent log (tests; default: the clock)", 0, 0, 0},
    {OPT_VERBOSE, "verbose", NULL, "*", "one line per request and a summary on stderr (never the key)", 0, 0, 0},
    {OPT_VERSION, "version", NULL, "*", "print the version and exit", 0, 0, 0},
};

static const cli_exit exits[] = {
    {JA_EXIT_OK, "done: the queue is drained (or --max-batches sent), nothing to do, or analytics "
                 "is off (what was queued is deleted)"},
    {JA_EXIT_USAGE, "usage: unknown option, bad value"},
    {JA_EXIT_SOFTWARE, "internal error (a bug)"},
    {JA_EXIT_OSERR, "out of memory"},
    {JA_EXIT_CANTCREAT, "the queue cannot be written (a read-only file or home)"},
    {JA_EXIT_IOERR, "I/O error, or the queue is not a usable SQLite database"},
    {JA_EXIT_TEMPFAIL, "try again later: offline, the server answered 408, 429 or 5xx, the "
                       "deadline came, an earlier run's backoff is pending, another upload run "
                       "holds every queued event, or the queue stayed locked; every event is kept"},
    {JA_EXIT_NOPERM, "refused: the queue is a symlink or not a regular file"},
    {JA_EXIT_CONFIG, "configuration: the server refused the key (401/403), refused every event of "
                     "a batch down to single events (400/413: the request is wrong, not the "
                     "events), or answered something that is not PostHog's answer (even a 2xx); "
                     "no key; a host that is not https:// (http:// is only for loopback) or holds "
                     "a control or invisible character; a queue from a newer version; or analytics "
                     "paused by a mistake in the settings (named with its source; nothing sent or "
                     "deleted); every event is kept"},
    {130, "interrupted by SIGINT (143: SIGTERM): the run gave back every event it held; they "
          "leave with the next run"},
};

const cli_program ja__cli_jarvis_analytics_upload = {
    .name = "jarvis-analytics-upload",
    .tagline = "send the OpenJarvis analytics queue to PostHog",
    .description =
        "Runs a rollup of chat-session signals (jarvis-analytics rollup), then drains "
        "$OPENJARVIS_HOME/analytics_queue.db to HOST/batch/ (PostHog's capture API, "
        "gzip; HOST is [analytics] host) in batches. Every event passes the catalog and redaction of this build again "
        "before it leaves (what fails is removed or dropped and counted), and an opt-out or a "
        "purge made while it runs wins at once: nothing more is sent. A batch is leased in a "
        "short transaction, so two uploaders never send the same event at once and a killed one "
        "only delays its batch; a delivery is a 2xx with PostHog's answer, and what it delivered "
        "is kept in the sent log (30 days), byte-identical on every resend. 408, 429, 5xx and "
        "network errors are retried with backoff (1 s, 2 s, 4 s ... at most 30 s, Retry-After "
        "as a floor), then the next run backs off too; 413 halves the batch and 400 bisects it, "
        "dropping (and counting) only what the server refuses alone while it takes the rest; "
        "401/403, or a batch refused down to single events, stop with everything kept. TLS is "
        "always verified; a loopback host is contacted directly, never through a proxy. SIGINT "
        "and SIGTERM give the run's reservations back. After an opt-out (DO_NOT_TRACK, enabled = "
        "false) it sends nothing and deletes what is queued; paused by a mistake in the "
        "settings it sends nothing, deletes nothing and exits 78 naming it; in local mode it "
        "rolls up and sends nothing; with nothing to do it creates nothing.",
    .commands = commands,
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .exits = exits,
    .nexits = sizeof exits / sizeof exits[0],
    .acting = "",
    .help_footer =
        "Environment: OPENJARVIS_HOME (default ~/.openjarvis), OPENJARVIS_ANALYTICS_HOST,\n"
        "OPENJARVIS_ANALYTICS_KEY, DO_NOT_TRACK=1 (off: the queue is deleted),\n"
        "OPENJARVIS_LOG_LEVEL=DEBUG (one 'Analytics: ...' line per request, never the key).\n",
    .man_tail =
        ".SH ENVIRONMENT\n"
        ".TP\n.B OPENJARVIS_HOME\nThe store directory (default \\fI~/.openjarvis\\fP).\n"
        ".TP\n.B OPENJARVIS_ANALYTICS_HOST\\fR, \\fPOPENJARVIS_ANALYTICS_KEY\nOverride [analytics] "
        "host (default https://us.i.posthog.com) and key of config.toml.\n"
        ".TP\n.B DO_NOT_TRACK\nAny value other than empty, 0, false or no turns analytics off: "
        "nothing is sent and the queue is deleted.\n"
        ".TP\n.B OPENJARVIS_LOG_LEVEL\nDEBUG prints one \\(aqAnalytics: ...\\(aq line per request "
        "on standard error (never the key).\n"
        ".TP\n.B JA_UPLOAD_BACKOFF_BASE_MS\nFor the test suite only: the first backoff in ms "
        "(1 to 1000, default 1000).\n"
        ".SH FILES\n"
        ".TP\n.I $OPENJARVIS_HOME/analytics_queue.db\nThe queue; views \\fBpending\\fP, "
        "\\fBsent\\fP, \\fBupload\\fP (next attempt, last attempt, last success, last error).\n",
    .see_also = "jarvis-analytics",
    .check = NULL,
};
