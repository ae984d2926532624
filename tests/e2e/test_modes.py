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
        self.assertTrue(r.out.startswith("not stored: analytics: paused: "), r)
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
        page = os.path.join(self.root, "view.html")
        self.ja("view", "--output", page, rc=0)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("paused by a mistake in the settings", html)

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
        page = os.path.join(self.root, "view.html")
        self.ja("view", "--output", page, rc=0)
        with open(page, encoding="utf-8") as f:
            self.assertIn("local: events are captured and kept on this machine", f.read())
        self.assertEqual(self.status()["mode"], "local")
        # Nothing deleted by later runs either.
        self.up(sink, rc=0)
        self.assertEqual(len(self.queued()), 3)
        self.assertEqual(sink.requests(), [])


class Commands(UploadCase):
    """`jarvis-analytics on | off | local` write the choice into
    config.toml: only the values of enabled and mode change, every other
    byte stays, the file is replaced atomically with its mode kept, and an
    unsafe file is refused like the store refuses one."""

    def cfg_path(self):
        return os.path.join(self.home, "config.toml")

    def write(self, data, mode=0o600):
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        if os.path.lexists(self.cfg_path()):
            os.unlink(self.cfg_path())
        with open(self.cfg_path(), "wb") as f:
            f.write(data)
        os.chmod(self.cfg_path(), mode)

    def read(self):
        with open(self.cfg_path(), "rb") as f:
            return f.read()

    def test_without_a_home_off_creates_home_and_file(self):
        res = self.ja("off", rc=0)
        self.assertTrue(res.out.splitlines()[1].startswith("analytics: off: "), res)
        self.assertEqual(os.stat(self.home).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(self.cfg_path()).st_mode & 0o777, 0o600)
        self.assertEqual(self.read(), b"[analytics]\nenabled = false\n")
        self.assertFalse(os.path.exists(self.db), "off created a queue")
        self.assertEqual(self.status()["mode"], "off")

    def test_other_content_is_kept_byte_for_byte(self):
        before = (b"# OpenJarvis settings\n"
                  b"[engine]\nname = \"ollama\"   # the default\n\n"
                  b"[analytics]   # ours\n"
                  b"host = \"https://eu.i.posthog.com\"\n"
                  b"enabled = true # was on\n"
                  b"\tflush_at_size = 50\n"
                  b"\n[ui]\ntheme = '''dark\n[analytics]\n'''\n")
        self.write(before, mode=0o640)
        ino = os.stat(self.cfg_path()).st_ino
        self.ja("local", rc=0)
        after = self.read()
        # The mode line goes right under the header; enabled keeps its comment.
        want = before.replace(b"[analytics]   # ours\n",
                              b"[analytics]   # ours\nmode = \"local\"\n")
        self.assertEqual(after, want)
        self.assertEqual(os.stat(self.cfg_path()).st_mode & 0o777, 0o640)
        self.assertNotEqual(os.stat(self.cfg_path()).st_ino, ino, "not replaced atomically")
        self.assertEqual(self.status()["mode"], "local")
        # off: only enabled's value changes; mode stays as written.
        self.ja("off", rc=0)
        self.assertEqual(self.read(), want.replace(b"enabled = true # was on",
                                                   b"enabled = false # was on"))
        self.assertEqual(self.status()["mode"], "off")
        # on: enabled back, and the mode that is written says upload.
        self.ja("on", rc=0)
        self.assertEqual(self.read(), want.replace(b'mode = "local"', b'mode = "upload"'))
        self.assertEqual(self.status()["mode"], "on")
        self.assertEqual(os.stat(self.cfg_path()).st_mode & 0o777, 0o640)

    def test_file_without_the_table_gets_it_appended(self):
        for before in (b"", b"# nothing yet\n", b"[engine]\nname = 'x'",
                       b"[engine]\r\nname = 'x'\r\n"):
            with self.subTest(before=before):
                self.write(before)
                self.ja("local", rc=0)
                after = self.read()
                self.assertTrue(after.startswith(before), after)
                nl = b"\r\n" if b"\r\n" in before else b"\n"
                tail = after[len(before):]
                if before and not before.endswith(b"\n"):
                    self.assertTrue(tail.startswith(nl), tail)
                self.assertTrue(tail.endswith(b"[analytics]" + nl + b"enabled = true" + nl +
                                              b'mode = "local"' + nl), tail)
                self.assertEqual(self.status()["mode"], "local")

    def test_crlf_file_and_header_on_the_last_line(self):
        self.write(b"[analytics]\r\nhost = 'https://h.example'\r\n")
        self.ja("off", rc=0)
        self.assertEqual(self.read(), b"[analytics]\r\nenabled = false\r\n"
                                      b"host = 'https://h.example'\r\n")
        self.write(b"x = 1\n[analytics]")
        self.ja("off", rc=0)
        self.assertEqual(self.read(), b"x = 1\n[analytics]\nenabled = false\n")
        self.assertEqual(self.status()["mode"], "off")

    def test_saying_it_again_writes_nothing(self):
        self.write(b"[analytics]\nenabled = false\n")
        st = os.stat(self.cfg_path())
        res = self.ja("off", rc=0)
        self.assertIn("already says", res.out)
        st2 = os.stat(self.cfg_path())
        self.assertEqual((st.st_ino, st.st_mtime_ns), (st2.st_ino, st2.st_mtime_ns))
        doc = self.ja("off", "--json", rc=0).json()
        self.assertEqual((doc["mode"], doc["changed"]), ("off", False))

    def test_unsafe_files_are_refused_and_left_alone(self):
        os.makedirs(self.home, mode=0o700)
        target = os.path.join(self.root, "elsewhere.toml")
        with open(target, "wb") as f:
            f.write(b"[analytics]\nenabled = true\n")
        os.symlink(target, self.cfg_path())
        res = self.ja("off", rc=77)
        self.assertIn("symlink", res.err)
        self.assertTrue(os.path.islink(self.cfg_path()))
        with open(target, "rb") as f:
            self.assertEqual(f.read(), b"[analytics]\nenabled = true\n")
        os.unlink(self.cfg_path())
        os.link(target, self.cfg_path())
        res = self.ja("local", rc=77)
        self.assertIn("hard links", res.err)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), b"[analytics]\nenabled = true\n")
        os.unlink(self.cfg_path())
        os.mkfifo(self.cfg_path())
        self.ja("on", rc=77)
        os.unlink(self.cfg_path())
        self.write(b"[analytics]\nenabled = true\n", mode=0o666)
        self.ja("off", rc=77)
        self.assertEqual(self.read(), b"[analytics]\nenabled = true\n")

    def test_a_table_with_a_mistake_is_left_alone(self):
        before = b"[analytics]\nflush_interval_seconds = 1.5\nenabled = true\n"
        self.write(before)
        res = self.ja("off", rc=78)
        self.assertEqual(res.err.count("\n"), 1, res.err)
        self.assertIn("config.toml:2:", res.err)
        self.assertEqual(self.read(), before)

    def test_do_not_track_still_wins_after_on(self):
        self.write(b"[analytics]\nenabled = false\n")
        res = self.ja("on", rc=0, env={"DO_NOT_TRACK": "1"})
        self.assertEqual(self.read(), b"[analytics]\nenabled = true\n")
        self.assertEqual(res.out.splitlines()[1], "analytics: off: DO_NOT_TRACK is set")

    def test_off_says_why_in_one_sentence(self):
        # The reason reads as one sentence wherever it is shown: no
        # parentheses inside parentheses.
        self.fill(2)
        sink = self.sink()
        why = "disabled by [analytics] enabled = false in %s" % self.cfg_path()
        res = self.ja("off", rc=0)
        self.assertEqual(res.out.splitlines()[1], "analytics: off: " + why)
        self.assertEqual(self.ja("off", "--json", rc=0).json()["reason"], why)
        self.assertEqual(self.ja("status", rc=0).out.splitlines()[0], "analytics: off: " + why)
        self.assertEqual(self.status()["off_reason"], why)
        res = self.up(sink, "--verbose", rc=0)
        self.assertIn("jarvis-analytics-upload: %s: deleted 2 queued events" % why,
                      res.err.splitlines())

    def test_the_uploader_follows_the_choice(self):
        self.fill(3)
        sink = self.sink()
        self.ja("local", rc=0)
        self.up(sink, rc=0)
        self.assertEqual((len(self.queued()), sink.requests()), (3, []))
        self.ja("on", rc=0)
        self.up(sink, rc=0)
        self.assertEqual((len(self.queued()), len(sink.events())), (0, 3))
        self.fill(2)
        self.ja("off", rc=0)
        self.up(sink, rc=0)
        self.assertEqual((len(self.queued()), len(sink.events())), (0, 3))

class MidRun(UploadCase):
    """Written to config.toml while a run drains: an opt-out deletes what is
    queued (test_upload_policy.py); a mistake or local mode stops the run
    and keeps everything — at most the request in flight has gone."""

    def held_run(self):
        """30 events draining in batches of 10, the first request held."""
        self.fill(30)
        sink = self.sink()
        sink.script([{"action": "hold", "then_status": 200}])
        p = self.spawn(sink, "--batch-size", "10")
        sink.wait_held()
        return sink, p

    def write_config(self, text):
        path = os.path.join(self.home, "config.toml")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)

    def finish(self, sink, p):
        sink.release()
        out, err = p.communicate(timeout=120)
        self.assertNotIn(KEY, out.decode() + err.decode())
        return p.returncode, err.decode()

    def test_a_mistake_written_mid_drain_keeps_the_rest(self):
        sink, p = self.held_run()
        self.write_config("[analytics]\nflush_interval_seconds = 1.5\n")
        rc, err = self.finish(sink, p)
        self.assertEqual(rc, EXIT_CONFIG, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("paused", err)
        self.assertIn("config.toml:2: [analytics] 'flush_interval_seconds'", err)
        self.assertEqual(len(sink.events()), 10)
        self.assertEqual(len(self.queued()), 20)

    def test_local_mode_written_mid_drain_keeps_the_rest(self):
        sink, p = self.held_run()
        self.write_config('[analytics]\nmode = "local"\n')
        rc, err = self.finish(sink, p)
        self.assertEqual(rc, 0, err)
        self.assertIn("local mode", err)
        self.assertEqual(len(sink.events()), 10)
        self.assertEqual(len(self.queued()), 20)

if __name__ == "__main__":
    unittest.main()
