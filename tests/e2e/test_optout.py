"""End-to-end: opting out. DO_NOT_TRACK and `[analytics] enabled = false`
turn analytics off; a broken [analytics] table pauses it (a mistake, not an
opt-out: test_modes.py shows the uploader keeping the queue). Either way
capture creates and writes nothing (no home, no queue, no anon_id), and
`status` says off or paused and why, as text and as JSON."""

import os
import re
import unittest

from jatest import JATestCase, read_bytes


class OptOut(JATestCase):

    def write_config(self, text):
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write(text)

    def assert_off(self, reason_re, env=None, mode="off"):
        """capture stores nothing and creates nothing; status explains."""
        home_existed = os.path.exists(self.home)
        res = self.capture("app_opened", {"version": "0.1.0", "platform": "cli"}, "--verbose",
                           env=env)
        self.assertEqual(res.err, "")
        self.assertRegex(res.out, r"^not stored: analytics: %s: .+\n$" % mode)
        self.assertRegex(res.out, reason_re)
        res = self.capture("zz_unknown_event", {"a": "b@example.com"}, "--strict", env=env)
        self.assertEqual((res.out, res.err), ("", ""))
        self.capture("app_opened", "{}", env=env)
        self.assertNothingCreated()
        if not home_existed:
            self.assertFalse(os.path.lexists(self.home), "the home was created while off")
        # status: text …
        text = self.ja("status", rc=0, env=env)
        first = text.out.splitlines()[0]
        self.assertTrue(first.startswith("analytics: off: " if mode == "off"
                                         else "analytics: paused: "), text)
        self.assertRegex(first, reason_re)
        for label in ("home:", "config:", "anon_id:", "queue:", "sent:", "upload:", "drops:"):
            self.assertRegex(text.out, r"(?m)^%s" % re.escape(label))
        # … and JSON
        doc = self.status(env=env)
        self.assertIs(doc["enabled"], False)
        self.assertEqual(doc["mode"], mode)
        self.assertRegex(doc["off_reason"], reason_re)
        self.assertIsNone(doc["anon_id"])
        self.assertIs(doc["queue"]["exists"], False)
        self.assertEqual(doc["queue"]["pending"], 0)
        self.assertNothingCreated()
        if not home_existed:
            self.assertFalse(os.path.lexists(self.home), "status created the home")
        return doc

    # ---- DO_NOT_TRACK

    def test_do_not_track_1(self):
        self.assert_off(r"DO_NOT_TRACK is set", env={"DO_NOT_TRACK": "1"})

    def test_do_not_track_true_upper(self):
        self.assert_off(r"DO_NOT_TRACK", env={"DO_NOT_TRACK": "TRUE"})

    def test_do_not_track_yes(self):
        self.assert_off(r"DO_NOT_TRACK", env={"DO_NOT_TRACK": "yes"})

    def test_do_not_track_mixed_case_and_spaces(self):
        for v in ("True", " YeS ", "\t1\n", "tRuE"):
            with self.subTest(value=v):
                self.assert_off(r"DO_NOT_TRACK", env={"DO_NOT_TRACK": v})

    def test_do_not_track_any_other_value_turns_off(self):
        # Privacy wins a typo: only empty/0/false/no mean "track".
        for v in ("2", "on", "y", " TRUE ", "off", "nein"):
            with self.subTest(value=v):
                self.assert_off(r"DO_NOT_TRACK is set", env={"DO_NOT_TRACK": v})

    def test_do_not_track_other_values_leave_it_on(self):
        for v in ("0", "FALSE", " No ", ""):
            with self.subTest(value=v):
                res = self.capture("app_opened", {"version": v or "empty"}, "--verbose",
                                   env={"DO_NOT_TRACK": v})
                self.assertTrue(res.out.startswith("stored app_opened "), res)
        self.assertEqual(len(self.pending()), 4)
        self.assertIs(self.status()["enabled"], True)

    def test_do_not_track_wins_over_enabled_true(self):
        self.write_config("[analytics]\nenabled = true\n")
        self.assert_off(r"DO_NOT_TRACK", env={"DO_NOT_TRACK": "1"})

    def test_do_not_track_with_existing_queue_writes_nothing(self):
        self.capture("app_opened", {"version": "0.1.0"})
        anon = read_bytes(self.anon_id_path)
        snap = self.snapshot()
        raw = self.db_bytes()
        stats = {n: os.stat(os.path.join(self.home, n)).st_mtime_ns for n in raw}
        env = {"DO_NOT_TRACK": "1"}
        res = self.capture("app_opened", {"version": "0.2.0"}, "--verbose", env=env)
        self.assertTrue(res.out.startswith("not stored: analytics: off: "), res)
        self.capture("zz_unknown_event", env=env)
        self.capture("app_opened", {"version": "a@example.com"}, env=env)
        self.assertEqual(self.db_bytes(), raw)
        self.assertEqual({n: os.stat(os.path.join(self.home, n)).st_mtime_ns for n in raw}, stats)
        self.assertEqual(read_bytes(self.anon_id_path), anon)
        self.assertEqual(self.snapshot(), snap)
        # status still reads what is queued, while saying off
        doc = self.status(env=env)
        self.assertIs(doc["enabled"], False)
        self.assertEqual(doc["queue"]["pending"], 1)

    # ---- config.toml

    def test_enabled_false(self):
        self.write_config("# OpenJarvis\n[analytics]\nenabled = false\n")
        doc = self.assert_off(r"enabled = false")
        self.assertIn("config.toml", doc["off_reason"])

    def test_enabled_false_among_other_tables(self):
        self.write_config('[engine]\nname = "ollama"\n\n[analytics]\nhost = "http://127.0.0.1:9"\n'
                          'enabled = false # opted out\n\n[ui]\ntheme = "dark"\n')
        self.assert_off(r"enabled = false")

    def test_enabled_true_is_on(self):
        self.write_config("[analytics]\nenabled = true\n")
        self.capture("app_opened", {"version": "0.1.0"})
        self.assertEqual(len(self.pending()), 1)
        doc = self.status()
        self.assertIs(doc["enabled"], True)
        self.assertEqual(doc["off_reason"], "")
        text = self.ja("status", rc=0)
        self.assertEqual(text.out.splitlines()[0], "analytics: on")

    def test_broken_table_bad_boolean(self):
        self.write_config("[analytics]\nenabled = maybe\n")
        doc = self.assert_off(r"config\.toml:2:", mode="paused")
        self.assertTrue(doc["off_reason"].startswith(os.path.join(self.home, "config.toml:2:")),
                        doc["off_reason"])

    def test_broken_table_unterminated_string(self):
        self.write_config('title = "x"\n\n[analytics]\nhost = "unterminated\nenabled = true\n')
        doc = self.assert_off(r"config\.toml:4:", mode="paused")
        self.assertTrue(doc["off_reason"].startswith(os.path.join(self.home, "config.toml:4:")),
                        doc["off_reason"])

    def test_broken_table_duplicate_key(self):
        self.write_config("[analytics]\nenabled = true\nenabled = true\n")
        self.assert_off(r"config\.toml:3:", mode="paused")

    def test_broken_table_wrong_type(self):
        self.write_config('[analytics]\nenabled = "false"\n')
        self.assert_off(r"config\.toml:2:", mode="paused")

    def test_off_reset_id_removes_anon_id_and_creates_nothing(self):
        self.capture("app_opened", {"version": "0.1.0"})
        os.unlink(self.db)
        res = self.ja("reset-id", rc=0, env={"DO_NOT_TRACK": "1"})
        self.assertTrue(res.out.startswith("anon_id removed"), res)
        self.assertEqual(res.err, "")
        self.assertNothingCreated()

    def test_off_debug_logs_no_event(self):
        res = self.capture("app_opened", {"version": "0.1.0"},
                           env={"DO_NOT_TRACK": "1", "OPENJARVIS_LOG_LEVEL": "DEBUG"})
        self.assertNotIn("Analytics: app_opened", res.err)
        self.assertNothingCreated()


if __name__ == "__main__":
    unittest.main()
