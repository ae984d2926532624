"""Only what policy allows leaves, and only while it allows it — the real
jarvis-analytics-upload against the real sink (tools/sink):

  SendTimeFilters   rows edited by hand (PII, an unknown event, properties
                    that are not an object) pass the filters of this build
                    before they leave; a row that cannot be sent never
                    blocks the rest
  OptOutAndPurge    a purge or an opt-out made while a request is in
                    flight, mid-drain or before a Retry-After wait, wins at
                    once: nothing more is sent
  RequestLevel      a 400 or 413 every event gets, a 2xx that is not
                    PostHog's answer: everything kept, exit 78
  HostAndProxy      a host with an invisible character is a configuration
                    error; user info is never printed; loopback is never
                    reached through a proxy, https still honours one
  Secrets           the uploader, holding the key, never leaves a core file
  Clocks            a backoff or a lease saved under a clock years ahead
                    does not stall a run with a correct clock
  Signals           SIGINT/SIGTERM give reservations back (130/143); a run
                    that finds only reserved events says so; status shows
                    reservations
  Summary           --json

Requests the tests act around are held by the sink ("hold") until the test
releases them: no timing window anywhere.
"""

import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import threading
import unittest

from jatest import CLI, clean_env, run_cli
from uptest import EXIT_CONFIG, EXIT_TEMPFAIL, KEY, UPLOAD, UploadCase

FUTURE = "2035-06-01T00:00:00Z"


def edit(db, sql, *args):
    """Change the queue as a person with sqlite3 would."""
    c = sqlite3.connect(db, isolation_level=None)
    try:
        c.execute(sql, args)
    finally:
        c.close()


class SendTimeFilters(UploadCase):

    def hand_edited_queue(self):
        """Two good events, then five rows edited by hand after capture."""
        self.fill(2)
        self.fill(5)
        ids = [r["id"] for r in self.rows("SELECT id FROM events ORDER BY id")]
        rows = {
            "pii": (ids[2], "app_opened",
                    '{"version":"192.168.1.20","platform":"cli","email":"alice@example.com"}'),
            "unknown": (ids[3], "secret_project_launch", '{"platform":"cli"}'),
            "array": (ids[4], "app_opened", '[1,2,3]'),
            "text": (ids[5], "app_opened", 'not json at all'),
            "extra": (ids[6], "app_opened", '{"version":"1.2.3","platform":"cli","path":"/home/alice/notes.txt"}'),
        }
        for _, (rid, event, props) in rows.items():
            edit(self.db, "UPDATE events SET event = ?, properties = ? WHERE id = ?",
                 event, props, rid)
        uuid = {k: self.rows("SELECT uuid FROM events WHERE id = %d" % v[0])[0]["uuid"]
                for k, v in rows.items()}
        return uuid

    def test_hand_edited_rows_pass_the_filters_before_they_leave(self):
        uuid = self.hand_edited_queue()
        sink = self.sink()
        before = self.drops()
        res = self.up(sink, "--batch-size", "100", rc=0)
        got = {e["uuid"]: e for e in sink.events()}
        # The unknown event and the two rows whose properties are no object
        # never left; the others left without what failed.
        self.assertNotIn(uuid["unknown"], got)
        self.assertNotIn(uuid["array"], got)
        self.assertNotIn(uuid["text"], got)
        self.assertEqual(len(got), 4, got.keys())
        pii = got[uuid["pii"]]["properties"]
        self.assertEqual(pii["platform"], "cli")
        self.assertNotIn("version", pii)
        self.assertNotIn("email", pii)
        extra = got[uuid["extra"]]["properties"]
        self.assertEqual((extra["version"], extra["platform"]), ("1.2.3", "cli"))
        self.assertNotIn("path", extra)
        for body in (json.dumps(e) for e in sink.events()):
            for secret in ("192.168.1.20", "alice@example.com", "/home/alice", "secret_project"):
                self.assertNotIn(secret, body)
        self.assertDropDelta(before, self.drops(), unknown_event=1, malformed=2, pii=3)
        # What the sent view says left is what left, not what was stored.
        sent = {r["uuid"]: r["properties"] for r in self.rows("SELECT uuid, properties FROM sent")}
        self.assertNotIn("alice", sent[uuid["pii"]])
        self.assertNotIn("/home/alice", sent[uuid["extra"]])
        self.assertEqual(self.queued(), [])
        self.assertEqual(res.out, "")

    def test_a_row_that_cannot_be_sent_never_blocks_the_rest(self):
        self.fill(3)
        first = self.rows("SELECT min(id) AS id FROM events")[0]["id"]
        # The oldest row — the first of every batch — is beyond repair.
        edit(self.db, "UPDATE events SET properties = '\"just a string\"', distinct_id = ? "
             "WHERE id = ?", "bad\x01id", first)
        sink = self.sink()
        self.up(sink, rc=0)
        self.assertEqual(len(sink.events()), 2)
        self.assertEqual(self.drops()["malformed"], 1)
        self.assertEqual(self.queued(), [])

    def test_dry_run_prints_the_filtered_bodies_and_changes_nothing(self):
        uuid = self.hand_edited_queue()
        before = self.snapshot()
        res = self.up("http://127.0.0.1:9", "--dry-run", rc=0)
        self.assertEqual(self.snapshot(), before)
        docs = [json.loads(l) for l in res.out.splitlines()]
        sent = {e["uuid"]: e for d in docs for e in d["batch"]}
        self.assertEqual(len(sent), 4)
        self.assertNotIn(uuid["unknown"], sent)
        self.assertNotIn("email", sent[uuid["pii"]]["properties"])


class OptOutAndPurge(UploadCase):

    def held_run(self, n=30, then_status=200, retry_after=None):
        """The uploader draining @n events in batches of 10, its first
        request held by the sink; → (sink, process)."""
        self.fill(n)
        sink = self.sink()
        entry = {"action": "hold", "then_status": then_status}
        if retry_after is not None:
            entry["retry_after"] = retry_after
        sink.script([entry])
        p = self.spawn(sink, "--batch-size", "10", "--verbose")
        sink.wait_held()
        return sink, p

    def finish(self, p):
        out, err = p.communicate(timeout=120)
        self.assertNotIn(KEY, out.decode() + err.decode())
        return p.returncode, err.decode()

    def opt_out(self):
        path = os.path.join(self.home, "config.toml")
        with open(path, "w") as f:
            f.write("[analytics]\nenabled = false\n")
        os.chmod(path, 0o600)

    def test_purge_mid_drain(self):
        sink, p = self.held_run()
        self.ja("purge", "--pending", rc=0)
        sink.release()
        rc, err = self.finish(p)
        self.assertEqual(rc, 0, err)
        # Only the request already in flight left.
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(len(sink.events()), 10)
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.status()["sent"]["count"], 10)

    def test_opt_out_mid_drain(self):
        sink, p = self.held_run()
        self.opt_out()
        sink.release()
        rc, err = self.finish(p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(len(sink.events()), 10)
        self.assertIn("turned off during the run", err)
        # An explicit opt-out deletes what is queued, and the counters
        # status reads say so.
        self.assertEqual(self.queued(), [])
        doc = self.status()
        self.assertEqual((doc["queue"]["pending"], doc["sent"]["count"]), (0, 10))

    def test_purge_before_a_retry_after_wait(self):
        # The 503 that asks for the wait is answered after the purge: the
        # run learns of it when it wakes, and sends nothing.
        sink, p = self.held_run(n=5, then_status=503, retry_after="1")
        self.ja("purge", "--pending", rc=0)
        sink.release()
        rc, err = self.finish(p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(sink.events(), [])
        self.assertEqual(self.status()["sent"]["count"], 0)

    def test_opt_out_before_a_retry_after_wait(self):
        sink, p = self.held_run(n=5, then_status=503, retry_after="1")
        self.opt_out()
        sink.release()
        rc, err = self.finish(p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(sink.requests()), 1)
        self.assertEqual(sink.events(), [])
        self.assertEqual(self.queued(), [])


class RequestLevel(UploadCase):

    def assert_all_kept(self, sink, res, n):
        self.assertEqual(len(self.queued()), n)
        self.assertEqual(sink.events(), [])
        self.assertEqual(sum(self.drops().values()), 0)
        self.assertEqual(self.count("SELECT count(*) FROM upload_lease"), 0)
        self.assertEqual(len(res.err.strip().splitlines()), 1, res.err)

    def test_every_event_refused_down_to_singles_keeps_everything(self):
        for status in (400, 413):
            with self.subTest(status=status):
                self.setUp()
                self.fill(4)
                sink = self.sink()
                sink.script([{"status": status, "count": 100}])
                res = self.up(sink, rc=EXIT_CONFIG)
                self.assertEqual(len(sink.requests()), 7)  # 4, 2, 1, 1, 2, 1, 1
                self.assertIn("refused every event of the batch", res.err)
                self.assert_all_kept(sink, res, 4)
                self.assertEqual(self.rows("SELECT last_error FROM upload")[0]["last_error"],
                                 "request")

    def test_a_key_the_server_cannot_read_keeps_everything(self):
        # A byte that is not UTF-8 in the key: the server cannot parse any
        # body (400 every time) — the request's fault, not the events'.
        self.fill(3)
        sink = self.sink(api_key=None)
        env = self.up_env(sink.url)
        envb = {k.encode(): v.encode() for k, v in env.items()}
        envb[b"OPENJARVIS_ANALYTICS_KEY"] = b"phc_\xffsecret_0123456789"
        import subprocess
        from uptest import UPLOAD
        p = subprocess.run([UPLOAD], env=envb, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=120)
        self.assertEqual(p.returncode, EXIT_CONFIG, p.stderr)
        self.assertNotIn(b"secret_0123456789", p.stderr + p.stdout)
        self.assertEqual(len(self.queued()), 3)
        self.assertEqual(sink.events(), [])
        self.assertEqual(sum(self.drops().values()), 0)

    def test_a_2xx_that_is_not_posthogs_answer_is_no_delivery(self):
        self.fill(3)
        sink = self.sink()
        sink.script([{"status": 200, "body": "<html>Sign in to the Wi-Fi</html>", "count": 10}])
        res = self.up(sink, rc=EXIT_CONFIG)
        self.assertIn("without PostHog's answer", res.err)
        self.assertEqual(len(sink.requests()), 1)
        self.assert_all_kept(sink, res, 3)
        self.assertEqual(self.status()["sent"]["count"], 0)


class FakeProxy:
    """An HTTP proxy on 127.0.0.1 that records every request line it gets
    (and CONNECTs), then answers 502: it never forwards anything."""

    def __init__(self):
        self.seen = []
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(16)
        self.url = "http://127.0.0.1:%d" % self.srv.getsockname()[1]
        self.t = threading.Thread(target=self.serve, daemon=True)
        self.t.start()

    def serve(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            with c:
                c.settimeout(30)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = c.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    self.seen.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                    c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                              b"Connection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self.srv.close()


class HostAndProxy(UploadCase):

    def proxy(self):
        p = FakeProxy()
        self.addCleanup(p.close)
        return p

    def test_loopback_is_never_reached_through_a_proxy(self):
        proxy = self.proxy()
        self.fill(5)
        sink = self.sink()
        env = {"no_proxy": "", "NO_PROXY": "", "http_proxy": proxy.url, "HTTP_PROXY": proxy.url,
               "https_proxy": proxy.url, "ALL_PROXY": proxy.url, "all_proxy": proxy.url}
        for host in (sink.url, sink.url.replace("127.0.0.1", "localhost")):
            with self.subTest(host=host):
                self.up(host, rc=0, env=env)
        self.assertEqual(proxy.seen, [])
        self.assertEqual(len(sink.events()), 5)

    def test_https_still_honours_the_proxy(self):
        proxy = self.proxy()
        self.fill(2)
        res = self.up("https://analytics.example.invalid", "--max-retries", "0", "--deadline", "30",
                      rc=EXIT_TEMPFAIL, env={"no_proxy": "", "https_proxy": proxy.url})
        self.assertEqual(proxy.seen, ["CONNECT analytics.example.invalid:443 HTTP/1.1"], res)
        self.assertEqual(len(self.queued()), 2)

    def test_a_host_with_an_invisible_character_is_a_configuration_error(self):
        self.fill(2)
        sink = self.sink()
        # (A control character in the value is the configuration's own
        # mistake to report: tests/e2e/test_config*.)
        for bad in (sink.url + "\u200b", "\u200b" + sink.url, sink.url.replace("127", "1\u00a027"),
                    sink.url.replace("http://", "http://\u2060")):
            with self.subTest(host=repr(bad)):
                res = self.up(bad, rc=EXIT_CONFIG)
                self.assertIn("host", res.err)
        self.assertEqual(sink.requests(), [])
        self.assertEqual(len(self.queued()), 2)

    def test_user_info_of_a_host_is_never_printed(self):
        self.fill(1)
        sink = self.sink()
        host = sink.url.replace("http://", "http://alice:hunter2@")
        res = self.up(host, "--verbose", rc=EXIT_CONFIG, env={"OPENJARVIS_LOG_LEVEL": "DEBUG"})
        self.assertIn("user name or password", res.err)
        for secret in ("alice", "hunter2"):
            self.assertNotIn(secret, res.err + res.out)
        st = run_cli(["status"], self.home, {"OPENJARVIS_ANALYTICS_HOST": host})
        self.assertNotIn("hunter2", st.out + st.err)

    def test_nothing_is_created_with_nothing_to_do(self):
        sink = self.sink()
        for key in ("", KEY):
            with self.subTest(key=bool(key)):
                self.up(sink, rc=0, key=key)
                self.assertFalse(os.path.lexists(self.home), "the uploader created the home")
        os.makedirs(self.home, mode=0o700)
        self.up(sink, rc=0, key="")
        self.assertEqual(os.listdir(self.home), [])
        self.assertEqual(sink.requests(), [])


class Secrets(UploadCase):
    """The uploader holds the key in memory (and in its environment): it
    makes itself non-dumpable before it reads the key, so no core file of
    it is ever written and no other process of the user may ptrace it."""

    @staticmethod
    def cores_on():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    def dumps_in(self, argv, env=None, stopped=None):
        """Run @argv in a folder of its own with core files allowed, stop it
        with SIGQUIT (whose default is to dump core) once @stopped() returns,
        → what it left in that folder."""
        where = os.path.join(self.root, "cwd-%d" % len(os.listdir(self.root)))
        os.mkdir(where)
        p = subprocess.Popen(argv, cwd=where, env=env, preexec_fn=self.cores_on,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.addCleanup(self._reap, p)
        if stopped:
            stopped()
        os.kill(p.pid, signal.SIGQUIT)
        p.wait(timeout=120)
        self.assertEqual(p.returncode, -signal.SIGQUIT)
        return os.listdir(where)

    def test_no_core_file_of_the_uploader(self):
        # This machine must write the core file of a dumpable program where
        # it runs (kernel.core_pattern "core"), or nothing here is shown.
        if not self.dumps_in(["sleep", "600"]):
            self.skipTest("no core file is written in the working folder here "
                          "(kernel.core_pattern)")
        self.fill(3)
        sink = self.sink()
        sink.script([{"action": "hold"}])
        left = self.dumps_in([UPLOAD], env=self.up_env(sink.url), stopped=sink.wait_held)
        sink.release()
        self.assertEqual(left, [], "the uploader, with the key in memory, dumped core")


class Clocks(UploadCase):

    def test_a_backoff_saved_under_a_clock_years_ahead_does_not_stall(self):
        self.fill(3)
        sink = self.sink()
        sink.script([{"status": 503, "retry_after": "3600"}])
        self.up(sink, "--now", FUTURE, "--max-retries", "0", rc=EXIT_TEMPFAIL)
        nxt = self.rows("SELECT next_attempt_at FROM upload")[0]["next_attempt_at"]
        self.assertTrue(nxt.startswith("2035-06-01T01"), nxt)
        self.up(sink, rc=0)  # a correct clock: that backoff is not ours to honour
        self.assertEqual(len(sink.events()), 3)

    def test_a_lease_saved_under_a_clock_years_ahead_does_not_stall(self):
        self.fill(3)
        sink = self.sink()
        sink.script([{"action": "hold", "then_status": 503}])
        p = self.spawn(sink, "--now", FUTURE)
        sink.wait_held()
        p.kill()  # no chance to give the lease back
        p.communicate()
        sink.release()
        until = self.rows("SELECT until_ms FROM upload_lease")[0]["until_ms"]
        self.assertGreater(until, 2000000000000)
        self.assertEqual(self.status()["queue"]["leased"], 0)  # not a live lease
        self.up(sink, rc=0)
        self.assertEqual(len(sink.events()), 3)
        self.assertEqual(self.count("SELECT count(*) FROM upload_lease"), 0)


class Signals(UploadCase):

    def test_sigint_and_sigterm_give_reservations_back_then_a_rerun_delivers(self):
        for sig, rc in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            with self.subTest(sig=sig):
                self.setUp()
                self.fill(30)
                uuids = sorted(self.queued_uuids())
                sink = self.sink()
                # Answered 503 once released: nothing stored by the request cut short.
                sink.script([{"action": "hold", "then_status": 503}])
                p = self.spawn(sink, "--batch-size", "10")
                sink.wait_held()
                self.assertEqual(self.status()["queue"]["leased"], 10)
                p.send_signal(sig)
                _, err = p.communicate(timeout=120)
                sink.release()
                self.assertEqual(p.returncode, rc, err)
                self.assertEqual(self.count("SELECT count(*) FROM upload_lease"), 0)
                self.assertEqual(self.status()["queue"]["leased"], 0)
                self.assertEqual(sorted(self.queued_uuids()), uuids)
                self.up(sink, rc=0)
                self.assertEqual(sorted(e["uuid"] for e in sink.events()), uuids)

    def test_a_run_that_finds_only_reserved_events_says_so(self):
        self.fill(10)
        sink = self.sink()
        sink.script([{"action": "hold"}])
        p = self.spawn(sink, "--batch-size", "10")
        sink.wait_held()
        res = self.up(sink, rc=EXIT_TEMPFAIL)
        self.assertRegex(res.err, r"nothing sent: 10 events are reserved by another upload run "
                                  r"until \d{4}-\d\d-\d\dT")
        self.assertNotIn("0 events sent", res.err)
        text = run_cli(["status"], self.home).out
        self.assertRegex(text, r"reserved: +10 of them by an upload run until \d{4}-")
        sink.release()
        p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(len(sink.events()), 10)
        self.assertNotIn("reserved:", run_cli(["status"], self.home).out)


class SentInPlace(UploadCase):
    """What the server took stays in the queue file, marked sent: `show`,
    the views, status and the 30-day window see it as sent, never as
    pending; status's sent count is what the server acknowledged whatever
    removed the events meanwhile."""

    def show(self, *args):
        return json.loads(self.ja("show", "--json", "--limit", "100", *args, rc=0).out)

    def test_show_views_and_status_after_a_partial_drain(self):
        self.fill(25)
        uuids = self.queued_uuids()
        sink = self.sink()
        self.up(sink, "--batch-size", "10", "--max-batches", "2", rc=0)
        sent = [e["uuid"] for e in sink.events()]
        self.assertEqual(sent, uuids[:20])
        self.assertEqual(sorted(r["uuid"] for r in self.show("--pending")), sorted(uuids[20:]))
        self.assertEqual(sorted(r["uuid"] for r in self.show("--sent")), sorted(sent))
        self.assertEqual(self.queued_uuids(), uuids[20:])
        self.assertEqual(sorted(r["uuid"] for r in self.rows("SELECT uuid FROM sent")), sorted(sent))
        doc = self.status()
        self.assertEqual((doc["queue"]["pending"], doc["sent"]["count"]), (5, 20))
        first = self.rows("SELECT timestamp FROM pending LIMIT 1")[0]["timestamp"]
        self.assertEqual(doc["queue"]["oldest"], first)
        # The rest leaves with the next run; nothing is sent twice.
        self.up(sink, rc=0)
        self.assertEqual([e["uuid"] for e in sink.events()], uuids)
        self.assertEqual(self.show("--pending"), [])
        self.assertEqual(self.status()["sent"]["count"], 25)

    def test_view_counts_sent_events_once(self):
        # `view` reads the queue file: what was sent stays there, marked,
        # and is counted as sent (by the day it left), never as waiting,
        # and a sent session summary is one session, not two.
        for s, n in (("a", 3), ("b", 2)):
            for t in range(n):
                self.ja("session", "inference", s, "--tokens-in", "10", "--tokens-out", "5",
                        "--latency-ms", "40", "--at", "2026-03-01T10:0%d:00Z" % t, rc=0)
            self.ja("session", "end", s, "--at", "2026-03-01T10:09:00Z", rc=0)
        self.ja("rollup", "--now", "2026-03-01T10:20:00Z", rc=0)
        self.ja("rollup", rc=0)         # that day's summary too: the uploader adds nothing
        self.fill(6)
        total = self.count("SELECT count(*) FROM events")
        sink = self.sink()
        self.up(sink, "--batch-size", str(total - 3), "--max-batches", "1", rc=0)
        self.assertEqual(len(sink.events()), total - 3)
        doc = self.status()
        days = self.ja("view", "--json", rc=0).json()["history"]["days"]
        self.assertEqual(doc["queue"]["pending"], 3)
        self.assertEqual(sum(d["pending"] for d in days), 3)
        self.assertEqual(sum(d["sent"] for d in days), total - 3)
        self.assertEqual(sum(d["sessions"] for d in days), 2)
        self.assertEqual(sum(d["turns"] for d in days), 5)

    def test_events_another_run_sent_are_not_sent_again(self):
        # Run A's clock is two hours behind, so its lease has run out by the
        # time run B claims: B sends the batch while A's request is held;
        # A's request then fails (503), and its retry finds them sent.
        import datetime
        self.fill(5)
        uuids = self.queued_uuids()
        sink = self.sink()
        sink.script([{"action": "hold", "then_status": 503}])
        behind = (datetime.datetime.now(datetime.timezone.utc)
                  - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        a = self.spawn(sink, "--now", behind, "--verbose")
        sink.wait_held()
        self.up(sink, rc=0)                            # run B
        self.assertEqual(sorted(e["uuid"] for e in sink.events()), sorted(uuids))
        sink.release()
        out, err = a.communicate(timeout=120)
        self.assertEqual(a.returncode, 0, err.decode())
        self.assertIn("sent by another run", err.decode())
        self.assertEqual(len(sink.requests()), 2)      # A's held one and B's: no resend
        self.assertEqual(sorted(e["uuid"] for e in sink.events()), sorted(uuids))
        self.assertEqual(self.status()["sent"]["count"], 5)
        self.assertEqual(self.rows("SELECT last_error FROM upload")[0]["last_error"], None)

    def test_the_sent_view_keeps_30_days(self):
        self.fill(12)
        sink = self.sink()
        day = 86400
        import datetime
        t0 = datetime.datetime.now(datetime.timezone.utc)
        at = lambda days: (t0 + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.up(sink, "--batch-size", "5", "--now", at(0), rc=0)
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 12)
        self.up(sink, "--now", at(29), rc=0)
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 12)
        self.up(sink, "--now", at(31), rc=0)
        self.assertEqual(self.count("SELECT count(*) FROM sent"), 0)
        self.assertEqual(self.count("SELECT count(*) FROM events"), 0)  # retired in place
        self.assertEqual(self.count("SELECT count(*) FROM sent_mark"), 0)
        self.assertEqual(self.status()["sent"]["count"], 0)
        del day

    def test_status_equals_the_sink_after_the_cap_and_another_uploader(self):
        # The cap prunes the oldest events — the batch in flight — while
        # its request is held; another uploader sends the rest meanwhile.
        path = os.path.join(self.home, "config.toml")
        self.fill(10)
        with open(path, "w") as f:
            f.write("[analytics]\nmax_events = 12\n")
        os.chmod(path, 0o600)
        sink = self.sink()
        sink.script([{"action": "hold"}])
        p = self.spawn(sink, "--batch-size", "4")
        sink.wait_held()
        self.up(sink, "--batch-size", "4", rc=0)      # the other 6
        self.fill(12)                   # 4 held + 12 new > 12: the 4 oldest — held — go
        sink.release()
        p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0)
        self.up(sink, rc=0)
        got = len(sink.events())
        self.assertEqual(self.status()["sent"]["count"], got)
        self.assertEqual(self.count("SELECT count(*) FROM sent"), got)
        self.assertEqual(self.drops()["queue_full"], 4)
        self.assertEqual(got, 10 + 12)  # the 4 pruned left anyway: their request was in flight


class Summary(UploadCase):

    def test_json_summary(self):
        self.fill(25)
        first = self.rows("SELECT min(id) AS id FROM events")[0]["id"]
        edit(self.db, "UPDATE events SET properties = '[]' WHERE id = ?", first)
        sink = self.sink()
        res = self.up(sink, "--json", "--batch-size", "10", rc=0)
        doc = json.loads(res.out)
        self.assertEqual(doc["outcome"], "done")
        self.assertEqual(doc["exit"], 0)
        self.assertEqual(doc["stopped"], "drained")
        self.assertEqual(doc["sent"], 24)
        self.assertEqual(doc["dropped"], {"malformed": 1})
        self.assertEqual((doc["kept"], doc["reserved"]), (0, 0))
        self.assertEqual(doc["batches"], 3)
        self.assertIsNone(doc["why"])
        self.assertEqual(res.err, "")
        # A stop says why, in the same object.
        self.fill(2)
        sink.script([{"status": 503, "count": 10}])
        res = self.up(sink, "--json", "--max-retries", "0", rc=EXIT_TEMPFAIL)
        doc = json.loads(res.out)
        self.assertEqual((doc["outcome"], doc["exit"], doc["stopped"], doc["kept"]),
                         ("tempfail", 75, "server", 2))
        self.assertIsNotNone(doc["next_attempt_at"])


if __name__ == "__main__":
    unittest.main()
