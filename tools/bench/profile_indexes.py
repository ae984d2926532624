#!/usr/bin/env python3
"""profile_indexes.py — what each secondary index of `events` costs a
capture, and what dropping it would cost the readers that use it. One store
per variant (every index; the uuid key, events_by_ts, events_by_age,
events_made_by_span gone one at a time), filled alike with N queued
events, then, in the same run:

- the writer's instructions (callgrind, ja__group_write inclusive) for G
  groups of one event (what a group's commit costs) and G groups of 100
  (what an event costs), and WAL pages per commit;
- show (20 newest pending) and status (ja__store_list, ja__store_report)
  repeated R times, instructions per call; the query plan and VM steps of
  each statement that reads `events` by one of these keys.

    tools/bench/profile_indexes.py [--build DIR] [--fill 20000] [--groups 200]
                                   [--readers 20] [--no-callgrind] [--keep DIR]

Needs valgrind and callgrind_annotate unless --no-callgrind (ctest's smoke
run: WAL pages and plans only).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from callgrind import annotate  # noqa: E402

VARIANTS = ["all", "no_uuid", "no_by_ts", "no_by_age", "no_made_span"]


def run(bench, args, callgrind_out=None):
    cmd = [bench] + args
    if callgrind_out:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + callgrind_out] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("profile_indexes: %s failed:\n%s" % (" ".join(cmd), p.stderr))
    return p.stdout


def values(out):
    v = {}
    for line in out.splitlines():
        k, _, rest = line.partition(" ")
        v[k] = rest
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--fill", type=int, default=20000)
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--readers", type=int, default=20)
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--keep", help="keep the stores and callgrind files in this directory")
    a = ap.parse_args()
    bench = os.path.abspath(os.path.join(a.build, "tools", "bench", "bench_indexes"))
    if not os.access(bench, os.X_OK):
        sys.exit("profile_indexes: no %s (build the project first)" % bench)
    work = a.keep or tempfile.mkdtemp(prefix="ja-profile-indexes-")
    cg = not a.no_callgrind
    rows = {}
    plans = {}
    for v in VARIANTS:
        run(bench, ["--dir", work, "--variant", v, "--fill", str(a.fill)])
        r = {}
        for per in (1, 100):
            out_file = os.path.join(work, "cg.%s.%d" % (v, per)) if cg else None
            got = values(run(bench, ["--dir", work, "--variant", v, "--groups", str(a.groups),
                                     "--per", str(per)], out_file))
            r["pages%d" % per] = float(got["wal_pages_per_commit"])
            if cg:
                _, incl, _ = annotate(out_file)
                # the warm-up group of `per` events is written too
                r["ir%d" % per] = incl.get("ja__group_write", 0) / ((a.groups + 1) * per)
        out_file = os.path.join(work, "cg.%s.readers" % v) if cg else None
        got = run(bench, ["--dir", work, "--variant", v, "--readers", str(a.readers)], out_file)
        plans[v] = [line for line in got.splitlines() if line.startswith(("plan ", "vm_steps "))]
        if cg:
            _, incl, _ = annotate(out_file)
            r["show"] = incl.get("ja__store_list", 0) / a.readers
            r["status"] = incl.get("ja__store_report", 0) / a.readers
        rows[v] = r
    print("events queued before each measurement: %d; %d groups of 1 and of 100 events"
          % (a.fill, a.groups))
    hdr = "%-13s %12s %12s %12s %12s %12s %12s" % (
        "variant", "Ir/group(1)", "Ir/event(100)", "WAL pg/1", "WAL pg/100", "show Ir", "status Ir")
    print(hdr)
    for v in VARIANTS:
        r = rows[v]
        print("%-13s %12.0f %12.0f %12.2f %12.2f %12.0f %12.0f" % (
            v, r.get("ir1", 0), r.get("ir100", 0), r["pages1"], r["pages100"], r.get("show", 0),
            r.get("status", 0)))
    for v in VARIANTS:
        print("-- %s" % v)
        for line in plans[v]:
            print("   " + line)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
