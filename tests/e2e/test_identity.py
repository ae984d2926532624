"""End-to-end: the install's anon_id file and `reset-id`, the
refusal to follow symlinks (anon_id, queue), to replace a file that is not
an anon_id, to adopt a foreign, hard-linked or unreadable one, and an
anon_id_path that names the queue or config.toml."""

import hashlib
import json
import os
import subprocess
import unittest

from jatest import (CLI, JATestCase, PROC_TIMEOUT, EXIT_IOERR, EXIT_NOPERM, UUID_RE, check_sanitizers,
                    clean_env, cli_for_another_user, read_bytes, unreachable_by)

GOOD = {"version": "0.1.0", "platform": "cli"}


class Identity(JATestCase):

    def write_anon_id(self, data, mode=0o600):
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        with open(self.anon_id_path, "wb") as f:
            f.write(data)
        os.chmod(self.anon_id_path, mode)

    def distinct_ids(self):
        return [r["distinct_id"] for r in self.pending()]

    def test_created_once_and_reused(self):
        self.capture("app_opened", GOOD)
        content = read_bytes(self.anon_id_path)
        self.assertRegex(content.decode(), r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\n$")
        self.assertMode(self.anon_id_path, 0o600)
        self.capture("app_opened", GOOD)
        self.capture("feature_used", {"feature_name": "chat"})
        self.assertEqual(read_bytes(self.anon_id_path), content)
        self.assertEqual(self.distinct_ids(), [content.decode().strip()] * 3)
        doc = self.status()
        self.assertEqual(doc["anon_id"], content.decode().strip())
        self.assertEqual(doc["anon_id_path"], self.anon_id_path)
        text = self.ja("status", rc=0).out
        self.assertRegex(text, r"(?m)^anon_id:\s+%s$" % content.decode().strip())

    def test_install_sh_style_id_reused_as_is(self):
        """install.sh writes an id without version bits, maybe upper case."""
        original = b"12345678-1234-1234-1234-123456789ABC\n"
        self.write_anon_id(original)
        self.capture("app_opened", GOOD)
        self.assertEqual(read_bytes(self.anon_id_path), original, "the file was rewritten")
        self.assertEqual(self.distinct_ids(), ["12345678-1234-1234-1234-123456789ABC"])
        self.assertEqual(self.status()["anon_id"], "12345678-1234-1234-1234-123456789ABC")

    def test_surrounding_whitespace_ignored(self):
        original = b"  \t00000000-0000-0000-0000-00000000abcd \r\n\n"
        self.write_anon_id(original)
        self.capture("app_opened", GOOD)
        self.assertEqual(read_bytes(self.anon_id_path), original)
        self.assertEqual(self.distinct_ids(), ["00000000-0000-0000-0000-00000000abcd"])

    def test_damaged_id_replaced(self):
        """Small, and only hex digits, dashes, whitespace and NULs: a damaged
        anon_id (empty, truncated, a crash's zeros) is replaced."""
        for bad in (b"", b"\n", b"12345678-1234-1234-1234-123456789AB\n",
                    b"12345678-1234-1234-1234-123456789ABCD\n",
                    b"12345678123412341234123456789abc\n", b"1234\0\0\0\0\0\0\0\0",
                    b"\0" * 37):
            with self.subTest(content=bad):
                self.write_anon_id(bad, mode=0o644)
                res = self.capture("app_opened", GOOD, "--verbose")
                self.assertTrue(res.out.startswith("stored "), res)
                new = read_bytes(self.anon_id_path)
                self.assertRegex(new.decode(), r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\n$")
                self.assertMode(self.anon_id_path, 0o600)
                self.assertEqual(self.distinct_ids()[-1], new.decode().strip())
        leftovers = [n for n in os.listdir(self.home) if ".tmp." in n]
        self.assertEqual(leftovers, [], "temp files left behind")

    def test_not_an_anon_id_refused_77_and_untouched(self):
        """A file that is not recognisably an anon_id is never replaced."""
        config = b"[analytics]\nenabled = true\n"
        for other in (b"garbage\n", b"1234567g-1234-1234-1234-123456789abc\n",
                      b"{12345678-1234-1234-1234-123456789abc}\n",
                      b"12345678-1234-1234-1234-123456789abc\nsecond line\n",
                      "ééé".encode(), config, b"SQLite format 3\0" + b"\0" * 84,
                      b"0" * 65):
            with self.subTest(content=other):
                self.write_anon_id(other)
                for args in (["capture", "app_opened", "--props", json.dumps(GOOD)], ["reset-id"]):
                    res = self.ja(*args)
                    self.assertOneErrorLine(res, EXIT_NOPERM, args[0], r"anon_id")
                    self.assertEqual(read_bytes(self.anon_id_path), other)
                self.assertIsNone(self.status()["anon_id"])
        if os.path.exists(self.db):
            self.assertEqual(self.pending(), [])

    def test_group_readable_id_reused_and_made_private(self):
        original = b"12345678-1234-1234-1234-123456789abc\n"
        self.write_anon_id(original, mode=0o644)
        self.capture("app_opened", GOOD)
        self.assertEqual(read_bytes(self.anon_id_path), original)
        self.assertMode(self.anon_id_path, 0o600)
        self.assertEqual(self.distinct_ids(), ["12345678-1234-1234-1234-123456789abc"])

    def assertRefusedUntouched(self, rc, mentions, original):
        """capture and reset-id both fail with @rc; the anon_id keeps @original."""
        before = os.lstat(self.anon_id_path)
        for args in (["capture", "app_opened", "--props", json.dumps(GOOD)], ["reset-id"]):
            with self.subTest(args=args):
                res = self.ja(*args)
                self.assertOneErrorLine(res, rc, args[0], mentions)
                after = os.lstat(self.anon_id_path)
                self.assertEqual((after.st_ino, after.st_uid, after.st_mode, after.st_nlink),
                                 (before.st_ino, before.st_uid, before.st_mode, before.st_nlink))
                self.assertEqual(read_bytes(self.anon_id_path), original)
        if os.path.exists(self.db):
            self.assertEqual(self.pending(), [])

    @unittest.skipUnless(os.geteuid() == 0, "needs root to give a file to another user")
    def test_foreign_owned_anon_id_refused_77(self):
        original = b"12345678-1234-1234-1234-123456789abc\n"
        self.write_anon_id(original)
        os.chown(self.anon_id_path, 65534, 65534)
        self.assertRefusedUntouched(EXIT_NOPERM, r"anon_id.*another user", original)

    def test_hard_linked_anon_id_refused_77(self):
        original = b"12345678-1234-1234-1234-123456789abc\n"
        self.write_anon_id(original)
        os.link(self.anon_id_path, os.path.join(self.root, "second-name"))
        self.assertRefusedUntouched(EXIT_NOPERM, r"anon_id.*hard link", original)

    def test_fifo_anon_id_refused_without_hanging(self):
        os.makedirs(self.home, mode=0o700)
        os.mkfifo(self.anon_id_path, 0o600)
        # run_cli's timeout turns a hang into a failure.
        for args in (["capture", "app_opened", "--props", json.dumps(GOOD)], ["reset-id"]):
            res = self.ja(*args)
            self.assertOneErrorLine(res, EXIT_NOPERM, args[0], r"anon_id")
        self.assertTrue(os.path.exists(self.anon_id_path))
        self.assertFalse(os.path.isfile(self.anon_id_path))

    def test_unreadable_anon_id_is_io_error_and_kept(self):
        """Unreadable is not malformed: exit 74, the id stays (as another
        user when we are root, since root reads anything)."""
        original = b"12345678-1234-1234-1234-123456789abc\n"
        self.write_anon_id(original)
        os.chmod(self.anon_id_path, 0)
        user, cli, cli_env = {}, CLI, {}
        if os.geteuid() == 0:
            # uid 65534 runs a copy: the build's binary may lie out of its
            # reach (a checkout under a 0700 folder).
            cli, cli_env = cli_for_another_user(os.path.join(self.root, "bin"))
            os.chmod(self.root, 0o711)
            os.chown(self.home, 65534, 65534)
            os.chown(self.anon_id_path, 65534, 65534)
            user = {"user": 65534, "group": 65534, "extra_groups": []}
        probe = subprocess.run(["cat", self.anon_id_path], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, **user)
        if probe.returncode == 0:
            self.skipTest("permission bits do not apply here")
        probe = subprocess.run([cli, "--version"], env=clean_env(self.home, cli_env),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **user)
        if probe.returncode != 0:
            self.fail("uid 65534 cannot run %s (a folder it cannot pass: %s): %s"
                      % (cli, unreachable_by(65534, cli), probe.stderr.decode("utf-8", "replace")))
        for args in (["capture", "app_opened", "--props", json.dumps(GOOD)], ["reset-id"]):
            with self.subTest(args=args):
                proc = subprocess.run([cli] + args, env=clean_env(self.home, cli_env),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, timeout=PROC_TIMEOUT, **user)
                err = proc.stderr.decode("utf-8", "replace")
                check_sanitizers(err, "jarvis-analytics %r" % args)
                self.assertEqual(proc.returncode, EXIT_IOERR, err)
                self.assertRegex(err, r"^jarvis-analytics: %s: .*anon_id" % args[0])
                self.assertEqual(read_bytes(self.anon_id_path), original)

    def db_digests(self):
        """SHA-256 of the queue's files (a diff of their bytes is unreadable)."""
        return {k: hashlib.sha256(v).hexdigest() for k, v in self.db_bytes().items()}

    def test_anon_id_path_naming_queue_or_config_pauses_analytics(self):
        """anon_id_path = the queue (or its -wal/-shm/-busy) or config.toml:
        a mistake, so analytics is paused and says why, with the line;
        those files are left as they are."""
        self.capture("app_opened", GOOD)
        os.symlink(self.home, os.path.join(self.root, "alias"))
        for spelling in ("analytics_queue.db", "./analytics_queue.db-wal",
                         "analytics_queue.db-shm", "analytics_queue.db-busy",
                         os.path.join(self.root, "alias", "analytics_queue.db"),
                         "../home/config.toml", "~/home//config.toml"):
            with self.subTest(anon_id_path=spelling):
                cfg = os.path.join(self.home, "config.toml")
                text = ('[analytics]\nanon_id_path = "%s"\n' % spelling).encode()
                with open(cfg, "wb") as f:
                    f.write(text)
                before = self.db_digests()
                res = self.capture("app_opened", GOOD, "--verbose", env={"HOME": self.root})
                self.assertEqual(res.rc, 0, res)
                self.assertEqual(self.db_digests(), before)
                self.assertEqual(read_bytes(cfg), text)
                self.assertFalse(os.path.exists(os.path.join(self.home, "analytics_queue.db-busy")))
                doc = self.status(env={"HOME": self.root})
                self.assertFalse(doc["enabled"], doc)
                self.assertEqual(doc["mode"], "paused")
                self.assertRegex(doc["off_reason"],
                                 r"config\.toml:2: \[analytics\] 'anon_id_path' .* is the "
                                 r"(queue|config file)")
        self.assertEqual(len(self.pending()), 1)

    def test_reset_id(self):
        self.capture("app_opened", {"version": "1.0-before"})
        old = self.read_anon_id()
        res = self.ja("reset-id", rc=0)
        self.assertEqual(res.err, "")
        self.assertRegex(res.out, r"^new anon_id: [0-9a-f-]{36}\n$")
        new = res.out.split(": ", 1)[1].strip()
        self.assertRegex(new, UUID_RE)
        self.assertNotEqual(new, old)
        self.assertEqual(self.read_anon_id(), new)
        self.assertEqual(read_bytes(self.anon_id_path), (new + "\n").encode())
        self.assertMode(self.anon_id_path, 0o600)
        self.capture("app_opened", {"version": "1.0-after"})
        rows = self.pending()
        # Queued events keep the id they were captured with: a resend must be
        # byte-identical, or PostHog would not deduplicate it.
        self.assertEqual([(json.loads(r["properties"])["version"], r["distinct_id"]) for r in rows],
                         [("1.0-before", old), ("1.0-after", new)])
        self.assertEqual(self.status()["anon_id"], new)

    def test_reset_id_twice_gives_different_ids(self):
        a = self.ja("reset-id", rc=0).out
        b = self.ja("reset-id", rc=0).out
        self.assertNotEqual(a, b)
        self.assertEqual(self.read_anon_id(), b.split(": ", 1)[1].strip())

    def test_reset_id_on_fresh_home(self):
        res = self.ja("reset-id", rc=0)
        self.assertRegex(res.out, r"^new anon_id: ")
        self.assertMode(self.home, 0o700)
        self.assertMode(self.anon_id_path, 0o600)

    def test_symlinked_anon_id_refused_77(self):
        os.mkdir(self.home, 0o700)
        target = os.path.join(self.root, "target")
        with open(target, "wb") as f:
            f.write(b"do not touch\n")
        os.chmod(target, 0o644)
        before = os.stat(target)
        os.symlink(target, self.anon_id_path)
        for args in (["capture", "app_opened", "--props", json.dumps(GOOD)], ["reset-id"]):
            with self.subTest(args=args):
                res = self.ja(*args)
                self.assertOneErrorLine(res, EXIT_NOPERM, args[0], r"anon_id|symlink")
                self.assertEqual(read_bytes(target), b"do not touch\n")
                after = os.stat(target)
                self.assertEqual((after.st_mode, after.st_mtime_ns, after.st_ino),
                                 (before.st_mode, before.st_mtime_ns, before.st_ino))
                self.assertTrue(os.path.islink(self.anon_id_path), "the symlink was replaced")
        if os.path.exists(self.db):
            self.assertEqual(self.pending(), [])
        self.assertIsNone(self.status()["anon_id"])

    def test_dangling_symlinked_anon_id_refused_and_target_not_created(self):
        os.mkdir(self.home, 0o700)
        os.symlink(os.path.join(self.root, "created-through-link"), self.anon_id_path)
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD))
        self.assertOneErrorLine(res, EXIT_NOPERM, "capture", r"anon_id|symlink")
        self.assertFalse(os.path.lexists(os.path.join(self.root, "created-through-link")))
        res = self.ja("reset-id")
        self.assertOneErrorLine(res, EXIT_NOPERM, "reset-id")
        self.assertFalse(os.path.lexists(os.path.join(self.root, "created-through-link")))

    def test_anon_id_directory_refused(self):
        os.makedirs(self.anon_id_path, 0o700)
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD))
        self.assertOneErrorLine(res, EXIT_NOPERM, "capture", r"anon_id")
        self.assertTrue(os.path.isdir(self.anon_id_path))

    def test_symlinked_queue_refused_77(self):
        os.mkdir(self.home, 0o700)
        target = os.path.join(self.root, "elsewhere.db")
        os.symlink(target, self.db)
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD))
        self.assertOneErrorLine(res, EXIT_NOPERM, "capture", r"analytics_queue\.db|symlink")
        self.assertFalse(os.path.lexists(target), "the symlink target was created")
        for cmd in ("status", "show", "purge"):
            with self.subTest(cmd=cmd):
                res = self.ja(cmd)
                self.assertOneErrorLine(res, EXIT_NOPERM, cmd)
                self.assertFalse(os.path.lexists(target))

    def test_symlinked_existing_queue_refused_and_untouched(self):
        # A real queue elsewhere, reached through a symlink: refused, unchanged.
        other_home = os.path.join(self.root, "other")
        self.capture("app_opened", GOOD, home=other_home)
        target = os.path.join(other_home, "analytics_queue.db")
        before = read_bytes(target)
        os.mkdir(self.home, 0o700)
        os.symlink(target, self.db)
        res = self.ja("capture", "app_opened", "--props", json.dumps(GOOD))
        self.assertOneErrorLine(res, EXIT_NOPERM, "capture")
        self.assertEqual(read_bytes(target), before)
        self.assertEqual(len(self.pending(target)), 1)

    def test_queue_directory_refused(self):
        os.makedirs(self.db, 0o700)
        res = self.ja("capture", "app_opened")
        self.assertOneErrorLine(res, EXIT_NOPERM, "capture", r"analytics_queue\.db")


if __name__ == "__main__":
    unittest.main()
