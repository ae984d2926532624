"""End-to-end: what the settings allow, as the uploader and `status` see it.
Only an explicit opt-out (DO_NOT_TRACK, `enabled = false`) deletes what is
queued; a configuration mistake pauses analytics — capture stores nothing,
the uploader sends nothing, deletes nothing and exits 78 with one line that
names the key and where it came from — and `mode = "local"` keeps
everything on the machine (captured and rolled up, never uploaded)."""

import os
import unittest

from jatest import sqlite_json
from uptest import EXIT_CONFIG, KEY, UploadCase

APP = {"version": "1.2.3", "platform": "cli"}


class Mistakes(UploadCase):
    """Each mistake, with five events queued while the settings were good."""

    def write_config(self, text, mode=0o600):
        path = os.path.join(self.home, "config.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, mode)

    def assert_paused(self, sink, where, env=None):
        before = self.queued()
        self.assertEqual(len(before), 5)
        res = self.up(sink, "--verbose", env=env, rc=EXIT_CONFIG)
        # One line, naming the key and where it came from.
        self.assertEqual(res.err.count("\n"), 1, res.err)
        self.assertTrue(res.err.startswith("jarvis-analytics-upload: "), res.err)
        self.assertIn("paused", res.err)
        self.assertIn(where, res.err)
        self.assertEqual(res.out, "")
        # Nothing sent, nothing deleted.
        self.assertEqual(sink.requests(), [])
        self.assertEqual(self.queued(), before)
        # Capture stores nothing while paused.
        r = self.capture("app_opened", APP, "--verbose", env=env)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.startswith("not stored: analytics is paused ("), r)
        self.assertEqual(self.queued(), before)
        # status says so, as text and as JSON.
        text = self.ja("status", rc=0, env=env).out
        self.assertTrue(text.startswith("analytics: paused: "), text)
        self.assertIn(where, text.splitlines()[0])
        doc = self.status(env=env)
        self.assertEqual(doc["mode"], "paused")
        self.assertIs(doc["enabled"], False)
        self.assertEqual(doc["queue"]["pending"], 5)
        return res

    def queue_five(self):
        self.fill(5)

    # ---- in the environment

    def test_cr_at_the_end_of_the_key(self):
        self.queue_five()
        sink = self.sink()
        res = self.assert_paused(sink, "OPENJARVIS_ANALYTICS_KEY",
                                 env={"OPENJARVIS_ANALYTICS_KEY": KEY + "\r"})
        self.assertNotIn(KEY, res.err)

    def test_cr_at_the_end_of_the_host(self):
        self.queue_five()
        sink = self.sink()
        self.assert_paused(sink, "OPENJARVIS_ANALYTICS_HOST",
                           env={"OPENJARVIS_ANALYTICS_HOST": sink.url + "\r"})

    def test_host_with_an_invisible_character(self):
        self.queue_five()
        sink = self.sink()
        host = sink.url.replace("127.0.0.1", "127.0.0.1\u200b")
        self.assert_paused(sink, "OPENJARVIS_ANALYTICS_HOST",
                           env={"OPENJARVIS_ANALYTICS_HOST": host})

    def test_key_not_printable_ascii(self):
        self.queue_five()
        sink = self.sink()
        for key in ("phc_\u00e9t\u00e9", "phc_ab cd", "phc_\u200bab"):
            with self.subTest(key=key):
                self.assert_paused(sink, "OPENJARVIS_ANALYTICS_KEY",
                                   env={"OPENJARVIS_ANALYTICS_KEY": key})

    def test_over_long_key_and_host(self):
        self.queue_five()
        sink = self.sink()
        self.assert_paused(sink, "OPENJARVIS_ANALYTICS_KEY",
                           env={"OPENJARVIS_ANALYTICS_KEY": "phc_" + "k" * 400})
        self.assert_paused(sink, "OPENJARVIS_ANALYTICS_HOST",
                           env={"OPENJARVIS_ANALYTICS_HOST": sink.url + "/" + "h" * 600})

    # ---- in config.toml

    def test_fraction_where_an_integer_belongs(self):
        self.queue_five()
        sink = self.sink()
        self.write_config("# settings\n[analytics]\nflush_interval_seconds = 1.5\n")
        self.assert_paused(sink, "config.toml:3: [analytics] 'flush_interval_seconds'")

    def test_escaped_crlf_in_a_string(self):
        self.queue_five()
        sink = self.sink()
        self.write_config('[analytics]\nkey = "%s\\r\\n"\n' % KEY)
        res = self.assert_paused(sink, "config.toml:2: [analytics] 'key'")
        self.assertNotIn(KEY, res.err)

    def test_unparseable_table(self):
        self.queue_five()
        sink = self.sink()
        self.write_config("[analytics]\nenabled = maybe\n")
        self.assert_paused(sink, "config.toml:2: [analytics] 'enabled'")

    def test_key_and_host_not_printable_ascii_in_the_file(self):
        self.queue_five()
        sink = self.sink()
        self.write_config('[analytics]\n\nkey = "phc_\\u200babc"\n')
        self.assert_paused(sink, "config.toml:3: [analytics] 'key'")
        self.write_config('[analytics]\nhost = "%s\u00a0"\n' % sink.url)
        self.assert_paused(sink, "config.toml:2: [analytics] 'host'")

    def test_over_long_key_in_the_file(self):
        self.queue_five()
        sink = self.sink()
        self.write_config('[analytics]\nkey = "%s"\n' % ("k" * 300))
        self.assert_paused(sink, "config.toml:2: [analytics] 'key'")

    def test_misspelt_enabled_pauses_and_keeps_the_queue(self):
        self.queue_five()
        sink = self.sink()
        self.write_config("[analytics]\nenable = false\n")
        self.assert_paused(sink, "config.toml:2: [analytics] 'enable'")

    def test_unknown_mode_pauses(self):
        self.queue_five()
        sink = self.sink()
        self.write_config('[analytics]\nmode = "off"\n')
        self.assert_paused(sink, "config.toml:2: [analytics] 'mode'")

    def test_config_writable_by_everyone_pauses(self):
        self.queue_five()
        sink = self.sink()
        self.write_config("[analytics]\nenabled = true\n", mode=0o666)
        self.assert_paused(sink, "config.toml")

    def test_paused_without_a_queue_still_says_so_and_creates_nothing(self):
        sink = self.sink()
        res = self.up(sink, env={"OPENJARVIS_ANALYTICS_KEY": KEY + "\r"}, rc=EXIT_CONFIG)
        self.assertIn("OPENJARVIS_ANALYTICS_KEY", res.err)
        self.assertFalse(os.path.lexists(self.home))


class OptOut(UploadCase):
    """The two explicit opt-outs delete what is queued and send nothing."""

    def test_do_not_track_deletes(self):
        self.fill(4)
        sink = self.sink()
        self.up(sink, env={"DO_NOT_TRACK": "1"}, rc=0)
        self.assertEqual(sink.requests(), [])
        self.assertEqual(self.queued(), [])

    def test_enabled_false_deletes(self):
        self.fill(4)
        sink = self.sink()
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write("[analytics]\nenabled = false\n")
        self.up(sink, rc=0)
        self.assertEqual(sink.requests(), [])
        self.assertEqual(self.queued(), [])

    def test_opt_out_beats_a_mistake(self):
        # enabled = false is what the user asked for, even beside a mistake
        # elsewhere (a CR in the environment).
        self.fill(3)
        sink = self.sink()
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write("[analytics]\nenabled = false\n")
        self.up(sink, env={"OPENJARVIS_ANALYTICS_KEY": KEY + "\r"}, rc=0)
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.status()["mode"], "off")


class Local(UploadCase):
    """mode = "local": captured and rolled up, never uploaded."""

    def test_local_captures_rolls_up_and_uploads_nothing(self):
        os.makedirs(self.home, mode=0o700)
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write('[analytics]\nmode = "local"\n')
        self.assertEqual(self.capture("app_opened", APP).rc, 0)
        self.ja("session", "inference", "s1", "--tokens-in", "3", "--tokens-out", "4",
                "--latency-ms", "50", rc=0)
        self.ja("session", "end", "s1", rc=0)
        sink = self.sink()
        res = self.up(sink, rc=0)
        self.assertEqual(res.err.count("\n"), 1, res.err)
        self.assertIn("local mode", res.err)
        self.assertEqual(sink.requests(), [])
        events = [r["event"] for r in sqlite_json(self.db, "SELECT event FROM pending")]
        # Rolled up by the uploader's run, kept here.
        self.assertEqual(sorted(events), ["app_opened", "chat_session_ended", "first_chat_sent"])
        text = self.ja("status", rc=0).out
        self.assertTrue(text.startswith("analytics: local"), text)
        self.assertEqual(self.status()["mode"], "local")
        # Nothing deleted by later runs either.
        self.up(sink, rc=0)
        self.assertEqual(len(self.queued()), 3)
        self.assertEqual(sink.requests(), [])


if __name__ == "__main__":
    unittest.main()
