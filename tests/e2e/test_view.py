"""End-to-end: `jarvis-analytics view` writes one self-contained HTML page
from the same report model as `status`. Headless Chromium (Debian's
chromium) loads it: a screenshot is kept in the build folder
(view-screenshot.png) and the numbers of the rendered DOM must equal those
of `status --json` and `view --json`. The page must reference nothing
outside itself, and stored text — a hand-edited row can hold markup — must
come out as text."""

import html.parser
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from jatest import BUILD_DIR, JATestCase, now_ms, sqlite_json

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio"]
HOSTILE = "<script>document.title='pwned'</script><img src=http://127.0.0.1:9/x onerror=alert(1)>"


def chromium(*args):
    """Run headless Chromium with a fresh profile; its stdout. A generous
    timeout: a loaded machine starts it slowly, and nothing here is timed."""
    exe = shutil.which("chromium")
    if exe is None:
        if os.environ.get("CI"):
            raise AssertionError("chromium is not installed (tools/deps.sh installs it)")
        raise unittest.SkipTest("chromium is not installed (tools/deps.sh installs it)")
    profile = tempfile.mkdtemp(prefix="ja-chromium-")
    try:
        res = subprocess.run([exe, *FLAGS, "--user-data-dir=" + profile, *args],
                             capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if res.returncode != 0:
        raise AssertionError("chromium failed (%d): %s" % (res.returncode, res.stderr[-2000:]))
    return res.stdout


class Elements(html.parser.HTMLParser):
    """Every tag, attribute and data-k value of a page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.values, self.text = [], [], {}, []
        self._key = None
        self._rows = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        a = dict(attrs)
        if "data-day" in a:
            self._rows.append({"day": a["data-day"]})
        if "data-k" in a:
            self._key = a["data-k"]

    def handle_endtag(self, tag):
        self._key = None

    def handle_data(self, data):
        self.text.append(data)
        if self._key:
            if self._rows and self._key in ("pending", "sent", "sessions", "turns", "tokens"):
                self._rows[-1][self._key] = int(data)
            else:
                self.values[self._key] = data
            self._key = None

    def rows(self):
        return self._rows


def parse(text):
    p = Elements()
    p.feed(text)
    return p


class View(JATestCase):

    def make_store(self):
        self.capture("app_opened", {"version": "0.1.0", "platform": "cli"})
        self.capture("feature_used", {"feature_name": "voice"})
        self.capture("feature_used", {"feature_name": "x@example.com"})   # pii
        self.capture("zz_not_an_event")                                   # unknown_event
        for s, n in (("a", 3), ("b", 2)):
            for t in range(n):
                self.ja("session", "inference", s, "--tokens-in", "10", "--tokens-out", "5",
                        "--latency-ms", str(40 * (t + 1)), "--at",
                        "2026-03-01T10:0%d:00Z" % t, rc=0)
            self.ja("session", "end", s, "--at", "2026-03-01T10:09:00Z", rc=0)
        self.ja("rollup", "--now", "2026-03-01T10:20:00Z", rc=0)
        self.ja("session", "inference", "c", "--tokens-in", "1", "--tokens-out", "1",
                "--latency-ms", "9", rc=0)                                 # stays open
        sent = now_ms() - 86400000
        sqlite_json(self.db,
                    "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
                    "SELECT uuid, event, properties, timestamp, %d FROM events "
                    "WHERE event = 'chat_session_ended' "
                    "ORDER BY json_extract(properties, '$.turn_count') DESC LIMIT 1; "
                    "UPDATE upload_state SET last_attempt_ms = %d, last_success_ms = %d, "
                    "next_attempt_ms = %d, last_status = 503, last_error = 'server' WHERE id = 1"
                    % (sent, sent + 1000, sent, sent + 60000))

    def page(self, *extra):
        out = os.path.join(self.root, "report.html")
        res = self.ja("view", "--output", out, *extra, rc=0)
        self.assertEqual(res.out, "wrote %s (open it in a browser: it loads nothing)\n" % out)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out, encoding="utf-8") as f:
            return out, f.read()

    def test_rendered_numbers_equal_status_json(self):
        self.make_store()
        path, text = self.page()
        st = self.status()
        history = self.ja("view", "--json", rc=0).json()["history"]
        dom = parse(chromium("--virtual-time-budget=2000", "--dump-dom", "file://" + path))
        v = dom.values
        self.assertEqual(v["enabled"], "on")
        self.assertEqual(int(v["queue.pending"]), st["queue"]["pending"])
        self.assertEqual(int(v["queue.leased"]), st["queue"]["leased"])
        self.assertEqual(int(v["sent.count"]), st["sent"]["count"])
        self.assertEqual(int(v["sent.count"]), 1)
        self.assertEqual(int(v["drops.total"]), sum(st["drops"].values()))
        for reason, n in st["drops"].items():
            if n:
                self.assertEqual(int(v["drops." + reason]), n, reason)
        self.assertEqual(int(v["rollup.open_sessions"]), st["rollup"]["open_sessions"])
        self.assertEqual(int(v["rollup.open_sessions"]), 1)
        self.assertEqual(int(v["rollup.days_waiting"]), st["rollup"]["days_waiting"])
        for key in ("last_attempt_at", "last_success_at", "next_attempt_at"):
            self.assertEqual(v["upload." + key].replace(" UTC", ""),
                             st["upload"][key][:19].replace("T", " "), key)
        # the per-day tables: the same numbers as view --json, and they add up
        by_day = {}
        for row in dom.rows():
            by_day.setdefault(row["day"], {}).update(row)
        for d in history["days"]:
            row = by_day.get(d["day"], {})
            for k in ("pending", "sent", "sessions", "turns", "tokens"):
                if d[k]:
                    self.assertEqual(row.get(k), d[k], (d["day"], k))
        self.assertEqual(sum(d["pending"] for d in history["days"]), st["queue"]["pending"])
        self.assertEqual(sum(d["sent"] for d in history["days"]), st["sent"]["count"])
        march = by_day["2026-03-01"]
        # sessions a (3 turns) and b (2), a sent as well as queued
        self.assertEqual((march["sessions"], march["turns"], march["tokens"]), (3, 8, 120))
        # a screenshot of this run, kept in the build folder for people
        shot = os.path.join(BUILD_DIR, "view-screenshot.png")
        chromium("--window-size=1000,3400", "--screenshot=" + shot, "file://" + path)
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_self_contained_and_stored_text_escaped(self):
        self.make_store()
        sqlite_json(self.db,
                    "INSERT INTO store_events (at_ms, kind, detail) VALUES (%d, 'corrupt_moved', "
                    "'%s'); INSERT INTO drop_counts VALUES ('%s', 2, %d); "
                    "INSERT INTO drop_day VALUES (%d, '%s', 2); "
                    "UPDATE rollup_session SET session = '\"><script>x()</script>'"
                    % (now_ms(), HOSTILE.replace("'", "''"), HOSTILE.replace("'", "''"), now_ms(),
                       now_ms() // 86400000, HOSTILE.replace("'", "''")))
        path, text = self.page()
        page = parse(text)
        allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "b",
                   "code", "time", "section", "dl", "div", "dt", "dd", "table", "tr", "th", "td",
                   "span", "svg", "line", "text", "rect", "ul", "li"}
        self.assertEqual(set(page.tags) - allowed, set())
        for tag, attr, value in page.attrs:
            self.assertNotIn(attr, ("src", "href", "srcset", "action", "formaction", "background",
                                    "poster", "data", "style"), (tag, attr, value))
            self.assertFalse(attr.startswith("on"), (tag, attr))
            if attr == "xmlns":
                self.assertEqual(value, "http://www.w3.org/2000/svg")
        style = text.split("<style>", 1)[1].split("</style>", 1)[0]
        for bad in ("url(", "@import", "@font-face", "http"):
            self.assertNotIn(bad, style)
        self.assertEqual(text.count("<script"), 0)
        self.assertIn("default-src &#39;none&#39;".replace("&#39;", "'"), text)
        # what Chromium makes of it: the hostile text is text, nothing ran
        dom = chromium("--virtual-time-budget=2000", "--dump-dom", "file://" + path)
        self.assertNotIn("<script", dom)
        self.assertNotIn("<img", dom)
        self.assertIn("&lt;script&gt;document.title='pwned'&lt;/script&gt;", dom)
        self.assertIn("<title>jarvis-analytics: what was collected</title>", dom)
        self.assertEqual(parse(dom).values["drops." + HOSTILE], "2")

    def test_json_and_stdout_and_no_queue(self):
        res = self.ja("view", "--output", "-", rc=0)
        self.assertTrue(res.out.startswith("<!DOCTYPE html>"))
        self.assertIn("No queue has been created yet.", res.out)
        self.assertFalse(os.path.lexists(self.home))
        doc = self.ja("view", "--json", rc=0).json()
        self.assertEqual(doc["history"], {"days": [], "days_left_out": 0, "drops_by_day": None,
                                          "open_sessions": []})
        status = self.status()
        self.assertEqual({k: v for k, v in doc.items() if k != "history"}.keys(), status.keys())

    def test_unwritable_output(self):
        self.make_store()
        res = self.ja("view", "--output", os.path.join(self.root, "no", "such", "dir", "r.html"))
        self.assertOneErrorLine(res, 73, "view", r"cannot write")


if __name__ == "__main__":
    unittest.main()
