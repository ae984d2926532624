"""End-to-end: the ctypes binding tools/python/jarvis_analytics/, the way
the OpenJarvis Python backend uses the library.

Every test runs twice (two ctest entries each):
- e2e/python_binding/…: the package in the source tree, with
  JARVIS_ANALYTICS_LIB pointing at $JA_BUILD_DIR/libjarvis_analytics.so;
- e2e/python_binding_installed/… (JA_PYTHON_BINDING=installed): the copy
  `cmake --install` puts under a throwaway prefix, with no variable set — it
  must load the library it was installed with.

An ASan-built library cannot be dlopen'ed into a plain Python unless the ASan
runtime is preloaded, so — as in test_hash.py — the binding runs in a child
interpreter with LD_PRELOAD set when needed (leak checking off there: the
interpreter itself is not leak-clean), PYTHONPATH at the package's parent,
and a clean environment with a throwaway OPENJARVIS_HOME. Each child prints
one JSON result line; the test then looks at the store the way a user would
(the sqlite3 program, files).
"""

import ctypes
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

from jatest import (BUILD_DIR, DROP_REASONS, JATestCase, LIB, SOURCE_DIR, UUID_RE, check_sanitizers,
                    clean_env, now_ms, python_executable, sanitizer_preload, sqlite_json)

PY_DIR = os.path.join(SOURCE_DIR, "tools", "python")
INSTALLED = os.environ.get("JA_PYTHON_BINDING") == "installed"
MODE = object()  # py()'s default: the package and library of this run's mode
HEADER = os.path.join(SOURCE_DIR, "include", "jarvis_analytics.h")
MARK = "JA-RESULT "

PRELUDE = r"""
import dataclasses, json, os, sys, threading
import jarvis_analytics as ja

def outcome(o):
    return None if o is None else dataclasses.asdict(o)

def error(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except ja.JarvisAnalyticsError as e:
        return {"status": None if e.status is None else int(e.status),
                "name": e.name, "message": e.message}
    return None

OUT = {}
"""

EPILOGUE = r"""
print(%r + json.dumps(OUT))
""" % MARK


def install_python(prefix):
    """`cmake --install` the library and the Python package into @prefix;
    return the directory holding the package (where PYTHONPATH must point)."""
    for component in ("runtime", "python"):
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix,
                        "--component", component], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, timeout=300)
    return installed_package_dir(prefix)


def installed_package_dir(prefix):
    """The directory under @prefix holding the installed package."""
    found = glob.glob(os.path.join(prefix, "lib*", "python3*", "*-packages", "jarvis_analytics"))
    if len(found) != 1:
        raise AssertionError("the package is not installed once under %s: %r" % (prefix, found))
    return os.path.dirname(found[0])


class PythonBinding(JATestCase):

    def setUp(self):
        super().setUp()
        self.lib, self.pythonpath = LIB, PY_DIR
        if INSTALLED:
            # ctest installs once per run (the fixture in
            # tests/CMakeLists.txt) into JA_PYTHON_PREFIX; run alone, each
            # test installs its own.
            fixture = os.environ.get("JA_PYTHON_PREFIX")
            if fixture:
                self.pythonpath = installed_package_dir(fixture)
            else:
                self.pythonpath = install_python(os.path.join(self.root, "prefix"))
            self.lib = None

    def run_python(self, code, env=None, unset=(), lib=MODE, pythonpath=MODE):
        """Run @code in a child interpreter; return (stdout, stderr) once it
        exited 0. @lib is JARVIS_ANALYTICS_LIB (None: unset), @pythonpath
        PYTHONPATH; both default to this run's mode."""
        e = clean_env(self.home, env, unset)
        preload = sanitizer_preload(LIB)
        if preload:
            e["LD_PRELOAD"] = preload
        e["ASAN_OPTIONS"] = "detect_leaks=0"
        lib = self.lib if lib is MODE else lib
        e.pop("JARVIS_ANALYTICS_LIB", None)
        if lib is not None:
            e["JARVIS_ANALYTICS_LIB"] = lib
        e["PYTHONPATH"] = self.pythonpath if pythonpath is MODE else pythonpath
        e["PYTHONDONTWRITEBYTECODE"] = "1"
        proc = subprocess.run([python_executable(), "-c", code],
                              env=e, cwd=self.root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        check_sanitizers(err, "the Python binding")
        self.assertEqual(proc.returncode, 0, "child failed:\n%s\n%s" % (out, err))
        return out, err

    def py(self, body, env=None, unset=(), lib=MODE, pythonpath=MODE):
        """Run PRELUDE + @body in a child interpreter; return its OUT dict."""
        out, err = self.run_python(PRELUDE + body + EPILOGUE, env, unset, lib, pythonpath)
        lines = [l for l in out.splitlines() if l.startswith(MARK)]
        self.assertEqual(len(lines), 1, "no result from the child:\n%s\n%s" % (out, err))
        return json.loads(lines[0][len(MARK):])

    def assertInvalid(self, err, what):
        self.assertIsNotNone(err, "%s did not raise" % what)
        self.assertEqual(err["status"], -1, "%s: %r" % (what, err))
        self.assertEqual(err["name"], "invalid input", "%s: %r" % (what, err))
        self.assertTrue(err["message"], "%s: empty message" % what)

    # ------------------------------------------------------------- capture

    def test_capture_stored(self):
        t0 = now_ms()
        r = self.py(r"""
with ja.Store() as s:
    OUT["enabled"] = list(s.enabled)
    OUT["o"] = outcome(s.capture("app_opened", {"version": "0.4.0", "platform": "cli"}))
    OUT["o2"] = outcome(s.capture("feature_used", '{"feature_name":"chat"}'))
    OUT["o3"] = outcome(s.capture("first_chat_sent"))
    OUT["anon"] = s.anon_id()
""")
        t1 = now_ms()
        self.assertEqual(r["enabled"], [True, ""])
        o = r["o"]
        self.assertEqual((o["result"], o["dropped_props"], o["reason"], o["property"]),
                         ("stored", 0, "", ""))
        self.assertValidUuid7(o["uuid"], t0, t1)
        rows = self.pending()
        self.assertEqual([row["uuid"] for row in rows],
                         [o["uuid"], r["o2"]["uuid"], r["o3"]["uuid"]])
        self.assertEqual(rows[0]["event"], "app_opened")
        self.assertEqual(json.loads(rows[0]["properties"]), {"version": "0.4.0", "platform": "cli"})
        self.assertEqual(json.loads(rows[1]["properties"]), {"feature_name": "chat"})
        self.assertEqual(json.loads(rows[2]["properties"]), {})
        self.assertEqual({row["distinct_id"] for row in rows}, {r["anon"]})
        self.assertEqual(self.read_anon_id(), r["anon"])
        self.assertMode(self.home, 0o700)
        self.assertMode(self.db, 0o600)

    def test_property_drop_reason_and_name(self):
        r = self.py(r"""
with ja.Store() as s:
    OUT["pii"] = outcome(s.capture("app_opened", {"version": "10.0.0.5", "platform": "cli"}))
    OUT["unknown"] = outcome(s.capture("app_opened", {"platform": "web", "user_email": "x"}))
    OUT["nan"] = outcome(s.capture("feedback_submitted", {"rating": float("nan"), "has_comment": True}))
    OUT["inf"] = outcome(s.capture("feedback_submitted", {"has_comment": False, "rating": float("-inf")}))
    OUT["nan_text"] = outcome(s.capture("settings_changed", {"setting_key": "NaN"}))
    OUT["drops"] = s.report()["drops"]
""")
        self.assertEqual(r["pii"]["result"], "stored")
        self.assertEqual((r["pii"]["dropped_props"], r["pii"]["reason"], r["pii"]["property"]),
                         (1, "pii", "version"))
        # Unknown property names are never echoed back.
        self.assertEqual((r["unknown"]["dropped_props"], r["unknown"]["reason"],
                          r["unknown"]["property"]), (1, "unknown_property", ""))
        # NaN / -inf reach the library's own not_finite rule (not "malformed").
        for k in ("nan", "inf"):
            self.assertEqual((r[k]["result"], r[k]["dropped_props"], r[k]["reason"],
                              r[k]["property"]), ("stored", 1, "not_finite", "rating"), k)
        # …while the *string* "NaN" is left alone.
        self.assertEqual((r["nan_text"]["dropped_props"], r["nan_text"]["reason"]), (0, ""))
        props = [json.loads(row["properties"]) for row in self.pending()]
        self.assertEqual(props, [{"platform": "cli"}, {"platform": "web"}, {"has_comment": True},
                                 {"has_comment": False}, {"setting_key": "NaN"}])
        self.assertEqual(r["drops"]["pii"], 1)
        self.assertEqual(r["drops"]["unknown_property"], 1)
        self.assertEqual(r["drops"]["not_finite"], 2)

    def test_unknown_event_dropped(self):
        r = self.py(r"""
with ja.Store() as s:
    OUT["o"] = outcome(s.capture("totally_new_event", {"a": 1}))
""")
        self.assertEqual(r["o"], {"result": "dropped", "uuid": "", "dropped_props": 0,
                                  "reason": "unknown_event", "property": ""})
        self.assertEqual(self.pending(), [])
        self.assertEqual({d["reason"]: d["count"] for d in self.drops_view()}.get("unknown_event"), 1)

    def test_malformed_raises(self):
        r = self.py(r"""
cases = {
    "truncated": ("app_opened", '{"version":'),
    "array": ("app_opened", [1, 2]),
    "not_serialisable": ("app_opened", {"version": object()}),
    "bad_utf8": ("app_opened", b'{"version":"\xff"}'),
    "lone_surrogate": ("app_opened", {"version": "\ud800"}),
    "control_in_name": ("app\nopened", None),
    "nul_in_name": ("app_opened\0evil", None),
    "nul_in_props": ("app_opened", '{"version":"a"}\0'),
    "name_not_text": (42, None),
}
with ja.Store() as s:
    OUT["errors"] = {k: error(s.capture, *v) for k, v in cases.items()}
    OUT["quiet"] = {k: outcome(s.capture_quiet(*v)) for k, v in cases.items()}
    OUT["report"] = s.report()
""")
        for k, err in r["errors"].items():
            self.assertInvalid(err, k)
        self.assertEqual(set(r["quiet"].values()), {None})
        # Malformed input is neither stored nor counted.
        self.assertEqual(r["report"]["queue"]["pending"], 0)
        self.assertEqual(set(r["report"]["drops"].values()), {0})

    def test_do_not_track_disabled(self):
        r = self.py(r"""
with ja.Store() as s:
    OUT["enabled"] = list(s.enabled)
    OUT["o"] = outcome(s.capture("app_opened", {"version": "1", "platform": "cli"}))
    OUT["report"] = s.report()
    OUT["purged"] = s.purge(pending=True, sent=True, drops=True)
    OUT["anon_err"] = error(s.anon_id)
""", env={"DO_NOT_TRACK": "1"})
        self.assertEqual(r["enabled"][0], False)
        self.assertIn("DO_NOT_TRACK", r["enabled"][1])
        self.assertEqual(r["o"], {"result": "disabled", "uuid": "", "dropped_props": 0,
                                  "reason": "", "property": ""})
        self.assertEqual(r["report"]["enabled"], False)
        self.assertEqual(r["purged"], 0)
        self.assertEqual(r["anon_err"]["name"], "cannot create")
        self.assertNothingCreated()
        self.assertFalse(os.path.exists(self.home))

    # ------------------------------------------------------------ identity

    def test_anon_id_and_reset(self):
        r = self.py(r"""
with ja.Store() as s:
    OUT["a1"] = s.anon_id()
    OUT["a2"] = s.anon_id()
    OUT["e1"] = s.capture("first_chat_sent", {"platform": "cli"}).uuid
    OUT["reset"] = s.reset_id()
    OUT["a3"] = s.anon_id()
    OUT["e2"] = s.capture("first_chat_sent", {"platform": "cli"}).uuid
""")
        self.assertRegex(r["a1"], UUID_RE)
        self.assertEqual(r["a1"], r["a2"])
        self.assertIsNone(r["reset"])
        self.assertRegex(r["a3"], UUID_RE)
        self.assertNotEqual(r["a3"], r["a1"])
        self.assertEqual(self.read_anon_id(), r["a3"])
        ids = {row["uuid"]: row["distinct_id"] for row in self.pending()}
        self.assertEqual(ids, {r["e1"]: r["a1"], r["e2"]: r["a3"]})

    def test_hash_id_and_version(self):
        strings = ["", "qwen3.5:2b", "modèle-日本語-🚀", "x" * 300, "llama3.1:8b", " "]
        r = self.py(r"""
OUT["hashes"] = [ja.hash_id(x) for x in %r]
OUT["bytes"] = ja.hash_id("qwen3.5:2b".encode())
OUT["nul"] = error(ja.hash_id, "a\0b")
OUT["version"] = ja.version()
""" % (strings,))
        want = [hashlib.sha256(x.encode()).hexdigest()[:16] if x else "" for x in strings]
        self.assertEqual(r["hashes"], want)
        self.assertEqual(r["hashes"][1], "c3bf38422d0f42e3")
        self.assertEqual(r["bytes"], "c3bf38422d0f42e3")
        # C would hash "a" only: refused instead of silently differing.
        self.assertInvalid(r["nul"], "hash_id with NUL")
        with open(HEADER, encoding="utf-8") as f:
            header_version = re.search(r'#define JA_VERSION "([^"]+)"', f.read()).group(1)
        self.assertEqual(r["version"], header_version)

    # -------------------------------------------------------- report, purge

    def test_report_dict(self):
        r = self.py(r"""
with ja.Store() as s:
    OUT["before"] = s.report()
    s.capture("app_opened", {"version": "10.0.0.5", "platform": "cli"})   # version-shaped: pii
    OUT["after"] = s.report()
    OUT["anon"] = s.anon_id()
""")
        before, after = r["before"], r["after"]
        for rep in (before, after):
            self.assertLessEqual({"version", "enabled", "off_reason", "home", "config", "database",
                                  "anon_id_path", "anon_id", "upload", "queue", "sent", "drops"},
                                 set(rep))
            self.assertEqual(set(DROP_REASONS) - set(rep["drops"]), set())
            self.assertNotIn("key", rep["upload"])
        self.assertEqual(after["home"], self.home)
        self.assertEqual(after["database"], self.db)
        self.assertEqual(after["enabled"], True)
        self.assertEqual(after["anon_id"], r["anon"])
        self.assertEqual(after["queue"]["exists"], True)
        self.assertEqual(after["queue"]["pending"], before["queue"]["pending"] + 1)
        self.assertEqual(after["drops"]["pii"], before["drops"]["pii"] + 1)

    def test_purge_counts(self):
        r = self.py(r"""
with ja.Store() as s:
    for v in ("1", "2", "3"):
        s.capture("app_opened", {"version": v, "platform": "cli"})
    s.capture("app_opened", {"version": "me@example.com"})
    s.capture("nope")
    OUT["pending"] = s.purge()
    OUT["again"] = s.purge()
    OUT["drops"] = s.purge(pending=False, drops=True)
    OUT["sent"] = s.purge(pending=False, sent=True)
    OUT["nothing"] = error(s.purge, pending=False)
    OUT["report"] = s.report()
""")
        self.assertEqual(r["pending"], 4)
        self.assertEqual(r["again"], 0)
        self.assertEqual(r["drops"], 2)  # two counter rows: pii, unknown_event
        self.assertEqual(r["sent"], 0)
        self.assertInvalid(r["nothing"], "purge of nothing")
        self.assertEqual(self.pending(), [])
        self.assertEqual(set(r["report"]["drops"].values()), {0})

    # ---------------------------------------------------- options, lifetime

    def test_options_struct_mirror(self):
        other = os.path.join(self.root, "other")
        fresh = os.path.join(self.root, "fresh")
        # The caps are configuration of the store (config.toml), read by
        # every opener; the old max_events/max_age_days arguments are
        # deprecated, warned about and ignored.
        os.mkdir(other, 0o700)
        with open(os.path.join(other, "config.toml"), "w") as f:
            f.write("[analytics]\nmax_events = 3\n")
        r = self.py(r"""
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    s = ja.Store(home=%r, max_events=1, busy_timeout_ms=1500, max_age_days=9)
OUT["warnings"] = [str(w.category.__name__) + ": " + str(w.message) for w in caught]
with s:
    OUT["uuids"] = [s.capture("app_opened", {"version": str(i), "platform": "cli"}).uuid
                    for i in range(5)]
    OUT["drops"] = s.report()["drops"]
with ja.Store(home=%r, no_create=True) as s:
    OUT["no_create"] = error(s.capture, "first_chat_sent", {"platform": "cli"})
    OUT["no_create_report"] = s.report()["queue"]["exists"]
OUT["huge"] = error(ja.Store, busy_timeout_ms=2**40)
OUT["negative"] = error(ja.Store, busy_timeout_ms=-1)
""" % (other, fresh))
        # home went through the struct: the store is in <other>, not OPENJARVIS_HOME.
        self.assertFalse(os.path.exists(self.home))
        rows = self.pending(db=os.path.join(other, "analytics_queue.db"))
        # config.toml's max_events = 3 applied, not the argument's 1.
        self.assertEqual([row["uuid"] for row in rows], r["uuids"][2:])
        self.assertEqual(r["drops"]["queue_full"], 2)
        self.assertEqual(r["drops"]["expired"], 0)
        self.assertEqual(len(r["warnings"]), 2, r["warnings"])
        for w in r["warnings"]:
            self.assertTrue(w.startswith("DeprecationWarning: "), w)
            self.assertIn("config.toml", w)
        # flags went through: JA_OPEN_NO_CREATE created nothing.
        self.assertEqual(r["no_create"]["name"], "cannot create")
        self.assertEqual(r["no_create"]["status"], -4)
        self.assertIs(r["no_create_report"], False)
        self.assertFalse(os.path.exists(fresh))
        self.assertInvalid(r["huge"], "busy_timeout_ms=2**40")
        self.assertInvalid(r["negative"], "busy_timeout_ms=-1")

    def test_struct_layout_matches_c(self):
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            self.skipTest("no C compiler to read the real layout")
        src = os.path.join(self.root, "layout.c")
        exe = os.path.join(self.root, "layout")
        with open(src, "w") as f:
            f.write(r"""
#include <stddef.h>
#include <stdio.h>
#include "jarvis_analytics.h"
#define F(T, m) printf("\"%s.%s\": [%zu, %zu],\n", #T, #m, offsetof(T, m), sizeof(((T *)0)->m))
int main(void) {
  printf("{\n");
  F(ja_options, version); F(ja_options, home); F(ja_options, busy_timeout_ms);
  F(ja_options, max_events); F(ja_options, max_age_days); F(ja_options, flags);
  F(ja_options, platform); F(ja_options, buffer_max_events); F(ja_options, buffer_max_bytes);
  F(ja_outcome, version); F(ja_outcome, result); F(ja_outcome, uuid); F(ja_outcome, dropped_props);
  F(ja_outcome, reason); F(ja_outcome, property);
  printf("\"ja_options\": %zu, \"ja_outcome\": %zu, \"JA_OPTIONS_VERSION\": %d,\n",
         sizeof(ja_options), sizeof(ja_outcome), JA_OPTIONS_VERSION);
  printf("\"JA_OUTCOME_VERSION\": %d,\n", JA_OUTCOME_VERSION);
  printf("\"JA_OPEN_NO_CREATE\": %u, \"JA_OPEN_SYNC\": %u, \"JA_PURGE\": [%u, %u, %u]}\n",
         (unsigned)JA_OPEN_NO_CREATE, (unsigned)JA_OPEN_SYNC,
         (unsigned)JA_PURGE_PENDING, (unsigned)JA_PURGE_SENT, (unsigned)JA_PURGE_DROPS);
  return 0;
}
""")
        subprocess.run([cc, "-std=c11", "-I", os.path.dirname(HEADER), "-o", exe, src],
                       check=True, timeout=60)
        want = json.loads(subprocess.run([exe], stdout=subprocess.PIPE, check=True,
                                         timeout=30).stdout)
        # The struct mirrors need no library: import the module here.
        sys.path.insert(0, self.pythonpath)
        saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the source tree
        try:
            import jarvis_analytics as ja
        finally:
            sys.path.remove(self.pythonpath)
            sys.dont_write_bytecode = saved
        got = {}
        for cname, cls in (("ja_options", ja._Options), ("ja_outcome", ja._Outcome)):
            for name, _ in cls._fields_:
                fd = getattr(cls, name)
                got["%s.%s" % (cname, name)] = [fd.offset, fd.size]
            got[cname] = ctypes.sizeof(cls)
        got["JA_OPTIONS_VERSION"] = ja.OPTIONS_VERSION
        got["JA_OUTCOME_VERSION"] = ja.OUTCOME_VERSION
        got["JA_OPEN_NO_CREATE"] = ja.OPEN_NO_CREATE
        got["JA_OPEN_SYNC"] = ja.OPEN_SYNC
        got["JA_PURGE"] = [ja.PURGE_PENDING, ja.PURGE_SENT, ja.PURGE_DROPS]
        self.assertEqual(got, want)

    def test_closed_store_and_open_errors(self):
        blocker = os.path.join(self.root, "a-file")
        with open(blocker, "w"):
            pass
        r = self.py(r"""
s = ja.Store()
with s:
    OUT["first"] = s.capture("first_chat_sent", {"platform": "cli"}).result
s.close()  # a second close is a no-op
OUT["closed"] = s.closed
OUT["after_close"] = error(s.capture, "first_chat_sent", {"platform": "cli"})
OUT["quiet_after_close"] = outcome(s.capture_quiet("first_chat_sent", {"platform": "cli"}))
OUT["report_after_close"] = error(s.report)
OUT["cantcreate"] = error(ja.Store, home=os.path.join(%r, "home"))
OUT["status_names"] = {int(st): ja.status_str(st) for st in ja.Status}
""" % (blocker,))
        self.assertEqual(r["first"], "stored")
        self.assertIs(r["closed"], True)
        self.assertInvalid(r["after_close"], "capture after close")
        self.assertInvalid(r["report_after_close"], "report after close")
        self.assertIsNone(r["quiet_after_close"])
        self.assertEqual(r["cantcreate"]["status"], -4)
        self.assertEqual(r["cantcreate"]["name"], "cannot create")
        self.assertIn(blocker, r["cantcreate"]["message"])
        self.assertEqual(r["status_names"]["0"], "ok")
        self.assertEqual(r["status_names"]["-1"], "invalid input")
        self.assertEqual(len(set(r["status_names"].values())), 12)

    def test_argument_errors_speak_of_the_arguments(self):
        # A Python caller reads .message: it names the argument as this
        # package calls it, never a C function ("ja_store_open: …"), and
        # points at the value it was near.
        r = self.py(r"""
OUT["platform"] = error(ja.Store, platform="lnux")
OUT["far"] = error(ja.Store, platform="zzzzzzzz")
OUT["busy"] = error(ja.Store, busy_timeout_ms=-1)
with ja.Store() as s:
    OUT["rollup"] = error(s.rollup, now_ms=-5)
""")
        for what in ("platform", "far", "busy", "rollup"):
            self.assertInvalid(r[what], what)
            self.assertNotRegex(r[what]["message"], r"\bja_\w+:", what)
        self.assertRegex(r["platform"]["message"],
                         r"^platform is not a PLATFORM value \(cli macos .*\); did you mean 'linux'\?$")
        self.assertNotIn("did you mean", r["far"]["message"])
        self.assertNotIn("zzzzzzzz", r["far"]["message"])
        self.assertEqual(r["busy"]["message"], "busy_timeout_ms is negative")
        self.assertRegex(r["rollup"]["message"], r"^rollup time \(now_ms\) -5 is not between 1970")

    def test_library_lookup(self):
        # Next to the module, when JARVIS_ANALYTICS_LIB is not set.
        moddir = os.path.join(self.root, "pkg")
        pkgdir = os.path.join(moddir, "jarvis_analytics")
        shutil.copytree(os.path.join(PY_DIR, "jarvis_analytics"), pkgdir,
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(os.path.realpath(LIB), os.path.join(pkgdir, "libjarvis_analytics.so"))
        r = self.py(r"""
import ctypes.util
OUT["found"] = ctypes.util.find_library("jarvis_analytics")
OUT["before"] = ja.library_path()
OUT["hash"] = ja.hash_id("a")
OUT["path"] = ja.library_path()
""", lib=None, pythonpath=moddir)
        self.assertIsNone(r["before"], "importing must not load the library")
        self.assertEqual(r["hash"], hashlib.sha256(b"a").hexdigest()[:16])
        if r["found"] is None:
            self.assertEqual(r["path"], os.path.join(pkgdir, "libjarvis_analytics.so"))
        # A JARVIS_ANALYTICS_LIB that does not load is an error, not a fallback.
        r = self.py(r"""
OUT["err"] = error(ja.Store)
OUT["hash_err"] = error(ja.hash_id, "a")
""", lib=os.path.join(self.root, "missing.so"))
        for k in ("err", "hash_err"):
            self.assertIsNone(r[k]["status"])
            self.assertEqual(r[k]["name"], "library not found")
            self.assertIn("missing.so", r[k]["message"])

    def test_installed_copy_loads_the_library_it_was_installed_with(self):
        # No JARVIS_ANALYTICS_LIB, no LD_LIBRARY_PATH: the installed copy's
        # _paths.py names the prefix's library.
        prefix = os.path.join(self.root, "installed")
        site_dir = install_python(prefix)
        libdir = os.path.dirname(glob.glob(os.path.join(prefix, "lib*", "libjarvis_analytics.so.0"))[0])
        r = self.py(r"""
import jarvis_analytics._paths as paths
OUT["libdir"] = paths.LIBDIR
OUT["module"] = ja.__file__
with ja.Store() as s:
    OUT["result"] = s.capture("app_opened", {"platform": "cli"}).result
OUT["path"] = ja.library_path()
""", lib=None, pythonpath=site_dir, unset=("LD_LIBRARY_PATH",))
        self.assertEqual(r["module"], os.path.join(site_dir, "jarvis_analytics", "__init__.py"))
        self.assertEqual(r["libdir"], libdir)
        self.assertEqual(r["path"], os.path.join(libdir, "libjarvis_analytics.so.0"))
        self.assertEqual(r["result"], "stored")
        self.assertEqual([row["event"] for row in self.pending()], ["app_opened"])
        # The source tree's copy names no directory: without the variable it
        # finds nothing (no library is installed system-wide here).
        r = self.py(r"""
import jarvis_analytics._paths as paths
OUT["libdir"] = paths.LIBDIR
OUT["err"] = error(ja.version)
""", lib=None, pythonpath=PY_DIR, unset=("LD_LIBRARY_PATH",))
        self.assertIsNone(r["libdir"])
        self.assertEqual(r["err"]["name"], "library not found")

    def test_readme_example_prints_what_the_readme_shows(self):
        # tools/python/README.md: its Python example, run as it stands, and
        # the text block after it (with … for the uuid).
        readme = open(os.path.join(PY_DIR, "README.md"), encoding="utf-8").read()
        code = re.search(r"^```python\n(.*?)^```$", readme, re.M | re.S).group(1)
        shown = re.search(r"^```text\n(.*?)^```$", readme[readme.index(code):], re.M | re.S).group(1)
        got = self.run_python(code)[0].splitlines()
        want = shown.splitlines()
        self.assertEqual(len(got), len(want), "\n".join(got))
        for g, w in zip(got, want):
            self.assertRegex(g, "^" + re.escape(w).replace("…", r"\S+") + "$")
        self.assertRegex(got[1], r"^stored " + UUID_RE.pattern.strip("^$"))

    def test_readme_names_every_public_name(self):
        # Every name the package exports, every public method and property
        # of Store and every field and property of Outcome is in the README
        # (a call added without its documentation fails here).
        readme = open(os.path.join(PY_DIR, "README.md"), encoding="utf-8").read()
        r = self.py(r"""
import dataclasses
OUT["names"] = sorted(ja.__all__)
OUT["store"] = sorted(n for n in dir(ja.Store) if not n.startswith("_"))
OUT["outcome"] = sorted({f.name for f in dataclasses.fields(ja.Outcome)} |
                        {n for n in dir(ja.Outcome) if not n.startswith("_")})
""")
        self.assertIn("capture", r["store"])
        self.assertIn("stored", r["outcome"])
        missing = [n for n in r["names"] if not re.search(r"`(ja\.)?%s\b" % n, readme)]
        missing += ["store." + n for n in r["store"] if not re.search(r"`store\.%s\b" % n, readme)]
        missing += ["Outcome." + n for n in r["outcome"] if not re.search(r"`%s`" % n, readme)]
        self.assertEqual(missing, [], "not in tools/python/README.md")

    def test_pip_install_from_the_source_tree(self):
        # Offline (no index, no build isolation: setuptools and wheel come
        # from Debian's python3-setuptools and python3-wheel), into a target
        # directory; run from a copy so the source tree gets no build/ folder.
        python = "/usr/bin/python3"
        src = os.path.join(self.root, "src")
        shutil.copytree(PY_DIR, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        target = os.path.join(self.root, "site")
        proc = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation",
                               "--no-deps", "--disable-pip-version-check", "--target", target, src],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout.decode("utf-8", "replace"))
        r = self.py(r"""
import importlib.metadata
OUT["dist_version"] = importlib.metadata.version("jarvis-analytics")
OUT["module"] = ja.__file__
OUT["version"] = ja.version()
""", lib=LIB, pythonpath=target)
        self.assertEqual(r["module"], os.path.join(target, "jarvis_analytics", "__init__.py"))
        header = open(HEADER).read()
        self.assertEqual(r["dist_version"], re.search(r'#define JA_VERSION "([^"]+)"', header).group(1))
        self.assertEqual(r["version"], r["dist_version"])

    # ------------------------------------------------------------- threads

    def test_threads_share_one_store(self):
        # The threads queue on the handle's mutex; on a loaded machine that
        # can take longer than the default 250 ms busy timeout, and a busy
        # drop would fail the test for timing, not thread safety (busy drops
        # have their own tests): wait as long as it takes.
        r = self.py(r"""
errors, uuids, lock = [], [], threading.Lock()
with ja.Store(busy_timeout_ms=30000) as s:
    def worker(n):
        mine = []
        try:
            for i in range(50):
                mine.append(s.capture("feature_used", {"feature_name": "chat"}).uuid)
            # errors on one thread never leak into another's message
            e = error(s.capture, "app_opened", "{bad")
            assert e and e["name"] == "invalid input", e
        except Exception as e:
            errors.append(repr(e))
        with lock:
            uuids.extend(mine)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    OUT["pending"] = s.report()["queue"]["pending"]
OUT["errors"], OUT["uuids"] = errors, uuids
""")
        self.assertEqual(r["errors"], [])
        self.assertEqual(len(r["uuids"]), 200)
        self.assertEqual(len(set(r["uuids"])), 200)
        self.assertEqual(r["pending"], 200)
        rows = self.pending()
        self.assertEqual({row["uuid"] for row in rows}, set(r["uuids"]))

    def test_flush_and_its_timeout(self):
        # flush() returns once what was accepted is on disk (another
        # connection sees it); held back by a lock, it times out without
        # losing anything.
        r = self.py(r"""
import sqlite3
def count():
    db = sqlite3.connect(os.path.join(os.environ["OPENJARVIS_HOME"], "analytics_queue.db"))
    n = db.execute("select count(*) from events").fetchone()[0]
    db.close()
    return n
with ja.Store(busy_timeout_ms=600000) as s:
    for i in range(20):
        s.capture("feature_used", {"feature_name": "chat"})
    s.flush()
    OUT["after_flush"] = count()
    locker = sqlite3.connect(os.path.join(os.environ["OPENJARVIS_HOME"], "analytics_queue.db"),
                             isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    s.capture("feature_used", {"feature_name": "chat"})
    OUT["timeout"] = error(s.flush, 0)
    locker.execute("COMMIT")
    locker.close()
    s.flush(600000)
    OUT["after_unlock"] = count()
    OUT["bad"] = error(s.flush, -1)
""")
        self.assertEqual(r["after_flush"], 20)
        self.assertEqual(r["timeout"]["status"], -11)
        self.assertEqual(r["timeout"]["name"], "timed out")
        self.assertEqual(r["after_unlock"], 21)
        self.assertEqual(r["bad"]["status"], -1)

    def test_exit_flushes_open_stores(self):
        # Never closed, and never collected either (a daemon thread still
        # holds it when the interpreter exits, so no __del__ closes it):
        # the exit flushes what the writer holds, which would otherwise
        # die with the process. The writer is held back by a lock until
        # the exit begins (an exit handler registered after the binding's
        # runs first and lets go), so without the flush at exit the
        # thousands of events it then still has to write are lost.
        r = self.py(r"""
import atexit, sqlite3
s = ja.Store(busy_timeout_ms=600000)
hold = threading.Event()
threading.Thread(target=lambda store=s: hold.wait(), daemon=True).start()
s.capture("setup_completed")
s.flush()
locker = sqlite3.connect(os.path.join(os.environ["OPENJARVIS_HOME"], "analytics_queue.db"),
                         isolation_level=None)
locker.execute("BEGIN IMMEDIATE")
atexit.register(lambda: (locker.execute("COMMIT"), locker.close()))
OUT["uuids"] = [s.capture("feature_used", {"feature_name": "chat"}).uuid for i in range(3000)]
for i in range(50):
    s.session_inference("exit", 1, 1, 1.0, "m", "ollama")
del s
""")
        self.assertEqual(len(r["uuids"]), 3000)
        rows = self.pending()
        self.assertEqual({row["uuid"] for row in rows if row["event"] == "feature_used"},
                         set(r["uuids"]))
        self.assertEqual(sqlite_json(self.db, "select count(*) as n from rollup_signal"),
                         [{"n": 50}])

    @unittest.skipUnless(hasattr(os, "fork"), "no fork()")
    def test_fork_child_gets_a_closed_store_and_can_open_its_own(self):
        # A store opened before fork() is closed in the child (its
        # connection and writer are the parent's); a new one works there,
        # and the parent's keeps working.
        r = self.py(r"""
with ja.Store() as s:
    for i in range(10):
        s.capture("feature_used", {"feature_name": "chat"})
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            if error(s.capture, "feature_used", {"feature_name": "chat"}) is None:
                code = 2
            with ja.Store() as mine:
                for i in range(5):
                    mine.capture("setup_completed")
                mine.flush()
        except Exception:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    OUT["child"] = status
    for i in range(10):
        s.capture("feature_used", {"feature_name": "chat"})
""")
        self.assertEqual(r["child"], 0)
        rows = self.pending()
        self.assertEqual(len([x for x in rows if x["event"] == "feature_used"]), 20)
        self.assertEqual(len([x for x in rows if x["event"] == "setup_completed"]), 5)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--install"]:
        # The ctest fixture: install once, into a fresh argv[2].
        shutil.rmtree(sys.argv[2], ignore_errors=True)
        install_python(sys.argv[2])
    else:
        unittest.main()
