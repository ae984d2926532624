"""callgrind.py — reading a callgrind output file, for the profile_*.py
benchmarks (tools/bench/)."""

import re
import subprocess


def annotate(out):
    """(total Ir, function -> inclusive Ir, (caller, callee) -> Ir of the
    calls) of callgrind output file @p out, by callgrind_annotate."""
    txt = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=calling",
                          "--threshold=100", out], capture_output=True, text=True,
                         check=True).stdout
    incl, calls, total = {}, {}, 0
    cur = None
    for line in txt.splitlines():
        m = re.match(r"^\s*([\d,]+) \([^)]*\)\s+\*\s+\S*?:(\S+)", line)
        if m:
            cur = m.group(2)
            incl[cur] = max(incl.get(cur, 0), int(m.group(1).replace(",", "")))
            continue
        m = re.match(r"^\s*([\d,]+) \([^)]*\)\s+>\s+\S*?:(\S+)", line)
        if m and cur:
            k = (cur, m.group(2))
            calls[k] = calls.get(k, 0) + int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"^\s*([\d,]+) \([^)]*\)\s+PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
    return total, incl, calls
