#!/usr/bin/env python3
"""bench_upload.py — drain N queued events to the local sink with the real
jarvis-analytics-upload, and report the uploader's own cost (as
figures, never assertions): events/s (wall, the sink included), CPU time
per event of the uploader alone (user+sys from wait4, so the sink's
Python is not counted), and its memory — for each queue size, so a
growth from 10 k to 1 M shows. Targets: RSS <= 8 MB and flat,
CPU <= 2 us/event.

Memory is read from the uploader's own /proc/PID while it runs (measure()):
VmHWM (peak RSS of its address space) and the largest Pss, Private_Dirty,
Private_Clean and Shared_Clean of smaps_rollup — the shared libraries'
clean pages are most of the RSS and are shared with every other process
mapping them. Not wait4's ru_maxrss: Linux carries the RSS of the
address space a child exec()s from into it, so a child spawned by this
Python reported this Python's RSS (25 MB) instead of the uploader's.

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


ROLLUP = ("Pss", "Private_Dirty", "Private_Clean", "Shared_Clean")


def sample(pid, exe, m):
    """Fold one reading of /proc/@pid into @m; False if it is not (or no
    longer) running @exe (before its exec() it is still a copy of us)."""
    try:
        if os.readlink("/proc/%d/exe" % pid) != exe:
            return False
        with open("/proc/%d/status" % pid) as f:
            hwm = [int(l.split()[1]) for l in f if l.startswith("VmHWM:")]
        with open("/proc/%d/smaps_rollup" % pid) as f:
            roll = {k: int(v.split()[0]) for k, _, v in (l.partition(":") for l in f)
                    if k in ROLLUP}
    except (OSError, ValueError, IndexError):
        return False  # exited between two reads
    if not hwm or len(roll) != len(ROLLUP):
        return False  # a zombie: no address space any more
    m["hwm_kb"] = max(m["hwm_kb"], hwm[0])
    for k in ROLLUP:
        m[k] = max(m[k], roll[k])
    m["samples"] += 1
    return True


def measure(argv, env, every_s=0.005):
    """Run @argv; → its exit status, stderr, wall time, CPU time (wait4)
    and peak memory read from its own /proc/PID every @every_s until it
    exits (VmHWM only grows, so the last reading is its peak so far)."""
    exe = os.path.realpath(argv[0])
    m = dict({k: 0 for k in ROLLUP}, hwm_kb=0, samples=0)
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            sample(p.pid, exe, m)
            time.sleep(every_s)
        m["wall_s"] = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        m["stderr"] = err.read().decode(errors="replace")
    m.update(exit=p.returncode, cpu_s=ru.ru_utime + ru.ru_stime)
    if m["samples"] == 0:
        raise SystemExit("%s exited before its memory could be read" % argv[0])
    return m


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
            argv = [os.path.join(build, "jarvis-analytics-upload"), "--deadline", "3600",
                    "--batch-size", str(batch)]
            m = measure(argv, env)
            if m["exit"] != 0:
                raise SystemExit("uploader exited %d: %s" % (m["exit"], m["stderr"]))
            arrived = 0
            with open(sink.store_path) as f:
                for _ in f:
                    arrived += 1
        if arrived != n:
            raise SystemExit("%d of %d events arrived" % (arrived, n))
        return {"events": n, "wall_s": m["wall_s"], "events_per_s": n / m["wall_s"],
                "cpu_us_per_event": m["cpu_s"] / n * 1e6, "peak_rss_mb": m["hwm_kb"] / 1024.0,
                "pss_mb": m["Pss"] / 1024.0, "private_dirty_mb": m["Private_Dirty"] / 1024.0,
                "private_clean_mb": m["Private_Clean"] / 1024.0,
                "shared_clean_mb": m["Shared_Clean"] / 1024.0, "samples": m["samples"]}
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
              "peak RSS %5.1f MB (Pss %5.1f, private dirty %4.1f, private clean %4.1f, "
              "shared clean %4.1f)" % (n, r["events_per_s"], r["cpu_us_per_event"],
                                       r["peak_rss_mb"], r["pss_mb"], r["private_dirty_mb"],
                                       r["private_clean_mb"], r["shared_clean_mb"]))
    if len(results) > 1:
        a0, b0 = results[0], results[-1]
        print("RSS %d vs %d events: %.2fx; private dirty: %.2fx; CPU/event: %.2fx" % (
            b0["events"], a0["events"], b0["peak_rss_mb"] / a0["peak_rss_mb"],
            b0["private_dirty_mb"] / a0["private_dirty_mb"],
            b0["cpu_us_per_event"] / a0["cpu_us_per_event"]))
    json.dump(results, sys.stderr)
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
