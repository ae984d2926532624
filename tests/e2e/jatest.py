"""jatest — shared helpers for the end-to-end tests in tests/e2e/.

The tests run the real, freshly built programs (`$JA_BUILD_DIR/jarvis-analytics`
and `libjarvis_analytics.so`) against a throwaway OPENJARVIS_HOME, and look
at the result the way a user would: through the `sqlite3` program, the
files on disk and the CLI's own output. Python 3 standard library only.

Every test case derives from `JATestCase`, which gives it:
  self.root   a fresh directory from tempfile.mkdtemp(), removed afterwards
  self.home   <root>/home — NOT created: the CLI has to create it (0700)
  self.ja()   run the CLI with a clean environment; fails the test on any
              AddressSanitizer / UBSan report on stderr
and assertions for the CLI's contract (one-line errors, exit codes, …).

Nothing here touches the network: the environment handed to the programs
has no analytics host or key, and the programs under test never upload.
"""

import json
import os
import re
import shutil
import sqlite3 as pysqlite3  # only to hold a connection open (keeps the WAL)
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import uuid as uuidlib

# --------------------------------------------------------------- locations

SOURCE_DIR = os.environ.get(
    "JA_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("JA_BUILD_DIR", "")
if not BUILD_DIR:
    raise RuntimeError(
        "JA_BUILD_DIR is not set: run these tests through ctest "
        "(ctest -L e2e), or set JA_BUILD_DIR to the build folder holding "
        "jarvis-analytics and libjarvis_analytics.so")
CLI = os.path.join(BUILD_DIR, "jarvis-analytics")
LIB = os.path.join(BUILD_DIR, "libjarvis_analytics.so")
SQLITE3 = shutil.which("sqlite3")

DB_NAME = "analytics_queue.db"
DB_FILES = (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm")

# Every drop reason, exactly as `status --json` names them.
DROP_REASONS = ("unknown_event", "unknown_property", "invalid_value", "pii",
                "composite", "too_long", "empty", "null", "not_finite",
                "queue_full", "expired", "busy", "rejected", "too_large", "malformed",
                "disk_full", "io_error", "corrupt")

# Variables a test must not inherit from the developer's shell.
SCRUBBED_ENV = ("DO_NOT_TRACK", "OPENJARVIS_LOG_LEVEL", "OPENJARVIS_HOME",
                "OPENJARVIS_ANALYTICS_HOST", "OPENJARVIS_ANALYTICS_KEY")

EXIT_USAGE, EXIT_DATAERR, EXIT_CANTCREAT, EXIT_IOERR, EXIT_NOPERM = 64, 65, 73, 74, 77
# capture --strict: stored, but a property was dropped (65: nothing stored).
EXIT_PARTIAL = 3

# How long one run of a program (the CLI, sqlite3) may take before the test
# calls it hung. Not a speed bound: beside a full suite and two busy loops a
# single WAL fdatasync has been measured at 43-52 s on this kind of VM, and a
# CLI capture waits for its own commit. ctest's TIMEOUT (300 s) still ends a
# real hang.
PROC_TIMEOUT = 240

UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID_ANYCASE_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ISO_MS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "AddressSanitizer:DEADLYSIGNAL")


# ------------------------------------------------------------ environment

def clean_env(home, set_vars=None, unset=()):
    """os.environ minus the analytics variables, with OPENJARVIS_HOME=home.

    HOME points into the test's own folder too, so a bug that ignored
    OPENJARVIS_HOME could never write to the real ~/.openjarvis."""
    env = dict(os.environ)
    for k in SCRUBBED_ENV:
        env.pop(k, None)
    env["OPENJARVIS_HOME"] = home
    env["HOME"] = os.path.dirname(home) if home else tempfile.gettempdir()
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    env["LC_ALL"] = "C.UTF-8"
    for k, v in (set_vars or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    for k in unset:
        env.pop(k, None)
    return env


def check_sanitizers(stderr, what):
    """Raise AssertionError if a sanitizer reported anything."""
    for marker in SANITIZER_MARKERS:
        if marker in stderr:
            raise AssertionError("sanitizer report from %s:\n%s" % (what, stderr))


class Result:
    """What one run of the CLI produced (text decoded as UTF-8, lenient)."""

    def __init__(self, argv, proc, elapsed):
        self.argv = argv
        self.rc = proc.returncode
        self.out_bytes = proc.stdout
        self.err_bytes = proc.stderr
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")
        self.elapsed = elapsed

    def __repr__(self):
        return "<jarvis-analytics %r: rc=%d stdout=%r stderr=%r>" % (
            self.argv, self.rc, self.out[:2000], self.err[:2000])

    def json(self):
        return json.loads(self.out)


def run_cli(args, home, set_vars=None, unset=(), timeout=PROC_TIMEOUT, umask=None, input=None):
    """Run jarvis-analytics ARGS (str or bytes items) with a clean env;
    @input (bytes) is its stdin, else stdin is /dev/null."""
    argv = [CLI] + list(args)
    env = clean_env(home, set_vars, unset)
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    t0 = time.monotonic()
    stdin = {} if input is not None else {"stdin": subprocess.DEVNULL}
    proc = subprocess.run(argv, env=env, input=input, **stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, preexec_fn=preexec)
    res = Result(args, proc, time.monotonic() - t0)
    check_sanitizers(res.err, "jarvis-analytics %r" % (args[:3],))
    if res.rc < 0:
        raise AssertionError("jarvis-analytics killed by signal %d: %r" % (-res.rc, res))
    return res


# ----------------------------------------------------------------- sqlite3

def sqlite_json(db, sql):
    """Rows of @sql read by the `sqlite3` program (-json), as a list of dicts."""
    if not SQLITE3:
        raise unittest.SkipTest("the sqlite3 program is not installed")
    proc = subprocess.run([SQLITE3, "-json", "-bail", db, sql],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=PROC_TIMEOUT)
    if proc.returncode != 0:
        raise AssertionError("sqlite3 %r failed (%d): %s" % (
            sql, proc.returncode, proc.stderr.decode("utf-8", "replace")))
    text = proc.stdout.decode("utf-8").strip()
    if not text:
        return []
    # Several statements give several arrays, one after the other.
    rows, dec, i = [], json.JSONDecoder(), 0
    while i < len(text):
        part, i = dec.raw_decode(text, i)
        rows.extend(part)
        while i < len(text) and text[i].isspace():
            i += 1
    return rows


class WalHolder:
    """Keep a connection to the queue open (no transaction) so that the
    CLI's connection is not the last one: it then cannot checkpoint and
    delete the -wal/-shm files on exit, which stay there to be inspected."""

    def __init__(self, db):
        self.conn = pysqlite3.connect(db, isolation_level=None)
        self.conn.execute("SELECT count(*) FROM events").fetchall()

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------- uuid/time

def uuid7_ms(u):
    """The 48-bit unix-ms timestamp of a UUID v7 string."""
    return int(u.replace("-", "")[:12], 16)


def parse_iso_ms(ts):
    """'2026-11-25T12:21:11.703Z' → unix ms."""
    import calendar
    base, frac = ts[:-1].split(".")
    secs = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    return secs * 1000 + int(frac)


def seed_split_session(db, no, t, n):
    """One ended session of n signals seeded straight into the tables (as
    signals.c stores them): tools, with an inference as the first signal
    of every part of 16 384 but the second (a part without one queues
    nothing)."""
    sqlite_json(db, """
        INSERT INTO rollup_session (no, session, first_ms, last_ms, ended_ms)
          VALUES (%(no)d, printf('%%016x', %(no)d), %(t)d, %(last)d, %(last)d);
        INSERT INTO rollup_session_key (session, no) VALUES (printf('%%016x', %(no)d), %(no)d);
        WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < %(n)d)
        INSERT INTO rollup_signal (no, seq, kind, at_ms, tokens_in, tokens_out, latency_ms,
                                   name, engine)
          SELECT %(no)d, k, 2, %(t)d + k, NULL, NULL, NULL, printf('%%016x', k %% 100), NULL
          FROM i WHERE (k - 1) %% 16384 <> 0 OR k = 16385
          UNION ALL
          SELECT %(no)d, k, 1, %(t)d + k, 7, 8, 42.0, 'ffffffffffffffff', 'ollama'
          FROM i WHERE (k - 1) %% 16384 = 0 AND k <> 16385;
    """ % {"no": no, "t": t, "last": t + n, "n": n})


def now_ms():
    return int(time.time() * 1000)


# -------------------------------------------------------------- test base

class JATestCase(unittest.TestCase):
    """Base class: a throwaway OPENJARVIS_HOME per test, and CLI helpers."""

    maxDiff = 4000

    def setUp(self):
        if not os.access(CLI, os.X_OK):
            self.fail("jarvis-analytics not built at %s" % CLI)
        self.root = tempfile.mkdtemp(prefix="ja-e2e-")
        self.addCleanup(self._cleanup_root)
        self.home = os.path.join(self.root, "home")
        self.db = os.path.join(self.home, DB_NAME)
        self.anon_id_path = os.path.join(self.home, "anon_id")

    def _cleanup_root(self):
        # Make everything removable again (tests may chmod things).
        for dirpath, dirnames, _ in os.walk(self.root):
            for d in dirnames:
                p = os.path.join(dirpath, d)
                if not os.path.islink(p):
                    try:
                        os.chmod(p, 0o700)
                    except OSError:
                        pass
        shutil.rmtree(self.root, ignore_errors=True)

    # ---- running the CLI

    def ja(self, *args, rc=None, home=None, env=None, unset=(), umask=None, input=None):
        """Run the CLI; if @rc is given, assert the exit code."""
        res = run_cli(args, self.home if home is None else home,
                      set_vars=env, unset=unset, umask=umask, input=input)
        if rc is not None:
            self.assertEqual(res.rc, rc, "unexpected exit code: %r" % (res,))
        return res

    def capture(self, event, props=None, *flags, rc=0, **kw):
        """capture EVENT [--props JSON] FLAGS…; props may be a dict or text."""
        args = ["capture", event]
        if props is not None:
            args += ["--props", props if isinstance(props, (str, bytes)) else json.dumps(props)]
        args += list(flags)
        return self.ja(*args, rc=rc, **kw)

    def status(self, home=None, env=None):
        return self.ja("status", "--json", rc=0, home=home, env=env).json()

    def drops(self, home=None, env=None):
        return self.status(home=home, env=env)["drops"]

    # ---- the Python binding in a child interpreter (as the backend runs)

    def py_env(self):
        e = clean_env(self.home)
        preload = sanitizer_preload(LIB)
        if preload:
            e["LD_PRELOAD"] = preload
        e["ASAN_OPTIONS"] = "detect_leaks=0"
        e["JARVIS_ANALYTICS_LIB"] = LIB
        e["PYTHONPATH"] = os.path.join(SOURCE_DIR, "tools", "python")
        e["PYTHONDONTWRITEBYTECODE"] = "1"
        return e

    def py_start(self, body, busy_timeout_ms=30000, sync=False):
        """A child interpreter running @body with `ja` and `store` set
        (@sync: the store opened with OPEN_SYNC, each capture durable on
        return)."""
        # A generous busy timeout: these children race each other on
        # purpose, and on a loaded machine (ctest -j16 on 2 cores) a
        # signal can wait past the default 250 ms — a counted busy drop
        # the binding raises as an error. What the tests check is
        # exactly-once, not timing (busy drops have their own tests).
        code = ("import jarvis_analytics as ja\n"
                "with ja.Store(busy_timeout_ms=%d, sync=%r) as store:\n" % (busy_timeout_ms, sync) +
                "".join("    " + line + "\n" for line in body.strip().splitlines()))
        return subprocess.Popen([python_executable(), "-c", code], env=self.py_env(),
                                cwd=self.root, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def py_wait(self, proc):
        out, err = proc.communicate(timeout=300)
        err = err.decode("utf-8", "replace")
        check_sanitizers(err, "the Python binding")
        self.assertEqual(proc.returncode, 0, "child failed:\n%s" % err)

    # ---- the store seen through the sqlite3 program

    def pending(self, db=None):
        return sqlite_json(db or self.db, "SELECT * FROM pending")

    def drops_view(self, db=None):
        return sqlite_json(db or self.db, "SELECT * FROM drops")

    def snapshot(self, db=None):
        """Everything a capture may change, as the user sees it."""
        db = db or self.db
        return {"pending": sqlite_json(db, "SELECT * FROM pending"),
                "drops": sqlite_json(db, "SELECT * FROM drops")}

    def db_bytes(self, home=None):
        """Raw bytes of analytics_queue.db, -wal and -shm, as they are."""
        home = home or self.home
        out = {}
        for name in DB_FILES:
            p = os.path.join(home, name)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out[name] = f.read()
        return out

    def read_anon_id(self):
        with open(self.anon_id_path, "rb") as f:
            return f.read().decode("utf-8").strip()

    # ---- assertions

    def assertOneErrorLine(self, res, rc, command="capture", mentions=None):
        """Exit code @rc, and exactly one stderr line 'jarvis-analytics: CMD: …'."""
        self.assertEqual(res.rc, rc, "unexpected exit code: %r" % (res,))
        self.assertTrue(res.err.endswith("\n"), "stderr must end with a newline: %r" % (res,))
        lines = res.err.splitlines()
        self.assertEqual(len(lines), 1, "want exactly one stderr line: %r" % (res,))
        prefix = "jarvis-analytics: %s: " % command if command else "jarvis-analytics: "
        self.assertTrue(lines[0].startswith(prefix),
                        "stderr must start with %r: %r" % (prefix, res))
        self.assertGreater(len(lines[0]), len(prefix) + 5, "the message names nothing: %r" % res)
        if mentions is not None:
            self.assertRegex(lines[0], mentions)
        return lines[0]

    def assertMode(self, path, mode):
        st = os.lstat(path)
        self.assertTrue(stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode), path)
        self.assertEqual(stat.S_IMODE(st.st_mode), mode,
                         "%s has mode %o, want %o" % (path, stat.S_IMODE(st.st_mode), mode))

    def assertNothingCreated(self):
        """The home holds no queue and no anon_id (it may not exist at all)."""
        for name in DB_FILES + ("anon_id",):
            p = os.path.join(self.home, name)
            self.assertFalse(os.path.lexists(p), "%s was created" % p)

    def assertDropDelta(self, before, after, **expected):
        """Drop counters moved exactly as @expected (others did not move)."""
        for reason in DROP_REASONS:
            self.assertIn(reason, after, "status --json lacks drops.%s" % reason)
            want = expected.get(reason, 0)
            self.assertEqual(after[reason] - before.get(reason, 0), want,
                             "drops.%s moved by %d, want %d (before %r, after %r)" % (
                                 reason, after[reason] - before.get(reason, 0), want,
                                 before, after))

    def assertValidUuid7(self, u, t0_ms, t1_ms, slack_ms=2000):
        self.assertRegex(u, UUID_RE)
        h = u.replace("-", "")
        self.assertEqual(h[12], "7", "version nibble of %s is not 7" % u)
        self.assertIn(h[16], "89ab", "variant of %s is not 10xx" % u)
        ms = uuid7_ms(u)
        self.assertGreaterEqual(ms, t0_ms - slack_ms, "uuid %s time is too early" % u)
        self.assertLessEqual(ms, t1_ms + slack_ms, "uuid %s time is too late" % u)
        self.assertEqual(uuidlib.UUID(u).version, 7)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def python_executable():
    """The real interpreter (not a pyenv/asdf shim script)."""
    return os.path.realpath(sys.executable)


def sanitizer_preload(lib):
    """LD_PRELOAD value needed to dlopen an ASan-built @lib into an
    uninstrumented process (the ASan runtime must come first), or ''."""
    try:
        out = subprocess.run(["ldd", lib], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=30).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return ""
    for line in out.splitlines():
        m = re.match(r"\s*(libasan\.so[.\d]*)\s*=>\s*(\S+)", line)
        if m:
            return m.group(2)
    return ""


def cli_for_another_user(directory):
    """A copy of the CLI that another user (nobody, for the tests that need
    permission bits to bite while running as root) can run wherever this
    checkout lives: a clone under a 0700 directory (anything under /root,
    or mktemp -d) is out of that user's reach, and so is the build's
    binary. Copies the CLI, and every library it loads from the build or
    the source tree, into @directory (made 0755, readable by all); returns
    (path, env) where env holds the variables that make it load those
    copies. Fails the caller (never skips) when it cannot."""
    os.makedirs(directory, mode=0o755, exist_ok=True)
    os.chmod(directory, 0o755)
    dest = os.path.join(directory, os.path.basename(CLI))
    shutil.copy2(CLI, dest)
    os.chmod(dest, 0o755)
    out = subprocess.run(["ldd", CLI], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=60, check=True).stdout.decode()
    ours = (os.path.realpath(BUILD_DIR) + os.sep, os.path.realpath(SOURCE_DIR) + os.sep)
    copied = False
    for line in out.splitlines():
        m = re.match(r"\s*(\S+)\s*=>\s*(/\S+)", line)
        if m and os.path.realpath(m.group(2)).startswith(ours):
            lib = os.path.join(directory, m.group(1))
            shutil.copy2(os.path.realpath(m.group(2)), lib)
            os.chmod(lib, 0o755)
            copied = True
    env = {"LD_LIBRARY_PATH": directory} if copied else {}
    return dest, env


def unreachable_by(uid, path):
    """The first folder on the way to @path that user @uid (no groups, as
    the tests drop to) may not pass through, or None."""
    path = os.path.realpath(path)
    d = os.path.dirname(path)
    while True:
        st = os.stat(d)
        bit = stat.S_IXUSR if st.st_uid == uid else stat.S_IXOTH
        if not st.st_mode & bit:
            return d
        if d == "/":
            return None
        d = os.path.dirname(d)

