"""uptest — helpers for the uploader's end-to-end tests (test_upload*.py):
the real jarvis-analytics-upload against the real sink (tools/sink), each
test with its own sink on 127.0.0.1, stopped and reaped by the test.

  UploadCase(JATestCase)
    self.sink(**kw)        a started Sink (stopped at cleanup)
    self.up(sink, *args)   run the uploader against it (key, host, a short
                           test backoff); → Result
    self.fill(n)           queue n app_opened events (one process, the
                           ctypes binding: fast for thousands)
    self.queued_uuids()    uuids still in the queue, in capture order
"""

import json
import os
import subprocess
import sys
import time

from jatest import (BUILD_DIR, LIB, SOURCE_DIR, JATestCase, Result, check_sanitizers,
                    clean_env, python_executable, sanitizer_preload, sqlite_json)

sys.path.insert(0, os.path.join(SOURCE_DIR, "tools", "sink"))
from sinkctl import Sink  # noqa: E402

UPLOAD = os.path.join(BUILD_DIR, "jarvis-analytics-upload")
KEY = "phc_e2e_secret_0123456789abcdefXYZ"
# The first backoff in the tests (ms): 20, 40, 80 … instead of 1 s, 2 s, 4 s.
BACKOFF_MS = 20
EXIT_TEMPFAIL, EXIT_CONFIG = 75, 78


class UploadCase(JATestCase):

    def setUp(self):
        super().setUp()
        if not os.access(UPLOAD, os.X_OK):
            self.fail("jarvis-analytics-upload not built at %s" % UPLOAD)

    def sink(self, api_key=KEY, **kw):
        s = Sink(api_key=api_key, **kw)
        self.addCleanup(s.stop)
        return s

    def up_env(self, host, key=KEY, env=None):
        e = {"OPENJARVIS_ANALYTICS_HOST": host, "OPENJARVIS_ANALYTICS_KEY": key,
             "JA_UPLOAD_BACKOFF_BASE_MS": str(BACKOFF_MS), "no_proxy": "*"}
        e.update(env or {})
        return clean_env(self.home, e)

    def up(self, sink_or_host, *args, rc=None, key=KEY, env=None, timeout=120):
        host = sink_or_host if isinstance(sink_or_host, str) else sink_or_host.url
        argv = [UPLOAD] + [str(a) for a in args]
        t0 = time.monotonic()
        proc = subprocess.run(argv, env=self.up_env(host, key, env), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        res = Result(args, proc, time.monotonic() - t0)
        check_sanitizers(res.err, "jarvis-analytics-upload")
        self.assertGreaterEqual(res.rc, 0, "killed by a signal: %r" % (res,))
        if key:
            self.assertNotIn(key, res.out + res.err, "the key was printed")
        if rc is not None:
            self.assertEqual(res.rc, rc, "unexpected exit code: %r" % (res,))
        return res

    def spawn(self, sink, *args, env=None):
        """The uploader as a background process (the caller reaps it)."""
        p = subprocess.Popen([UPLOAD] + [str(a) for a in args],
                             env=self.up_env(sink.url, env=env), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self._reap, p)
        return p

    @staticmethod
    def _reap(p):
        if p.poll() is None:
            p.kill()
        p.communicate()

    def fill(self, n, props=None):
        """Queue n app_opened events through the library in one process."""
        code = (
            "import sys, json\n"
            "sys.path.insert(0, %r)\n"
            "import jarvis_analytics as ja\n"
            "props = json.loads(sys.argv[2])\n"
            "with ja.Store() as s:\n"
            "    for i in range(int(sys.argv[1])):\n"
            "        o = s.capture('app_opened', props)\n"
            "        assert o.stored, o\n"
        ) % os.path.join(SOURCE_DIR, "tools", "python")
        env = clean_env(self.home, {"JARVIS_ANALYTICS_LIB": LIB})
        # An ASan-built library in a plain interpreter needs the runtime
        # first (as in test_python_binding.py); leaks of Python itself are
        # not ours to report.
        preload = sanitizer_preload(LIB)
        if preload:
            env["LD_PRELOAD"] = preload
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        p = subprocess.run([python_executable(), "-c", code, str(n),
                            json.dumps(props or {"version": "1.2.3", "platform": "cli"})],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))

    def rows(self, sql):
        return sqlite_json(self.db, sql)

    def queued(self):
        """[(uuid, timestamp, distinct_id)] still queued (pending, not sent:
        what was sent stays in events, marked), capture order."""
        return [(r["uuid"], r["timestamp"], r["distinct_id"])
                for r in self.rows("SELECT uuid, timestamp, distinct_id FROM pending")]

    def queued_uuids(self):
        return [q[0] for q in self.queued()]

    def count(self, sql):
        return list(self.rows(sql)[0].values())[0]
