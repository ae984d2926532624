#!/usr/bin/env python3
"""bench_upload.py — drain N queued events to the local sink with the real
jarvis-analytics-upload, and report its cost against baselines measured
in the same run (figures, never assertions):

* against the `curl` CLI posting the same bodies (the bodies made by
  bench_upload_floor from the same queue): CPU per event and peak RSS at
  each queue size (default 10 k, 200 k, 1 M events; target: RSS <= 1.25x
  curl's, and flat from 10 k to 1 M);
* instructions per delivered event, counted by callgrind (--instructions N
  events, default 20 000; 0 skips it), against the floor: bench_upload_floor
  (a raw SQLite SELECT of each batch, the same JSON, zlib at the same
  level) plus `curl` posting its bodies (target: <= 1.5x).

curl posts the bodies of 20 000 events per process (--per-curl bodies), the
count the instructions are measured on, so its start-up is paid as often as
the uploader's there; at 1 M events its peak RSS is the largest of its
processes and its CPU their sum. One curl process for all 10 000 bodies of
1 M events would hold every parsed option at once.

Memory is read from each program's own /proc/PID while it runs (measure()):
VmHWM (peak RSS of its address space) and the largest Pss, Private_Dirty,
Private_Clean and Shared_Clean of smaps_rollup — the shared libraries'
clean pages are most of the RSS and are shared with every other process
mapping them. Not wait4's ru_maxrss: Linux carries the RSS of the
address space a child exec()s from into it, so a child spawned by this
Python reported this Python's RSS (25 MB) instead of the uploader's.

    tools/bench/bench_upload.py [--build DIR] [--sizes 10000 200000 1000000]
                                [--batch-size 100] [--instructions 20000]

The queue is filled directly with sqlite3 (valid rows of the store's
schema, one transaction) after the store was created by one capture, so
filling 1 M events takes seconds; every event is checked to have arrived,
from the uploader and from curl.
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


def measure(argv, env, every_s=0.005, need_sample=True):
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
    if m["samples"] == 0 and need_sample:
        raise SystemExit("%s exited before its memory could be read" % argv[0])
    return m


def prepared_home(build, root, n):
    """A home whose queue holds @n events (and room for them); its env."""
    home = os.path.join(root, "home")
    os.makedirs(home, mode=0o700)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write("[analytics]\nmax_events = %d\n" % max(n, 10000))
    os.chmod(os.path.join(home, "config.toml"), 0o600)
    return home, fill(build, home, n)


def arrived(sink):
    with open(sink.store_path) as f:
        return sum(1 for _ in f)


def uploader_argv(build, batch, wrap=()):
    return [*wrap, os.path.join(build, "jarvis-analytics-upload"), "--deadline", "3600",
            "--batch-size", str(batch)]


def make_bodies(build, home, batch, root, wrap=()):
    """bench_upload_floor's bodies of the queue in @home, in @root/bodies:
    their paths."""
    out = os.path.join(root, "bodies")
    os.makedirs(out, exist_ok=True)
    argv = [*wrap, os.path.join(build, "tools", "bench", "bench_upload_floor"),
            os.path.join(home, "analytics_queue.db"), KEY, str(batch), out]
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("bench_upload_floor exited %d: %s" % (p.returncode, p.stderr))
    return sorted(os.path.join(out, f) for f in os.listdir(out))


def curl_configs(bodies, url, per, root):
    """curl --config files posting @bodies to @url/batch/, @per a file."""
    paths = []
    for i in range(0, len(bodies), per):
        path = os.path.join(root, "curl-%05d.cfg" % (i // per))
        with open(path, "w") as f:
            f.write("next\n".join(
                'url = "%s/batch/"\ndata-binary = "@%s"\n'
                'header = "Content-Type: application/json"\n'
                'header = "Content-Encoding: gzip"\n'
                'output = "/dev/null"\nsilent\nshow-error\nfail\nnoproxy = "*"\n'
                % (url, b) for b in bodies[i:i + per]))
        paths.append(path)
    return paths


def curl_env():
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def run_curl(bodies, n, per, root):
    """POST @bodies with the curl CLI to a sink of its own, @per bodies a
    process; → summed CPU, largest peak RSS and private dirty."""
    curl = shutil.which("curl")
    if not curl:
        raise SystemExit("the baseline needs the curl program (apt-get install curl)")
    tot = {"cpu_s": 0.0, "wall_s": 0.0, "hwm_kb": 0, "Private_Dirty": 0}
    with Sink(api_key=KEY, idle_timeout=600) as sink:
        for cfg in curl_configs(bodies, sink.url, per, root):
            # A few bodies can be posted before the first reading (smoke
            # runs): then curl's memory is not known, never guessed.
            m = measure([curl, "--config", cfg], curl_env(), need_sample=False)
            if m["samples"] == 0:
                tot["unread"] = True
            if m["exit"] != 0:
                raise SystemExit("curl exited %d: %s" % (m["exit"], m["stderr"]))
            tot["cpu_s"] += m["cpu_s"]
            tot["wall_s"] += m["wall_s"]
            tot["hwm_kb"] = max(tot["hwm_kb"], m["hwm_kb"])
            tot["Private_Dirty"] = max(tot["Private_Dirty"], m["Private_Dirty"])
        got = arrived(sink)
    if got != n:
        raise SystemExit("curl: %d of %d events arrived" % (got, n))
    return tot


def run(build, n, batch, per_curl):
    root = tempfile.mkdtemp(prefix="ja-bench-up-")
    try:
        home, env = prepared_home(build, root, n)
        bodies = make_bodies(build, home, batch, root)
        with Sink(api_key=KEY, idle_timeout=600) as sink:
            env.update(OPENJARVIS_ANALYTICS_HOST=sink.url, OPENJARVIS_ANALYTICS_KEY=KEY)
            m = measure(uploader_argv(build, batch), env)
            if m["exit"] != 0:
                raise SystemExit("uploader exited %d: %s" % (m["exit"], m["stderr"]))
            got = arrived(sink)
        if got != n:
            raise SystemExit("%d of %d events arrived" % (got, n))
        c = run_curl(bodies, n, per_curl, root)
        return {"events": n, "wall_s": m["wall_s"], "events_per_s": n / m["wall_s"],
                "cpu_us_per_event": m["cpu_s"] / n * 1e6, "peak_rss_mb": m["hwm_kb"] / 1024.0,
                "pss_mb": m["Pss"] / 1024.0, "private_dirty_mb": m["Private_Dirty"] / 1024.0,
                "private_clean_mb": m["Private_Clean"] / 1024.0,
                "shared_clean_mb": m["Shared_Clean"] / 1024.0, "samples": m["samples"],
                "curl_cpu_us_per_event": c["cpu_s"] / n * 1e6,
                "curl_peak_rss_mb": None if c.get("unread") else c["hwm_kb"] / 1024.0,
                "curl_private_dirty_mb": c["Private_Dirty"] / 1024.0}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def callgrind_total(argv, env, root, name):
    """Instructions @argv runs (all its threads), by callgrind."""
    from callgrind import annotate
    out = os.path.join(root, name + ".callgrind")
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, *argv],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("%s exited %d under callgrind: %s" % (argv[0], p.returncode,
                                                               p.stderr[-2000:]))
    return annotate(out)[0]


def instructions(build, n, batch):
    """Instructions per delivered event: the uploader, and the floor's two
    parts (bench_upload_floor, then curl posting its bodies)."""
    sys.path.insert(0, HERE)
    root = tempfile.mkdtemp(prefix="ja-bench-up-ir-")
    try:
        home, env = prepared_home(build, root, n)
        out = os.path.join(root, "bodies")
        os.makedirs(out)
        floor = callgrind_total([os.path.join(build, "tools", "bench", "bench_upload_floor"),
                                 os.path.join(home, "analytics_queue.db"), KEY, str(batch), out],
                                dict(os.environ), root, "floor")
        bodies = sorted(os.path.join(out, f) for f in os.listdir(out))
        with Sink(api_key=KEY, idle_timeout=600) as sink:
            (cfg,) = curl_configs(bodies, sink.url, len(bodies), root)
            curl = callgrind_total([shutil.which("curl"), "--config", cfg], curl_env(), root,
                                   "curl")
            if arrived(sink) != n:
                raise SystemExit("curl under callgrind: %d of %d events arrived"
                                 % (arrived(sink), n))
        with Sink(api_key=KEY, idle_timeout=600) as sink:
            env.update(OPENJARVIS_ANALYTICS_HOST=sink.url, OPENJARVIS_ANALYTICS_KEY=KEY)
            up = callgrind_total(uploader_argv(build, batch), env, root, "uploader")
            if arrived(sink) != n:
                raise SystemExit("uploader under callgrind: %d of %d events arrived"
                                 % (arrived(sink), n))
        return {"events": n, "uploader": up / n, "floor_select_json_gzip": floor / n,
                "floor_curl": curl / n, "floor": (floor + curl) / n,
                "ratio": up / (floor + curl)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 200000, 1000000])
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--per-curl", type=int, default=200,
                    help="bodies one curl process posts (default 200: 20 000 events)")
    ap.add_argument("--instructions", type=int, default=20000,
                    help="events to count instructions on with callgrind (0: skip)")
    a = ap.parse_args()
    results = []
    for n in a.sizes:
        r = run(a.build, n, a.batch_size, a.per_curl)
        results.append(r)
        curl_rss = ("curl not read: it ended before its first reading"
                    if r["curl_peak_rss_mb"] is None else
                    "curl %5.1f: %.2fx; private dirty %4.1f, curl %4.1f"
                    % (r["curl_peak_rss_mb"], r["peak_rss_mb"] / r["curl_peak_rss_mb"],
                       r["private_dirty_mb"], r["curl_private_dirty_mb"]))
        print("%9d events: uploader %6.2f us CPU/event (curl %5.2f: %.2fx), peak RSS %5.1f MB "
              "(%s), %8.0f events/s (sink included)"
              % (n, r["cpu_us_per_event"], r["curl_cpu_us_per_event"],
                 r["cpu_us_per_event"] / max(r["curl_cpu_us_per_event"], 1e-9),
                 r["peak_rss_mb"], curl_rss, r["events_per_s"]))
    if len(results) > 1:
        a0, b0 = results[0], results[-1]
        print("RSS %d vs %d events: %.2fx (curl %s); private dirty: %.2fx; CPU/event: %.2fx" % (
            b0["events"], a0["events"], b0["peak_rss_mb"] / a0["peak_rss_mb"],
            "%.2fx" % (b0["curl_peak_rss_mb"] / a0["curl_peak_rss_mb"])
            if a0["curl_peak_rss_mb"] and b0["curl_peak_rss_mb"] else "not read",
            b0["private_dirty_mb"] / a0["private_dirty_mb"],
            b0["cpu_us_per_event"] / a0["cpu_us_per_event"]))
    out = {"sizes": results}
    # A host that only captures (built with the tests): its own peak RSS,
    # and it fails when the network stack is mapped into it.
    host = os.path.join(a.build, "tests", "ja_capture_only")
    if os.access(host, os.X_OK):
        h = tempfile.mkdtemp(prefix="ja-bench-host-")
        try:
            p = subprocess.run([host], env=dict(os.environ, OPENJARVIS_HOME=h),
                               capture_output=True, text=True)
        finally:
            shutil.rmtree(h, ignore_errors=True)
        if p.returncode != 0:
            raise SystemExit("capture-only host failed (%d): %s" % (p.returncode, p.stderr))
        kb = int(p.stdout.split()[-1])
        out["capture_only_peak_rss_mb"] = kb / 1024.0
        print("a capture-only host: peak RSS %.1f MB, no libcurl, TLS or zlib mapped" % (kb / 1024.0))
    if a.instructions and not shutil.which("valgrind"):
        print("instructions per delivered event: not counted (needs valgrind)")
    elif a.instructions:
        ir = instructions(a.build, a.instructions, a.batch_size)
        out["instructions"] = ir
        print("instructions per delivered event (%d events): uploader %.0f, floor %.0f "
              "(SELECT + JSON + gzip %.0f, curl %.0f): %.2fx (target <= 1.5x)"
              % (ir["events"], ir["uploader"], ir["floor"], ir["floor_select_json_gzip"],
                 ir["floor_curl"], ir["ratio"]))
    json.dump(out, sys.stderr)
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
