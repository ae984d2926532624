#!/usr/bin/env python3
"""profile_rollup.py — the growth of a rollup's work from N to 10·N
sessions (default 10 000 and 100 000, 10 turns each), counted by callgrind
(valgrind) inside ja_rollup only: a figure that does not depend on the
machine's load, unlike bench_rollup's wall and CPU time. Prints, per size,
the instructions per session, and the growth in all and split in two: the
queueing of the events (ja__store_add: the queue's own b-trees, which
grow with the events queued) and everything else the rollup does.

    tools/bench/profile_rollup.py [--build DIR] [--sizes 10000 100000] [--keep OUT]

Needs valgrind and callgrind_annotate; runs build/tools/bench/bench_rollup
--profile N once per size (about 3 minutes for 100 000 sessions).
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from callgrind import annotate  # noqa: E402

# (label, function): inclusive cost inside ja_rollup.
PARTS = [("queueing the events", "ja__store_add")]


def profile(bench, n, keep):
    out = os.path.join(keep, "callgrind.rollup.%d" % n)
    subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=ja_rollup",
                    "--callgrind-out-file=" + out, bench, "--profile", str(n)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=keep)
    total, incl, _ = annotate(out)
    return incl, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--sizes", type=int, nargs=2, default=[10000, 100000])
    ap.add_argument("--keep", help="keep the callgrind files in this directory")
    a = ap.parse_args()
    bench = os.path.abspath(os.path.join(a.build, "tools", "bench", "bench_rollup"))
    if not os.access(bench, os.X_OK):
        sys.exit("profile_rollup: no %s (build the project first)" % bench)
    keep = a.keep or tempfile.mkdtemp(prefix="ja-profile-rollup-")
    os.makedirs(keep, exist_ok=True)
    small, large = a.sizes
    (cs, ts), (cl, tl) = profile(bench, small, keep), profile(bench, large, keep)
    if not ts or not tl:
        sys.exit("profile_rollup: callgrind counted nothing inside ja_rollup")
    print("instructions inside ja_rollup (callgrind), %d vs %d sessions of 10 turns"
          % (small, large))
    print("  %-28s %12s %12s %8s" % ("", "a session", "a session", "growth"))
    print("  %-28s %12d %12d %7.3fx" % ("all", ts / small, tl / large, tl / ts))
    rest_s, rest_l = ts, tl
    for label, fn in PARTS:
        s, l = cs.get(fn, 0), cl.get(fn, 0)
        rest_s -= s
        rest_l -= l
        if s:
            print("  %-28s %12d %12d %7.3fx" % (label, s / small, l / large, l / s))
    print("  %-28s %12d %12d %7.3fx" % ("everything else", rest_s / small, rest_l / large,
                                         rest_l / rest_s))
    print("  (linear = %.1fx)" % (large / small))
    if not a.keep:
        for f in os.listdir(keep):
            os.remove(os.path.join(keep, f))
        os.rmdir(keep)


if __name__ == "__main__":
    main()
