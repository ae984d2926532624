#!/usr/bin/env python3
"""bench_cli.py — what one `jarvis-analytics capture` process costs, as
install.sh pays it (one process per event), against the same job done by
the sqlite3 CLI: one row inserted into a WAL database with
synchronous=FULL. Both are run as whole processes, alternating A B A B
after a warm-up; wall time and CPU time (wait4: user + sys of the child
alone) of each, and the ratio A/B pair by pair (so a comparison holds
while the machine's speed drifts). Quote medians; min and max say how
noisy the machine was.

    tools/bench/bench_cli.py [--build DIR] [--runs 30] [--callgrind]

--callgrind also counts the instructions of one run of each (valgrind):
a figure that does not depend on the machine's load.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))

PROPS = '{"version":"0.4.2","platform":"cli"}'
SCHEMA = ("PRAGMA journal_mode=WAL; CREATE TABLE events (id INTEGER PRIMARY KEY, "
          "uuid TEXT NOT NULL, event TEXT NOT NULL, properties TEXT NOT NULL, ts INTEGER NOT NULL);")
INSERT = ("PRAGMA synchronous=FULL; INSERT INTO events (uuid, event, properties, ts) VALUES "
          "(lower(hex(randomblob(16))), 'app_opened', '%s', %d);" % (PROPS, 1765000000000))


def run(argv, env):
    """Run @argv; → (wall seconds, CPU seconds of the child alone)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("bench_cli: %s failed: %s" % (argv[0], err))
    return wall, ru.ru_utime + ru.ru_stime


def instructions(argv, env, scratch):
    out = os.path.join(scratch, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    txt = subprocess.run(["callgrind_annotate", out], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"^\s*([\d,]+) \([^)]*\)\s+PROGRAM TOTALS", txt, re.M)
    return int(m.group(1).replace(",", ""))


def describe(name, xs, unit, scale):
    return "%-34s %9.2f %9.2f %9.2f %s" % (name, min(xs) * scale, statistics.median(xs) * scale,
                                          max(xs) * scale, unit)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--callgrind", action="store_true")
    a = ap.parse_args()
    cli = os.path.join(a.build, "jarvis-analytics")
    sqlite = shutil.which("sqlite3")
    if not os.access(cli, os.X_OK) or not sqlite:
        raise SystemExit("bench_cli: needs %s (build first) and the sqlite3 CLI" % cli)
    root = tempfile.mkdtemp(prefix="ja-bench-cli-")
    try:
        home = os.path.join(root, "home")
        env = dict(os.environ, OPENJARVIS_HOME=home)
        for k in ("DO_NOT_TRACK", "OPENJARVIS_LOG_LEVEL", "OPENJARVIS_ANALYTICS"):
            env.pop(k, None)
        db = os.path.join(root, "baseline.db")
        subprocess.run([sqlite, db, SCHEMA], check=True, stdout=subprocess.DEVNULL)
        A = [cli, "capture", "app_opened", "--props", PROPS]
        B = [sqlite, db, INSERT]
        for _ in range(2):  # warm-up: the store is created, caches are warm
            run(A, env)
            run(B, env)
        wa, ca, wb, cb, rw, rc = [], [], [], [], [], []
        for _ in range(a.runs):
            w1, c1 = run(A, env)
            w2, c2 = run(B, env)
            wa.append(w1), ca.append(c1), wb.append(w2), cb.append(c2)
            rw.append(w1 / w2)
            rc.append(c1 / c2 if c2 > 0 else float("nan"))
        rc = [x for x in rc if x == x]
        print("%d runs each, alternating; min / median / max" % a.runs)
        print(describe("A jarvis-analytics capture, wall", wa, "ms", 1e3))
        print(describe("A ... CPU", ca, "ms", 1e3))
        print(describe("B sqlite3 CLI insert, wall", wb, "ms", 1e3))
        print(describe("B ... CPU", cb, "ms", 1e3))
        print(describe("A/B wall, pair by pair", rw, "x", 1))
        if rc:
            print(describe("A/B CPU, pair by pair", rc, "x", 1))
        if a.callgrind and shutil.which("valgrind"):
            ia, ib = instructions(A, env, root), instructions(B, env, root)
            print("instructions: A %.2f M, B %.2f M, A/B %.2fx" % (ia / 1e6, ib / 1e6, ia / ib))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
