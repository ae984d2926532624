"""Rollup bounds end to end: no input stalls the pipeline. A latency past
its bound (1e306 ms) and a signal time ahead of the clock are refused at
entry; a stored value out of bounds (a hand edit, an older build) is left
out of its session, counted, and the session closes — never a rollup that
fails forever; and one session of 60 000 tools is rolled up in short
transactions while another process captures, with no capture dropped as
busy."""

import json
import os
import subprocess
import time
import unittest

from jatest import (CLI, EXIT_DATAERR, JATestCase, check_sanitizers, clean_env, now_ms,
                    seed_split_session, sqlite_json)

EXIT_TEMPFAIL = 75

INF = ["--tokens-in", "3", "--tokens-out", "4"]


def iso(ms):
    t = time.gmtime(ms // 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03dZ" % (ms % 1000)


class Bounds(JATestCase):

    def ended(self):
        if not os.path.exists(self.db):
            return []
        return [json.loads(r["properties"]) for r in sqlite_json(
            self.db, "SELECT properties FROM events WHERE event = 'chat_session_ended' "
                     "ORDER BY id")]

    def signals(self):
        return sqlite_json(self.db, "SELECT count(*) AS n FROM rollup_signal")[0]["n"]

    def test_1e306_latency_is_refused_and_the_neighbours_roll_up(self):
        self.ja("session", "inference", "a", *INF, "--latency-ms", "100", rc=0)
        for bad in ("1e306", "86400000.5"):
            with self.subTest(latency=bad):
                res = self.ja("session", "inference", "b", *INF, "--latency-ms", bad)
                self.assertOneErrorLine(res, EXIT_DATAERR, command="session inference",
                                        mentions="latency")
        # The bound itself is taken.
        self.ja("session", "inference", "c", *INF, "--latency-ms", "86400000", rc=0)
        for s in ("a", "b", "c"):
            self.ja("session", "end", s, rc=0)
        self.ja("rollup", rc=0)
        got = sorted(p["latency_ms_p50"] for p in self.ended())
        self.assertEqual(got, [100, 86400000])
        self.assertEqual(self.signals(), 0)

    def test_stored_values_out_of_bounds_close_with_what_is_valid(self):
        # As an older build (or sqlite3) could have stored them.
        t = now_ms() - 3600 * 1000
        for i, lat in enumerate((10, 20, 30)):
            self.ja("session", "inference", "poisoned", *INF, "--latency-ms", str(lat),
                    "--at", iso(t + i), rc=0)
        self.ja("session", "inference", "neighbour", *INF, "--latency-ms", "5",
                "--at", iso(t), rc=0)
        sqlite_json(self.db, "UPDATE rollup_signal SET latency_ms = 1e306 WHERE latency_ms = 20; "
                             "UPDATE rollup_signal SET latency_ms = 9e999 WHERE latency_ms = 30")
        self.ja("rollup", rc=0)
        ended = sorted(self.ended(), key=lambda p: p["turn_count"])
        self.assertEqual([p["turn_count"] for p in ended], [1, 1])
        self.assertEqual(sorted(p["latency_ms_p95"] for p in ended), [5, 10])
        drops = self.drops()
        self.assertEqual((drops["invalid_value"], drops["not_finite"]), (1, 1))
        # Closed for good: nothing left to retry.
        self.assertEqual(self.signals(), 0)
        self.ja("rollup", rc=0)
        self.assertEqual(len(self.ended()), 2)

    def test_times_ahead_of_the_clock_are_refused(self):
        ahead = iso(now_ms() + 3600 * 1000)
        for args in (["session", "inference", "s", *INF, "--latency-ms", "1"],
                     ["session", "tool", "s", "--tool", "shell"],
                     ["session", "error", "s"], ["session", "end", "s"]):
            with self.subTest(args=args):
                res = self.ja(*args, "--at", ahead)
                self.assertOneErrorLine(res, EXIT_DATAERR, command=" ".join(args[:2]),
                                        mentions="ahead of the clock")
        self.assertFalse(os.path.exists(self.db) and self.signals())
        # A minute ahead is two clocks a moment apart: taken.
        self.ja("session", "end", "s", "--at", iso(now_ms() + 60 * 1000), rc=0)
        self.assertEqual(self.signals(), 1)

    def test_60000_tools_roll_up_while_another_process_captures(self):
        # The session is seeded straight into the tables (60 000 signals
        # one by one would be 60 000 fsyncs), as signals.c stores them.
        self.capture("app_opened", {"version": "1.0.0", "platform": "cli"})
        t = now_ms() - 3600 * 1000
        # 60 000 tools, and an inference at the start of each part of
        # 16 384 signals (a part without one, like a session without one,
        # queues nothing).
        n = 60004
        sqlite_json(self.db, """
            INSERT INTO rollup_session (no, session, first_ms, last_ms, ended_ms)
              VALUES (1, '00000000000000aa', %(t)d, %(last)d, %(last)d);
            INSERT INTO rollup_session_key (session, no) VALUES ('00000000000000aa', 1);
            WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < %(n)d)
            INSERT INTO rollup_signal (no, seq, kind, at_ms, tokens_in, tokens_out, latency_ms,
                                       name, engine)
              SELECT 1, k, 2, %(t)d + k, NULL, NULL, NULL, printf('%%016x', k %% 50000), NULL
              FROM i WHERE (k - 1) %% 16384 <> 0
              UNION ALL
              SELECT 1, k, 1, %(t)d + k, 7, 8, 42.0, 'ffffffffffffffff', 'ollama'
              FROM i WHERE (k - 1) %% 16384 = 0;
        """ % {"t": t, "last": t + n, "n": n})
        # The other process: captures until told to stop, after saying it
        # has begun (a barrier, not a guess at timing). It opens with
        # OPEN_SYNC, so each capture waits for its own commit: through the
        # background writer, captures that return at once fill groups of
        # 256 that wait for the lock as one, and on a loaded machine one
        # such group could wait past the timeout below and be dropped as
        # busy (seen in 3 of 12 parallel runs) — a statement about the
        # writer's groups under contention, not about the rollup's
        # transactions, which is what this test checks. Each capture waits
        # for the lock at most 2 s: a rollup transaction takes ~ 25 ms of
        # CPU (the quadratic count held the lock for 7-10 s of CPU), and a
        # loaded machine (ctest -j on 2 shared cores) can stretch 25 ms of
        # CPU past the default 250 ms of wall time, which would make this
        # test a bet on the machine's load.
        ready, done = os.path.join(self.root, "ready"), os.path.join(self.root, "done")
        proc = self.py_start("""
import os
n = 0
while not os.path.exists(%r):
    o = store.capture("app_opened", {"version": "1.0.%%d" %% n, "platform": "cli"})
    assert o.stored, o
    n += 1
    if n == 1:
        open(%r, "w").close()
print(n)
""" % (done, ready), busy_timeout_ms=2000, sync=True)
        while not os.path.exists(ready):
            self.assertIsNone(proc.poll(), "the capturing process ended early")
            time.sleep(0.01)
        # The rollup waits at most 250 ms for each lock, and the other
        # process captures back to back: on a loaded machine it may exit 75
        # (store busy, try later) with some parts committed; the next one
        # goes on, as the timer's next run would.
        for _ in range(100):
            roll = subprocess.run([CLI, "rollup", "--verbose"], env=clean_env(self.home),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
            if roll.returncode != EXIT_TEMPFAIL:
                break
        open(done, "w").close()
        out, err = proc.communicate(timeout=300)
        check_sanitizers(err.decode(), "the capturing process")
        check_sanitizers(roll.stderr.decode(), "rollup")
        self.assertEqual(roll.returncode, 0, roll.stderr)
        self.assertEqual(proc.returncode, 0, err.decode())
        captured = int(out.decode().strip())
        self.assertGreater(captured, 0)
        self.assertEqual(self.drops()["busy"], 0)
        stored = sqlite_json(self.db, "SELECT count(*) AS n FROM events WHERE event = "
                                      "'app_opened'")[0]["n"]
        self.assertEqual(stored, captured + 1)
        # In parts of at most 16 384 signals, one chat_session_ended each.
        parts = self.ended()
        self.assertEqual([p["tool_count"] for p in parts], [16383, 16383, 16383, 10851])
        self.assertEqual([p["unique_tools"] for p in parts], [16383, 16383, 16383, 10851])
        self.assertEqual([p["turn_count"] for p in parts], [1, 1, 1, 1])
        self.assertEqual(self.signals(), 0)
        self.assertEqual(sqlite_json(self.db, "SELECT count(*) AS n FROM rollup_session")[0]["n"], 0)

    def test_rollup_says_which_sessions_were_closed_in_parts(self):
        # A session over 16 384 signals becomes one chat_session_ended per
        # part with an inference, which nobody reading the events can tell
        # from separate sessions: --json and --verbose say so.
        self.capture("app_opened", {"version": "1.0.0", "platform": "cli"})
        t = now_ms() - 3600 * 1000
        n = 2 * 16384 + 100
        self.ja("session", "inference", "small", *INF, "--latency-ms", "5", rc=0)
        self.ja("session", "end", "small", rc=0)
        seed_split_session(self.db, 1000, t, n)
        doc = self.ja("rollup", "--json", rc=0).json()
        self.assertEqual(doc["closed_in_parts"], 1)
        self.assertEqual(doc["sessions_in_parts"], [{"parts": 3, "signals": n, "events": 2}])
        self.assertEqual(len(self.ended()), 3)  # "small" and two of the three parts
        # A run without one says nothing of parts.
        doc = self.ja("rollup", "--json", rc=0).json()
        self.assertEqual((doc["closed_in_parts"], doc["sessions_in_parts"]), (0, []))
        self.assertEqual(self.ja("rollup", "--verbose", rc=0).out, "queued 0 events\n")
        seed_split_session(self.db, 2000, t, n)
        out = self.ja("rollup", "--verbose", rc=0).out.splitlines()
        self.assertEqual(out[1:], ["a session of %d signals was closed in 3 parts: "
                                   "2 chat_session_ended events, one per part with an "
                                   "inference" % n])
        self.assertEqual(self.signals(), 0)

if __name__ == "__main__":
    unittest.main()
