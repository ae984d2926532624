"""End-to-end: hash_id through the shared library, loaded with ctypes the
way the Python backend loads it. It must equal OpenJarvis'
Python hashlib.sha256(s.encode()).hexdigest()[:16], and "" → "".

An ASan-built libjarvis_analytics.so cannot be dlopen'ed into a plain
Python unless the ASan runtime is preloaded, so the ctypes calls run in a
child interpreter with LD_PRELOAD set when the library needs it (leak
checking off there: the interpreter itself is not leak-clean)."""

import hashlib
import json
import os
import subprocess
import unittest

from jatest import JATestCase, LIB, check_sanitizers, python_executable, sanitizer_preload

CHILD = r"""
import ctypes, json, sys
lib = ctypes.CDLL(sys.argv[1])
f = lib.ja_hash_id
f.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
f.restype = ctypes.c_int
out = []
for s in json.loads(sys.stdin.read()):
    buf = ctypes.create_string_buffer(b"\xaa" * 17, 17)
    rc = f(None if s is None else s.encode("utf-8"), buf)
    out.append([rc, buf.raw.hex()])
print(json.dumps(out))
"""


def reference(s):
    """OpenJarvis' Python hash_id."""
    return hashlib.sha256(s.encode()).hexdigest()[:16] if s else ""


class Hash(JATestCase):

    def call(self, strings):
        env = dict(os.environ)
        preload = sanitizer_preload(LIB)
        if preload:
            env["LD_PRELOAD"] = preload
            env["ASAN_OPTIONS"] = "detect_leaks=0"
        proc = subprocess.run([python_executable(), "-c", CHILD, LIB], env=env,
                              input=json.dumps(strings).encode(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        err = proc.stderr.decode("utf-8", "replace")
        check_sanitizers(err, "ctypes ja_hash_id")
        self.assertEqual(proc.returncode, 0, err)
        return [(rc, bytes.fromhex(raw)) for rc, raw in json.loads(proc.stdout)]

    def test_hash_id_matches_python(self):
        strings = ["", "qwen3.5:2b", "x" * 300, "modèle-日本語-🚀", "llama3.1:8b", "a",
                   "gpt-4o", " ", "Qwen3.5:2B"]
        results = self.call(strings)
        for s, (rc, raw) in zip(strings, results):
            with self.subTest(s=s[:40]):
                self.assertEqual(rc, 0)
                want = reference(s)
                # NUL-terminated, exactly the reference value, nothing past it.
                self.assertEqual(raw[:len(want) + 1], want.encode() + b"\0")
                self.assertEqual(raw.split(b"\0", 1)[0].decode(), want)
                if s:
                    self.assertRegex(want, r"^[0-9a-f]{16}$")

    def test_known_values(self):
        # Pinned values, so a change on either side is noticed.
        results = self.call(["qwen3.5:2b", "", "modèle-日本語-🚀"])
        self.assertEqual([(rc, raw.split(b"\0", 1)[0]) for rc, raw in results],
                         [(0, b"c3bf38422d0f42e3"), (0, b""), (0, b"47cf174144c67aa6")])

    def test_null_argument_is_an_error(self):
        (rc, _), = self.call([None])
        self.assertNotEqual(rc, 0)


if __name__ == "__main__":
    unittest.main()
