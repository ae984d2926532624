#!/usr/bin/env python3
"""tools/doc-blocks.py — run the code blocks of a Markdown document, so the
commands a document shows are the commands a test runs.

A fenced block takes part when its info string carries attributes after
the language (GitHub shows only the language):
  ```sh test=NAME       a shell block of scenario NAME; blocks of one
                        scenario run in document order, in one bash
                        (set -euo pipefail), in the scenario's folder
  ```sh test=*          runs first in every scenario (e.g. `export PREFIX=…`)
  ```c file=PATH        a file every scenario gets, written into its folder
  ```cmake file=PATH test=NAME
                        a file only scenario NAME gets

  doc-blocks.py DOC list              the scenarios, in document order
  doc-blocks.py DOC run NAME DIR      write the files into DIR, run NAME there
Exit status: the scenario's, or 64 for a usage error. Standard library only.
"""
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)((?:[ \t]+[a-z]+=\S+)*)[ \t]*$")


def blocks(path):
    """[(lang, attrs, text)] for every fenced block that has attributes."""
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        m = FENCE.match(lines[i])
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        if j == len(lines):
            sys.exit("%s:%d: code block never closed" % (path, i + 1))
        attrs = dict(a.split("=", 1) for a in m.group(2).split()) if m else {}
        if attrs:
            out.append((m.group(1), attrs, "\n".join(lines[i + 1:j]) + "\n", i + 1))
        i = j + 1
    return out


def scenarios(found):
    names = []
    for _, attrs, _, _ in found:
        name = attrs.get("test")
        if name and name != "*" and "file" not in attrs and name not in names:
            names.append(name)
    return names


def run(path, found, name, folder):
    if name not in scenarios(found):
        sys.exit("%s: no scenario %r (have: %s)" % (path, name, " ".join(scenarios(found))))
    os.makedirs(folder, exist_ok=True)
    script = ["set -euo pipefail"]
    for lang, attrs, text, line in found:
        if attrs.get("test") not in (None, "*", name):
            continue
        if "file" in attrs:
            target = os.path.join(folder, attrs["file"])
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        elif lang == "sh":
            script.append("# %s:%d\n%s" % (os.path.basename(path), line, text))
    body = "\n".join(script)
    print("doc-blocks: %s %s in %s:\n%s" % (path, name, folder, body), flush=True)
    return subprocess.run(["bash", "-c", body], cwd=folder).returncode


def main(argv):
    if len(argv) < 3 or argv[2] not in ("list", "run") or (argv[2] == "run" and len(argv) != 5):
        sys.stderr.write(__doc__)
        return 64
    found = blocks(argv[1])
    if argv[2] == "list":
        print("\n".join(scenarios(found)))
        return 0
    return run(argv[1], found, argv[3], os.path.abspath(argv[4]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
