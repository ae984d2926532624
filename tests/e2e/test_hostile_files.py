"""End-to-end: creating and opening the queue when the files are not what
they should be (store/open.c, api/handle.c).

- racing first captures into a fresh home (install.sh's first call, or
  many at once): none fails for any reason but a counted busy drop;
- a home under a symlink works, a home too long for SQLite is refused
  before anything is made;
- a symlinked / FIFO / hard-linked / foreign queue, -wal or -shm, and a
  home owned by another user or writable by others: refused, exit 77;
- a corrupt queue: moved aside by the next capture, which is stored; a
  newer schema is refused (78) and left as it is;
- a read-only home: status and show still read it, purge fails (non-zero)
  and claims nothing; an unreadable queue is an error (74), never "no
  queue". As root (CI) permission bits do not bite, so these run the CLI
  as user nobody.
"""

import json
import os
import stat
import subprocess
import unittest

from jatest import (CLI, DB_NAME, EXIT_IOERR, EXIT_NOPERM, JATestCase, Result,
                    check_sanitizers, clean_env, cli_for_another_user, read_bytes,
                    unreachable_by)

EXIT_CONFIG, EXIT_TEMPFAIL = 78, 75
NOBODY = 65534
GOOD = {"version": "0.1.0", "platform": "cli"}


class FirstCaptures(JATestCase):
    """20 processes make the very first capture into one fresh home."""

    def test_twenty_racing_first_captures_all_accounted(self):
        for rnd in range(5):
            home = os.path.join(self.root, "race%d" % rnd)
            env = clean_env(home)
            # A start gate: each shell blocks reading one line from a FIFO
            # that the test holds open (so opening it never blocks, and a
            # late shell still finds its line); one write releases all 20.
            gate = os.path.join(self.root, "gate%d" % rnd)
            os.mkfifo(gate, 0o600)
            gate_fd = os.open(gate, os.O_RDWR)
            self.addCleanup(os.close, gate_fd)
            argv = ["sh", "-c", 'read _ < "$0"; exec "$@"', gate,
                    CLI, "capture", "app_opened", "--props", json.dumps(GOOD)]
            procs = [subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(20)]
            os.write(gate_fd, b"\n" * len(procs))
            results = []
            for p in procs:
                out, err = p.communicate(timeout=120)
                results.append((p.returncode, err.decode("utf-8", "replace")))
            for rc, err in results:
                check_sanitizers(err, "racing capture")
                # Creating the store never fails; the one failure allowed is
                # a capture that waited out the busy timeout behind the 19
                # others — and that one is counted.
                self.assertIn(rc, (0, EXIT_TEMPFAIL), "round %d: %d %s" % (rnd, rc, err))
                self.assertNotRegex(err, r"initialise|configure|migrate|hard link|exist")
            busy = sum(1 for rc, _ in results if rc == EXIT_TEMPFAIL)
            # A busy drop is noted in the -busy file and added to the
            # counter by the next capture that gets in: this one.
            self.ja("capture", "app_opened", rc=0, home=home)
            stored = len(self.pending(os.path.join(home, DB_NAME)))
            self.assertEqual(stored, 21 - busy, "round %d: %r" % (rnd, results))
            self.assertEqual(self.drops(home=home)["busy"], busy, "round %d: %r" % (rnd, results))
            self.assertEqual([n for n in os.listdir(home) if n.startswith(".aq-new-")], [])
            self.assertMode(os.path.join(home, DB_NAME), 0o600)


class Paths(JATestCase):

    def test_home_under_a_symlinked_parent(self):
        real = os.path.join(self.root, "real")
        os.mkdir(real, 0o700)
        os.symlink(real, os.path.join(self.root, "link"))
        home = os.path.join(self.root, "link", "home")
        self.ja("capture", "app_opened", "--props", json.dumps(GOOD), rc=0, home=home)
        self.assertEqual(len(self.pending(os.path.join(real, "home", DB_NAME))), 1)
        doc = self.status(home=home)
        self.assertTrue(doc["queue"]["exists"])
        self.assertEqual(doc["queue"]["pending"], 1)

    def _home_with_db_length(self, total):
        tail = len("/" + DB_NAME)
        pad = total - len(self.root) - 1 - tail - 1 - 240
        parent = os.path.join(self.root, "p" * pad)
        os.mkdir(parent, 0o700)
        home = os.path.join(parent, "h" * 240)
        self.assertEqual(len(home) + tail, total)
        return home

    def test_home_too_long_for_sqlite_78_nothing_made(self):
        home = self._home_with_db_length(505)
        res = self.ja("capture", "app_opened", home=home)
        self.assertOneErrorLine(res, EXIT_CONFIG, "capture", r"OPENJARVIS_HOME")
        self.assertFalse(os.path.lexists(home))

    def test_home_at_sqlite_limit_works(self):
        home = self._home_with_db_length(504)
        self.ja("capture", "app_opened", rc=0, home=home)
        self.assertEqual(len(self.pending(os.path.join(home, DB_NAME))), 1)


class HostileFiles(JATestCase):
    """Each hostile file: capture, status and purge refuse it with 77."""

    def setUp(self):
        super().setUp()
        self.ja("capture", "app_opened", rc=0)  # a queue exists (no -wal/-shm after exit)
        self.target = os.path.join(self.root, "target")
        with open(self.target, "wb") as f:
            f.write(b"")

    def assertRefused(self, mentions):
        for args in (("capture", "app_opened"), ("status",), ("purge", "--all")):
            res = self.ja(*args)
            self.assertOneErrorLine(res, EXIT_NOPERM, args[0], mentions)
        self.assertEqual(read_bytes(self.target), b"", "written through")

    def test_symlinked_wal_77(self):
        os.symlink(self.target, self.db + "-wal")
        self.assertRefused(r"-wal.*symlink")

    def test_fifo_shm_77(self):
        os.mkfifo(self.db + "-shm", 0o600)
        self.assertRefused(r"-shm.*not a regular file")

    def test_hard_linked_wal_77(self):
        os.link(self.target, self.db + "-wal")
        self.assertRefused(r"-wal.*hard links")

    def test_hard_linked_queue_77(self):
        os.link(self.db, os.path.join(self.root, "copy.db"))
        self.assertRefused(r"analytics_queue\.db.*hard links")

    @unittest.skipUnless(os.geteuid() == 0, "chown to another user needs root")
    def test_foreign_world_writable_queue_77_not_adopted(self):
        os.chown(self.db, NOBODY, NOBODY)
        os.chmod(self.db, 0o666)
        self.assertRefused(r"another user")
        self.assertMode(self.db, 0o666)
        self.assertFalse(os.path.exists(self.db + "-wal"))

    @unittest.skipUnless(os.geteuid() == 0, "chown to another user needs root")
    def test_foreign_shm_77(self):
        with open(self.db + "-shm", "wb"):
            pass
        os.chown(self.db + "-shm", NOBODY, NOBODY)
        self.assertRefused(r"-shm.*another user")

    def test_own_readable_queue_narrowed_to_0600(self):
        os.chmod(self.db, 0o644)
        self.ja("capture", "app_opened", rc=0)
        self.assertMode(self.db, 0o600)

    def test_world_writable_home_77(self):
        os.chmod(self.home, 0o1777)
        self.assertRefused(r"others can write")

    @unittest.skipUnless(os.geteuid() == 0, "chown to another user needs root")
    def test_foreign_home_77(self):
        os.chown(self.home, NOBODY, NOBODY)
        self.assertRefused(r"another user")


class Corrupt(JATestCase):

    def test_garbage_moved_aside_event_stored_status_says_so(self):
        os.mkdir(self.home, 0o700)
        garbage = os.urandom(3 * 4096)
        with open(self.db, "wb") as f:
            f.write(garbage)
        self.ja("capture", "app_opened", "--props", json.dumps(GOOD), rc=0)
        self.assertEqual(len(self.pending()), 1)
        aside = [n for n in os.listdir(self.home) if n.startswith(DB_NAME + ".corrupt-")]
        self.assertEqual(len(aside), 1)
        self.assertRegex(aside[0], r"\.corrupt-\d{8}T\d{6}Z$")
        self.assertEqual(read_bytes(os.path.join(self.home, aside[0])), garbage)
        ev = self.status()["store_events"]
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["kind"], "corrupt_moved")
        self.assertIn(aside[0], ev[0]["detail"])
        text = self.ja("status", rc=0).out
        self.assertRegex(text, r"repaired: .*%s" % aside[0].replace(".", r"\."))

    def test_newer_schema_78_and_untouched(self):
        self.ja("capture", "app_opened", rc=0)
        subprocess.run(["sqlite3", self.db, "pragma user_version = 99"], check=True)
        before = read_bytes(self.db)
        for args in (("capture", "app_opened"), ("status",)):
            res = self.ja(*args)
            self.assertOneErrorLine(res, EXIT_CONFIG, args[0], r"newer")
        self.assertEqual(read_bytes(self.db), before)
        self.assertEqual([n for n in os.listdir(self.home) if ".corrupt-" in n], [])


class Unwritable(JATestCase):
    """A home this user cannot write in, a queue it cannot read. Run as
    nobody when root, so that permission bits bite."""

    def setUp(self):
        super().setUp()
        self.as_nobody = os.geteuid() == 0
        self.cli, self.cli_env = CLI, {}
        if self.as_nobody:
            # nobody runs a copy: the build's binary may lie out of its
            # reach (a checkout under a 0700 folder).
            self.cli, self.cli_env = cli_for_another_user(os.path.join(self.root, "bin"))
            os.chown(self.root, NOBODY, NOBODY)
            probe = self.run_as("--version")
            if probe.rc != 0:
                self.fail("user nobody cannot run %s (a folder it cannot pass: %s): %s"
                          % (self.cli, unreachable_by(NOBODY, self.cli), probe.err))
        self.assertEqual(self.run_as("capture", "app_opened").rc, 0)
        self.assertEqual(self.run_as("capture", "app_opened").rc, 0)

    def run_as(self, *args):
        def drop():
            if self.as_nobody:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
        proc = subprocess.run([self.cli] + list(args), env=clean_env(self.home, self.cli_env),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60, preexec_fn=drop)
        res = Result(list(args), proc, 0.0)
        check_sanitizers(res.err, "jarvis-analytics %r" % (args,))
        return res

    def test_read_only_home_still_read_purge_fails(self):
        os.chmod(self.home, 0o500)
        self.assertFalse(os.path.exists(self.db + "-wal"))
        res = self.run_as("status", "--json")
        self.assertEqual(res.rc, 0, res)
        doc = json.loads(res.out)
        self.assertTrue(doc["queue"]["exists"])
        self.assertEqual(doc["queue"]["pending"], 2)
        res = self.run_as("show", "--json")
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(len(json.loads(res.out)), 2)
        res = self.run_as("purge", "--all")
        self.assertNotEqual(res.rc, 0, res)
        self.assertNotIn("purged", res.out)
        os.chmod(self.home, 0o700)
        self.assertEqual(len(self.pending()), 2)

    def test_unreadable_queue_74_never_absent(self):
        os.chmod(self.db, 0)
        before = read_bytes(self.db)
        for args in (("status",), ("show",), ("purge", "--all")):
            res = self.run_as(*args)
            self.assertOneErrorLine(res, EXIT_IOERR, args[0], r"analytics_queue\.db")
            self.assertNotIn("not created", res.out)
            self.assertNotIn("purged", res.out)
        self.assertEqual(read_bytes(self.db), before)
        os.chmod(self.db, 0o600)
        self.assertEqual(len(self.pending()), 2)


if __name__ == "__main__":
    unittest.main()
