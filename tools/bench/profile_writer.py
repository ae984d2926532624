#!/usr/bin/env python3
"""profile_writer.py — where a caller's time goes in the default mode,
counted by callgrind (valgrind), a figure that does not depend on the
machine's load: instructions per ja_capture, per ja_session_inference and
per event of a ja_capture_many of 1 000 on the caller's thread, split into
what they call (the filter, the hand-over to the writer …), and the
writer's instructions per event of a group.

    tools/bench/profile_writer.py [--build DIR] [--ops N] [--keep OUT]

Needs valgrind and callgrind_annotate; runs
build/tools/bench/bench_writer --child profile --ops N once (default 2 000).
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

# What a capture is made of: (label, callee) of capture.c's static
# capture() (the compiler may rename it: capture.constprop.0 …).
PARTS = [
    ("filter (ja__event_prepare)", "ja__event_prepare"),
    ("open check (ja__api_ready)", "ja__api_ready"),
    ("hand-over (ja__writer_put)", "ja__writer_put"),
    ("uuid v7", "ja__uuid_v7"),
    ("job allocation", "calloc"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--keep", help="keep the callgrind file in this directory")
    a = ap.parse_args()
    bench = os.path.abspath(os.path.join(a.build, "tools", "bench", "bench_writer"))
    if not os.access(bench, os.X_OK):
        sys.exit("profile_writer: no %s (build the project first)" % bench)
    keep = a.keep or tempfile.mkdtemp(prefix="ja-profile-writer-")
    os.makedirs(os.path.join(keep, "home"), exist_ok=True)
    out = os.path.join(keep, "callgrind.writer")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, bench,
                    "--child", "profile", "--ops", str(a.ops), "--dir",
                    os.path.join(keep, "home")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, incl, calls = annotate(out)
    n = a.ops + 1  # the warm-up capture too
    events = n + a.ops + 1000  # what the writer wrote: captures, signals, the batch
    print("instructions per call on the caller's thread (callgrind, %d calls)" % a.ops)
    for fn, per in (("ja_capture", n), ("ja_session_inference", a.ops)):
        print("  %-34s %9.0f" % (fn, incl.get(fn, 0) / per))
    for label, callee in PARTS:
        cost = sum(v for (caller, c), v in calls.items()
                   if c == callee and (caller == "capture" or caller.startswith("capture.")))
        print("    %-32s %9.0f" % (label, cost / (n + 1000)))
    print("  %-34s %9.0f" % ("ja_capture_many, per event", incl.get("ja_capture_many", 0) / 1000))
    print("  (the parts are capture()'s, shared by ja_capture and ja_capture_many: per event)")
    print("on the writer thread, per event or signal written")
    print("  %-34s %9.0f" % ("ja__group_write", incl.get("ja__group_write", 0) / events))


if __name__ == "__main__":
    main()
