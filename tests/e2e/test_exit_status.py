"""End-to-end: the exit status tells what happened to the event, not to the
messages about it. A capture whose event was stored exits 0
even when its --verbose line cannot be written (a retrying caller would store
it twice); commands whose output *is* the result (status, show, --help) exit
74 when it cannot be written; and a file-size limit (`ulimit -f`) gives a
clean 74 with one stderr line instead of death by SIGXFSZ."""

import os
import resource
import subprocess
import unittest

from jatest import CLI, EXIT_IOERR, JATestCase, check_sanitizers, clean_env, sqlite_json

DEV_FULL = "/dev/full"


class ExitStatus(JATestCase):

    def run_raw(self, args, stdout=subprocess.PIPE, fsize=None):
        """Run the CLI with @stdout as given and, if @fsize, RLIMIT_FSIZE set
        to that many bytes. Returns (rc, stdout bytes or None, stderr text);
        rc < 0 means killed by that signal."""
        def preexec():
            if fsize is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        proc = subprocess.run([CLI] + list(args), env=clean_env(self.home),
                              stdin=subprocess.DEVNULL, stdout=stdout,
                              stderr=subprocess.PIPE, timeout=120, preexec_fn=preexec)
        err = proc.stderr.decode("utf-8", "replace")
        check_sanitizers(err, "jarvis-analytics %r" % (args[:2],))
        return proc.returncode, proc.stdout, err

    def assert_one_line(self, err, command, part):
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, "want one stderr line: %r" % err)
        prefix = "jarvis-analytics: %s: " % command if command else "jarvis-analytics: "
        self.assertTrue(lines[0].startswith(prefix), err)
        self.assertIn(part, lines[0])

    def test_capture_verbose_into_dev_full_exits_0_and_stores(self):
        if not os.path.exists(DEV_FULL):
            self.skipTest("no /dev/full")
        with open(DEV_FULL, "w") as full:
            rc, _, err = self.run_raw(["capture", "app_opened", "--props",
                                       '{"version":"0.1.0"}', "--verbose"], stdout=full)
        self.assertEqual(rc, 0, err)
        self.assert_one_line(err, "capture", "output could not be written")
        rows = self.pending()
        self.assertEqual([r["event"] for r in rows], ["app_opened"])
        # Dropped by policy: still exit 0 (not --strict), still said on stderr.
        with open(DEV_FULL, "w") as full:
            rc, _, err = self.run_raw(["capture", "zz_unknown", "--verbose"], stdout=full)
        self.assertEqual(rc, 0, err)
        self.assert_one_line(err, "capture", "output could not be written")
        self.assertEqual(self.drops()["unknown_event"], 1)
        # Without --verbose there is nothing to write and nothing to say.
        with open(DEV_FULL, "w") as full:
            rc, _, err = self.run_raw(["capture", "app_opened"], stdout=full)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(len(self.pending()), 2)

    def test_purge_and_reset_id_into_dev_full_exit_0(self):
        if not os.path.exists(DEV_FULL):
            self.skipTest("no /dev/full")
        self.capture("app_opened", {"version": "0.1.0"})
        old_id = self.read_anon_id()
        with open(DEV_FULL, "w") as full:
            rc, _, err = self.run_raw(["reset-id"], stdout=full)
        self.assertEqual(rc, 0, err)
        self.assert_one_line(err, "reset-id", "output could not be written")
        self.assertNotEqual(self.read_anon_id(), old_id)
        with open(DEV_FULL, "w") as full:
            rc, _, err = self.run_raw(["purge"], stdout=full)
        self.assertEqual(rc, 0, err)
        self.assert_one_line(err, "purge", "output could not be written")
        self.assertEqual(self.pending(), [])

    def test_output_commands_into_dev_full_exit_74(self):
        if not os.path.exists(DEV_FULL):
            self.skipTest("no /dev/full")
        self.capture("app_opened", {"version": "0.1.0"})
        for args, command in ((["status"], "status"), (["status", "--json"], "status"),
                              (["show"], "show"), (["catalog", "--json"], "catalog"),
                              (["redact", "x"], "redact"), (["--help"], None),
                              (["capture", "--help"], None), (["--version"], None)):
            with self.subTest(args=args):
                with open(DEV_FULL, "w") as full:
                    rc, _, err = self.run_raw(args, stdout=full)
                self.assertEqual(rc, EXIT_IOERR, err)
                self.assert_one_line(err, command, "output could not be written")

    def test_file_size_limit_exits_74_not_sigxfsz(self):
        # A queue that has to grow past RLIMIT_FSIZE: the write fails (EFBIG)
        # instead of the kernel killing the process with SIGXFSZ mid-commit.
        self.capture("app_opened", {"version": "0.0.0"})
        limit = max(os.path.getsize(os.path.join(self.home, n))
                    for n in os.listdir(self.home)) + 8192
        stored, failures = 0, 0
        for i in range(200):
            rc, _, err = self.run_raw(["capture", "app_opened", "--props",
                                       '{"version":"0.%d.0"}' % i], fsize=limit)
            self.assertGreaterEqual(rc, 0, "killed by signal %d: %s" % (-rc, err))
            self.assertIn(rc, (0, EXIT_IOERR), err)
            if rc == 0:
                self.assertEqual(err, "")
                stored += 1
            else:
                self.assert_one_line(err, "capture", "")
                failures += 1
                if failures >= 3:
                    break
        self.assertGreater(failures, 0, "the queue never reached the %d-byte limit" % limit)
        # Without the limit: the queue is intact and holds exactly the
        # captures that exited 0 (nothing half-written, nothing lost).
        self.assertEqual(len(self.pending()), 1 + stored)
        self.assertEqual(sqlite_json(self.db, "PRAGMA integrity_check"),
                         [{"integrity_check": "ok"}])
        rc, out, err = self.run_raw(["status", "--json"])
        self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    unittest.main()
