"""End-to-end: the install's anon_id file (DESIGN §3) and `reset-id`, and
the refusal to follow symlinks (anon_id, queue)."""

import json
import os
import unittest

from jatest import JATestCase, EXIT_NOPERM, UUID_RE, read_bytes

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

    def test_malformed_id_replaced(self):
        for bad in (b"garbage\n", b"", b"\n", b"12345678-1234-1234-1234-123456789AB\n",
                    b"12345678-1234-1234-1234-123456789ABCD\n",
                    b"1234567g-1234-1234-1234-123456789abc\n",
                    b"{12345678-1234-1234-1234-123456789abc}\n",
                    b"12345678123412341234123456789abc\n",
                    b"12345678-1234-1234-1234-123456789abc\nsecond line\n",
                    "ééé".encode()):
            with self.subTest(content=bad):
                self.write_anon_id(bad, mode=0o644)
                res = self.capture("app_opened", GOOD, "--verbose")
                self.assertTrue(res.out.startswith("stored "), res)
                new = read_bytes(self.anon_id_path)
                self.assertRegex(new.decode(), r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\n$")
                self.assertMode(self.anon_id_path, 0o600)
                self.assertEqual(self.distinct_ids()[-1], new.decode().strip())

    def test_reset_id(self):
        self.capture("app_opened", {"version": "before"})
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
        self.capture("app_opened", {"version": "after"})
        rows = self.pending()
        # Queued events keep the id they were captured with (DESIGN §7).
        self.assertEqual([(json.loads(r["properties"])["version"], r["distinct_id"]) for r in rows],
                         [("before", old), ("after", new)])
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
