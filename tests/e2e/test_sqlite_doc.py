"""End-to-end: every query of docs/sqlite.md (the sqlite3 cookbook) runs
with the sqlite3 program against a real store — made by the CLI: captures,
drops, open and closed chat sessions, rolled-up days, a sent log — and
returns at least one row with exactly the columns its `-- columns:` line
names. A query added to the page without that line fails."""

import csv
import io
import os
import re
import subprocess
import unittest

from jatest import JATestCase, PROC_TIMEOUT, SOURCE_DIR, now_ms, sqlite_json

DOC = os.path.join(SOURCE_DIR, "docs", "sqlite.md")


def blocks():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"^```sql\n(.*?)^```$", text, re.S | re.M)


class Cookbook(JATestCase):

    def make_store(self):
        self.capture("app_opened", {"version": "0.1.0", "platform": "cli"})
        self.capture("app_opened", {"version": "0.1.0", "platform": "macos"})
        self.capture("feature_used", {"feature_name": "x@example.com"})   # pii
        self.capture("zz_not_an_event")                                   # unknown_event
        day = "2026-03-01"
        for s, turns in (("a", 2), ("b", 3)):
            for t in range(turns):
                self.ja("session", "inference", s, "--tokens-in", "10", "--tokens-out", "20",
                        "--latency-ms", str(100 * (t + 1)), "--at", "%sT10:0%d:00Z" % (day, t),
                        rc=0)
            self.ja("session", "end", s, "--at", "%sT10:09:00Z" % day, rc=0)
        self.ja("session", "tool", "c", "--tool", "shell", "--at", "2026-03-02T09:00:00Z", rc=0)
        self.ja("session", "inference", "d", "--tokens-in", "1", "--tokens-out", "1",
                "--latency-ms", "5", "--at", "2026-03-02T08:00:00Z", rc=0)
        self.ja("session", "end", "d", "--at", "2026-03-02T08:01:00Z", rc=0)
        # March 1 is summed up; March 2 waits for its summary; c stays open
        self.ja("rollup", "--now", "2026-03-02T08:30:00Z", rc=0)
        self.ja("session", "tool", "c", "--tool", "shell", "--at", "2026-03-02T08:29:00Z", rc=0)
        # what an uploader would have left: a sent log, its state, a store event
        sent = now_ms() - 3600000
        sqlite_json(self.db,
                    "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
                    "SELECT uuid, event, properties, timestamp, %d FROM events "
                    "WHERE event = 'chat_session_ended' LIMIT 1; "
                    "UPDATE upload_state SET last_attempt_ms = %d, last_success_ms = %d, "
                    "last_status = 200 WHERE id = 1; "
                    "INSERT INTO store_events (at_ms, kind, detail) VALUES (%d, 'corrupt_moved', "
                    "'a test row')" % (sent, sent, sent, sent))

    def test_every_query_returns_its_columns(self):
        self.make_store()
        queries = blocks()
        self.assertGreaterEqual(len(queries), 15)
        for sql in queries:
            with self.subTest(sql=sql.splitlines()[0]):
                m = re.match(r"-- columns: (.*)\n", sql)
                self.assertTrue(m, "no '-- columns:' line:\n%s" % sql)
                want = [c.strip() for c in m.group(1).split(",")]
                res = subprocess.run(["sqlite3", "-readonly", "-header", "-csv", self.db],
                                     input=sql, capture_output=True, text=True, timeout=PROC_TIMEOUT)
                self.assertEqual((res.returncode, res.stderr), (0, ""), sql)
                rows = list(csv.reader(io.StringIO(res.stdout)))
                self.assertGreaterEqual(len(rows), 2, "no rows:\n%s" % sql)
                self.assertEqual(rows[0], want, sql)

    def test_views_say_what_the_cli_says(self):
        """The rollup views agree with status --json."""
        self.make_store()
        st = self.status()
        opened = sqlite_json(self.db, "SELECT * FROM rollup_open")
        self.assertEqual(len(opened), st["rollup"]["open_sessions"])
        self.assertEqual(opened[0]["last_at"], "2026-03-02T09:00:00Z")
        self.assertEqual(opened[0]["turns"], 0)
        days = sqlite_json(self.db, "SELECT day, state, sessions FROM rollup_days")
        self.assertEqual(days, [{"day": "2026-03-02", "state": "waiting", "sessions": 1},
                                {"day": "2026-03-01", "state": "done", "sessions": None}])
        self.assertEqual((st["rollup"]["days_waiting"], st["rollup"]["days_done"]), (1, 1))
        by_day = sqlite_json(self.db, "SELECT reason, sum(count) AS n FROM drops_by_day "
                                      "GROUP BY reason ORDER BY reason")
        self.assertEqual(by_day, [{"reason": "pii", "n": 1}, {"reason": "unknown_event", "n": 1}])
        self.assertEqual([r["name"] for r in sqlite_json(self.db, "SELECT * FROM first_uses")],
                         ["", "shell"])


if __name__ == "__main__":
    unittest.main()
