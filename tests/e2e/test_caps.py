"""End-to-end: the queue caps are configuration of the store
(`[analytics] max_events`, `max_age_days` in config.toml), so the CLI —
one process per capture — prunes to the same limits as an embedder that
keeps the store open, never to a default of its own (the caps are the
store's configuration, read from config.toml by every process)."""

import os
import sqlite3
import unittest

from jatest import JATestCase


class Caps(JATestCase):

    def write_config(self, body):
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write("[analytics]\n" + body)

    def test_cli_capture_honours_config_max_events(self):
        self.write_config("max_events = 3\n")
        for i in range(5):
            self.capture("feature_used", {"feature_name": "chat"})
        self.assertEqual(len(self.pending()), 3)
        self.assertEqual(self.drops()["queue_full"], 2)

    def test_cli_capture_keeps_a_larger_configured_queue(self):
        """A bug once: the CLI opened with the default max_events (10 000), so
        one `jarvis-analytics capture` cut a store an embedder keeps larger."""
        self.write_config("max_events = 12000\n")
        self.capture("feature_used", {"feature_name": "chat"})  # creates the store
        with sqlite3.connect(self.db) as con:
            con.execute(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 11000) "
                "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties) "
                "SELECT printf('00000000-0000-7000-8000-%012d', i), ts_ms, timestamp, distinct_id, "
                "event, properties FROM k, (SELECT * FROM events LIMIT 1)")
        con.close()
        self.capture("feature_used", {"feature_name": "voice"})
        st = self.status()
        self.assertEqual(st["queue"]["pending"], 11002)
        self.assertEqual(st["drops"]["queue_full"], 0)

    def test_wrong_cap_type_pauses_analytics_with_line(self):
        # A mistake, not an opt-out: paused (nothing stored, nothing deleted).
        self.write_config("enabled = true\nmax_age_days = \"30\"\n")
        res = self.capture("feature_used", {"feature_name": "chat"})
        self.assertEqual(res.rc, 0)
        st = self.status()
        self.assertFalse(st["enabled"])
        self.assertEqual(st["mode"], "paused")
        self.assertIn("config.toml:3: [analytics] 'max_age_days': expected an integer",
                      st["off_reason"])
        self.assertFalse(os.path.exists(self.db))


if __name__ == "__main__":
    unittest.main()
