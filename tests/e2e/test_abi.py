"""The shared library exports exactly the public API.

Every function the header declares with JA_API is exported, and nothing
else is: no ja__* internals (hidden visibility + src/exports.map), no
symbols of the libraries we link statically into nothing (there are none,
but a stray global would show up here).
"""

import os
import re
import subprocess
import unittest

BUILD = os.environ.get("JA_BUILD_DIR", "../../build")
SOURCE = os.environ.get("JA_SOURCE_DIR", "../..")


def declared():
    with open(os.path.join(SOURCE, "include", "jarvis_analytics.h"), encoding="utf-8") as f:
        text = f.read()
    return set(re.findall(r"^JA_API\s[^;(]*?\b(ja_[a-z0-9_]+)\s*\(", text, re.M))


def exported():
    lib = os.path.join(BUILD, "libjarvis_analytics.so")
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtDdBbRrVvWwi":
            names.add(parts[2].split("@")[0])
    return names


class Abi(unittest.TestCase):
    def test_exports_exactly_the_public_functions(self):
        want = declared()
        self.assertIn("ja_capture", want)
        self.assertIn("ja_store_open", want)
        got = {n for n in exported() if not n.startswith("_")}
        self.assertEqual(got - want, set(), "exported but not in the header")
        self.assertEqual(want - got, set(), "declared but not exported")

    def test_no_internal_symbols(self):
        self.assertEqual([n for n in exported() if n.startswith("ja__")], [])


if __name__ == "__main__":
    unittest.main()
