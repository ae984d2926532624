"""End-to-end: jarvis-analytics-upload against the local sink
(tools/sink/sink.py) — the happy path and the body's documented shape,
every retryable answer, Retry-After in both forms, 413 halving, 400
bisection, 401/403, the deadline and the persisted backoff, a sink that is
down, opt-out, non-loopback http://, --dry-run. Each test starts its own
sink on 127.0.0.1 and stops it."""

import email.utils
import json
import os
import socket
import subprocess
import time
import unittest

from jatest import UUID_RE, ISO_MS_RE, now_ms, seed_split_session
from uptest import BACKOFF_MS, EXIT_CONFIG, EXIT_TEMPFAIL, KEY, UPLOAD, UploadCase

UPLOAD_PREFIX = "jarvis-analytics-upload: "


def free_port():
    """A loopback port nobody listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class HappyPath(UploadCase):

    def test_sink_holds_exactly_the_captured_uuids(self):
        self.fill(230)
        before = self.queued()
        sink = self.sink()
        self.up(sink, rc=0)
        events = sink.events()
        self.assertEqual(sorted(e["uuid"] for e in events), sorted(q[0] for q in before))
        self.assertEqual(len(events), 230)
        # The fields PostHog deduplicates on are byte-identical to the queue.
        got = {e["uuid"]: (e["uuid"], e["timestamp"], e["distinct_id"]) for e in events}
        for q in before:
            self.assertEqual(got[q[0]], q)
        self.assertEqual(self.queued(), [])
        sent = self.rows("SELECT uuid FROM sent")
        self.assertEqual(sorted(r["uuid"] for r in sent), sorted(q[0] for q in before))
        reqs = sink.requests()
        self.assertEqual([len(r["uuids"]) for r in reqs], [100, 100, 30])  # flush_at_size
        self.assertTrue(all(r["gzip"] and r["status"] == 200 for r in reqs))
        # One connection for the whole run.
        self.assertEqual(len({r["peer_port"] for r in reqs}), 1)
        self.assertTrue(all(r["user_agent"].startswith("jarvis-analytics/") for r in reqs))
        # Nothing left: a second run sends nothing and exits 0.
        self.up(sink, rc=0)
        self.assertEqual(len(sink.requests()), 3)

    def test_gzip_body_decodes_to_the_documented_shape(self):
        self.capture("app_opened", {"version": "0.1.0", "platform": "cli"})
        self.capture("feature_used", {"feature_name": "chat"})
        sink = self.sink()
        self.up(sink, rc=0)
        (req,) = sink.requests()
        self.assertTrue(req["gzip"])
        self.assertEqual(req["content_type"], "application/json")
        self.assertRegex(req["sent_at"], ISO_MS_RE)
        events = sink.events()
        self.assertEqual(len(events), 2)
        for e in events:
            fields = set(e) - {"_request", "_received_at", "_sent_at"}
            self.assertEqual(fields, {"event", "distinct_id", "properties", "timestamp", "uuid"})
            self.assertRegex(e["uuid"], UUID_RE)
            self.assertRegex(e["timestamp"], ISO_MS_RE)
            p = e["properties"]
            self.assertEqual(p["$lib"], "jarvis-analytics")
            self.assertEqual(p["$lib_version"], "0.1.0")
            self.assertIs(p["$geoip_disable"], True)
            self.assertIs(p["$process_person_profile"], False)
        by = {e["event"]: e for e in events}
        self.assertEqual(by["feature_used"]["properties"]["feature_name"], "chat")
        self.assertEqual(by["app_opened"]["properties"]["platform"], "cli")
        anon = open(self.anon_id_path).read().strip()
        self.assertEqual({e["distinct_id"] for e in events}, {anon})

    def test_dry_run_prints_bodies_masks_key_sends_nothing(self):
        self.fill(5)
        sink = self.sink()
        res = self.up(sink, "--dry-run", "--batch-size", 2, rc=0)
        lines = res.out.splitlines()
        self.assertEqual(len(lines), 3)
        docs = [json.loads(line) for line in lines]
        self.assertEqual(sum(len(d["batch"]) for d in docs), 5)
        self.assertTrue(all(d["api_key"] == KEY[:4] + "***" for d in docs))
        self.assertEqual(sink.requests(), [])
        self.assertEqual(len(self.queued()), 5)

    def test_verbose_and_debug_never_show_the_key(self):
        self.fill(3)
        sink = self.sink()
        res = self.up(sink, "--verbose", env={"OPENJARVIS_LOG_LEVEL": "DEBUG"}, rc=0)
        # Exactly one DEBUG line per request, prefixed once.
        debug = [l for l in res.err.splitlines() if l.startswith("Analytics:")]
        self.assertEqual(len(debug), 1, res.err)
        self.assertRegex(debug[0], r"^Analytics: upload attempt 1: 3 events \(\d+ bytes\) to "
                         r"http://127\.0\.0\.1:\d+: HTTP 200$")
        self.assertIn("3 events sent", res.err)
        self.assertNotIn(KEY, res.err)  # also checked by up() for every run
        self.assertEqual(res.out, "")

    def test_one_event_is_counted_in_the_singular(self):
        # A person reads these lines: "1 event", never "1 events".
        self.fill(1)
        sink = self.sink()
        res = self.up(sink, "--verbose", env={"OPENJARVIS_LOG_LEVEL": "DEBUG"}, rc=0)
        self.assertIn("batch of 1 event, attempt 1: HTTP 200", res.err)
        self.assertRegex(res.err, r"Analytics: upload attempt 1: 1 event \(")
        self.assertIn("1 event sent, 0 dropped, 0 kept (0 reserved by another run), 1 batch, "
                      "1 request\n", res.err)
        self.fill(1)
        sink.script([dict(status=500, count=20)])
        res = self.up(sink, "--verbose", "--max-retries", 0, rc=EXIT_TEMPFAIL)
        self.assertIn("the server answered HTTP 500; 1 event kept", res.err)
        self.assertNotRegex(res.err, r"\b1 (events|batches|requests)\b")


class Retries(UploadCase):

    def assert_kept_after(self, answer, n_requests):
        self.fill(3)
        before = self.queued()
        sink = self.sink()
        sink.script([dict(answer, count=20)])
        self.up(sink, "--deadline", 60, rc=EXIT_TEMPFAIL)
        reqs = sink.requests()
        self.assertEqual(len(reqs), n_requests, reqs)
        for r in reqs:
            self.assertEqual(sorted(r["uuids"]), sorted(q[0] for q in before))
        # Growing waits: each at least the backoff before it (lower bounds only).
        gaps = [b["at"] - a["at"] for a, b in zip(reqs, reqs[1:])]
        for i, g in enumerate(gaps):
            self.assertGreaterEqual(g, BACKOFF_MS * (2 ** i) / 1000.0 * 0.9, gaps)
        self.assertEqual(self.queued(), before)
        self.assertEqual(sink.events(), [])
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 0)
        st = self.rows("SELECT * FROM upload")[0]
        self.assertIsNotNone(st["next_attempt_at"])
        return st

    def test_each_retryable_status_is_max_retries_plus_one_requests(self):
        for status, cls in ((500, "server"), (502, "server"), (503, "server"), (504, "server"),
                            (408, "timeout"), (429, "rate_limited")):
            with self.subTest(status=status):
                self.setUp()
                st = self.assert_kept_after({"status": status}, 4)
                self.assertEqual(st["last_error"], cls)
                self.assertEqual(st["last_status"], status)

    def test_dropped_connection_is_retried(self):
        st = self.assert_kept_after({"action": "close"}, 4)
        self.assertEqual(st["last_error"], "network")

    def test_max_retries_option(self):
        self.fill(1)
        sink = self.sink()
        sink.script([{"status": 503, "count": 20}])
        self.up(sink, "--max-retries", 1, rc=EXIT_TEMPFAIL)
        self.assertEqual(len(sink.requests()), 2)

    def test_retry_then_success_same_uuids_and_timestamps(self):
        self.fill(4)
        before = self.queued()
        sink = self.sink()
        sink.script([{"status": 503, "count": 3}])
        self.up(sink, rc=0)
        reqs = sink.requests()
        self.assertEqual(len(reqs), 4)
        self.assertEqual(len({tuple(sorted(r["uuids"])) for r in reqs}), 1)
        self.assertEqual(len({r["sent_at"] for r in reqs}), 4)  # fresh each attempt
        got = sorted((e["uuid"], e["timestamp"], e["distinct_id"]) for e in sink.events())
        self.assertEqual(got, sorted(before))
        self.assertEqual(self.queued(), [])

    def test_retry_after_seconds_is_honoured(self):
        self.fill(1)
        sink = self.sink()
        sink.script([{"status": 429, "retry_after": "1"}])
        self.up(sink, rc=0)
        a, b = sink.requests()
        self.assertGreaterEqual(b["at"] - a["at"], 0.95)

    def test_retry_after_http_date_is_honoured(self):
        self.fill(1)
        sink = self.sink()
        # An HTTP-date has whole seconds: "now + 5 s" names a moment 4 to 5 s
        # ahead. The wait after the first request is that moment minus the
        # time the run took to get there (a second or more on a loaded
        # machine), so at least 1 s is left of it — far above the test
        # backoff of BACKOFF_MS, so the date is what was honoured.
        when = email.utils.formatdate(time.time() + 5, usegmt=True)
        sink.script([{"status": 503, "retry_after": when}])
        self.up(sink, rc=0)
        a, b = sink.requests()
        self.assertGreaterEqual(b["at"] - a["at"], 1.0)
        self.assertEqual(len(sink.events()), 1)


class RollupFirst(UploadCase):
    """The uploader runs a rollup, then drains — a session that
    ended leaves in the same run as its signals' rollup."""

    def test_upload_rolls_up_ended_sessions_then_sends_them(self):
        self.ja("session", "inference", "s1", "--tokens-in", "10", "--tokens-out", "20",
                "--latency-ms", "100", "--model", "llama3.1:8b", "--engine", "ollama", rc=0)
        self.ja("session", "tool", "s1", "--tool", "search_web", rc=0)
        self.ja("session", "end", "s1", rc=0)
        sink = self.sink()
        self.up(sink, rc=0)
        names = sorted(e["event"] for e in sink.events())
        self.assertIn("chat_session_ended", names)
        ended = [e for e in sink.events() if e["event"] == "chat_session_ended"]
        self.assertEqual(len(ended), 1)
        p = ended[0]["properties"]
        self.assertEqual((p["turn_count"], p["tokens_in"], p["tokens_out"], p["tool_count"]),
                         (1, 10, 20, 1))
        # Raw names never leave: only the catalog's values and hashes.
        body = json.dumps(sink.events())
        self.assertNotIn("llama3.1:8b", body)
        self.assertNotIn("s1\"", body)
        self.assertEqual(self.queued(), [])
        # A second run has nothing new to roll up or send.
        n = len(sink.requests())
        self.up(sink, rc=0)
        self.assertEqual(len(sink.requests()), n)

    def test_one_rolled_up_event_is_counted_in_the_singular(self):
        self.ja("session", "inference", "s3", "--tokens-in", "1", "--tokens-out", "1",
                "--latency-ms", "5", rc=0)
        self.ja("session", "end", "s3", rc=0)
        res = self.up(self.sink(), "--verbose", rc=0)
        # The session's event; and its day's summary too if midnight (UTC)
        # passed between the signal and the run.
        self.assertRegex(res.err, r"rollup queued (1 event|2 events)\n")
        self.assertNotIn("1 events", res.err)

    def test_its_rollup_says_which_sessions_were_closed_in_parts(self):
        # The uploader's own rollup says what `rollup` says of a session
        # over 16 384 signals: one chat_session_ended per part with an
        # inference, which nobody reading the events can tell from separate
        # sessions — a line per such session, and the same keys in --json.
        self.ja("session", "inference", "s4", "--tokens-in", "1", "--tokens-out", "1",
                "--latency-ms", "5", rc=0)
        n = 2 * 16384 + 100
        seed_split_session(self.db, 1000, now_ms() - 3600 * 1000, n)
        sink = self.sink()
        lines = self.up(sink, "--verbose", rc=0).err.splitlines()
        at = [i for i, l in enumerate(lines) if l.startswith(UPLOAD_PREFIX + "rollup queued ")]
        self.assertEqual(len(at), 1, lines)
        self.assertEqual(lines[at[0] + 1],
                         UPLOAD_PREFIX + "a session of %d signals was closed in 3 parts: "
                         "2 chat_session_ended events, one per part with an inference" % n)
        seed_split_session(self.db, 2000, now_ms() - 3600 * 1000, n)
        doc = self.up(sink, "--json", rc=0).json()
        self.assertEqual(doc["rollup"]["closed_in_parts"], 1)
        self.assertEqual(doc["rollup"]["sessions_in_parts"],
                         [{"parts": 3, "signals": n, "events": 2}])
        self.assertGreaterEqual(doc["rollup"]["queued"], 2)
        self.assertEqual(doc["rollup"]["sessions_closed"], 1)
        # A run whose rollup closed none says so; a dry run rolls nothing up.
        doc = self.up(sink, "--json", rc=0).json()
        self.assertEqual((doc["rollup"]["closed_in_parts"], doc["rollup"]["sessions_in_parts"]),
                         (0, []))
        self.assertIsNone(self.up(sink, "--json", "--dry-run", rc=0).json()["rollup"])

    def test_dry_run_does_not_roll_up(self):
        self.ja("session", "inference", "s2", "--tokens-in", "1", "--tokens-out", "1",
                "--latency-ms", "5", rc=0)
        self.ja("session", "end", "s2", rc=0)
        sink = self.sink()
        self.up(sink, "--dry-run", rc=0)
        self.assertEqual(self.count("SELECT count(*) FROM pending WHERE event = 'chat_session_ended'"), 0)


class Progress(UploadCase):
    """A progress line on a terminal when a run drains more than a few
    batches; nothing extra otherwise (pipes, logs, the timer)."""

    def run_on_pty(self, sink):
        import pty
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([UPLOAD, "--batch-size", "10"], env=self.up_env(sink.url),
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
            os.close(slave)
            slave = -1
            chunks = []
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            out, _ = p.communicate(timeout=120)
            return p.returncode, out.decode(), b"".join(chunks).decode("utf-8", "replace")
        finally:
            if slave >= 0:
                os.close(slave)
            os.close(master)

    def test_progress_line_on_a_terminal_only(self):
        self.fill(60)  # 6 batches of 10
        sink = self.sink()
        rc, out, tty = self.run_on_pty(sink)
        self.assertEqual(rc, 0, tty)
        self.assertEqual(out, "")
        # "N of TOTAL sent, R/s, ETA m:ss", redrawn in place, ended once.
        self.assertRegex(tty, r"jarvis-analytics-upload: 60 of 60 sent, \d+/s, ETA 0:00")
        self.assertIn("\r", tty)
        self.assertEqual(tty.count("\n"), 1, repr(tty))
        self.assertNotIn(KEY, tty)
        self.assertEqual(len(sink.events()), 60)
        # The same run into a pipe prints nothing.
        self.fill(60)
        res = self.up(sink, "--batch-size", "10", rc=0)
        self.assertEqual(res.err, "")
        self.assertEqual(len(sink.events()), 120)

    def test_no_progress_line_for_a_few_batches(self):
        self.fill(20)  # 2 batches
        sink = self.sink()
        rc, _, tty = self.run_on_pty(sink)
        self.assertEqual(rc, 0, tty)
        self.assertNotIn("events sent", tty)


class Refusals(UploadCase):

    def test_413_halves_down_to_one_dropped_event(self):
        self.fill(4)
        before = self.queued_uuids()
        sink = self.sink()
        sink.script([{"status": 413, "count": 3}])  # 4, 2, then the first alone
        self.up(sink, rc=0)
        sizes = [len(r["uuids"]) for r in sink.requests()]
        self.assertEqual(sizes, [4, 2, 1, 1, 2])
        self.assertEqual(sorted(e["uuid"] for e in sink.events()), sorted(before[1:]))
        self.assertEqual(self.queued(), [])
        # The server refused it alone while it took the others: rejected.
        # too_large is only ever the local limit.
        self.assertEqual(self.drops()["rejected"], 1)
        self.assertEqual(self.drops()["too_large"], 0)
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 3)

    def test_413_from_the_body_limit(self):
        self.fill(6)
        sink = self.sink(max_body_bytes=900)  # about two events
        self.up(sink, rc=0)
        self.assertIn(413, [r["status"] for r in sink.requests()])
        self.assertEqual(len(sink.events()), 6, sink.requests())
        self.assertEqual(self.drops()["too_large"], 0)

    def test_400_bisection_drops_only_the_bad_event(self):
        self.fill(3)
        self.capture("app_opened", {"version": "0.0.0-bad", "platform": "cli"})
        self.fill(4)
        bad = self.queued_uuids()[3]
        sink = self.sink(reject_event_if=["version=0.0.0-bad"])
        self.up(sink, rc=0)
        got = sorted(e["uuid"] for e in sink.events())
        self.assertEqual(len(got), 7)
        self.assertNotIn(bad, got)
        self.assertEqual(self.drops()["rejected"], 1)
        self.assertEqual(self.queued(), [])

    def test_401_wrong_key_keeps_everything(self):
        self.fill(5)
        before = self.queued()
        sink = self.sink(api_key="phc_another_key_entirely_000")
        res = self.up(sink, rc=EXIT_CONFIG)
        self.assertIn("401", res.err)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(self.queued(), before)
        self.assertEqual(self.rows("SELECT last_error FROM upload")[0]["last_error"], "auth")

    def test_403_keeps_everything(self):
        self.fill(5)
        before = self.queued()
        sink = self.sink()
        sink.script([{"status": 403, "count": 5}])
        self.up(sink, rc=EXIT_CONFIG)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(self.queued(), before)
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE lease_owner IS NOT NULL"), 0)


class Deadlines(UploadCase):

    def test_deadline_then_next_run_honours_next_attempt(self):
        self.fill(3)
        before = self.queued()
        sink = self.sink()
        sink.script([{"status": 503, "retry_after": "30"}])
        res = self.up(sink, "--deadline", 5, rc=EXIT_TEMPFAIL)
        self.assertLess(res.elapsed, 30)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(self.queued(), before)
        nxt = self.rows("SELECT next_attempt_at FROM upload")[0]["next_attempt_at"]
        self.assertIsNotNone(nxt)
        # Straight away: no request, still 75, nothing leased.
        self.up(sink, rc=EXIT_TEMPFAIL)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE lease_owner IS NOT NULL"), 0)
        # Once that time has come: sent.
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 40))
        self.up(sink, "--now", later, rc=0)
        self.assertEqual(len(sink.events()), 3)
        self.assertEqual(self.queued(), [])

    def test_request_past_the_deadline_keeps_everything(self):
        self.fill(2)
        before = self.queued()
        sink = self.sink()
        sink.script([{"action": "hang"}])
        res = self.up(sink, "--deadline", 2, rc=EXIT_TEMPFAIL)
        self.assertLess(res.elapsed, 20)
        self.assertEqual(self.queued(), before)

    def test_sink_down_is_temporary(self):
        self.fill(2)
        before = self.queued()
        res = self.up("http://127.0.0.1:%d" % free_port(), "--max-retries", 1,
                      rc=EXIT_TEMPFAIL)
        self.assertIn("no answer", res.err)
        self.assertEqual(self.queued(), before)


class Inspection(UploadCase):

    def test_no_answer_is_not_shown_as_http_0(self):
        # The server never answered: there is no HTTP status to show.
        self.fill(1)
        host = "http://127.0.0.1:%d" % free_port()
        self.up(host, "--max-retries", 0, rc=EXIT_TEMPFAIL)
        env = {"OPENJARVIS_ANALYTICS_HOST": host}
        self.assertEqual(self.ja("status", "--json", rc=0, env=env).json()["upload"]["last_status"], 0)
        text = self.ja("status", rc=0, env=env).out
        self.assertIn("last upload failed: network (no answer from the server)\n", text)
        page = self.ja("view", "--output", "-", rc=0, env=env).out
        self.assertIn("<th>last error</th><td>network (no answer from the server)</td>", page)
        for out in (text, page):
            self.assertNotIn("HTTP 0", out)

    def test_status_shows_the_upload_state_never_the_key(self):
        self.fill(3)
        sink = self.sink()
        sink.script([{"status": 503, "retry_after": "30"}])
        self.up(sink, "--deadline", 3, rc=EXIT_TEMPFAIL)
        env = {"OPENJARVIS_ANALYTICS_HOST": sink.url, "OPENJARVIS_ANALYTICS_KEY": KEY}
        doc = self.ja("status", "--json", rc=0, env=env).json()
        up = doc["upload"]
        self.assertEqual(up["host"], sink.url)
        self.assertEqual(up["last_error"], "server")
        self.assertEqual(up["last_status"], 503)
        self.assertRegex(up["last_attempt_at"], ISO_MS_RE)
        self.assertRegex(up["next_attempt_at"], ISO_MS_RE)
        self.assertIsNone(up["last_success_at"])
        self.assertEqual(doc["queue"]["pending"], 3)
        self.assertGreaterEqual(doc["queue"]["oldest_age_seconds"], 0)
        text = self.ja("status", rc=0, env=env)
        self.assertIn("last upload failed: server (HTTP 503)", text.out)
        for r in (doc, text.out):
            self.assertNotIn(KEY, json.dumps(r))
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 40))
        self.up(sink, "--now", later, rc=0)
        up = self.ja("status", "--json", rc=0, env=env).json()["upload"]
        self.assertRegex(up["last_success_at"], ISO_MS_RE)
        self.assertIsNone(up["last_error"])
        self.assertIsNone(up["next_attempt_at"])
        # show --sent and the sent view list what left the machine.
        shown = self.ja("show", "--sent", "--json", rc=0).json()
        self.assertEqual(len(shown), 3)
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 3)

    def test_status_host_hides_user_info(self):
        env = {"OPENJARVIS_ANALYTICS_HOST": "https://" + KEY + "@eu.i.posthog.com"}
        doc = self.ja("status", "--json", rc=0, env=env).json()
        self.assertEqual(doc["upload"]["host"], "https://eu.i.posthog.com")


class Config(UploadCase):

    def test_opt_out_deletes_the_queue_sends_nothing(self):
        self.fill(7)
        sink = self.sink()
        self.up(sink, env={"DO_NOT_TRACK": "1"}, rc=0)
        self.assertEqual(sink.requests(), [])
        self.assertEqual(self.queued(), [])

    def test_non_loopback_http_refused(self):
        self.fill(2)
        before = self.queued()
        for host in ("http://example.com", "http://127.0.0.1.example.com:80",
                     "http://user@127.0.0.1:1"):
            with self.subTest(host=host):
                res = self.up(host, rc=EXIT_CONFIG)
                self.assertIn("host", res.err)
                self.assertEqual(self.queued(), before)

    def test_usage_errors_exit_64(self):
        for args in (["--batch-size", "0"], ["--deadline", "x"], ["--now", "yesterday"],
                     ["--bogus"], ["extra"]):
            with self.subTest(args=args):
                res = self.up("http://127.0.0.1:1", *args, rc=64)
                # One line, named for this program (not jarvis-analytics).
                self.assertEqual(res.err.count("\n"), 1, res.err)
                self.assertTrue(res.err.startswith("jarvis-analytics-upload: "), res.err)

    def test_now_before_1970_is_said_to_be_one(self):
        res = self.up("http://127.0.0.1:1", "--now", "1960-01-01T00:00:00Z", rc=64)
        self.assertIn("--now needs a time from 1970 on, not '1960-01-01T00:00:00Z'", res.err)
        res = self.up("http://127.0.0.1:1", "--now", "1960", rc=64)
        self.assertIn("--now needs an ISO 8601 time with a zone like 2026-03-02T00:05:00Z, "
                      "not '1960'", res.err)


if __name__ == "__main__":
    unittest.main()
