"""End-to-end: `jarvis-analytics redact [--json] VALUE...`.

Each VALUE goes through ja__redact_string, the filter `capture` applies to
every string property value, and gets one verdict line, in order: `pass`,
`drop <kind>` for PII, `drop empty`, `drop too_long`. Checked here: the
output formats, usage errors (exit 64, one stderr line, nothing on stdout),
that the command is a pure function of its arguments (no home, no file, the
same with analytics off), and that it agrees with what `capture` really does.

Only verdicts that stay stable while the pattern table grows are asserted
literally (email, ipv4, home_path, and a few passes); everything else is
compared with `capture` rather than with a fixed answer.
"""

import json
import os
import re

from jatest import JATestCase, EXIT_USAGE

# (value, text verdict) pairs whose answers are part of the contract.
STABLE = (
    ("user@example.com", "drop email"),
    ("10.0.0.5", "drop ipv4"),
    ("/home/bob/x", "drop home_path"),
    ("0.4.2", "pass"),
    ("qwen3.5:2b", "pass"),
    ("x86_64", "pass"),
)
PII_VALUES = [v for v, verdict in STABLE if verdict != "pass"]
NON_ASCII = "héllo wörld ✓ 日本語"
TOO_LONG = "a" * 201

# Invalid UTF-8 (as argv bytes): stray byte, truncated sequence, overlong
# "/", a UTF-16 surrogate, a code point past U+10FFFF.
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80")

JSON_KEYS = {"value", "verdict", "reason", "kind"}

# The catalog's key shape (docs/design.md, The catalog): 1-64 ASCII letters, digits and
# `. _ - : /`, a letter somewhere, a letter or digit at each end, no two of
# `. - : /` in a row.
KEY_SHAPE = re.compile(r"\A(?=.*[A-Za-z])(?=.{1,64}\Z)[A-Za-z0-9](?:(?:[-.:/]?[A-Za-z0-9_])*"
                       r"[-.:/]?[A-Za-z0-9])?\Z")


def text_of(obj):
    """The text-mode line that a --json object stands for."""
    if obj["verdict"] == "pass":
        return "pass"
    return "drop " + (obj["kind"] if obj["reason"] == "pii" else obj["reason"])


class RedactCli(JATestCase):

    def redact(self, *values, rc=0, **kw):
        """redact VALUE… (after "--", so any value is a value)."""
        return self.ja("redact", "--", *values, rc=rc, **kw)

    def redact_json(self, *values, **kw):
        res = self.ja("redact", "--json", "--", *values, rc=0, **kw)
        self.assertEqual(res.err, "")
        return res.json()

    # ---- text output

    def test_several_values_in_order(self):
        values = [v for v, _ in STABLE]
        want = "".join(verdict + "\n" for _, verdict in STABLE)
        res = self.ja("redact", *values, rc=0)
        self.assertEqual(res.out, want)
        self.assertEqual(res.err, "")
        # Values are never echoed in text mode (they may be PII).
        for v in values:
            self.assertNotIn(v, res.out)
        # Order follows the arguments.
        res = self.ja("redact", *reversed(values), rc=0)
        self.assertEqual(res.out, "".join(verdict + "\n" for _, verdict in reversed(STABLE)))
        # The same value twice gets the same verdict twice; one value, one line.
        self.assertEqual(self.ja("redact", "user@example.com", "0.4.2", "user@example.com",
                                 rc=0).out, "drop email\npass\ndrop email\n")
        self.assertEqual(self.ja("redact", "x86_64", rc=0).out, "pass\n")

    def test_empty_and_too_long(self):
        res = self.ja("redact", "", TOO_LONG, "0.4.2", rc=0)
        self.assertEqual(res.out, "drop empty\ndrop too_long\npass\n")
        # The limit counts code points, not bytes: 201 two-byte ones are too
        # long, 200 are not (whatever else the patterns say about them).
        out = self.ja("redact", "é" * 201, "é" * 200, "a" * 200, rc=0).out.splitlines()
        self.assertEqual(out[0], "drop too_long")
        self.assertNotEqual(out[1], "drop too_long")
        self.assertNotEqual(out[2], "drop too_long")

    def test_values_that_look_like_options(self):
        """After "--" every argument is a VALUE, even "--json"; a lone "-" is
        always a value."""
        res = self.ja("redact", "-", "--", "--json", "-x", rc=0)
        self.assertEqual(len(res.out.splitlines()), 3, res)
        self.assertFalse(res.out.startswith("["), "--json after -- is a value: %r" % res)

    # ---- --json

    def test_json_shape_and_round_trip(self):
        values = ["user@example.com", "0.4.2", "", TOO_LONG, "10.0.0.5", NON_ASCII,
                  "tab\there", "quote\"back\\slash"]
        res = self.ja("redact", "--json", *values, rc=0)
        self.assertEqual(res.err, "")
        # Pretty-printed like the other --json outputs: several lines, one document.
        self.assertGreater(len(res.out.splitlines()), len(values))
        self.assertTrue(res.out.endswith("]\n"), res)
        doc = res.json()
        self.assertIsInstance(doc, list)
        self.assertEqual(len(doc), len(values))
        for obj, value in zip(doc, values):
            with self.subTest(value=value):
                self.assertEqual(set(obj), JSON_KEYS)
                self.assertEqual(obj["value"], value)          # round-trips, bytes and all
                self.assertIn(obj["verdict"], ("pass", "drop"))
                if obj["verdict"] == "pass":
                    self.assertIsNone(obj["reason"])
                    self.assertIsNone(obj["kind"])
                else:
                    self.assertIn(obj["reason"], ("pii", "empty", "too_long"))
                    if obj["reason"] == "pii":
                        self.assertRegex(obj["kind"], r"^[a-z][a-z0-9_]*$")
                    else:
                        self.assertIsNone(obj["kind"])
        self.assertEqual(doc[0], {"value": "user@example.com", "verdict": "drop",
                                  "reason": "pii", "kind": "email"})
        self.assertEqual(doc[1], {"value": "0.4.2", "verdict": "pass",
                                  "reason": None, "kind": None})
        self.assertEqual(doc[2], {"value": "", "verdict": "drop",
                                  "reason": "empty", "kind": None})
        self.assertEqual(doc[3], {"value": TOO_LONG, "verdict": "drop",
                                  "reason": "too_long", "kind": None})
        self.assertEqual(doc[4]["kind"], "ipv4")
        # The raw UTF-8 bytes are in the output as they came in.
        self.assertIn(NON_ASCII.encode("utf-8"), res.out_bytes)
        # --json and text say the same thing, and --json may come anywhere.
        text = self.ja("redact", "--", *values, rc=0).out
        self.assertEqual(text, "".join(text_of(o) + "\n" for o in doc))
        self.assertEqual(self.ja("redact", values[0], "--json", *values[1:], rc=0).json(), doc)

    # ---- usage errors

    def test_usage_errors_exit_64_with_one_line(self):
        for args in ([], ["--json"], ["--"], ["--bogus", "x"], ["x", "--bogus"],
                     ["x", "--props", "{}"], ["x", "--limit", "3"], ["x", "-j"],
                     ["x", "--json=1"]):
            with self.subTest(args=args):
                res = self.ja("redact", *args)
                self.assertOneErrorLine(res, EXIT_USAGE, "redact")
                self.assertEqual(res.out, "")
        self.assertFalse(os.path.lexists(self.home))

    def test_invalid_utf8_value_is_a_usage_error(self):
        for bad in INVALID_UTF8:
            for args, position in (([bad], 1), (["user@example.com", "0.4.2", bad], 3),
                                   (["--json", "user@example.com", bad, "x"], 2)):
                with self.subTest(args=args):
                    res = self.ja("redact", *args)
                    line = self.assertOneErrorLine(res, EXIT_USAGE, "redact", r"UTF-8")
                    # Nothing is printed for the values before the bad one;
                    # the message names the position, never a value.
                    self.assertEqual(res.out_bytes, b"")
                    self.assertIn("VALUE %d " % position, line)
                    self.assertNotIn("user@example.com", line)
                    self.assertNotIn(bad, res.err_bytes)
        self.assertFalse(os.path.lexists(self.home))

    def test_help(self):
        for args in (["--help"], ["-h"], ["user@example.com", "--help"], ["--json", "--help"]):
            with self.subTest(args=args):
                res = self.ja("redact", *args, rc=0)
                self.assertTrue(res.out.startswith("usage: jarvis-analytics redact [--json] VALUE...\n"),
                                res)
                self.assertIn("--json", res.out)
                self.assertEqual(res.err, "")
        self.assertRegex(self.ja("--help", rc=0).out, r"(?m)^  redact +\S")

    # ---- a pure function of its arguments

    def test_creates_nothing(self):
        runs = (["redact", "user@example.com", "0.4.2"], ["redact", "--json", "", TOO_LONG],
                ["redact"], ["redact", b"\xff"], ["redact", "--help"])
        for args in runs:
            self.ja(*args)
        # HOME is self.root and OPENJARVIS_HOME is self.root/home: nothing
        # at all appeared under either.
        self.assertEqual(os.listdir(self.root), [])
        os.mkdir(self.home, 0o700)
        for args in runs:
            self.ja(*args)
        self.assertEqual(os.listdir(self.home), [])
        # A home that could never be used (a regular file) does not matter:
        # the store is never opened.
        not_a_dir = os.path.join(self.root, "file-home")
        with open(not_a_dir, "w") as f:
            f.write("x")
        res = self.ja("redact", "user@example.com", "0.4.2", home=not_a_dir, rc=0)
        self.assertEqual(res.out, "drop email\npass\n")
        self.assertEqual(res.err, "")

    def test_same_output_when_analytics_is_off(self):
        values = [v for v, _ in STABLE] + ["", TOO_LONG, NON_ASCII]
        on_text = self.redact(*values)
        on_json = self.ja("redact", "--json", *values, rc=0)
        self.assertFalse(os.path.lexists(self.home))

        def same(res_text, res_json, why):
            self.assertEqual((res_text.rc, res_text.out, res_text.err),
                             (on_text.rc, on_text.out, on_text.err), why)
            self.assertEqual((res_json.rc, res_json.out, res_json.err),
                             (on_json.rc, on_json.out, on_json.err), why)

        for flag in ("1", "true"):
            env = {"DO_NOT_TRACK": flag}
            same(self.redact(*values, env=env),
                 self.ja("redact", "--json", *values, env=env), "DO_NOT_TRACK=" + flag)
        self.assertFalse(os.path.lexists(self.home))

        os.mkdir(self.home, 0o700)
        config = os.path.join(self.home, "config.toml")
        for text in ("[analytics]\nenabled = false\n", "[analytics]\nenabled = tru\n"):
            with open(config, "w") as f:
                f.write(text)
            same(self.redact(*values), self.ja("redact", "--json", *values), text)
            self.assertEqual(os.listdir(self.home), ["config.toml"])

    # ---- agreement with capture

    def test_agrees_with_capture(self):
        """redact says drop (reason R) ⇔ capture counts one R drop for V
        under an unknown property name (redaction runs before
        unknown_property) and one unknown_property drop when redact says
        pass. Under `setting_key` (a key: docs/design.md, The catalog) the shape comes
        first: a V outside it is counted as invalid_value whatever redact
        says; a V inside it gets redact's verdict — R and not stored, or
        stored as given."""
        values = [v for v, _ in STABLE] + [
            "", TOO_LONG, NON_ASCII, "first.last+filter@subdomain.example.co.uk",
            "192.168.001.042", "10.0.0.5:8080", "fe80::1ff:fe23:4567:890a", "12:30:45",
            "icon@2x.png", "llama3.1:8b", "v1.2.3.4", "theme.dark_mode", "user%40example.com",
            "password:hunter2", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "home/bob",
        ]
        self.capture("app_opened", {"version": "0.1.0"})   # the queue exists from here on
        verdicts = self.redact_json(*values)
        self.assertIn("pass", {o["verdict"] for o in verdicts})
        self.assertIn("pii", {o["reason"] for o in verdicts})
        shaped = {o["value"] for o in verdicts if KEY_SHAPE.match(o["value"])}
        self.assertIn("pii", {o["reason"] for o in verdicts if o["value"] in shaped})
        self.assertIn("pass", {o["verdict"] for o in verdicts if o["value"] in shaped})
        for obj in verdicts:
            value = obj["value"]
            with self.subTest(value=value[:40], verdict=text_of(obj)):
                before = self.drops()
                self.capture("settings_changed", {"zz_any_name": value}, rc=0)
                after = self.drops()
                self.assertDropDelta(before, after, **{obj["reason"] or "unknown_property": 1})
                before, rows_before = after, self.pending()
                self.capture("settings_changed", {"setting_key": value}, rc=0)
                after, rows = self.drops(), self.pending()
                self.assertEqual(rows[:-1], rows_before)
                self.assertEqual(len(rows), len(rows_before) + 1)
                self.assertEqual(rows[-1]["event"], "settings_changed")
                stored = json.loads(rows[-1]["properties"])
                if value not in shaped:
                    self.assertDropDelta(before, after, invalid_value=1)
                    self.assertEqual(stored, {})
                elif obj["verdict"] == "pass":
                    self.assertDropDelta(before, after)
                    self.assertEqual(stored, {"setting_key": value})
                else:
                    self.assertDropDelta(before, after, **{obj["reason"]: 1})
                    self.assertEqual(stored, {})
        # Every PII value of the contract was counted as pii by capture too.
        self.assertTrue(all(o["reason"] == "pii" for o in verdicts if o["value"] in PII_VALUES))
