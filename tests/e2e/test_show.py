"""End-to-end: `show` lists queued events newest first by timestamp — the
events a rollup makes are back-dated, so capture order is not time order —
and filters by --event and --since; the sent log most recently sent first.
Expected orders are computed here from the rows the sqlite3 program reads,
apart from the listing code."""

import unittest

from jatest import JATestCase, EXIT_USAGE, now_ms, parse_iso_ms, sqlite_json


class Show(JATestCase):

    def fill(self):
        """Captures now, then a rollup of two sessions of March 2026: its
        events are queued after the captures but carry older times."""
        self.capture("app_opened", {"version": "0.1.0", "platform": "cli"})
        self.capture("feature_used", {"feature_name": "voice"})
        for s, at in (("a", "2026-03-01T10:00:00Z"), ("b", "2026-03-02T09:00:00Z")):
            self.ja("session", "inference", s, "--tokens-in", "1", "--tokens-out", "2",
                    "--latency-ms", "5", "--at", at, rc=0)
            self.ja("session", "end", s, "--at", at, rc=0)
        self.ja("rollup", "--now", "2026-03-03T00:10:00Z", rc=0)
        self.capture("feature_used", {"feature_name": "chat"})

    def by_time(self, rows):
        """Newest first by timestamp, then by capture order (the queue's id)."""
        return [r["uuid"] for r in sorted(rows, key=lambda r: (parse_iso_ms(r["timestamp"]),
                                                                r["id"]), reverse=True)]

    def queued(self):
        return sqlite_json(self.db, "SELECT id, uuid, timestamp, event FROM events")

    def test_newest_first_by_timestamp(self):
        self.fill()
        rows = self.queued()
        made = [r for r in rows if r["event"] in ("chat_session_ended", "usage_daily_summary")]
        self.assertTrue(made and max(r["id"] for r in made) < max(r["id"] for r in rows))
        want = self.by_time(rows)
        self.assertNotEqual(want, [r["uuid"] for r in sorted(rows, key=lambda r: -r["id"])])
        self.assertEqual([r["uuid"] for r in self.ja("show", "--json", rc=0).json()], want)
        self.assertEqual([r["uuid"] for r in self.ja("show", "--json", "--limit", "3",
                                                      rc=0).json()], want[:3])
        text = self.ja("show", rc=0).out.splitlines()
        self.assertEqual([l.split()[-1] for l in text], want)

    def test_event_and_since(self):
        self.fill()
        rows = self.queued()
        got = self.ja("show", "--event", "chat_session_ended", "--json", rc=0).json()
        self.assertEqual([r["uuid"] for r in got],
                         self.by_time([r for r in rows if r["event"] == "chat_session_ended"]))
        self.assertEqual(len(got), 2)
        for since in ("2026-03-02T00:00:00Z", "2026-03-02"):
            with self.subTest(since=since):
                got = self.ja("show", "--since", since, "--json", rc=0).json()
                cut = parse_iso_ms("2026-03-02T00:00:00.000Z")
                self.assertEqual([r["uuid"] for r in got],
                                 self.by_time([r for r in rows
                                               if parse_iso_ms(r["timestamp"]) >= cut]))
        # an age: everything captured in the last hour, none of March
        recent = self.ja("show", "--since", "1h", "--json", rc=0).json()
        self.assertEqual(sorted(r["event"] for r in recent),
                         ["app_opened", "feature_used", "feature_used"])
        both = self.ja("show", "--since", "1h", "--event", "feature_used", rc=0).out
        self.assertEqual(len(both.splitlines()), 2)
        self.assertEqual(self.ja("show", "--event", "install_started", rc=0).out,
                         "(no pending events match)\n")

    def test_since_before_1970_is_since_the_beginning(self):
        # Nothing stored is older than 1970: such a bound keeps every row
        # (an error here would only make a person pick a later date).
        self.fill()
        every = self.ja("show", "--limit", "1000", "--json", rc=0).json()
        for since in ("1960-01-01", "1969-12-31T23:59:59Z", "100000d"):
            with self.subTest(since=since):
                self.assertEqual(self.ja("show", "--since", since, "--limit", "1000", "--json",
                                         rc=0).json(), every)

    def test_bad_since(self):
        for bad in ("yesterday", "5", "-3d", "2026-13-01", "3w", "1d2h", ""):
            with self.subTest(since=bad):
                res = self.ja("show", "--since", bad)
                self.assertOneErrorLine(res, EXIT_USAGE, "show", r"--since")

    def test_sent_since_and_event(self):
        base = now_ms() - 10 * 86400000
        values = ", ".join("('u%d', '%s', '{}', '2026-01-01T00:00:00.000Z', %d)"
                           % (i, "app_opened" if i % 2 else "feature_used", base + i * 86400000)
                           for i in range(6))
        self.capture("app_opened", {"version": "0.1.0"})
        sqlite_json(self.db, "INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) "
                             "VALUES " + values)
        got = self.ja("show", "--sent", "--since", "7d", "--json", rc=0).json()
        self.assertEqual([r["uuid"] for r in got], ["u5", "u4"])
        got = self.ja("show", "--sent", "--event", "app_opened", "--json", rc=0).json()
        self.assertEqual([r["uuid"] for r in got], ["u5", "u3", "u1"])
        self.assertEqual(sorted(got[0]), ["event", "properties", "sent_at", "timestamp", "uuid"])


if __name__ == "__main__":
    unittest.main()
