"""End-to-end: "did you mean …" for every kind of near miss — commands,
sub-commands, options, event names, property names and enum values —
from the programs' option tables and the catalog; nothing when no name is
near, and nothing at all where a drop is silent (capture without --verbose,
--strict or --json)."""

import os
import subprocess
import unittest

from jatest import BUILD_DIR, JATestCase, EXIT_DATAERR, EXIT_PARTIAL, EXIT_USAGE, clean_env


class Commands(JATestCase):

    def test_commands_sub_commands_and_options(self):
        cases = [
            (["stauts"], None, "unknown command 'stauts'; did you mean 'status'?"),
            (["purg"], None, "did you mean 'purge'?"),
            (["sesion", "end", "x"], None, "did you mean 'session'?"),
            (["session", "inferense", "x"], "session", "did you mean 'inference'?"),
            (["status", "--jsn"], "status", "unknown option '--jsn'; did you mean '--json'?"),
            (["show", "--snet"], "show", "did you mean '--sent'?"),
            (["show", "--sinse", "1d"], "show", "did you mean '--since'?"),
            (["capture", "app_opened", "--prop", "{}"], "capture", "did you mean '--props'?"),
            (["--verison"], None, "did you mean '--version'?"),
            # The program's own options typed as commands: the option, not
            # a command that happens to be near ('version' is near 'session').
            (["version"], None, "unknown command 'version'; did you mean '--version'?"),
            (["help"], None, "unknown command 'help'; did you mean '--help'?"),
            # 'on' and 'off' are both one edit away; 'of' begins 'off'.
            (["of"], None, "unknown command 'of'; did you mean 'off'?"),
        ]
        for args, cmd, want in cases:
            with self.subTest(args=args):
                res = self.ja(*args)
                self.assertOneErrorLine(res, EXIT_USAGE, cmd)
                self.assertIn(want, res.err)
        for args in (["frobnicate"], ["status", "--zzzzzz"], ["session", "zzzzzzzz", "x"]):
            with self.subTest(args=args):
                self.assertNotIn("did you mean", self.ja(*args, rc=EXIT_USAGE).err)
        self.assertFalse(os.path.lexists(self.home))

    def test_uploader_options(self):
        res = subprocess.run([os.path.join(BUILD_DIR, "jarvis-analytics-upload"), "--dry-rn"],
                             env=clean_env(self.home), capture_output=True, text=True, timeout=60)
        self.assertEqual(res.returncode, EXIT_USAGE)
        self.assertIn("did you mean '--dry-run'?", res.stderr)


class Catalog(JATestCase):

    def test_event_name_with_verbose_and_strict(self):
        res = self.capture("app_opend", None, "--verbose", rc=0)
        self.assertEqual(res.out, "dropped: unknown_event; did you mean 'app_opened'?\n")
        res = self.capture("featur_used", {}, "--strict", rc=EXIT_DATAERR)
        self.assertOneErrorLine(res, EXIT_DATAERR)
        self.assertIn("nothing stored", res.err)
        self.assertIn("did you mean 'feature_used'?", res.err)

    def test_property_name_and_enum_value(self):
        res = self.capture("app_opened", {"platform": "clii", "vershun": "0.1.0"}, "--strict",
                           rc=EXIT_PARTIAL)
        self.assertOneErrorLine(res, EXIT_PARTIAL)
        self.assertIn("did you mean 'cli' for 'clii', 'version' for 'vershun'?", res.err)
        res = self.capture("feature_used", {"feature_name": "Voice"}, "--verbose", rc=0)
        self.assertIn("did you mean 'voice' for 'Voice'?", res.out)
        doc = self.capture("error_shown_to_user", {"error_class": "network_eror"}, "--json",
                           rc=0).json()
        self.assertEqual(doc["hint"], "did you mean 'network_error' for 'network_eror'?")
        self.assertEqual((doc["result"], doc["reason"]), ("stored", "invalid_value"))

    def test_nothing_near_says_nothing_and_never_echoes(self):
        res = self.capture("zz-person@example.com", None, "--verbose", "--strict",
                           rc=EXIT_DATAERR)
        self.assertNotIn("did you mean", res.out + res.err)
        self.assertNotIn("person@example", res.out + res.err)
        res = self.capture("app_opened", {"zz-person@example.com": "x"}, "--verbose", "--strict",
                           rc=EXIT_PARTIAL)
        self.assertNotIn("person@example", res.out + res.err)
        self.assertNotIn("did you mean", res.out + res.err)

    def test_silent_without_verbose_strict_or_json(self):
        for event, props in (("app_opend", None), ("app_opened", {"platform": "clii"})):
            with self.subTest(event=event):
                res = self.capture(event, props, rc=0)
                self.assertEqual((res.out, res.err), ("", ""))

    def test_session_engine_and_tool_recorded_with_a_hint(self):
        inf = ["--tokens-in", "1", "--tokens-out", "1", "--latency-ms", "3"]
        res = self.ja("session", "inference", "s", *inf, "--engine", "olama", rc=0)
        self.assertEqual(res.err, "jarvis-analytics: session inference: --engine 'olama' is not "
                                  "a value of ENGINE (recorded as unknown); did you mean "
                                  "'ollama'?\n")
        res = self.ja("session", "tool", "s", "--tool", "serch_web", rc=0)
        self.assertIn("did you mean 'search_web'?", res.err)
        # a name near nothing is a custom tool or engine: recorded, not repeated
        for opt, value in (("--engine", "koboldcpp"), ("--tool", "zz-private-tool")):
            args = ["session", "tool", "s", "--tool", value] if opt == "--tool" else \
                   ["session", "inference", "s", *inf, "--engine", value]
            self.assertEqual(self.ja(*args, rc=0).err, "")
        self.assertEqual(self.status()["rollup"]["open_sessions"], 1)

    def test_show_event_and_session_platform(self):
        res = self.ja("show", "--event", "app_opend")
        self.assertOneErrorLine(res, EXIT_USAGE, "show")
        self.assertIn("did you mean 'app_opened'?", res.err)
        res = self.ja("session", "inference", "s", "--tokens-in", "1", "--tokens-out", "1",
                      "--latency-ms", "3", "--platform", "macoss")
        self.assertOneErrorLine(res, EXIT_DATAERR, "session inference")
        self.assertIn("did you mean 'macos'?", res.err)
        self.assertNotIn("ja_store_open", res.err)
        self.assertFalse(os.path.lexists(self.db))


if __name__ == "__main__":
    unittest.main()
