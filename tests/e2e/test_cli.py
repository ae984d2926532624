"""End-to-end: the rest of the `jarvis-analytics` command line:
--help / --version, catalog, status, show, purge, and readers next to a
writer."""

import json
import os
import re
import sqlite3 as pysqlite3
import subprocess
import unittest

from jatest import BUILD_DIR, JATestCase, DROP_REASONS, EXIT_USAGE, ISO_MS_RE, sqlite_json

COMMANDS = ("capture", "status", "show", "reset-id", "purge", "catalog", "redact")

ENUMS = {
    "OS": "darwin linux wsl windows unknown",
    "ARCH": "x86_64 arm64 aarch64 unknown",
    "PLATFORM": "cli macos linux windows tauri-macos tauri-linux tauri-windows web",
    "STAGE": "deps uv python venv package ollama model_download config verify complete",
    "PRESET": "morning-digest-mac deep-research code-assistant minimal custom default",
    "ERROR": "network_error engine_unreachable model_not_found tool_timeout tool_error "
             "rate_limit auth_failure permission_denied validation_error config_error "
             "unknown_error",
    "FEATURE": "chat voice agents skills memory tools connectors scheduler workflows digest "
               "research evals feedback telemetry_dashboard settings",
    "TOOL": "http_request file_read file_write shell search_web calculator memory_search "
            "memory_store code_exec image_view gmail calendar drive github hackernews weather "
            "notion strava custom_tool",
    "CONNECTOR": "google gmail calendar drive github notion strava weather hackernews slack "
                 "telegram discord webhook sendblue whatsapp signal custom",
    "ENGINE": "ollama vllm mlx llama_cpp openai anthropic google unknown",
}

# The catalog as OpenJarvis defines it, written here by hand (apart from
# src/filter/catalog.c) so that a change to the table is a visible decision.
CATALOG = {
    "install_started": "os:OS arch:ARCH installer_version:version",
    "install_stage_completed": "stage:STAGE elapsed_ms:int os:OS",
    "install_completed": "total_elapsed_ms:int os:OS arch:ARCH",
    "install_failed": "stage:STAGE exit_code:int os:OS arch:ARCH",
    "uninstall_started": "days_since_install:int os:OS",
    "app_opened": "version:version platform:PLATFORM",
    "setup_completed": "preset:PRESET model_hash:hash16 engine:ENGINE",
    "first_chat_sent": "platform:PLATFORM",
    "chat_session_ended": "turn_count:int tokens_in:int tokens_out:int latency_ms_p50:num "
                          "latency_ms_p95:num tool_count:int unique_tools:int unique_models:int "
                          "error_count:int model_hash:hash16 engine:ENGINE duration_ms:int",
    "tool_first_used": "tool_name:TOOL",
    "model_changed": "from_model_hash:hash16 to_model_hash:hash16 engine:ENGINE",
    "connector_auth_completed": "connector_name:CONNECTOR",
    "feature_used": "feature_name:FEATURE",
    "feedback_submitted": "rating:int has_comment:bool",
    "error_shown_to_user": "error_class:ERROR platform:PLATFORM",
    "settings_changed": "setting_key:key",
    "usage_daily_summary": "sessions:int total_tokens:int total_inferences:int unique_tools:int "
                           "unique_models:int total_errors:int total_duration_ms:int",
}


def catalog_props(event):
    return dict(p.split(":") for p in CATALOG[event].split())


def sample_value(kind):
    return {"bool": True, "int": 7, "num": 12.5, "str64": "sample-1", "version": "0.4.2",
            "key": "ui.theme", "hash16": "0123456789abcdef"}.get(kind) or ENUMS[kind].split()[-1]


class Help(JATestCase):

    def test_help_for_every_command(self):
        for args in (["--help"], ["-h"]) + tuple([c, "--help"] for c in COMMANDS) + (
                ["capture", "app_opened", "--help"],):
            with self.subTest(args=args):
                res = self.ja(*args, rc=0)
                self.assertTrue(res.out.startswith("usage: jarvis-analytics"), res)
                self.assertEqual(res.err, "")
                if len(args) > 1:
                    self.assertTrue(res.out.startswith("usage: jarvis-analytics %s" % args[0]), res)
        self.assertFalse(os.path.lexists(self.home), "--help touched the home")

    def test_help_lists_every_command_and_option(self):
        out = self.ja("--help", rc=0).out
        for c in COMMANDS:
            self.assertRegex(out, r"(?m)^\s+%s\s" % re.escape(c))
        self.assertIn("--props", self.ja("capture", "--help", rc=0).out)
        self.assertIn("--strict", self.ja("capture", "--help", rc=0).out)
        show = self.ja("show", "--help", rc=0).out
        for opt in ("--pending", "--sent", "--limit", "--json"):
            self.assertIn(opt, show)
        purge = self.ja("purge", "--help", rc=0).out
        for opt in ("--pending", "--sent", "--all"):
            self.assertIn(opt, purge)

    def test_version(self):
        overview = self.ja("--help", rc=0).out.split("\noptions:\n", 1)[1]
        self.assertRegex(overview, r"(?m)^  --version +print the version and exit$")
        res = self.ja("--version", rc=0)
        self.assertRegex(res.out, r"^jarvis-analytics \d+\.\d+\.\d+\S*\n$")
        self.assertEqual(res.err, "")
        self.assertEqual(res.out.split()[1], self.status()["version"])

    def test_unknown_command_and_no_command(self):
        res = self.ja("frobnicate")
        self.assertOneErrorLine(res, EXIT_USAGE, None, r"frobnicate")
        res = self.ja()
        self.assertOneErrorLine(res, EXIT_USAGE, None, r"command")
        res = self.ja("--frob")
        self.assertOneErrorLine(res, EXIT_USAGE, None, r"--frob")
        self.assertFalse(os.path.lexists(self.home))

    def test_every_option_is_in_its_usage_line(self):
        """The synopsis of each command names every option --help lists
        for it (both come from the program's tables)."""
        for cmd in COMMANDS + ("session inference", "session tool", "session error",
                               "session end", "rollup"):
            with self.subTest(cmd=cmd):
                out = self.ja(*cmd.split(), "--help", rc=0).out
                usage = out.splitlines()[0]
                for opt in re.findall(r"^  (--[a-z-]+)", out.split("\noptions:\n", 1)[1], re.M):
                    if opt != "--help":
                        self.assertIn(opt, usage)

    def test_option_descriptions_line_up(self):
        """In every --help, of both programs, the options' descriptions
        start in one column, past the longest option and its argument (a
        reader must see where '--batch-size N' ends and its help begins)."""
        helps = [self.ja(*cmd.split(), "--help", rc=0).out
                 for cmd in ("",) + COMMANDS + ("session inference", "session tool", "rollup")]
        upload = os.path.join(BUILD_DIR, "jarvis-analytics-upload")
        helps.append(subprocess.run([upload, "--help"], check=True, stdout=subprocess.PIPE,
                                    universal_newlines=True).stdout)
        for out in helps:
            with self.subTest(usage=out.splitlines()[0]):
                lines = out.split("\noptions:\n", 1)[1].split("\n\n", 1)[0].splitlines()
                self.assertGreater(len(lines), 1)
                starts = set()
                for line in lines:
                    m = re.match(r"^  (--[a-z-]+(?: [A-Z0-9]+)?)( +)\S", line)
                    self.assertIsNotNone(m, line)
                    starts.add(m.end() - 1)
                self.assertEqual(len(starts), 1, "\n".join(lines))

    def test_a_missing_argument_is_named(self):
        # The placeholder that is missing, not the command's whole synopsis.
        for args, cmd, name in ((["capture"], "capture", "EVENT"),
                                (["capture", "--strict"], "capture", "EVENT"),
                                (["session", "end"], "session end", "SESSION"),
                                (["redact", "--json"], "redact", r"VALUE\.\.\.")):
            with self.subTest(args=args):
                self.assertOneErrorLine(self.ja(*args), EXIT_USAGE, cmd,
                                        r": missing argument %s \(try 'jarvis-analytics %s "
                                        r"--help'\)$" % (name, cmd))

    def test_bad_options_of_other_commands(self):
        for args, cmd in ((["status", "--props", "{}"], "status"), (["show", "--limit", "0"], "show"),
                          (["show", "--limit", "x"], "show"), (["show", "--limit"], "show"),
                          (["purge", "--pending", "--sent"], "purge"), (["purge", "extra"], "purge"),
                          (["catalog", "--json", "--markdown"], "catalog"),
                          (["reset-id", "--all"], "reset-id")):
            with self.subTest(args=args):
                self.assertOneErrorLine(self.ja(*args), EXIT_USAGE, cmd)


class Catalog(JATestCase):

    def test_catalog_json_matches_design(self):
        res = self.ja("catalog", "--json", rc=0)
        doc = res.json()
        self.assertEqual(len(doc["events"]), 17)
        self.assertEqual({e: dict(p) for e, p in doc["events"].items()},
                         {e: catalog_props(e) for e in CATALOG})
        self.assertEqual({k: list(v) for k, v in doc["enums"].items()},
                         {k: v.split() for k, v in ENUMS.items()})
        self.assertFalse(os.path.lexists(self.home))

    def test_catalog_json_describes_the_validators(self):
        """Every kind an event uses is a described validator or an enum; the
        shapes say what they accept."""
        doc = self.ja("catalog", "--json", rc=0).json()
        validators = doc["validators"]
        self.assertEqual(list(validators),
                         ["bool", "int", "num", "str64", "version", "key", "hash16"])
        for name, text in validators.items():
            self.assertIsInstance(text, str)
            self.assertGreater(len(text), 10, name)
        for event, props in doc["events"].items():
            for prop, kind in props.items():
                self.assertTrue(kind in validators or kind in doc["enums"], (event, prop, kind))
        for example in ("0.4.2", "v1.2.3-rc.1+build.5", "6.8.0-45-generic"):
            self.assertIn(example, validators["version"])
        for words in ("`. _ - : /`", "no spaces", "no `@`", "tools/search_web:enabled"):
            self.assertIn(words, validators["key"])
        md = self.ja("catalog", rc=0).out
        for name, text in validators.items():
            self.assertIn("| `%s` | %s |" % (name, text), md)

    def test_catalog_markdown_is_default(self):
        md = self.ja("catalog", rc=0).out
        self.assertEqual(md, self.ja("catalog", "--markdown", rc=0).out)
        for event in CATALOG:
            self.assertIn(event, md)
        self.assertIn("| event |", md)

    def test_every_catalog_event_is_accepted_with_every_property(self):
        """The catalog the CLI prints is the one capture enforces."""
        doc = self.ja("catalog", "--json", rc=0).json()
        for event, props in doc["events"].items():
            values = {name: sample_value(kind) for name, kind in props.items()}
            self.capture(event, values, "--strict")
        rows = self.pending()
        self.assertEqual([r["event"] for r in rows], list(doc["events"]))
        for row in rows:
            props = doc["events"][row["event"]]
            self.assertEqual(json.loads(row["properties"]),
                             {n: sample_value(k) for n, k in props.items()})
        self.assertEqual(sum(self.drops().values()), 0)


class Status(JATestCase):

    def test_status_json_document(self):
        doc = self.status()          # fresh home: nothing yet
        self.assertFalse(os.path.lexists(self.home), "status created the home")
        for key in ("version", "enabled", "off_reason", "home", "config", "database",
                    "anon_id_path", "anon_id", "upload", "queue", "sent", "drops"):
            self.assertIn(key, doc)
        self.assertIs(doc["enabled"], True)
        self.assertEqual(doc["home"], self.home)
        self.assertEqual(doc["config"], os.path.join(self.home, "config.toml"))
        self.assertEqual(doc["database"], self.db)
        self.assertIsNone(doc["anon_id"])
        self.assertEqual(sorted(doc["upload"]),
                         ["flush_at_size", "flush_interval_seconds", "host", "key_set",
                          "last_attempt_at", "last_error", "last_status", "last_success_at",
                          "next_attempt_at"])
        self.assertIs(doc["upload"]["key_set"], False)
        for k in ("last_attempt_at", "last_error", "last_status", "last_success_at",
                  "next_attempt_at"):
            self.assertIsNone(doc["upload"][k])  # no upload yet
        self.assertEqual(doc["queue"], {"exists": False, "pending": 0, "leased": 0,
                                        "leased_until": None, "oldest": None, "newest": None,
                                        "oldest_age_seconds": None})
        self.assertEqual(doc["sent"], {"count": 0, "last": None})
        self.assertEqual(doc["drops"], {r: 0 for r in DROP_REASONS})

        self.capture("app_opened", {"version": "1"})
        self.capture("app_opened", {"version": "2", "zz": 1})
        self.capture("zz_unknown")
        doc = self.status()
        rows = self.pending()
        self.assertEqual(doc["queue"]["exists"], True)
        self.assertEqual(doc["queue"]["pending"], 2)
        self.assertEqual(doc["queue"]["oldest"], rows[0]["timestamp"])
        self.assertEqual(doc["queue"]["newest"], rows[1]["timestamp"])
        self.assertRegex(doc["queue"]["oldest"], ISO_MS_RE)
        self.assertEqual(doc["anon_id"], self.read_anon_id())
        want = {r: 0 for r in DROP_REASONS}
        want.update(unknown_property=1, unknown_event=1)
        self.assertEqual(doc["drops"], want)

    def test_status_text(self):
        self.capture("app_opened", {"version": "10.0.0.5"})   # version-shaped, so: pii (ipv4)
        out = self.ja("status", rc=0).out
        labels = [l.split(":", 1)[0] for l in out.splitlines()]
        self.assertEqual(labels, ["analytics", "home", "config", "anon_id", "queue", "sessions",
                                  "sent", "upload", "waiting", "attempt", "drops"])
        self.assertEqual(out.splitlines()[0], "analytics: on")
        self.assertRegex(out, r"(?m)^queue:.*\b1 pending\b")
        self.assertRegex(out, r"(?m)^sessions:  none open$")
        self.assertRegex(out, r"(?m)^drops:.*\bpii 1\b")

    def test_status_shows_open_sessions_and_days_waiting(self):
        for s in ("a", "b"):
            self.ja("session", "inference", s, "--tokens-in", "1", "--tokens-out", "2",
                    "--latency-ms", "5", "--at", "2026-03-01T10:00:00Z", rc=0)
        self.ja("session", "tool", "b", "--tool", "shell", "--at", "2026-03-01T10:00:30Z", rc=0)
        out = self.ja("status", rc=0).out
        self.assertRegex(out, r"(?m)^sessions:  2 open \(last activity 2026-03-01T10:00:30.000Z\)$")
        ro = self.status()["rollup"]
        self.assertEqual(ro, {"open_sessions": 2, "first_activity": "2026-03-01T10:00:00.000Z",
                              "last_activity": "2026-03-01T10:00:30.000Z", "days_waiting": 0,
                              "days_done": 0})
        # a ends; b goes idle: both close, their day waits for its summary
        self.ja("session", "end", "a", "--at", "2026-03-01T10:01:00Z", rc=0)
        self.ja("rollup", "--now", "2026-03-01T10:20:00Z", rc=0)
        out = self.ja("status", rc=0).out
        self.assertRegex(out, r"(?m)^sessions:  none open; 1 day waiting for the daily summary$")
        self.ja("rollup", "--now", "2026-03-02T00:10:00Z", rc=0)
        ro = self.status()["rollup"]
        self.assertEqual((ro["open_sessions"], ro["days_waiting"], ro["days_done"]), (0, 0, 1))
        self.assertRegex(self.ja("status", rc=0).out, r"(?m)^sessions:  none open$")

    def test_key_is_never_printed(self):
        key = "phc_zzSecretKeyMarker0123456789"
        env = {"OPENJARVIS_ANALYTICS_KEY": key, "OPENJARVIS_ANALYTICS_HOST": "http://127.0.0.1:9"}
        self.capture("app_opened", {"version": "1"}, env=dict(env, OPENJARVIS_LOG_LEVEL="DEBUG"))
        doc = self.status(env=env)
        self.assertIs(doc["upload"]["key_set"], True)
        self.assertEqual(doc["upload"]["host"], "http://127.0.0.1:9")
        outputs = [self.ja("status", "--json", env=env).out, self.ja("status", env=env).out,
                   self.ja("show", "--json", env=env).out]
        for text in outputs:
            self.assertNotIn("zzSecretKeyMarker", text)
        for data in self.db_bytes().values():
            self.assertNotIn(b"zzSecretKeyMarker", data)

    def test_read_commands_create_nothing(self):
        for args in (["status"], ["status", "--json"], ["show"], ["show", "--json"],
                     ["show", "--sent"], ["purge"], ["purge", "--all"], ["catalog"]):
            with self.subTest(args=args):
                self.ja(*args, rc=0)
                self.assertFalse(os.path.lexists(self.home), "%r created the home" % (args,))
        os.mkdir(self.home, 0o700)
        for args in (["status"], ["show"], ["purge", "--sent"]):
            self.ja(*args, rc=0)
        self.assertEqual(os.listdir(self.home), [])

    def test_readers_work_while_a_writer_holds_the_lock(self):
        """WAL: `status`/`show` read while another process (the uploader, a
        capture, a user's sqlite3 session) is in a write transaction."""
        self.capture("app_opened", {"version": "1"})
        lock = pysqlite3.connect(self.db, isolation_level=None, timeout=0)
        try:
            lock.execute("BEGIN IMMEDIATE")
            lock.execute("INSERT INTO drop_counts (reason, count, last_ms) VALUES ('pii', 5, 0)")
            res_status = self.ja("status", "--json")
            res_show = self.ja("show", "--json")
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertEqual(res_status.rc, 0, res_status)
        self.assertEqual(res_status.json()["queue"]["pending"], 1)
        self.assertEqual(res_status.json()["drops"]["pii"], 0)   # uncommitted: not seen
        self.assertEqual(res_show.rc, 0, res_show)
        self.assertEqual(len(res_show.json()), 1)


class Show(JATestCase):

    def test_show_json_round_trip(self):
        for i, event in enumerate(("app_opened", "feature_used", "first_chat_sent")):
            props = {"app_opened": {"version": "0.1.0", "platform": "cli"},
                     "feature_used": {"feature_name": "voice"},
                     "first_chat_sent": {}}[event]
            self.capture(event, props)
        shown = self.ja("show", "--json", rc=0).json()
        rows = self.pending()
        self.assertEqual(len(shown), 3)
        for item in shown:
            self.assertEqual(sorted(item), ["distinct_id", "event", "properties", "timestamp", "uuid"])
            self.assertIsInstance(item["properties"], dict)
        # newest first
        want = [dict(r, properties=json.loads(r["properties"])) for r in reversed(rows)]
        self.assertEqual(shown, want)
        self.assertEqual(self.ja("show", "--pending", "--json", rc=0).json(), want)
        self.assertEqual(self.ja("show", "--json", "--limit", "2", rc=0).json(), want[:2])
        self.assertEqual(self.ja("show", "--limit=1", "--json", rc=0).json(), want[:1])

    def test_show_text(self):
        self.assertEqual(self.ja("show", rc=0).out, "(no pending events)\n")
        self.capture("app_opened", {"version": "0.1.0"})
        self.capture("feature_used", {"feature_name": "voice"})
        lines = self.ja("show", rc=0).out.splitlines()
        rows = self.pending()
        self.assertEqual(len(lines), 2)
        self.assertIn("feature_used", lines[0])
        self.assertIn(rows[1]["uuid"], lines[0])
        self.assertIn('{"feature_name":"voice"}', lines[0])
        self.assertIn(rows[0]["uuid"], lines[1])
        self.assertTrue(lines[1].startswith(rows[0]["timestamp"]))

    def test_show_sent(self):
        self.capture("app_opened", {"version": "0.1.0"})
        self.assertEqual(self.ja("show", "--sent", "--json", rc=0).json(), [])
        self.assertEqual(self.ja("show", "--sent", rc=0).out, "(no sent events)\n")
        sqlite_json(self.db, "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
                             "VALUES ('u-old', 'app_opened', '{\"version\":\"1\"}', "
                             "'2026-01-01T00:00:00.000Z', 1767225600000), "
                             "('u-new', 'feature_used', '{\"feature_name\":\"chat\"}', "
                             "'2026-01-02T00:00:00.000Z', 1767312000000)")
        sent = self.ja("show", "--sent", "--json", rc=0).json()
        self.assertEqual([(s["uuid"], s["event"], s["properties"]) for s in sent],
                         [("u-new", "feature_used", {"feature_name": "chat"}),
                          ("u-old", "app_opened", {"version": "1"})])
        self.assertEqual(self.status()["sent"]["count"], 2)
        # pending is a different list
        self.assertEqual(len(self.ja("show", "--json", rc=0).json()), 1)


class Purge(JATestCase):

    def fill(self):
        self.capture("app_opened", {"version": "1"})
        self.capture("app_opened", {"version": "2"})
        self.capture("app_opened", {"version": "10.0.0.5"})   # pii drop (ipv4)
        sqlite_json(self.db, "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
                             "VALUES ('s1', 'app_opened', '{}', '2026-01-01T00:00:00.000Z', 0)")

    def test_purge_default_is_pending(self):
        self.fill()
        res = self.ja("purge", rc=0)
        self.assertEqual((res.out, res.err), ("purged 3 rows\n", ""))
        self.assertEqual(self.pending(), [])
        self.assertEqual(self.status()["sent"]["count"], 1)
        self.assertEqual(self.drops()["pii"], 1)
        self.assertEqual(self.ja("purge", "--pending", rc=0).out, "purged 0 rows\n")

    def test_purge_sent(self):
        self.fill()
        self.assertEqual(self.ja("purge", "--sent", rc=0).out, "purged 1 row\n")
        self.assertEqual(len(self.pending()), 3)
        self.assertEqual(self.status()["sent"]["count"], 0)

    def test_purge_all_clears_drop_counters(self):
        self.fill()
        res = self.ja("purge", "--all", rc=0)
        self.assertRegex(res.out, r"^purged \d+ rows\n$")
        self.assertGreaterEqual(int(res.out.split()[1]), 4)
        doc = self.status()
        self.assertEqual(doc["queue"]["pending"], 0)
        self.assertEqual(doc["sent"]["count"], 0)
        self.assertEqual(doc["drops"], {r: 0 for r in DROP_REASONS})
        self.assertEqual(self.drops_view(), [])
        # the store still works afterwards, with the same anon_id
        anon = self.read_anon_id()
        self.capture("app_opened", {"version": "3"})
        self.assertEqual([r["distinct_id"] for r in self.pending()], [anon])

    def test_purge_without_queue_creates_nothing(self):
        for args in (["purge"], ["purge", "--sent"], ["purge", "--all"]):
            res = self.ja(*args, rc=0)
            self.assertEqual(res.out, "purged 0 rows\n")
        self.assertFalse(os.path.lexists(self.home))

    def test_purged_values_leave_the_file(self):
        """purge gives the space back: purged values are not readable in the
        file afterwards (incremental vacuum / WAL checkpointed on close)."""
        marker = "zz-purge-marker-p3"
        for i in range(50):
            self.capture("settings_changed", {"setting_key": "%s-%02d" % (marker, i)})
        self.assertIn(marker.encode(), b"".join(self.db_bytes().values()))
        self.ja("purge", rc=0)
        self.assertEqual(self.pending(), [])
        data = b"".join(self.db_bytes().values())
        self.assertNotIn(marker.encode(), data, "purged values still readable in the queue file")


if __name__ == "__main__":
    unittest.main()
