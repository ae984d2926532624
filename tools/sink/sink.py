#!/usr/bin/env python3
"""sink.py — a local stand-in for PostHog's capture API (`POST /batch/`) for
the tests and the demo: checks bodies the way PostHog does (capture.py),
stores what it accepts (JSONL), and can be scripted to answer the next
requests with any status, Retry-After, a delay, a closed connection, an
accepted-then-dropped answer or no answer at all. Python 3 stdlib only.

Sections: options · state (script, request log, store) · the handler
(/batch/, /_control/*) · the answers · running and stopping.
It only ever binds 127.0.0.1, and it always stops by itself (idle timeout),
so no test can leave it running. Interface: tools/sink/README.md.
"""

import argparse
import datetime
import http.server
import json
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time

import capture

MiB = 1024 * 1024
ACTIONS = ("delay", "close", "hang", "accept_then_close", "partial", "hold")


# ------------------------------------------------------------------ options

class Parser(argparse.ArgumentParser):
    def error(self, message):
        # 64 (EX_USAGE) like the project's programs, not argparse's 2.
        self.print_usage(sys.stderr)
        self.exit(64, "%s: %s\n" % (self.prog, message))


def parse_args(argv):
    p = Parser(
        prog="sink.py", description="Local PostHog-compatible capture sink.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind; only 127.0.0.1 is accepted")
    p.add_argument("--port", type=int, default=0, help="0 = a free port")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--store", help="append accepted events here (JSONL); "
                   "default: kept in memory only")
    p.add_argument("--api-key", help="the only api_key accepted (else any)")
    p.add_argument("--max-body-bytes", type=int, default=20 * MiB,
                   help="largest uncompressed body (default 20 MiB); more is 413")
    p.add_argument("--idle-timeout", type=float, default=120.0,
                   help="stop after this many seconds without a request")
    p.add_argument("--reject-event-if", action="append", default=[],
                   metavar="KEY=VALUE",
                   help="400 for a batch holding an event whose "
                   "properties[KEY] == VALUE (repeatable)")
    p.add_argument("--verbose", action="store_true",
                   help="log every request on stderr")
    a = p.parse_args(argv)
    if a.host != "127.0.0.1":
        p.exit(64, "sink.py: refusing to bind %r: the sink binds 127.0.0.1 "
               "only\n" % a.host)
    if not 0 <= a.port <= 65535:
        p.exit(64, "sink.py: --port %d out of range\n" % a.port)
    if a.max_body_bytes < 1:
        p.exit(64, "sink.py: --max-body-bytes must be at least 1\n")
    if a.idle_timeout <= 0:
        p.exit(64, "sink.py: --idle-timeout must be positive\n")
    a.reject = []
    for item in a.reject_event_if:
        k, eq, v = item.partition("=")
        if not eq or not k:
            p.exit(64, "sink.py: --reject-event-if %r: expected KEY=VALUE\n" % item)
        a.reject.append((k, v))
    return a


def iso_now():
    """UTC now as '2026-11-25T12:21:11.703Z'."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def write_atomically(path, text):
    """Write @text to @path through a temp file in the same folder and a
    rename, so a reader polling for the file never sees it half written."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# -------------------------------------------------------------------- state

def check_script(answers):
    """The validated list of script entries in @answers (raises ValueError
    naming the bad entry)."""
    if not isinstance(answers, list):
        raise ValueError("answers is not a list")
    out = []
    for i, a in enumerate(answers):
        if not isinstance(a, dict):
            raise ValueError("answers[%d] is not an object" % i)
        count = a.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("answers[%d].count must be an integer >= 1" % i)
        action = a.get("action", "status")
        if action == "status":
            st = a.get("status")
            if not isinstance(st, int) or isinstance(st, bool) or not 200 <= st <= 599:
                raise ValueError("answers[%d].status must be a final HTTP status "
                                 "(200-599)" % i)
        elif action not in ACTIONS:
            raise ValueError("answers[%d].action %r is unknown" % (i, action))
        if action == "hold":
            ts = a.get("then_status", 200)
            if not isinstance(ts, int) or isinstance(ts, bool) or not 200 <= ts <= 599:
                raise ValueError("answers[%d].then_status must be a final HTTP "
                                 "status (200-599)" % i)
        if action == "delay":
            s = a.get("seconds")
            until = a.get("until")
            if until is not None and until != "client_gone":
                raise ValueError("answers[%d].until must be \"client_gone\"" % i)
            if until is not None and s is not None:
                raise ValueError("answers[%d] has both seconds and until" % i)
            if until is None and (not isinstance(s, (int, float)) or isinstance(s, bool)
                                  or s < 0):
                raise ValueError("answers[%d].seconds must be a number >= 0" % i)
            ts = a.get("then_status", 200)
            if not isinstance(ts, int) or isinstance(ts, bool) or not 200 <= ts <= 599:
                raise ValueError("answers[%d].then_status must be a final HTTP "
                                 "status (200-599)" % i)
        ra = a.get("retry_after")
        if ra is not None and not isinstance(ra, (str, int)):
            raise ValueError("answers[%d].retry_after must be a string" % i)
        hd = a.get("headers", {})
        if not isinstance(hd, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in hd.items()):
            raise ValueError("answers[%d].headers must map strings to strings" % i)
        e = dict(a, action=action, count=count)
        out.append(e)
    return out


class State:
    """Everything the threads share, under one lock: the script of answers
    still to give, the request log, and the stored events."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.stop = threading.Event()      # set → every waiting thread ends
        self.stop_reason = None
        self.last_activity = time.monotonic()
        self.script = []                   # entries with a remaining count
        self.requests = []                 # the /batch/ request log
        self.events = []                   # stored events (no --store only)
        self.hanging = 0                   # requests held by a "hang" now
        self.held = 0                      # requests held by a "hold" now
        self.releases = 0                  # POST /_control/release so far
        self.released = threading.Condition(self.lock)
        self.store = open(args.store, "a", encoding="utf-8") if args.store else None

    def touch(self):
        with self.lock:
            self.last_activity = time.monotonic()

    def request_stop(self, reason):
        with self.lock:
            if self.stop_reason is None:
                self.stop_reason = reason
            self.released.notify_all()
        self.stop.set()

    def hold(self):
        """Wait until the next POST /_control/release (True) or the stop
        (False)."""
        with self.lock:
            gen = self.releases
            self.held += 1
            try:
                while self.releases == gen and not self.stop.is_set():
                    self.released.wait(1.0)
                return self.releases != gen
            finally:
                self.held -= 1

    def release(self):
        with self.lock:
            self.releases += 1
            self.released.notify_all()

    def next_answer(self):
        """The script entry that answers this /batch/ request, or None."""
        with self.lock:
            if not self.script:
                return None
            entry = self.script[0]
            entry["left"] -= 1
            if entry["left"] == 0:
                self.script.pop(0)
            return entry

    def log_request(self, record):
        with self.lock:
            record["n"] = len(self.requests) + 1
            self.requests.append(record)
            return record["n"]

    def note(self, record, **fields):
        """Update a request's log record (still in place, or detached by a
        reset meanwhile: then nobody sees it, and nothing breaks)."""
        with self.lock:
            record.update(fields)

    def store_events(self, n, doc):
        """Append the batch's events, each marked with the request that
        brought them; flushed before the answer leaves."""
        received = iso_now()
        rows = []
        for ev in doc["batch"]:
            row = dict(ev)
            row["_request"] = n
            row["_received_at"] = received
            row["_sent_at"] = doc.get("sent_at")
            rows.append(row)
        with self.lock:
            if self.store is not None:
                self.store.write("".join(json.dumps(r) + "\n" for r in rows))
                self.store.flush()
            else:
                self.events.extend(rows)

    def stored_events(self):
        with self.lock:
            if self.store is None:
                return list(self.events)
            self.store.flush()
            with open(self.args.store, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]

    def reset(self):
        with self.lock:
            self.script.clear()
            self.requests.clear()
            self.events.clear()
            if self.store is not None:
                self.store.truncate(0)
                self.store.seek(0)


# ------------------------------------------------------------------ handler

class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1: keep-alive, so a client reusing one connection across
    # batches (the uploader does) is exercised.
    protocol_version = "HTTP/1.1"
    server_version = "jarvis-analytics-sink/1"
    # Headers and body leave in two writes; with Nagle on, the body waits
    # for the client's delayed ACK (~40 ms per answer, 25 batches/s).
    disable_nagle_algorithm = True

    @property
    def st(self):
        return self.server.state

    def log_message(self, fmt, *args):
        if self.st.args.verbose:
            sys.stderr.write("sink: %s %s\n" % (self.address_string(), fmt % args))

    # -- reading

    def read_body(self, limit=None):
        """The request body as sent (Content-Length or chunked), or None
        when it is longer than @limit bytes: then it is read and thrown
        away in pieces, so the connection stays usable for the answer."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts) if parts is not None else None
                total += size
                piece = self.rfile.read(size)
                if parts is not None and limit is not None and total > limit:
                    parts = None
                if parts is not None:
                    parts.append(piece)
                self.rfile.readline(65537)
        n = int(self.headers.get("Content-Length") or 0)
        if n <= 0:
            return b""
        if limit is None or n <= limit:
            return self.rfile.read(n)
        while n > 0:
            got = self.rfile.read(min(n, 1 << 20))
            if not got:
                break
            n -= len(got)
        return None

    # -- writing

    def send_json(self, status, doc, headers=None, close=False):
        data = json.dumps(doc).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def drop_connection(self):
        """Close without a byte of answer: the client sees EOF."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- routes

    def do_GET(self):
        self.st.touch()
        path = self.path.split("?")[0]
        if path == "/_control/requests":
            with self.st.lock:
                doc = [dict(r) for r in self.st.requests]
            self.send_json(200, doc)
        elif path == "/_control/events":
            self.send_json(200, self.st.stored_events())
        elif path == "/_control/stats":
            with self.st.lock:
                doc = {"requests": len(self.st.requests), "script_left":
                       sum(e["left"] for e in self.st.script),
                       "hanging": self.st.hanging, "held": self.st.held}
            self.send_json(200, doc)
        elif path in ("/batch", "/batch/"):
            self.send_json(405, {"type": "validation_error", "code": "method_not_allowed",
                                 "detail": "use POST", "attr": None},
                           headers={"Allow": "POST"})
        else:
            self.send_json(404, {"detail": "no such path: %s" % path})

    def do_POST(self):
        self.st.touch()
        path = self.path.split("?")[0]
        try:
            if path in ("/batch", "/batch/"):
                self.batch()
            elif path == "/_control/script":
                self.control_script()
            elif path == "/_control/release":
                self.read_body()
                self.st.release()
                self.send_json(200, {"released": True})
            elif path == "/_control/reset":
                self.read_body()
                self.st.reset()
                self.send_json(200, {"reset": True})
            elif path == "/_control/stop":
                self.read_body()
                self.send_json(200, {"stopping": True}, close=True)
                self.st.request_stop("POST /_control/stop")
            else:
                self.read_body()
                self.send_json(404, {"detail": "no such path: %s" % path})
        finally:
            self.st.touch()

    def control_script(self):
        try:
            doc = json.loads(self.read_body() or b"{}")
            if not isinstance(doc, dict):
                raise ValueError("body is not an object")
            entries = check_script(doc.get("answers"))
        except ValueError as e:
            self.send_json(400, {"detail": "bad script: %s" % e})
            return
        for e in entries:
            e["left"] = e["count"]
        with self.st.lock:
            if doc.get("replace"):
                self.st.script.clear()
            self.st.script.extend(entries)
            left = sum(e["left"] for e in self.st.script)
        self.send_json(200, {"queued": left})

    # -- /batch/

    def batch(self):
        at = time.monotonic()
        gz = self.headers.get("Content-Encoding", "").strip().lower() == "gzip"
        limit = self.st.args.max_body_bytes
        # A gzip body longer than this cannot inflate to @limit or less
        # (deflate grows incompressible data by well under 1 %).
        try:
            raw = self.read_body(limit + limit // 100 + 1024 if gz else limit)
        except ValueError:
            # Content-Length or a chunk size that is not a number: the
            # framing is lost, so answer and close.
            self.send_json(400, capture.Refusal(
                400, "invalid_payload", "Malformed request: bad body framing").body(),
                close=True)
            return
        oversized = raw is None
        size = int(self.headers.get("Content-Length") or 0) if oversized else len(raw)
        if oversized:
            raw = b""
        record = {"at": at, "status": None, "gzip": gz, "uuids": [],
                  "sent_at": None, "bytes": size, "answer": "normal",
                  "error": None, "events": 0,
                  "peer_port": self.client_address[1],
                  "user_agent": self.headers.get("User-Agent"),
                  "content_type": self.headers.get("Content-Type")}
        # Parse first (best effort) so the log names the uuids even of a
        # request the script refuses: retries are checked against it.
        doc, refusal = None, None
        try:
            if oversized:
                raise capture.too_large(limit)
            body = capture.decode_body(raw, gz, limit)
            doc = capture.parse_json(body)
        except capture.Refusal as r:
            refusal = r
        if isinstance(doc, dict):
            record["uuids"] = capture.batch_uuids(doc)
            record["events"] = len(record["uuids"])
            record["sent_at"] = doc.get("sent_at")
        entry = self.st.next_answer()
        if entry is not None:
            record["answer"] = entry["action"] if entry["action"] != "status" \
                else "status %d" % entry["status"]
        self.record = record
        n = self.st.log_request(record)
        if entry is None:
            self.answer_normally(n, doc, refusal)
        else:
            self.answer_scripted(n, entry, doc, refusal)

    def answer_normally(self, n, doc, refusal, status=200, extra=None):
        """PostHog's answer: check, store, {"status": 1}."""
        try:
            if refusal is not None:
                raise refusal
            capture.check_batch(doc, self.st.args.api_key, self.st.args.reject)
        except capture.Refusal as r:
            self.st.note(self.record, error=r.detail, status=r.status)
            self.send_json(r.status, r.body())
            return False
        self.st.store_events(n, doc)
        self.st.note(self.record, status=status)
        self.send_json(status, {"status": 1}, headers=extra)
        return True

    def answer_scripted(self, n, e, doc, refusal):
        action = e["action"]
        headers = dict(e.get("headers", {}))
        if e.get("retry_after") is not None:
            headers["Retry-After"] = str(e["retry_after"])
        if action == "status":
            st = e["status"]
            if 200 <= st < 300 and "body" not in e:
                self.answer_normally(n, doc, refusal, st, headers)
                return
            if 200 <= st < 300:
                # Someone else's 2xx (a proxy, a captive portal): that body,
                # given as a string (sent as it is) or a document; nothing
                # is stored.
                self.st.note(self.record, status=st)
                body = e["body"]
                data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(st)
                self.send_header("Content-Type", "text/html" if isinstance(body, str)
                                 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                return
            self.st.note(self.record, status=st)
            body = e.get("body", {"type": "server_error", "code": "scripted",
                                  "detail": "scripted answer %d" % st, "attr": None})
            self.send_json(st, body, headers=headers)
        elif action == "delay":
            # Interrupted by a stop; then the client simply gets no answer.
            if e.get("until") == "client_gone":
                # However long the client takes to give up: no guess of
                # its timeout on a machine of unknown speed.
                self.wait_for_eof(self.connection)
            if self.st.stop.wait(e.get("seconds", 0)):
                self.drop_connection()
                return
            e = dict(e, action="status", status=e.get("then_status", 200))
            self.answer_scripted(n, e, doc, refusal)
        elif action == "hold":
            # Until the test says so (POST /_control/release): a request
            # in flight for as long as the test needs, with no clock.
            if not self.st.hold():
                self.drop_connection()
                return
            e = dict(e, action="status", status=e.get("then_status", 200))
            self.answer_scripted(n, e, doc, refusal)
        elif action == "close":
            self.drop_connection()
        elif action == "accept_then_close":
            try:
                if refusal is not None:
                    raise refusal
                capture.check_batch(doc, self.st.args.api_key, self.st.args.reject)
                self.st.store_events(n, doc)
            except capture.Refusal as r:
                self.st.note(self.record, error=r.detail)
            self.drop_connection()
        elif action == "partial":
            # Status line and headers promise a body that never fully comes.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "64")
            self.end_headers()
            self.wfile.write(b'{"stat')
            self.wfile.flush()
            self.drop_connection()
        elif action == "hang":
            self.hang()

    def hang(self):
        """Read the request, never answer: wait until the client closes its
        end (EOF) or the sink stops."""
        sock = self.connection
        self.close_connection = True
        with self.st.lock:
            self.st.hanging += 1
        try:
            self.wait_for_eof(sock)
        finally:
            with self.st.lock:
                self.st.hanging -= 1

    def wait_for_eof(self, sock):
        while not self.st.stop.is_set():
            try:
                r, _, _ = select.select([sock], [], [], 0.2)
                if r and not sock.recv(1, socket.MSG_PEEK):
                    return
                if r:
                    # The client sent more (a pipelined request): drain it
                    # so select does not spin, and keep hanging.
                    sock.recv(65536)
            except OSError:
                return


# ------------------------------------------------------ running and stopping

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True        # a hung answer never holds the exit
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that gave up (timeout, closed socket) before a delayed
        # answer is an expected outcome here, not a fault worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state = State(args)
    try:
        server = Server((args.host, args.port), Handler)
    except OSError as e:
        sys.stderr.write("sink.py: cannot listen on %s:%d: %s\n"
                         % (args.host, args.port, e.strerror or e))
        return 71
    server.state = state
    port = server.server_address[1]
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _f: state.request_stop(signal.Signals(s).name))
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    sys.stdout.write("sink listening on http://127.0.0.1:%d\n" % port)
    sys.stdout.flush()
    serving = threading.Thread(target=server.serve_forever,
                               kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    # The main thread waits for a stop and watches the idle time; signals
    # land here, where setting an Event is all a handler does.
    while not state.stop.wait(0.2):
        with state.lock:
            idle = time.monotonic() - state.last_activity
        if idle >= args.idle_timeout:
            state.request_stop("idle for %g s" % args.idle_timeout)
    server.shutdown()
    server.server_close()
    with state.lock:
        if state.store is not None:
            state.store.close()
            state.store = None
    sys.stderr.write("sink: stopped (%s)\n" % state.stop_reason)
    return 0


if __name__ == "__main__":
    sys.exit(main())
