"""The README sections rendered from code must not drift from it.

The catalog section must equal `jarvis-analytics catalog --markdown`, and the
command reference must equal the `--help` of every command (regenerate both
with tools/update-readme.sh). Also checks the README opens with the two
commands a newcomer needs.
"""

import os
import re
import subprocess
import unittest

BUILD = os.environ.get("JA_BUILD_DIR", "../../build")
SOURCE = os.environ.get("JA_SOURCE_DIR", "../..")
JA = os.path.join(BUILD, "jarvis-analytics")


def section(text, name):
    m = re.search(r"<!-- %s:begin -->\n(.*?)<!-- %s:end -->" % (name, name), text, re.S)
    if not m:
        raise AssertionError("README has no %s section" % name)
    return m.group(1)


def run(*args):
    return subprocess.run([JA, *args], check=True, capture_output=True, text=True).stdout


class Readme(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            self.readme = f.read()

    def test_catalog_section_matches_code(self):
        self.assertEqual(section(self.readme, "catalog"), run("catalog", "--markdown"),
                         "README catalog drifted: run tools/update-readme.sh")

    def test_cli_section_matches_help(self):
        overview = run("--help")
        commands = re.findall(r"^  ([a-z-]+) ",
                              overview.split("commands:\n", 1)[1].split("\n\n", 1)[0], re.M)
        self.assertIn("capture", commands)
        expected = "```\n" + overview + "".join("\n" + run(c, "--help") for c in commands) + "```\n"
        self.assertEqual(section(self.readme, "cli"), expected,
                         "README command reference drifted: run tools/update-readme.sh")

    def test_upload_cli_section_matches_help(self):
        up = subprocess.run([os.path.join(BUILD, "jarvis-analytics-upload"), "--help"], check=True,
                            capture_output=True, text=True).stdout
        self.assertEqual(section(self.readme, "upload-cli"), "```\n" + up + "```\n",
                         "README uploader reference drifted: run tools/update-readme.sh")

    def test_opens_with_the_two_commands(self):
        first_block = re.search(r"```sh\n(.*?)```", self.readme, re.S).group(1)
        lines = [l.split("#")[0].strip() for l in first_block.strip().splitlines()]
        self.assertEqual(lines, ["tools/demo.sh", "tools/test.sh"])
        self.assertLess(self.readme.index("tools/demo.sh"), 200)


if __name__ == "__main__":
    unittest.main()
