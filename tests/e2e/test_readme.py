"""The README is a guide a newcomer follows as it stands.

The catalog section must equal `jarvis-analytics catalog --markdown`, and the
command summaries the `--help` of both programs (regenerate them with
tools/update-readme.sh). It opens with the two commands a newcomer needs,
stays a guide (at most 400 lines: the reference is in docs/), its shell and
Python quick starts run as written against this build, and its install
commands are the ones docs/install.md gives (which tools/ci-builds.sh runs,
with the README's C quick starts).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from jatest import check_sanitizers, clean_env, sanitizer_preload

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
        self.assertIn("\ncommands:\n  capture ", overview)
        self.assertEqual(section(self.readme, "cli"), "```\n" + overview + "```\n",
                         "README command summary drifted: run tools/update-readme.sh")

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

    def test_a_guide_of_at_most_400_lines(self):
        self.assertLessEqual(self.readme.count("\n"), 400,
                             "the README is a guide: move reference material to docs/")

    def quick_start(self, scenario, env):
        """Run the README's scenario (tools/doc-blocks.py) in a fresh folder,
        with a throwaway HOME and no analytics settings of the caller's
        (the scenario makes its own OPENJARVIS_HOME); returns its output."""
        root = tempfile.mkdtemp(prefix="ja-readme-")
        self.addCleanup(shutil.rmtree, root, True)
        full = clean_env(os.path.join(root, "home", ".openjarvis"), env,
                         unset=("OPENJARVIS_HOME",))
        os.mkdir(full["HOME"])
        res = subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "doc-blocks.py"),
                              os.path.join(SOURCE, "README.md"), "run", scenario,
                              os.path.join(root, "run")],
                             env=full, capture_output=True, text=True, timeout=240)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        check_sanitizers(res.stderr, "the README's %s quick start" % scenario)
        return res.stdout

    def test_shell_quick_start_runs(self):
        build = os.path.abspath(BUILD)
        out = self.quick_start("shell", {"PATH": build + os.pathsep + os.environ["PATH"]})
        # what the text after the block says happens
        self.assertRegex(out, r"(?m)^stored app_opened [0-9a-f-]{36}$")
        self.assertRegex(out, r"(?m)^stored settings_changed .*'setting_key' pii\)$")
        self.assertIn("drop email\npass\npass\n", out)
        self.assertRegex(out, r"(?m)^queued 1 event$")
        self.assertRegex(out, r"(?m)^chat_session_ended\|1$")
        self.assertRegex(out, r"(?m)^first_chat_sent\|1$")
        self.assertRegex(out, r"(?m)^wrote report\.html")

    def test_python_quick_start_runs(self):
        lib = os.path.join(os.path.abspath(BUILD), "libjarvis_analytics.so")
        env = {"PYTHONPATH": os.path.join(SOURCE, "tools", "python"),
               "JARVIS_ANALYTICS_LIB": lib, "PYTHONDONTWRITEBYTECODE": "1"}
        preload = sanitizer_preload(lib)
        if preload:  # an ASan-built library in a Python that is not
            env.update(LD_PRELOAD=preload, ASAN_OPTIONS="detect_leaks=0")
        out = self.quick_start("python", env)
        self.assertRegex(out, r"(?m)^stored [0-9a-f-]{36}\nstored 1 invalid_value\n\d+ pending$")

    def test_quick_start_scenarios(self):
        """The quick starts tools/ci-builds.sh runs after installing: C with
        pkg-config and with find_package, Python, the shell."""
        res = subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "doc-blocks.py"),
                              os.path.join(SOURCE, "README.md"), "list"],
                             check=True, capture_output=True, text=True)
        self.assertEqual(sorted(res.stdout.split()), ["c", "cmake", "python", "shell"])

    def test_install_commands_are_the_documented_ones(self):
        """The README's build-and-install block is docs/install.md's (the
        `test=*` and `test=build` blocks tools/ci-builds.sh runs), plus the
        PATH line."""
        with open(os.path.join(SOURCE, "docs", "install.md"), encoding="utf-8") as f:
            install = f.read()
        tested = "".join(re.findall(r"```sh test=(?:\*|build)\n(.*?)```", install, re.S))
        block = re.search(r"## Quick start: the shell\n.*?```sh\n(.*?)```", self.readme,
                          re.S).group(1)
        lines = [l for l in block.splitlines() if not l.startswith("export PATH=")]
        self.assertEqual(lines, tested.splitlines())
        self.assertIn('export PATH="$PREFIX/bin:$PATH"', block)


if __name__ == "__main__":
    unittest.main()
