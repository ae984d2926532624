"""docs/cli.md, the reference of the command line, must not drift from the
program: a section per command of --help naming every option it takes, and
the exit codes of the man page."""

import os
import re
import subprocess
import unittest

from jatest import BUILD_DIR, CLI, SOURCE_DIR


def run(*args):
    return subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout


class CliDoc(unittest.TestCase):

    def setUp(self):
        with open(os.path.join(SOURCE_DIR, "docs", "cli.md"), encoding="utf-8") as f:
            self.doc = f.read()

    def test_every_command_and_option(self):
        overview = run("--help")
        commands = re.findall(r"^  ([a-z-]+) ", overview.split("commands:\n", 1)[1]
                              .split("\n\n", 1)[0], re.M)
        self.assertIn("view", commands)
        for cmd in commands:
            with self.subTest(cmd=cmd):
                parts = self.doc.split("### `jarvis-analytics %s`\n" % cmd, 1)
                self.assertEqual(len(parts), 2, "no section for %s" % cmd)
                section = parts[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
                help_text = run(cmd, "--help")
                for opt in set(re.findall(r"^  (--[a-z-]+)", help_text, re.M)) - {"--help"}:
                    self.assertIn(opt, section, "%s %s" % (cmd, opt))

    def test_exit_codes_match_the_man_page(self):
        with open(os.path.join(BUILD_DIR, "man", "jarvis-analytics.1"), encoding="utf-8") as f:
            man = f.read()
        man_codes = re.findall(r"^\.TP\n\.B (\d+)\n", man.split(".SH EXIT STATUS", 1)[1], re.M)
        table = self.doc.split("## Exit status", 1)[1].split("\n## ", 1)[0]
        self.assertEqual(re.findall(r"^\| (\d+) \|", table, re.M), man_codes)


if __name__ == "__main__":
    unittest.main()
