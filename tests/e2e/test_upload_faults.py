"""End-to-end: jarvis-analytics-upload under concurrency and crashes,
against the real sink — two uploaders draining 5 000 events at once (each
uuid arrives once, no two requests share one), and an uploader killed
with SIGKILL mid-request 20 times, then rerun (every uuid arrives; a
duplicate only with identical uuid, timestamp and distinct_id)."""

import collections
import signal
import time
import unittest

from jatest import check_sanitizers
from uptest import KEY, UploadCase


class Parallel(UploadCase):

    def test_two_uploaders_on_5000_events_send_each_uuid_once(self):
        self.fill(5000)
        want = set(self.queued_uuids())
        self.assertEqual(len(want), 5000)
        sink = self.sink()
        procs = [self.spawn(sink, "--batch-size", 50, "--deadline", 240) for _ in range(2)]
        for p in procs:
            out, err = p.communicate(timeout=300)
            check_sanitizers(err.decode("utf-8", "replace"), "jarvis-analytics-upload")
            self.assertEqual(p.returncode, 0, err)
            self.assertNotIn(KEY.encode(), out + err)
        reqs = sink.requests()
        seen = collections.Counter(u for r in reqs for u in r["uuids"])
        # Every answer was 200, so a uuid in two requests would be a uuid
        # sent twice: none is, in flight at once or not.
        self.assertEqual(set(seen), want)
        self.assertEqual(max(seen.values()), 1)
        self.assertEqual(sorted(e["uuid"] for e in sink.events()), sorted(want))
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 5000)


class Killed(UploadCase):

    def wait_requests(self, sink, n, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(sink.requests()) >= n:
                return
            time.sleep(0.02)
        self.fail("the sink saw %d requests, not %d" % (len(sink.requests()), n))

    def test_sigkill_mid_request_20_times_then_rerun_delivers_everything(self):
        self.fill(200)
        before = {q[0]: q for q in self.queued()}
        sink = self.sink()
        expected = 0
        for i in range(20):
            # Half the kills happen after the sink stored a batch whose
            # answer never reached the uploader (its retry then hangs).
            if i % 2:
                sink.script([{"action": "accept_then_close"}, {"action": "hang"}])
                expected += 2
            else:
                sink.script([{"action": "hang"}])
                expected += 1
            p = self.spawn(sink, "--batch-size", 10, "--deadline", 120)
            self.wait_requests(sink, expected)
            p.send_signal(signal.SIGKILL)
            p.communicate(timeout=60)
            self.assertEqual(p.returncode, -signal.SIGKILL)
        self.assertEqual(set(self.queued_uuids()), set(before))  # nothing lost
        # The killed runs' leases expire; a later run takes everything.
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        self.up(sink, "--now", later, "--batch-size", 10, rc=0)
        events = sink.events()
        got = collections.defaultdict(set)
        for e in events:
            got[e["uuid"]].add((e["uuid"], e["timestamp"], e["distinct_id"], e["event"]))
        self.assertEqual(set(got), set(before))
        for u, versions in got.items():
            self.assertEqual(len(versions), 1, versions)  # duplicates are identical
            (v,) = versions
            self.assertEqual(v[:3], before[u])
        self.assertGreater(len(events), 200)  # the accepted-then-closed ones, twice
        self.assertEqual(self.queued(), [])


if __name__ == "__main__":
    unittest.main()
