#!/usr/bin/env python3
"""bench_upload.py — drain N queued events to the local sink with the real
jarvis-analytics-upload, and report the uploader's own cost (DESIGN §10:
figures, never assertions): events/s (wall, the sink included), CPU time
per event of the uploader alone (user+sys from wait4, so the sink's
Python is not counted), and its peak RSS — for each queue size, so a
growth from 10 k to 1 M shows. Targets (issue 9): RSS <= 8 MB and flat,
CPU <= 2 us/event.

    tools/bench/bench_upload.py [--build DIR] [--sizes 10000 1000000] [--batch-size 100]

The queue is filled directly with sqlite3 (valid rows of the store's
schema, one transaction) after the store was created by one capture, so
filling 1 M events takes seconds; every event is checked to have arrived.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tools", "sink"))
from sinkctl import Sink  # noqa: E402

KEY = "phc_bench_0123456789abcdef"


def uuid7(ms, i):
    """A UUID v7 for capture time @ms (random bits from @i, unique)."""
    v = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (i & 0xFFF) << 64 | 0x2 << 62 | (i & ((1 << 62) - 1))
    return str(uuid.UUID(int=v))


def fill(build, home, n):
    env = dict(os.environ, OPENJARVIS_HOME=home)
    for k in ("DO_NOT_TRACK", "OPENJARVIS_LOG_LEVEL"):
        env.pop(k, None)
    subprocess.run([os.path.join(build, "jarvis-analytics"), "capture", "app_opened",
                    "--props", '{"version":"1.0.0","platform":"cli"}'], env=env, check=True)
    db = sqlite3.connect(os.path.join(home, "analytics_queue.db"), isolation_level=None)
    (anon,) = db.execute("SELECT distinct_id FROM events LIMIT 1").fetchone()
    db.execute("DELETE FROM events")
    now = int(time.time() * 1000) - n
    props = '{"version":"1.0.0","platform":"cli"}'
    db.execute("BEGIN")
    rows = ((uuid7(now + i, i), now + i,
             time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((now + i) // 1000)) + ".%03dZ" % ((now + i) % 1000),
             anon, "app_opened", props, now + i) for i in range(n))
    db.executemany("INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    db.close()
    return env


def run(build, n, batch, max_events):
    root = tempfile.mkdtemp(prefix="ja-bench-up-")
    try:
        home = os.path.join(root, "home")
        os.makedirs(home, mode=0o700)
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write("[analytics]\nmax_events = %d\n" % max_events)
        os.chmod(os.path.join(home, "config.toml"), 0o600)
        env = fill(build, home, n)
        with Sink(api_key=KEY, idle_timeout=600) as sink:
            env.update(OPENJARVIS_ANALYTICS_HOST=sink.url, OPENJARVIS_ANALYTICS_KEY=KEY)
            t0 = time.monotonic()
            p = subprocess.Popen([os.path.join(build, "jarvis-analytics-upload"), "--deadline",
                                  "3600", "--batch-size", str(batch)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.monotonic() - t0
            err = p.stderr.read().decode()
            p.stderr.close()
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                raise SystemExit("uploader exited %d: %s" % (p.returncode, err))
            arrived = 0
            with open(sink.store_path) as f:
                for _ in f:
                    arrived += 1
        if arrived != n:
            raise SystemExit("%d of %d events arrived" % (arrived, n))
        cpu = ru.ru_utime + ru.ru_stime
        return {"events": n, "wall_s": wall, "events_per_s": n / wall,
                "cpu_us_per_event": cpu / n * 1e6, "peak_rss_mb": ru.ru_maxrss / 1024.0}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 1000000])
    ap.add_argument("--batch-size", type=int, default=100)
    a = ap.parse_args()
    results = []
    for n in a.sizes:
        r = run(a.build, n, a.batch_size, max(n, 10000))
        results.append(r)
        print("%9d events: %8.0f events/s (sink included), uploader %6.2f us CPU/event, "
              "peak RSS %6.1f MB" % (n, r["events_per_s"], r["cpu_us_per_event"], r["peak_rss_mb"]))
    if len(results) > 1:
        a0, b0 = results[0], results[-1]
        print("RSS %d vs %d events: %.2fx; CPU/event: %.2fx" % (
            b0["events"], a0["events"], b0["peak_rss_mb"] / a0["peak_rss_mb"],
            b0["cpu_us_per_event"] / a0["cpu_us_per_event"]))
    json.dump(results, sys.stderr)
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
