#!/usr/bin/env python3
"""profile_upload.py — instructions per event of the real
jarvis-analytics-upload draining N queued events (default 20 000, batches
of 100) to the local sink, counted by callgrind (valgrind): a figure that
does not depend on the machine's load, unlike bench_upload.py's CPU time.
Prints the total per event and, per event, the inclusive cost of the
uploader's steps (claim, the filters again, encode, gzip, the check that
the batch is still queued, send, ack).

    tools/bench/profile_upload.py [--build DIR] [--events 20000] [--keep OUT]

Needs valgrind and callgrind_annotate. The queue is filled the way
bench_upload.py fills it.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_upload  # noqa: E402
from bench_upload import KEY, Sink  # noqa: E402
from callgrind import annotate  # noqa: E402

# (label, function, caller or None): inclusive cost of function (as called
# from caller, when given), per event.
STEPS = [
    ("claim", "ja__store_claim_rows", None),
    ("filters again (recheck)", "ja__up_filter", None),
    ("encode (JSON)", "ja__up_encode", None),
    ("gzip", "ja__gzip_with", None),
    ("still queued? (gate)", "ja__store_batch_present", None),
    ("send (curl)", "curl_send", None),
    ("ack (one transaction)", "ja__store_ack", None),
    ("  commit", "ja__store_end", "ja__store_ack"),
    ("retire sent marks", "ja__store_prune_sent", None),
    ("rollup", "ja__rollup_run", None),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "build"))
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--keep", help="copy the callgrind output here")
    ap.add_argument("--pre-sql", help="run this SQL on the filled queue first (what-if"
                    " experiments: the counters it breaks are not checked)")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="ja-prof-up-")
    try:
        home = os.path.join(root, "home")
        os.makedirs(home, mode=0o700)
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write("[analytics]\nmax_events = %d\n" % max(a.events, 10000))
        os.chmod(os.path.join(home, "config.toml"), 0o600)
        env = bench_upload.fill(a.build, home, a.events)
        if a.pre_sql:
            db = sqlite3.connect(os.path.join(home, "analytics_queue.db"), isolation_level=None)
            db.executescript(a.pre_sql)
            db.close()
        out = os.path.join(root, "callgrind.out")
        with Sink(api_key=KEY, idle_timeout=600) as sink:
            env.update(OPENJARVIS_ANALYTICS_HOST=sink.url, OPENJARVIS_ANALYTICS_KEY=KEY)
            p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                                os.path.join(a.build, "jarvis-analytics-upload"), "--deadline",
                                "3600", "--batch-size", str(a.batch_size)],
                               env=env, capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit("uploader exited %d: %s" % (p.returncode, p.stderr[-2000:]))
            with open(sink.store_path) as f:
                arrived = sum(1 for _ in f)
        if arrived != a.events:
            raise SystemExit("%d of %d events arrived" % (arrived, a.events))
        if a.keep:
            shutil.copy(out, a.keep)
        total, incl, calls = annotate(out)
        n = a.events
        print("%d events, batches of %d: %.0f instructions per event" % (n, a.batch_size, total / n))
        for label, fn, caller in STEPS:
            v = calls.get((caller, fn), 0) if caller else incl.get(fn, 0)
            print("  %-24s %8.0f" % (label, v / n))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
