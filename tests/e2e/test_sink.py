"""test_sink — the local PostHog-compatible sink (tools/sink/) that the
uploader's tests and the demo rely on: what it accepts and stores, what it
refuses and how (401/400/413, PostHog's error documents), every scripted
answer (status + Retry-After, delay, close, hang, accept_then_close,
partial), the control interface, and that it always stops (idle timeout,
SIGTERM, POST /_control/stop) and never binds anything but 127.0.0.1.

Every sink runs on 127.0.0.1 at a free port and is stopped and reaped by
the `with` block or tearDown. No assertion depends on how long anything
took: clients time out generously, and outcomes are read from the sink.
"""

import email.utils
import gzip
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

SOURCE_DIR = os.environ.get(
    "JA_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tools", "sink"))
import sinkctl  # noqa: E402  (found through the path above)

KEY = "phc_test_key"
ISO = "2026-11-25T12:21:11.703Z"


def event(**over):
    ev = {"event": "chat_turn", "distinct_id": "anon-1",
          "properties": {"$lib": "jarvis-analytics", "turns": 3},
          "timestamp": ISO, "uuid": str(uuid.uuid4())}
    ev.update(over)
    return ev


def body(events, key=KEY, sent_at=ISO):
    doc = {"api_key": key, "batch": events}
    if sent_at is not None:
        doc["sent_at"] = sent_at
    return doc


def until(pred, what, timeout=60):
    """Poll @pred until it is true (generous deadline; no timing asserted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def raw_post(port, data, headers=None, timeout=30, path="/batch/"):
    """A POST on its own connection; → (connection, response) — the
    caller reads and closes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hd = {"Content-Type": "application/json"}
    hd.update(headers or {})
    conn.request("POST", path, body=data, headers=hd)
    return conn


class SinkCase(unittest.TestCase):
    sink_kw = {}

    def setUp(self):
        self.sink = sinkctl.Sink(**self.sink_kw)
        self.addCleanup(self.sink.stop)

    def post(self, doc, **kw):
        return self.sink.post(doc, **kw)

    def assert_nothing_stored(self):
        self.assertEqual(self.sink.events(), [])
        with open(self.sink.store_path) as f:
            self.assertEqual(f.read(), "")


class TestAccept(SinkCase):
    sink_kw = {"api_key": KEY}

    def test_plain_batch_is_stored_with_request_marks(self):
        evs = [event(), event(event="install", properties={"stage": "deps"})]
        st, h, ans = self.post(body(evs))
        self.assertEqual(st, 200)
        self.assertEqual(ans, {"status": 1})
        self.assertEqual(h["Content-Type"], "application/json")
        got = self.sink.events()
        self.assertEqual(len(got), 2)
        for sent, row in zip(evs, got):
            marks = {k: row.pop(k) for k in ("_request", "_received_at", "_sent_at")}
            self.assertEqual(row, sent)
            self.assertEqual(marks["_request"], 1)
            self.assertEqual(marks["_sent_at"], ISO)
            self.assertRegex(marks["_received_at"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_gzip_batch_is_decoded_and_logged_as_gzip(self):
        evs = [event() for _ in range(5)]
        raw = json.dumps(body(evs)).encode()
        st, _, ans = self.post(body(evs), gzip=True)
        self.assertEqual((st, ans), (200, {"status": 1}))
        self.assertEqual([e["uuid"] for e in self.sink.events()],
                         [e["uuid"] for e in evs])
        req, = self.sink.requests()
        self.assertTrue(req["gzip"])
        self.assertEqual(req["bytes"], len(gzip.compress(raw)))
        self.assertLess(req["bytes"], len(raw))

    def test_store_is_jsonl_one_line_per_event_flushed_per_request(self):
        self.post(body([event(), event()]))
        self.post(body([event()], sent_at=None))
        with open(self.sink.store_path) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 3)
        rows = [json.loads(x) for x in lines]
        self.assertEqual(rows, self.sink.events())
        self.assertEqual([r["_request"] for r in rows], [1, 1, 2])
        self.assertEqual(rows[2]["_sent_at"], None)

    def test_distinct_id_in_properties_is_accepted(self):
        ev = event()
        del ev["distinct_id"]
        ev["properties"]["distinct_id"] = "anon-2"
        del ev["timestamp"]      # optional, as in PostHog
        st, _, _ = self.post(body([ev], sent_at=None))
        self.assertEqual(st, 200)
        self.assertEqual(self.sink.events()[0]["uuid"], ev["uuid"])

    def test_batch_without_trailing_slash_and_chunked_body(self):
        data = json.dumps(body([event()])).encode()
        st, _, _ = sinkctl.http("POST", self.sink.url + "/batch", data,
                                {"Content-Type": "application/json"})
        self.assertEqual(st, 200)
        conn = http.client.HTTPConnection("127.0.0.1", self.sink.port, timeout=30)
        self.addCleanup(conn.close)
        ev = event()
        payload = json.dumps(body([ev])).encode()
        conn.request("POST", "/batch/", body=iter([payload[:10], payload[10:]]),
                     headers={"Content-Type": "application/json"},
                     encode_chunked=True)
        r = conn.getresponse()
        self.assertEqual((r.status, json.loads(r.read())), (200, {"status": 1}))
        self.assertEqual(self.sink.events()[-1]["uuid"], ev["uuid"])

    def test_expect_100_continue_is_answered(self):
        # libcurl sends `Expect: 100-continue` for a large body and waits
        # for the interim answer before sending it.
        ev = event()
        data = json.dumps(body([ev])).encode()
        sock = socket.create_connection(("127.0.0.1", self.sink.port), timeout=30)
        self.addCleanup(sock.close)
        sock.sendall(b"POST /batch/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(data))
        f = sock.makefile("rb")
        self.assertEqual(f.readline(), b"HTTP/1.1 100 Continue\r\n")
        while f.readline() not in (b"\r\n", b""):
            pass
        sock.sendall(data)
        self.assertTrue(f.readline().startswith(b"HTTP/1.1 200 "))
        f.close()
        self.assertEqual([e["uuid"] for e in self.sink.events()], [ev["uuid"]])

    def test_one_connection_serves_many_batches(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.sink.port, timeout=30)
        self.addCleanup(conn.close)
        for _ in range(3):
            conn.request("POST", "/batch/", body=json.dumps(body([event()])),
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            r.read()
        reqs = self.sink.requests()
        self.assertEqual([r["n"] for r in reqs], [1, 2, 3])
        self.assertEqual(len({r["peer_port"] for r in reqs}), 1,
                         "keep-alive: all three on one connection")

    def test_request_log_fields(self):
        ev = event()
        self.post(body([ev]), headers={"User-Agent": "jarvis-analytics/9"})
        self.post(body([event()], key="wrong"))
        a, b = self.sink.requests()
        self.assertEqual((a["n"], a["status"], a["uuids"], a["sent_at"], a["gzip"]),
                         (1, 200, [ev["uuid"]], ISO, False))
        self.assertEqual(a["user_agent"], "jarvis-analytics/9")
        self.assertIsInstance(a["at"], float)
        self.assertLessEqual(a["at"], b["at"])
        self.assertLessEqual(a["at"], time.monotonic())   # one system clock
        self.assertEqual(b["status"], 401)

    def test_bad_content_length_is_400_and_closes(self):
        sock = socket.create_connection(("127.0.0.1", self.sink.port), timeout=30)
        self.addCleanup(sock.close)
        sock.sendall(b"POST /batch/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Length: ten\r\n\r\n{}")
        f = sock.makefile("rb")
        self.assertTrue(f.readline().startswith(b"HTTP/1.1 400 "))
        head = []
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            head.append(line.lower())
        self.assertIn(b"connection: close\r\n", head)
        f.close()
        self.assertEqual(self.sink.requests(), [])
        self.assertEqual(self.post(body([event()]))[0], 200)

    def test_get_on_batch_is_405_and_unknown_path_404(self):
        st, h, _ = sinkctl.http("GET", self.sink.url + "/batch/")
        self.assertEqual((st, h["Allow"]), (405, "POST"))
        st, _, _ = sinkctl.http("POST", self.sink.url + "/nope", b"{}")
        self.assertEqual(st, 404)
        self.assertEqual(self.sink.requests(), [])


class TestRefuse(SinkCase):
    sink_kw = {"api_key": KEY, "max_body_bytes": 2000}

    def test_wrong_api_key_is_401_authentication_error(self):
        st, _, ans = self.post(body([event()], key="phc_other"))
        self.assertEqual(st, 401)
        self.assertEqual(ans["type"], "authentication_error")
        self.assertEqual(ans["code"], "invalid_api_key")
        self.assert_nothing_stored()

    def test_missing_or_empty_api_key_is_401(self):
        for key in (None, "", 7):
            with self.subTest(key=key):
                doc = body([event()], key=key)
                if key is None:
                    del doc["api_key"]
                st, _, ans = self.post(doc)
                self.assertEqual(st, 401)
                self.assertEqual(ans["type"], "authentication_error")
        self.assert_nothing_stored()

    def test_malformed_gzip_and_json_are_400(self):
        good = json.dumps(body([event()])).encode()
        cases = [
            ("gzip header, garbage", b"\x1f\x8b\x08\x00garbage", True, "gzip"),
            ("truncated gzip", gzip.compress(good)[:-12], True, "gzip"),
            ("gzip claimed, plain sent", good, True, "gzip"),
            ("two gzip members", gzip.compress(good) + gzip.compress(good), True,
             "after the gzip member"),
            ("not JSON", b"{\"api_key\": ", False, "invalid JSON"),
            ("not UTF-8", b"\"\xff\xfe\"", False, "UTF-8"),
            ("gzip of not JSON", gzip.compress(b"[1,"), True, "invalid JSON"),
        ]
        for name, data, gz, words in cases:
            with self.subTest(name):
                hd = {"Content-Encoding": "gzip"} if gz else {}
                st, _, ans = self.post(data, headers=hd)
                self.assertEqual(st, 400)
                self.assertEqual(ans["type"], "validation_error")
                self.assertIn(words, ans["detail"])
        self.assertEqual({r["status"] for r in self.sink.requests()}, {400})
        self.assert_nothing_stored()

    def test_bad_shape_is_400_naming_the_problem(self):
        def without(k):
            ev = event()
            del ev[k]
            return ev
        cases = [
            ("not an object", [1, 2], "not a JSON object"),
            ("no batch", {"api_key": KEY}, "batch is missing"),
            ("batch not a list", {"api_key": KEY, "batch": {}}, "batch is missing"),
            ("empty batch", body([]), "Empty batch"),
            ("event not an object", body(["x"]), "batch[0]: event is not an object"),
            ("no event name", body([without("event")]), "batch[0]: missing event name"),
            ("event name not a string", body([event(event=5)]), "missing event name"),
            ("properties not an object", body([event(properties=[])]),
             "properties is not an object"),
            ("no properties", body([without("properties")]), "properties is not an object"),
            ("no distinct_id", body([event(), without("distinct_id")]),
             "batch[1]: missing distinct_id"),
            ("distinct_id a number", body([event(distinct_id=12)]), "missing distinct_id"),
            ("timestamp not ISO", body([event(timestamp="yesterday")]),
             "timestamp is not an ISO-8601"),
            ("timestamp a number", body([event(timestamp=1700000000)]),
             "timestamp is not an ISO-8601"),
            ("no uuid", body([without("uuid")]), "missing uuid"),
            ("uuid not a UUID", body([event(uuid="abc")]), "is not a UUID"),
            ("sent_at not ISO", body([event()], sent_at="now"), "sent_at is not"),
        ]
        for name, doc, words in cases:
            with self.subTest(name):
                st, _, ans = self.post(doc)
                self.assertEqual(st, 400, ans)
                self.assertEqual(ans["type"], "validation_error")
                self.assertIn(words, ans["detail"])
        self.assert_nothing_stored()

    def test_body_over_max_uncompressed_is_413(self):
        def sized(n):
            doc = body([event(properties={"pad": ""})])
            short = len(json.dumps(doc))
            doc["batch"][0]["properties"]["pad"] = "x" * (n - short)
            data = json.dumps(doc).encode()
            self.assertEqual(len(data), n)
            return data
        st, _, _ = self.post(sized(2000))
        self.assertEqual(st, 200, "exactly the limit is accepted")
        st, _, ans = self.post(sized(2001))
        self.assertEqual(st, 413)
        self.assertEqual(ans["code"], "payload_too_large")
        # Small when compressed, over the limit once inflated.
        st, _, _ = self.post(gzip.compress(sized(2001)),
                             headers={"Content-Encoding": "gzip"})
        self.assertEqual(st, 413)
        st, _, _ = self.post(gzip.compress(b" " * 50_000_000),
                             headers={"Content-Encoding": "gzip"})
        self.assertEqual(st, 413)
        self.assertEqual(len(self.sink.events()), 1)

    def test_oversized_body_is_drained_and_the_connection_still_works(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.sink.port, timeout=30)
        self.addCleanup(conn.close)
        conn.request("POST", "/batch/", body=b"x" * 300_000,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        self.assertEqual(r.status, 413)
        r.read()
        conn.request("POST", "/batch/", body=json.dumps(body([event()])),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        r.read()
        self.assertEqual([q["bytes"] for q in self.sink.requests()][0], 300_000)


class TestRejectEventIf(SinkCase):
    sink_kw = {"reject_event_if": ["bad=yes", "n=3"]}

    def test_one_matching_event_refuses_the_whole_batch(self):
        good1, bad, good2 = event(), event(properties={"bad": "yes"}), event()
        st, _, ans = self.post(body([good1, bad, good2]))
        self.assertEqual(st, 400)
        self.assertEqual(ans["attr"], "batch[1]")
        self.assertIn(bad["uuid"], ans["detail"])
        self.assert_nothing_stored()
        st, _, _ = self.post(body([good1, good2]))
        self.assertEqual(st, 200)
        self.assertEqual([e["uuid"] for e in self.sink.events()],
                         [good1["uuid"], good2["uuid"]])

    def test_values_compare_as_strings(self):
        for value in (3, "3"):
            with self.subTest(value=value):
                st, _, _ = self.post(body([event(properties={"n": value})]))
                self.assertEqual(st, 400)
        for props in ({"n": 4}, {"bad": "no"}, {"bad": "yes!"}, {"other": "yes"}):
            with self.subTest(props=props):
                st, _, _ = self.post(body([event(properties=props)]))
                self.assertEqual(st, 200)
        self.assertEqual(len(self.sink.events()), 4)

    def test_bad_option_is_a_usage_error(self):
        cases = [(["--reject-event-if", "novalue"], b"KEY=VALUE"),
                 (["--reject-event-if", "=v"], b"KEY=VALUE"),
                 (["--port", "x"], b"--port"), (["--port", "70000"], b"--port"),
                 (["--idle-timeout", "0"], b"--idle-timeout"),
                 (["--max-body-bytes", "0"], b"--max-body-bytes"),
                 (["--no-such-option"], b"unrecognized")]
        for args, words in cases:
            with self.subTest(args=args), tempfile.TemporaryDirectory() as d:
                pf = os.path.join(d, "port")
                p = subprocess.run([sys.executable, sinkctl.SINK, "--port-file", pf,
                                    "--idle-timeout", "30"] + args,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=60)
                self.assertEqual(p.returncode, 64)
                self.assertIn(words, p.stderr)
                self.assertFalse(os.path.exists(pf))


class TestScript(SinkCase):
    sink_kw = {"api_key": KEY}

    def test_statuses_in_order_with_counts_and_retry_after(self):
        date = email.utils.formatdate(time.time() + 30, usegmt=True)
        self.sink.script([{"status": 503, "retry_after": "2", "count": 2},
                          {"status": 429, "retry_after": date},
                          {"status": 500, "body": {"error": "boom"},
                           "headers": {"X-Why": "scripted"}}])
        evs = [event(), event()]
        got = [self.post(body(evs)) for _ in range(5)]
        self.assertEqual([g[0] for g in got], [503, 503, 429, 500, 200])
        self.assertEqual([g[1]["Retry-After"] for g in got],
                         ["2", "2", date, None, None])
        self.assertEqual(got[3][2], {"error": "boom"})
        self.assertEqual(got[3][1]["X-Why"], "scripted")
        reqs = self.sink.requests()
        self.assertEqual([r["status"] for r in reqs], [503, 503, 429, 500, 200])
        self.assertEqual([r["answer"] for r in reqs],
                         ["status 503", "status 503", "status 429", "status 500", "normal"])
        for r in reqs:
            self.assertEqual(r["uuids"], [e["uuid"] for e in evs])
        self.assertEqual([e["_request"] for e in self.sink.events()], [5, 5])

    def test_scripted_2xx_checks_and_stores_like_a_normal_answer(self):
        self.sink.script([{"status": 202}, {"status": 200}])
        st, _, ans = self.post(body([event()]))
        self.assertEqual((st, ans), (202, {"status": 1}))
        st, _, _ = self.post(body([event()], key="wrong"))
        self.assertEqual(st, 401, "a scripted 200 still checks the key")
        self.assertEqual(len(self.sink.events()), 1)

    def test_scripts_append_and_replace(self):
        self.assertEqual(self.sink.script([{"status": 500}])["queued"], 1)
        self.assertEqual(self.sink.script([{"status": 502, "count": 2}])["queued"], 3)
        self.assertEqual(self.sink.script([{"status": 504}], replace=True)["queued"], 1)
        self.assertEqual([self.post(body([event()]))[0] for _ in range(2)], [504, 200])

    def test_invalid_script_is_400_and_changes_nothing(self):
        bad = [{"answers": "x"}, {"answers": [{"status": 99}]},
               {"answers": [{"status": 100}]}, {"answers": [{"status": 600}]},
               {"answers": [{"status": "503"}]}, {"answers": [{"status": True}]},
               {"answers": [{"action": "delay", "seconds": 1, "then_status": 101}]},
               {"answers": [{"status": 500, "count": 0}]},
               {"answers": [{"action": "explode"}]},
               {"answers": [{"action": "delay", "seconds": -1}]},
               {"answers": [{"action": "delay"}]},
               {"answers": [{"action": "delay", "until": "done"}]},
               {"answers": [{"action": "delay", "until": "client_gone", "seconds": 1}]},
               {"answers": [{"action": "delay", "seconds": 1, "then_status": "ok"}]},
               {"answers": [{"status": 500, "headers": {"A": 1}}]},
               {"answers": [{"status": 500}, 5]}]
        for doc in bad:
            with self.subTest(doc=doc):
                st, _, ans = sinkctl.http("POST", self.sink.url + "/_control/script",
                                          json.dumps(doc).encode())
                self.assertEqual(st, 400)
                self.assertIn(b"bad script", ans)
        self.assertEqual(self.post(body([event()]))[0], 200)

    def test_close_drops_the_connection_without_an_answer(self):
        self.sink.script([{"action": "close"}])
        ev = event()
        conn = raw_post(self.sink.port, json.dumps(body([ev])))
        self.addCleanup(conn.close)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        req, = self.sink.requests()
        self.assertEqual((req["status"], req["answer"], req["uuids"]),
                         (None, "close", [ev["uuid"]]))
        self.assert_nothing_stored()
        self.assertEqual(self.post(body([ev]))[0], 200)
        self.assertEqual(len(self.sink.events()), 1)

    def test_accept_then_close_stores_but_never_answers(self):
        self.sink.script([{"action": "accept_then_close"}])
        ev = event()
        conn = raw_post(self.sink.port, gzip.compress(json.dumps(body([ev])).encode()),
                        {"Content-Encoding": "gzip"})
        self.addCleanup(conn.close)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        self.assertEqual([(e["uuid"], e["_request"]) for e in self.sink.events()],
                         [(ev["uuid"], 1)])
        self.assertEqual(self.sink.requests()[0]["status"], None)

    def test_partial_answer_breaks_off_mid_body(self):
        self.sink.script([{"action": "partial"}])
        conn = raw_post(self.sink.port, json.dumps(body([event()])))
        self.addCleanup(conn.close)
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        with self.assertRaises(http.client.IncompleteRead):
            r.read()
        self.assert_nothing_stored()

    def test_hang_never_answers_and_does_not_block_others(self):
        self.sink.script([{"action": "hang"}])
        hung = raw_post(self.sink.port, json.dumps(body([event()])), timeout=2)
        self.addCleanup(hung.close)
        until(lambda: self.sink.requests(), "the hung request to arrive")
        # Another client is answered while the first one hangs.
        self.assertEqual(self.post(body([event()]))[0], 200)
        with self.assertRaises(TimeoutError):
            hung.getresponse()
        def hanging():
            return json.loads(sinkctl.http("GET", self.sink.url + "/_control/stats")[2])[
                "hanging"]
        until(lambda: hanging() == 1, "the handler to be hanging")
        hung.close()
        until(lambda: hanging() == 0, "the hanging thread to end once the client closed")
        reqs = self.sink.requests()
        self.assertEqual([(r["answer"], r["status"]) for r in reqs],
                         [("hang", None), ("normal", 200)])
        self.assertEqual(len(self.sink.events()), 1)

    def test_delay_then_status(self):
        date = email.utils.formatdate(time.time() + 60, usegmt=True)
        self.sink.script([{"action": "delay", "seconds": 0.2},
                          {"action": "delay", "seconds": 0.2, "then_status": 503,
                           "retry_after": date}])
        st, _, _ = self.post(body([event()]))
        self.assertEqual(st, 200)
        st, h, _ = self.post(body([event()]))
        self.assertEqual((st, h["Retry-After"]), (503, date))
        self.assertEqual(len(self.sink.events()), 1)
        self.assertEqual([r["status"] for r in self.sink.requests()], [200, 503])

    def test_delay_past_the_client_timeout_still_stores(self):
        # The server processed it; the client never heard: the case that
        # makes a resend with the same uuid necessary.
        # The sink waits until the client has given up (its 1 s timeout),
        # then stores: the client gives up first at any speed.
        self.sink.script([{"action": "delay", "until": "client_gone"}])
        ev = event()
        conn = raw_post(self.sink.port, json.dumps(body([ev])), timeout=1)
        self.addCleanup(conn.close)
        with self.assertRaises(TimeoutError):
            conn.getresponse()
        conn.close()
        until(lambda: self.sink.events(), "the delayed batch to be stored")
        self.assertEqual(self.sink.events()[0]["uuid"], ev["uuid"])
        until(lambda: self.sink.requests()[0]["status"] == 200, "its status")


class TestControl(SinkCase):

    def test_reset_clears_script_requests_and_events(self):
        self.post(body([event()]))
        self.sink.script([{"status": 500, "count": 5}])
        self.assertEqual(self.post(body([event()]))[0], 500)
        self.assertEqual(self.sink.reset(), {"reset": True})
        self.assertEqual(self.sink.requests(), [])
        self.assert_nothing_stored()
        self.assertEqual(self.post(body([event()]))[0], 200)
        self.assertEqual(self.sink.requests()[0]["n"], 1)
        with open(self.sink.store_path) as f:
            self.assertEqual(len(f.read().splitlines()), 1)

    def test_sinkctl_cli_prints_events(self):
        ev = event()
        self.post(body([ev]))
        p = subprocess.run([sys.executable, os.path.join(os.path.dirname(sinkctl.SINK),
                                                         "sinkctl.py"),
                            "events", "--url", self.sink.url],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([e["uuid"] for e in json.loads(p.stdout)], [ev["uuid"]])

    def test_events_kept_in_memory_without_store(self):
        with tempfile.TemporaryDirectory() as d:
            pf = os.path.join(d, "port")
            proc = subprocess.Popen([sys.executable, sinkctl.SINK, "--port-file", pf,
                                     "--idle-timeout", "60"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                until(lambda: os.path.exists(pf), "the port file")
                with open(pf) as f:
                    url = "http://127.0.0.1:%s" % f.read().strip()
                ev = event()
                self.assertEqual(sinkctl.post_batch(url, body([ev]))[0], 200)
                got = json.loads(sinkctl.http("GET", url + "/_control/events")[2])
                self.assertEqual([e["uuid"] for e in got], [ev["uuid"]])
                self.assertEqual(os.listdir(d), ["port"])
                sinkctl.http("POST", url + "/_control/reset", b"{}")
                got = json.loads(sinkctl.http("GET", url + "/_control/events")[2])
                self.assertEqual(got, [])
            finally:
                proc.terminate()
                proc.wait(60)


class TestLifecycle(unittest.TestCase):

    def test_listening_line_and_port_file(self):
        with sinkctl.Sink() as s:
            self.assertRegex(s.stdout(), r"^sink listening on http://127\.0\.0\.1:%d\n$"
                             % s.port)
            with open(s.port_file) as f:
                self.assertEqual(f.read(), "%d\n" % s.port)
            self.assertNotIn(".port-", "".join(os.listdir(s.dir)))
            self.assertEqual(s.post(body([event()]))[0], 200)

    def test_idle_timeout_stops_it(self):
        # Nothing is sent: a request racing the idle stop on a loaded
        # machine would make the test depend on timing.
        s = sinkctl.Sink(idle_timeout=1)
        self.addCleanup(s.stop)
        self.assertEqual(s.wait(120), 0)
        self.assertIn("idle", s.stderr())

    def test_sigterm_and_sigint_stop_it(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(sig=sig.name):
                s = sinkctl.Sink()
                self.addCleanup(s.stop)
                s.proc.send_signal(sig)
                self.assertEqual(s.wait(120), 0)
                self.assertIn(sig.name, s.stderr())

    def test_control_stop_stops_it_even_while_a_request_hangs(self):
        s = sinkctl.Sink()
        self.addCleanup(s.stop)
        s.script([{"action": "hang"}])
        hung = raw_post(s.port, json.dumps(body([event()])), timeout=120)
        self.addCleanup(hung.close)
        until(lambda: s.requests(), "the hung request")
        st, _, ans = sinkctl.http("POST", s.url + "/_control/stop", b"{}")
        self.assertEqual((st, json.loads(ans)), (200, {"stopping": True}))
        self.assertEqual(s.wait(120), 0)
        self.assertIn("/_control/stop", s.stderr())
        # The hung client sees its connection end, not an answer.
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            hung.getresponse()

    def test_stop_reaps_the_process(self):
        s = sinkctl.Sink()
        pid = s.proc.pid
        self.assertEqual(s.stop(), 0)
        self.assertIsNotNone(s.proc.returncode)
        self.assertFalse(os.path.exists(s.dir))
        with self.assertRaises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def test_refuses_any_host_but_127_0_0_1(self):
        for host in ("0.0.0.0", "localhost", "::1", "::", "192.0.2.1", ""):
            with self.subTest(host=host), tempfile.TemporaryDirectory() as d:
                pf = os.path.join(d, "port")
                p = subprocess.run([sys.executable, sinkctl.SINK, "--host", host,
                                    "--port", "0", "--port-file", pf],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=60)
                self.assertEqual(p.returncode, 64)
                self.assertIn(b"127.0.0.1 only", p.stderr)
                self.assertEqual(p.stdout, b"")
                self.assertFalse(os.path.exists(pf))

    def test_port_in_use_is_reported(self):
        with sinkctl.Sink() as s:
            p = subprocess.run([sys.executable, sinkctl.SINK, "--port", str(s.port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(p.returncode, 71)
            self.assertIn(b"cannot listen", p.stderr)
            self.assertEqual(p.stdout, b"")


if __name__ == "__main__":
    unittest.main()
