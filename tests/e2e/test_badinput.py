"""End-to-end: malformed input to `capture`.

Each case first captures one good event (so the queue exists), snapshots
`select * from pending` and `select * from drops` through the sqlite3
program, runs the bad command, and checks: the documented exit code,
exactly one stderr line `jarvis-analytics: capture: …` naming the problem,
nothing on stdout, no sanitizer report (jatest), and the snapshot — and the
drop counters in `status --json` — unchanged: nothing stored, nothing
counted. Also: a home that cannot be created → 73, a corrupt queue → 74 for
readers (a capture moves it aside: tests/e2e/test_hostile_files.py).
"""

import json
import os
import unittest

from jatest import (JATestCase, EXIT_USAGE, EXIT_DATAERR, EXIT_CANTCREAT, EXIT_IOERR,
                    DB_NAME, read_bytes)

GOOD = {"version": "0.1.0", "platform": "cli"}


class BadInput(JATestCase):

    def setUp(self):
        super().setUp()
        self.capture("app_opened", GOOD)

    def bad(self, args, rc, mentions=None, input=None):
        """Run `capture ARGS…`; assert the one-line error and no change."""
        snap = self.snapshot()
        drops = self.drops()
        anon = read_bytes(self.anon_id_path)
        res = self.ja("capture", *args, input=input)
        line = self.assertOneErrorLine(res, rc, "capture", mentions)
        self.assertEqual(res.out_bytes, b"")
        self.assertEqual(self.snapshot(), snap, "the queue changed after %r" % (res,))
        self.assertEqual(self.drops(), drops, "a drop was counted for malformed input")
        self.assertEqual(read_bytes(self.anon_id_path), anon)
        return line

    # ---- JSON

    def test_malformed_json(self):
        self.bad(["app_opened", "--props", '{"version": "0.1.0"'], EXIT_DATAERR, r"JSON")
        self.bad(["app_opened", "--props", "{bad}"], EXIT_DATAERR, r"JSON")
        self.bad(["app_opened", "--props", "{'version': '0.1.0'}"], EXIT_DATAERR, r"JSON")
        self.bad(["app_opened", "--props", '{"version":"0.1.0"} trailing'], EXIT_DATAERR, r"JSON")
        self.bad(["app_opened", "--props", '{"version":"0.1.0",}'], EXIT_DATAERR, r"JSON")
        self.bad(["app_opened", "--props", ""], EXIT_DATAERR, r"JSON")

    def test_json_not_an_object(self):
        for text in ('["version","0.1.0"]', '"app_opened"', "42", "null", "true"):
            with self.subTest(props=text):
                self.bad(["app_opened", "--props", text], EXIT_DATAERR, r"object")

    def test_repeated_property_name(self):
        line = self.bad(["app_opened", "--props", '{"version":"1","zz_dup_name":1,"zz_dup_name":2}'],
                        EXIT_DATAERR, r"repeat|duplicate")
        self.assertNotIn("zz_dup_name", line)

    def test_too_many_properties(self):
        props = json.dumps({"p%03d" % i: 1 for i in range(257)})
        self.bad(["app_opened", "--props", props], EXIT_DATAERR, r"propert")

    def test_256_properties_is_not_malformed(self):
        props = json.dumps({"p%03d" % i: 1 for i in range(256)})
        before = self.drops()
        self.capture("app_opened", props, rc=0)
        self.assertDropDelta(before, self.drops(), unknown_property=256)

    def test_props_too_large(self):
        # Linux refuses a single argv string over 128 KiB (MAX_ARG_STRLEN),
        # so a literal 1 MB --props can never reach the program; 100 kB is
        # well over the 65536-byte limit and still passes execve.
        big = '{"version":"' + "a" * 100000 + '"}'
        self.bad(["app_opened", "--props", big], EXIT_DATAERR, r"large|65536|too")
        self.bad(["app_opened", "--props=" + big], EXIT_DATAERR, r"large|65536|too")

    def test_props_1mb_on_stdin(self):
        """A 1 MB --props, through `--props -` (stdin has no argv limit)."""
        big = ('{"version":"' + "a" * (1 << 20) + '"}').encode()
        self.bad(["app_opened", "--props", "-"], EXIT_DATAERR, r"too large", input=big)
        self.bad(["app_opened", "--props", "-"], EXIT_DATAERR, r"NUL", input=b'{"version":"a\x00b"}')
        self.bad(["app_opened", "--props", "-"], EXIT_DATAERR, r"JSON", input=b"[1]")

    def test_props_on_stdin_accepted(self):
        self.ja("capture", "app_opened", "--props", "-", rc=0,
                input=b'{"version":"0.1.0","platform":"cli"}\n')
        rows = self.pending()
        self.assertEqual(json.loads(rows[-1]["properties"]), {"version": "0.1.0", "platform": "cli"})

    def test_props_size_limit_edge(self):
        def props_of(n):
            head, tail = '{"zz_big":"', '"}'   # an unknown name: redaction sees it first
            return head + "b" * (n - len(head) - len(tail)) + tail
        self.assertEqual(len(props_of(65536)), 65536)
        before = self.drops()
        self.capture("app_opened", props_of(65536), rc=0)         # accepted: too_long drop
        self.assertDropDelta(before, self.drops(), too_long=1)
        self.bad(["app_opened", "--props", props_of(65537)], EXIT_DATAERR, r"large|65536|too")

    def test_invalid_utf8_in_props(self):
        for raw in (b'{"version":"\xff\xfe"}', b'{"version":"caf\xc3"}',
                    b'{"version":"\xc0\xaf"}',            # overlong "/"
                    b'{"version":"\xed\xa0\x80"}',        # UTF-16 surrogate
                    b'{"\xff":"0.1.0"}'):
            with self.subTest(raw=raw):
                self.bad([b"app_opened", b"--props", raw], EXIT_DATAERR, r"UTF-8")

    def test_lone_surrogate_escape_in_props(self):
        self.bad(["app_opened", "--props", '{"version":"\\ud800"}'], EXIT_DATAERR)

    def test_nul_escape_in_value_is_not_silently_truncated(self):
        """"a\\u0000b…" cannot be held in a C string: refuse it (65) or drop
        it — never store the value cut at the NUL as if it were the input."""
        snap = self.snapshot()
        res = self.capture("app_opened",
                           '{"version":"0.1.0\\u0000zz-after-nul","platform":"cli"}', rc=None)
        rows = self.pending()
        if res.rc == 0:
            stored = json.loads(rows[-1]["properties"])
            self.assertNotIn("version", stored, "value truncated at NUL and stored: %r" % stored)
        else:
            self.assertOneErrorLine(res, EXIT_DATAERR)
            self.assertEqual(self.snapshot(), snap)

    def test_deeply_nested_json_does_not_crash(self):
        """30000 levels of nesting (60 kB): refused (cJSON's nesting limit)
        — in any case no crash and no ASan report (checked by jatest)."""
        deep = '{"version":' + "[" * 30000 + "]" * 30000 + "}"
        self.bad(["app_opened", "--props", deep], EXIT_DATAERR, r"JSON")
        # Deep but within the limit: a composite value, dropped by policy.
        before = self.drops()
        nested = '{"platform":"cli","version":' + '{"a":' * 500 + "1" + "}" * 500 + "}"
        self.capture("app_opened", nested, rc=0)
        self.assertDropDelta(before, self.drops(), composite=1)
        self.assertEqual(json.loads(self.pending()[-1]["properties"]), {"platform": "cli"})

    # ---- event name

    def test_invalid_utf8_event_name(self):
        self.bad([b"app_opened\xff"], EXIT_DATAERR, r"UTF-8")
        self.bad([b"\xe6\x97", b"--props", b"{}"], EXIT_DATAERR, r"UTF-8")

    def test_event_name_with_control_characters(self):
        for name in ("app\x01opened", "app_opened\n", "app\topened", "app_opened\x7f",
                     "app\u0085opened", "\x1b[31mapp_opened"):
            with self.subTest(name=name):
                line = self.bad([name], EXIT_DATAERR, r"control")
                self.assertNotIn("\x1b", line)

    def test_empty_event_name(self):
        self.bad([""], EXIT_DATAERR, r"empty|event")

    # ---- command line

    def test_unknown_flag(self):
        self.bad(["app_opened", "--bogus"], EXIT_USAGE, r"--bogus")
        self.bad(["app_opened", "-x"], EXIT_USAGE, r"-x")
        self.bad(["app_opened", "--markdown"], EXIT_USAGE, r"--markdown")   # not a capture option
        self.bad(["app_opened", "--strict=yes"], EXIT_USAGE, r"strict")

    def test_missing_event(self):
        self.bad([], EXIT_USAGE, r"EVENT|missing")
        self.bad(["--props", "{}"], EXIT_USAGE, r"EVENT|missing")

    def test_missing_props_argument(self):
        self.bad(["app_opened", "--props"], EXIT_USAGE, r"--props")

    def test_extra_argument(self):
        self.bad(["app_opened", "feature_used"], EXIT_USAGE, r"feature_used|argument")

    def test_malformed_input_on_fresh_home_stores_nothing(self):
        home = os.path.join(self.root, "fresh")
        res = self.ja("capture", "app_opened", "--props", "[]", home=home)
        self.assertOneErrorLine(res, EXIT_DATAERR, "capture", r"object")
        self.assertFalse(os.path.exists(os.path.join(home, "anon_id")))
        db = os.path.join(home, "analytics_queue.db")
        if os.path.exists(db):
            self.assertEqual(self.pending(db), [])
            self.assertEqual(self.drops_view(db), [])


class Home(JATestCase):
    """OPENJARVIS_HOME that cannot be created or used (tests run as root,
    where permission bits do not stop writes: use paths that cannot exist)."""

    def test_home_parent_missing_73(self):
        home = os.path.join(self.root, "missing", "home")
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD), home=home)
        self.assertOneErrorLine(res, EXIT_CANTCREAT, "capture", r"missing")
        self.assertFalse(os.path.exists(os.path.join(self.root, "missing")))

    @unittest.skipIf(os.geteuid() == 0, "root writes through permission bits")
    def test_read_only_home_73(self):
        os.mkdir(self.home, 0o500)
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD))
        self.assertOneErrorLine(res, EXIT_CANTCREAT, "capture")
        self.assertEqual(os.listdir(self.home), [])

    def test_home_under_a_regular_file_73(self):
        """<tmp>/afile/home: mkdir fails with ENOTDIR → exit 73, one line.
        (Analytics must not silently count as 'off' here: no config.toml can
        exist under a file, so nobody opted out.)"""
        afile = os.path.join(self.root, "afile")
        with open(afile, "w") as f:
            f.write("not a directory\n")
        home = os.path.join(afile, "home")
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD), "--verbose", home=home)
        self.assertOneErrorLine(res, EXIT_CANTCREAT, "capture", r"afile")
        self.assertEqual(read_bytes(afile), b"not a directory\n")

    def test_home_is_a_regular_file(self):
        afile = os.path.join(self.root, "afile")
        with open(afile, "w") as f:
            f.write("x\n")
        res = self.ja("capture", "app_opened", home=afile)
        self.assertNotEqual(res.rc, 0, "capture into a home that is a file succeeded: %r" % res)
        self.assertOneErrorLine(res, res.rc, "capture", r"afile")
        self.assertEqual(read_bytes(afile), b"x\n")

    def test_corrupt_queue_74_for_readers_then_moved_aside_by_capture(self):
        os.mkdir(self.home, 0o700)
        garbage = bytes(range(256)) * 32
        with open(self.db, "wb") as f:
            f.write(garbage)
        # Readers report it and leave it as it is …
        res = self.ja("status")
        self.assertOneErrorLine(res, EXIT_IOERR, "status", r"analytics_queue\.db")
        res = self.ja("show")
        self.assertOneErrorLine(res, EXIT_IOERR, "show", r"analytics_queue\.db")
        self.assertEqual(read_bytes(self.db), garbage, "the corrupt file was modified")
        # … a capture moves it aside, starts afresh and stores the event.
        self.ja("capture", "app_opened", "--props", json.dumps(GOOD), rc=0)
        aside = [n for n in os.listdir(self.home) if n.startswith(DB_NAME + ".corrupt-")]
        self.assertEqual(len(aside), 1, os.listdir(self.home))
        self.assertEqual(read_bytes(os.path.join(self.home, aside[0])), garbage)
        self.assertEqual(len(self.pending()), 1)

    def test_truncated_sqlite_header_moved_aside(self):
        os.mkdir(self.home, 0o700)
        with open(self.db, "wb") as f:
            f.write(b"SQLite format 3\x00" + b"\xff" * 84)
        res = self.ja("status")
        self.assertOneErrorLine(res, EXIT_IOERR, "status")
        self.ja("capture", "app_opened", rc=0)
        self.assertEqual(len(self.pending()), 1)

if __name__ == "__main__":
    unittest.main()
