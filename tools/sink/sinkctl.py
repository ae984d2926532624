#!/usr/bin/env python3
"""sinkctl.py — start, drive and stop the local sink (sink.py) from tests,
the demo and a shell. Python 3 standard library only.

    from sinkctl import Sink
    with Sink(api_key="phc_test") as sink:        # 127.0.0.1, a free port
        sink.script([{"status": 503, "retry_after": "1", "count": 2}])
        ... run the uploader against sink.url ...
        sink.requests(); sink.events()
    # stopped and reaped here, whatever happened

    python3 tools/sink/sinkctl.py events --url http://127.0.0.1:PORT
    python3 tools/sink/sinkctl.py {requests,reset,stop} --url URL
"""

import argparse
import gzip as gziplib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# Never through a proxy from the environment: the sink is on loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
HERE = os.path.dirname(os.path.abspath(__file__))
SINK = os.path.join(HERE, "sink.py")


def http(method, url, body=None, headers=None, timeout=30):
    """(status, headers, body bytes) of one request; an HTTP error status
    is an answer here, not an exception."""
    req = urllib.request.Request(url, data=body, method=method,
                                 headers=dict(headers or {}))
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def post_batch(url, doc, gzip=False, headers=None, timeout=30):
    """POST @doc (a dict, or bytes sent as they are) to URL/batch/;
    → (status, headers, parsed JSON answer or the raw bytes)."""
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode("utf-8")
    hd = {"Content-Type": "application/json"}
    if gzip:
        data = gziplib.compress(data)
        hd["Content-Encoding"] = "gzip"
    hd.update(headers or {})
    st, h, body = http("POST", url.rstrip("/") + "/batch/", data, hd, timeout)
    try:
        return st, h, json.loads(body)
    except ValueError:
        return st, h, body


class Sink:
    """sink.py as a subprocess on 127.0.0.1 at a free port, in a temp dir
    (port file, JSONL store, its stdout/stderr). Extra sink options as
    keyword arguments: api_key, max_body_bytes, idle_timeout (default 60,
    so a forgotten sink still ends), reject_event_if (list of "K=V"),
    extra_args (list)."""

    def __init__(self, api_key=None, max_body_bytes=None, idle_timeout=60,
                 reject_event_if=(), extra_args=(), start_timeout=60):
        self.dir = tempfile.mkdtemp(prefix="ja-sink-")
        self.port_file = os.path.join(self.dir, "port")
        self.store_path = os.path.join(self.dir, "events.jsonl")
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")
        argv = [sys.executable, SINK, "--host", "127.0.0.1", "--port", "0",
                "--port-file", self.port_file, "--store", self.store_path,
                "--idle-timeout", str(idle_timeout)]
        if api_key is not None:
            argv += ["--api-key", api_key]
        if max_body_bytes is not None:
            argv += ["--max-body-bytes", str(max_body_bytes)]
        for r in reject_event_if:
            argv += ["--reject-event-if", r]
        argv += list(extra_args)
        self.argv = argv
        self.proc = None
        self.port = None
        self.url = None
        self._start(start_timeout)

    def _start(self, timeout):
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + timeout
            while not os.path.exists(self.port_file):
                if self.proc.poll() is not None:
                    raise RuntimeError("sink exited with %d before listening: %s"
                                       % (self.proc.returncode, self.stderr()))
                if time.monotonic() > deadline:
                    raise RuntimeError("sink wrote no port file within %g s" % timeout)
                time.sleep(0.02)
            with open(self.port_file) as f:
                self.port = int(f.read().strip())
            self.url = "http://127.0.0.1:%d" % self.port
        except BaseException:
            self.stop()
            raise

    # -- reading what the sink saw

    def stdout(self):
        with open(self.stdout_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _control(self, method, what, doc=None):
        body = None if doc is None else json.dumps(doc).encode("utf-8")
        st, _, data = http(method, self.url + "/_control/" + what, body,
                           {"Content-Type": "application/json"})
        if st != 200:
            raise RuntimeError("sink /_control/%s: %d %r" % (what, st, data))
        return json.loads(data)

    def script(self, answers, replace=False):
        """Queue scripted answers for the next /batch/ requests."""
        return self._control("POST", "script", {"answers": answers, "replace": replace})

    def requests(self):
        return self._control("GET", "requests")

    def events(self):
        return self._control("GET", "events")

    def reset(self):
        return self._control("POST", "reset", {})

    def stats(self):
        return self._control("GET", "stats")

    def release(self):
        """Answer every request a "hold" entry holds now."""
        return self._control("POST", "release", {})

    def wait_held(self, n=1, timeout=120):
        """Wait until @n requests are held by "hold" entries (a request the
        test acts around while it is in flight); raise after @timeout s."""
        deadline = time.monotonic() + timeout
        while self.stats()["held"] < n:
            if time.monotonic() > deadline:
                raise RuntimeError("sink: %d request(s) never held" % n)
            time.sleep(0.01)

    def post(self, doc, **kw):
        return post_batch(self.url, doc, **kw)

    # -- stopping

    def wait(self, timeout):
        """The exit status once the sink ends within @timeout s, else None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, keep_dir=False):
        """Stop the sink (POST /_control/stop, then SIGTERM, then SIGKILL)
        and reap it; → its exit status. Safe to call twice."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None and self.url:
                try:
                    http("POST", self.url + "/_control/stop", b"{}", timeout=5)
                except OSError:
                    pass
                rc = self.wait(10)
            if self.proc.poll() is None:
                self.proc.terminate()
                rc = self.wait(10)
            if self.proc.poll() is None:
                self.proc.kill()
            rc = self.proc.wait()
        if not keep_dir and self.dir and os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    p = argparse.ArgumentParser(prog="sinkctl.py",
                                description="Talk to a running sink.")
    p.add_argument("what", choices=("events", "requests", "reset", "stop"))
    p.add_argument("--url", required=True, help="http://127.0.0.1:PORT")
    a = p.parse_args(argv)
    method = "GET" if a.what in ("events", "requests") else "POST"
    body = None if method == "GET" else b"{}"
    try:
        st, _, data = http(method, a.url.rstrip("/") + "/_control/" + a.what, body)
    except OSError as e:
        sys.stderr.write("sinkctl.py: %s: %s\n" % (a.url, e))
        return 69
    if st != 200:
        sys.stderr.write("sinkctl.py: %s answered %d\n" % (a.url, st))
        return 69
    json.dump(json.loads(data), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
