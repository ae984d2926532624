"""End-to-end: `cmake --install` of the build into a throwaway prefix puts
every promised file in place (DESIGN §11): the library, header, both
programs, both man pages and the timer files — and the timer files point at
the binary under the prefix given at install time, not at configure time."""

import os
import shutil
import subprocess
import tempfile
import unittest

from jatest import BUILD_DIR


class Install(unittest.TestCase):

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="ja-install-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def install(self, prefix, destdir=None):
        env = dict(os.environ)
        if destdir:
            env["DESTDIR"] = destdir
        p = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))

    def test_every_file_in_place_and_timers_point_at_the_prefix(self):
        prefix = os.path.join(self.root, "prefix")
        self.install(prefix)
        for rel in ("bin/jarvis-analytics", "bin/jarvis-analytics-upload",
                    "include/jarvis_analytics.h",
                    "share/man/man1/jarvis-analytics.1", "share/man/man1/jarvis-analytics-upload.1",
                    "lib/systemd/user/jarvis-analytics-upload.service",
                    "lib/systemd/user/jarvis-analytics-upload.timer",
                    "share/jarvis-analytics/timer/com.openjarvis.analytics-upload.plist",
                    "share/jarvis-analytics/timer/jarvis-analytics-upload.cron"):
            with self.subTest(rel=rel):
                self.assertTrue(os.path.isfile(os.path.join(prefix, rel)), rel)
        libs = os.listdir(os.path.join(prefix, "lib")) + (
            os.listdir(os.path.join(prefix, "lib64")) if os.path.isdir(os.path.join(prefix, "lib64")) else [])
        self.assertTrue(any(n.startswith("libjarvis_analytics.so") for n in libs), libs)
        binary = os.path.join(prefix, "bin", "jarvis-analytics-upload")
        for rel in ("lib/systemd/user/jarvis-analytics-upload.service",
                    "share/jarvis-analytics/timer/com.openjarvis.analytics-upload.plist",
                    "share/jarvis-analytics/timer/jarvis-analytics-upload.cron"):
            with self.subTest(rel=rel):
                text = open(os.path.join(prefix, rel)).read()
                self.assertIn(binary, text)
                self.assertNotIn("@", text.replace("@reboot", ""))  # nothing left unfilled
        timer = open(os.path.join(prefix, "lib/systemd/user/jarvis-analytics-upload.timer")).read()
        self.assertIn("RandomizedDelaySec=", timer)
        service = open(os.path.join(prefix, "lib/systemd/user/jarvis-analytics-upload.service")).read()
        self.assertIn("Nice=", service)
        self.assertIn("IOSchedulingClass=idle", service)

    def test_destdir_keeps_the_final_prefix_in_the_files(self):
        dest = os.path.join(self.root, "stage")
        self.install("/opt/ja", destdir=dest)
        service = open(os.path.join(dest, "opt/ja/lib/systemd/user/jarvis-analytics-upload.service")).read()
        self.assertIn("ExecStart=/opt/ja/bin/jarvis-analytics-upload", service)


if __name__ == "__main__":
    unittest.main()
