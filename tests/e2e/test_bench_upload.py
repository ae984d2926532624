"""test_bench_upload.py — the uploader benchmark's memory figures are the
uploader's own (tools/bench/bench_upload.py: measure()).

wait4's ru_maxrss of a child this Python spawns carries this Python's RSS
(Linux keeps the high-water mark across exec), so the benchmark reported
25 MB for an uploader whose own VmHWM was 15 MB. Here the parent is made
large on purpose and a small child is measured.
"""

import os
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "bench"))
import bench_upload  # noqa: E402


class MeasureTest(unittest.TestCase):
    def test_peak_is_the_child_s_not_the_parent_s(self):
        ballast = bytearray(96 * 1024 * 1024)
        for i in range(0, len(ballast), 4096):
            ballast[i] = 1  # resident, not just reserved
        sleep = shutil.which("sleep")
        self.assertIsNotNone(sleep, "no sleep(1) on PATH")
        m = bench_upload.measure([sleep, "0.5"], dict(os.environ))
        self.assertEqual(m["exit"], 0)
        self.assertGreater(m["samples"], 0)
        # sleep(1) is a few MB at most; the parent holds more than 96.
        self.assertGreater(m["hwm_kb"], 0)
        self.assertLess(m["hwm_kb"], 32 * 1024, m)
        self.assertLess(m["Private_Dirty"], 32 * 1024, m)
        self.assertLessEqual(m["Pss"], m["hwm_kb"], m)
        del ballast

    def test_a_child_that_fails_is_reported(self):
        sh = shutil.which("sh")
        m = bench_upload.measure([sh, "-c", "echo no >&2; sleep 0.2; exit 3"], dict(os.environ))
        self.assertEqual(m["exit"], 3)
        self.assertIn("no", m["stderr"])


if __name__ == "__main__":
    unittest.main()
