"""The suite's own contract, checked on its sources: a test waits for an
event (a process's exit, a file's growth, a socket's answer), never for a
length of time that assumes how fast the machine is.

- tests/e2e/*.py: every time.sleep() sleeps a number written in the call,
  at most POLL_S seconds — the pause of a loop that polls a condition —
  unless a `# sleep: <why>` comment on its line or the line above says why
  a longer or computed sleep is the point of the test.
- tests/*.c (and their subfolders): every usleep() sleeps an integer
  written in the call, at most POLL_US microseconds; sleep() and nanosleep()
  always need a `sleep: <why>` comment on one of the three lines above.

A sleep that guesses (20 s "so that the client surely gave up first", a
random 0-150 ms "so that the kill lands mid-way") is slow on a fast
machine and wrong on a loaded one; the comment makes whoever adds one say
why no event, fake clock or progress marker can do instead.
"""

import ast
import glob
import os
import re
import unittest

from jatest import SOURCE_DIR

POLL_S = 0.05
POLL_US = 1000
TESTS = os.path.join(SOURCE_DIR, "tests")
REASON = re.compile(r"\bsleep: \S")


def python_sleeps(path):
    """(line, argument or None when not a number literal) of every
    time.sleep() call in @path."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "sleep" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "time"):
            arg = node.args[0] if node.args else None
            value = arg.value if isinstance(arg, ast.Constant) else None
            yield node.lineno, value if isinstance(value, (int, float)) else None


C_SLEEP = re.compile(r"(?<![\w.>])(usleep|nanosleep|sleep)\s*\(\s*([^;]*)")


def c_sleeps(path):
    """(line number, function, the call's argument text) of every sleep in @path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        for m in C_SLEEP.finditer(line):
            yield i + 1, m.group(1), m.group(2), lines


def c_sources():
    return sorted(set(glob.glob(os.path.join(TESTS, "*.c"))
                      + glob.glob(os.path.join(TESTS, "*", "*.c"))))


class SuiteContract(unittest.TestCase):

    def test_e2e_sleeps_are_short_polls_or_say_why(self):
        bad = []
        files = sorted(glob.glob(os.path.join(TESTS, "e2e", "*.py")))
        self.assertGreater(len(files), 10)
        for path in files:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
            for lineno, value in python_sleeps(path):
                if value is not None and value <= POLL_S:
                    continue
                around = lines[lineno - 1] + "\n" + (lines[lineno - 2] if lineno > 1 else "")
                if not REASON.search(around):
                    bad.append("%s:%d: %s" % (os.path.relpath(path, SOURCE_DIR), lineno,
                                              lines[lineno - 1].strip()))
        self.assertEqual(bad, [], "time.sleep() longer than %g s or computed, without a "
                         "'# sleep: <why>' comment (wait for an event instead)" % POLL_S)

    def test_c_sleeps_are_short_polls_or_say_why(self):
        bad = []
        files = c_sources()
        self.assertGreater(len(files), 10)
        for path in files:
            for lineno, fn, arg, lines in c_sleeps(path):
                m = re.match(r"(\d+)\s*\)", arg)
                if fn == "usleep" and m and int(m.group(1)) <= POLL_US:
                    continue
                before = "\n".join(lines[max(0, lineno - 4):lineno])
                if not REASON.search(before):
                    bad.append("%s:%d: %s" % (os.path.relpath(path, SOURCE_DIR), lineno,
                                              lines[lineno - 1].strip()))
        self.assertEqual(bad, [], "a sleep longer than %d us or computed, without a "
                         "'sleep: <why>' comment on one of the three lines above" % POLL_US)

    def test_the_checks_see_what_they_must_refuse(self):
        """The scanners themselves, on text written apart from the suite."""
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            py = os.path.join(d, "t.py")
            with open(py, "w") as f:
                f.write("import time\ntime.sleep(0.02)\ntime.sleep(20)\n"
                        "time.sleep(rng.uniform(0, 1))\n# sleep: why\ntime.sleep(1)\n")
            self.assertEqual(list(python_sleeps(py)), [(2, 0.02), (3, 20), (4, None), (6, 1)])
            c = os.path.join(d, "t.c")
            with open(c, "w") as f:
                f.write("usleep(200);\nusleep(100 * 1000);\nnanosleep(&ts, NULL);\n"
                        "x.sleep(1); ja__busy_sleep_ns(1); sleep(2);\n")
            self.assertEqual([(n, fn, a) for n, fn, a, _ in c_sleeps(c)],
                             [(1, "usleep", "200)"), (2, "usleep", "100 * 1000)"),
                              (3, "nanosleep", "&ts, NULL)"), (4, "sleep", "2)")])


if __name__ == "__main__":
    unittest.main()
