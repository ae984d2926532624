"""End-to-end: `jarvis-analytics capture` stores what it should, where and
how the user expects it (sqlite3 program, file modes, DEBUG line)."""

import json
import os
import subprocess
import sys
import unittest

from jatest import (CLI, JATestCase, WalHolder, ISO_MS_RE, UUID_RE, check_sanitizers, clean_env,
                    EXIT_PARTIAL, now_ms, parse_iso_ms, sqlite_json)


class Capture(JATestCase):

    def test_app_opened_one_row_in_pending(self):
        """One row in `pending` (through the sqlite3 program)
        with exactly the two properties, a UUID v7 of now, a timestamp of
        now and the anon_id as distinct_id."""
        t0 = now_ms()
        self.capture("app_opened", '{"version":"0.1.0","platform":"cli"}')
        t1 = now_ms()
        rows = self.pending()
        self.assertEqual(len(rows), 1, rows)
        row = rows[0]
        self.assertEqual(sorted(row), ["distinct_id", "event", "properties", "timestamp", "uuid"])
        self.assertEqual(row["event"], "app_opened")
        self.assertEqual(json.loads(row["properties"]), {"version": "0.1.0", "platform": "cli"})
        self.assertValidUuid7(row["uuid"], t0, t1)
        self.assertRegex(row["timestamp"], ISO_MS_RE)
        ts = parse_iso_ms(row["timestamp"])
        self.assertGreaterEqual(ts, t0 - 2000)
        self.assertLessEqual(ts, t1 + 2000)
        self.assertEqual(row["distinct_id"], self.read_anon_id())
        self.assertRegex(row["distinct_id"], UUID_RE)

    def test_verbose_prints_stored_event_and_uuid(self):
        res = self.capture("app_opened", {"version": "0.1.0", "platform": "cli"}, "--verbose")
        self.assertEqual(res.err, "")
        rows = self.pending()
        self.assertEqual(res.out, "stored app_opened %s\n" % rows[0]["uuid"])

    def test_quiet_by_default(self):
        res = self.capture("app_opened", {"version": "0.1.0", "platform": "cli"})
        self.assertEqual((res.out, res.err), ("", ""))
        res = self.capture("app_opened", {"version": "zz-quiet@example.com"})
        self.assertEqual((res.out, res.err), ("", ""))

    def test_no_props_stores_empty_object(self):
        self.capture("first_chat_sent")
        rows = self.pending()
        self.assertEqual(len(rows), 1)
        self.assertEqual(json.loads(rows[0]["properties"]), {})

    def test_value_types_are_kept(self):
        props = {"turn_count": 3, "tokens_in": 120, "tokens_out": 456,
                 "latency_ms_p50": 12.5, "latency_ms_p95": 80, "tool_count": 0,
                 "unique_tools": 0, "unique_models": 1, "error_count": 0,
                 "model_hash": "0123456789abcdef", "engine": "ollama", "duration_ms": 9000}
        self.capture("chat_session_ended", props, "--strict")
        self.capture("feedback_submitted", {"rating": 5, "has_comment": False}, "--strict")
        rows = self.pending()
        self.assertEqual(json.loads(rows[0]["properties"]), props)
        self.assertEqual(json.loads(rows[1]["properties"]), {"rating": 5, "has_comment": False})

    def test_events_keep_capture_order_and_distinct_uuids(self):
        for v in ("1", "2", "3", "4", "5"):
            self.capture("app_opened", {"version": v})
        rows = self.pending()
        self.assertEqual([json.loads(r["properties"])["version"] for r in rows],
                         ["1", "2", "3", "4", "5"])
        uuids = [r["uuid"] for r in rows]
        self.assertEqual(len(set(uuids)), 5)
        # v7 ids are time-ordered: capture order is uuid order.
        self.assertEqual(uuids, sorted(uuids))
        self.assertEqual(len({r["distinct_id"] for r in rows}), 1)

    def test_files_and_home_modes(self):
        """Home 0700, queue (+ -wal/-shm) and anon_id 0600 —
        even under umask 000, which would otherwise give 0777/0666."""
        self.capture("app_opened", {"version": "0.1.0"}, umask=0)
        self.assertMode(self.home, 0o700)
        self.assertMode(self.db, 0o600)
        self.assertMode(self.anon_id_path, 0o600)
        with open(self.anon_id_path, "rb") as f:
            content = f.read()
        self.assertRegex(content.decode(), r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\n$")
        # Keep another connection open so the WAL and its index survive the
        # CLI's exit, then check their modes too.
        with WalHolder(self.db):
            self.capture("app_opened", {"version": "0.1.1"}, umask=0)
            for suffix in ("-wal", "-shm"):
                p = self.db + suffix
                if os.path.exists(p):
                    self.assertMode(p, 0o600)
            self.assertTrue(os.path.exists(self.db + "-wal"),
                            "queue is not in WAL mode (no -wal while a reader is open)")
        for name in os.listdir(self.home):
            p = os.path.join(self.home, name)
            self.assertFalse(os.path.islink(p), p)
            self.assertMode(p, 0o600)

    def test_no_stray_files_in_home(self):
        os.mkdir(self.home, 0o700)
        self.capture("app_opened", {"version": "0.1.0"})
        # Only what the design lists lives in the home; no temp files left.
        names = sorted(os.listdir(self.home))
        self.assertEqual([n for n in names if n not in ("analytics_queue.db", "analytics_queue.db-wal",
                                                        "analytics_queue.db-shm", "anon_id")], [])

    def test_journal_mode_is_wal(self):
        self.capture("app_opened", {"version": "0.1.0"})
        rows = sqlite_json(self.db, "PRAGMA journal_mode")
        self.assertEqual(rows[0]["journal_mode"], "wal")

    def test_debug_line_per_stored_event_without_dropped_values(self):
        marker = "zz-marker-debug-q7@example.com"
        res = self.capture("app_opened",
                           {"version": "0.1.0", "platform": "cli", "zz_marker_debug_prop": 1,
                            "x": marker},
                           env={"OPENJARVIS_LOG_LEVEL": "DEBUG"})
        # Exactly one line per event: name, redacted properties, and the
        # drop counts by reason (never a dropped value or unknown name).
        self.assertEqual(res.err.splitlines(),
                         ['Analytics: app_opened {"version":"0.1.0","platform":"cli"}'
                          ' (dropped: unknown_property 1, pii 1)'], res)
        self.assertNotIn(marker, res.err + res.out)
        self.assertNotIn("zz_marker_debug_prop", res.err + res.out)
        self.assertEqual(len(self.pending()), 1)

    def test_debug_level_any_case_and_silent_otherwise(self):
        res = self.capture("app_opened", {"version": "0.1.0"}, env={"OPENJARVIS_LOG_LEVEL": "debug"})
        self.assertEqual(res.err.splitlines(), ['Analytics: app_opened {"version":"0.1.0"}'])
        res = self.capture("app_opened", {"version": "0.1.0"}, env={"OPENJARVIS_LOG_LEVEL": "INFO"})
        self.assertEqual(res.err, "")

    def test_shapes_are_ascii(self):
        """version and key take ASCII letters only (fail closed): "é" * 64
        is 64 code points, a str64, but not a key; the event is stored
        without it (--strict: exit 3, stored but a property dropped)."""
        for value in ("é" * 64, "日本語-🚀", "ключ", "ｕｉ.theme"):
            res = self.capture("settings_changed", {"setting_key": value}, "--strict",
                               rc=EXIT_PARTIAL)
            self.assertIn("'setting_key' invalid_value", res.err)
        self.assertEqual([json.loads(r["properties"]) for r in self.pending()], [{}] * 4)

    def test_model_tags_and_versions_are_not_pii(self):
        """False positives matter: versions and model-tag-like keys pass."""
        versions = ("0.1.0", "v1.2.3-rc.1", "v1.2.3-rc.1+build.5", "2024.10.1", "6.8.0-45-generic",
                    "v1.2.3.4")
        keys = ("qwen3.5:2b", "ui.theme", "engine.ollama.host", "tools/search_web:enabled")
        for v in versions:
            self.capture("app_opened", {"version": v}, "--strict")
        for k in keys:
            self.capture("settings_changed", {"setting_key": k}, "--strict")
        self.assertEqual([list(json.loads(r["properties"]).values())[0] for r in self.pending()],
                         list(versions + keys))

    def test_concurrent_captures_from_fresh_home(self):
        """4 processes x 25 captures, starting with no home at all: every
        capture is either stored or (if the queue stayed locked past the
        250 ms busy timeout, exit 75) counted as busy — never lost, never
        doubled; 100 distinct uuids overall, one anon_id. (The exact
        2000-of-2000 test with a long busy timeout is api/four_processes_concurrent.)"""
        script = (
            "import subprocess,sys\n"
            "for i in range(25):\n"
            "    r = subprocess.run([sys.argv[1], 'capture', 'feature_used', '--props',\n"
            "                        '{\"feature_name\":\"chat\"}', '--strict'],\n"
            "                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
            "    if r.returncode == 75 and r.stderr.count(b'\\n') == 1 and b'busy' in r.stderr:\n"
            "        continue\n"
            "    if r.returncode or r.stderr:\n"
            "        print('capture %d: rc=%d %r' % (i, r.returncode, r.stderr)); sys.exit(1)\n")
        env = clean_env(self.home)
        procs = [subprocess.Popen([sys.executable, "-c", script, CLI], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _ in range(4)]
        outs = [(p.communicate(timeout=120)[0].decode("utf-8", "replace"), p.returncode)
                for p in procs]
        for out, rc in outs:
            check_sanitizers(out, "concurrent capture")
            self.assertEqual(rc, 0, out)
        rows = self.pending()
        drops = self.drops()
        self.assertEqual(len(rows) + drops["busy"], 100, "drops: %r" % drops)
        self.assertGreater(len(rows), 0, "no capture got in: %r" % drops)
        self.assertEqual(len({r["uuid"] for r in rows}), len(rows))
        self.assertEqual({r["distinct_id"] for r in rows}, {self.read_anon_id()})
        self.assertEqual(sum(drops.values()) - drops["busy"], 0, drops)

    def test_durable_when_killed_right_after_saying_stored(self):
        """The CLI's capture is committed before it says so (JA_OPEN_SYNC):
        killed with SIGKILL the moment its "stored" line appears — before
        it closes the store, which would flush — the event is on disk.
        stdout is a terminal (a pty), so the line comes out as printed,
        not when the process exits. Looped: the kill lands anywhere
        between the line and the exit."""
        import pty
        import select
        import signal
        for i in range(5):
            env = clean_env(self.home)
            master, slave = pty.openpty()
            proc = subprocess.Popen([CLI, "capture", "feature_used", "--props",
                                     '{"feature_name":"chat"}', "--verbose"],
                                    env=env, stdin=subprocess.DEVNULL, stdout=slave,
                                    stderr=subprocess.PIPE)
            os.close(slave)
            line = b""
            while b"\n" not in line:
                ready, _, _ = select.select([master], [], [], 60)
                self.assertTrue(ready, "no output from capture")
                try:
                    chunk = os.read(master, 256)
                except OSError:  # EIO: the process is gone
                    break
                if not chunk:
                    break
                line += chunk
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            os.close(master)
            text = line.decode("utf-8", "replace")
            self.assertTrue(text.startswith("stored feature_used "), text)
            uuid = text.split()[2]
            self.assertRegex(uuid, UUID_RE)
            rows = self.pending()
            self.assertIn(uuid, [r["uuid"] for r in rows], "round %d" % i)
            self.assertEqual(len(rows), i + 1)


if __name__ == "__main__":
    unittest.main()
