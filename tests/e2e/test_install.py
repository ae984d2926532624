"""End-to-end: `cmake --install` of the build into a throwaway prefix puts
every promised file in place: the library, header, pkg-config files, CMake
package, Python package, both programs, both man pages and the timer files —
and the files that name paths (timers, .pc files, the Python package's
_paths.py) name the prefix given at install time, not at configure time.
(Building programs against the installed prefix is tools/ci-builds.sh's
job: this build may carry sanitizers.)"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from jatest import BUILD_DIR, SOURCE_DIR


def deps_list(name):
    """A list set in cmake/JarvisAnalyticsDeps.cmake, the one dependency list."""
    text = open(os.path.join(SOURCE_DIR, "cmake", "JarvisAnalyticsDeps.cmake")).read()
    return re.search(r"^set\(%s ([^)]*)\)" % name, text, re.M).group(1).split()


def pkg_config(prefix, *args):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
    env.pop("PKG_CONFIG_LIBDIR", None)
    p = subprocess.run(["pkg-config"] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        raise AssertionError("pkg-config %s: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout.decode().split()


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
                    "share/systemd/user/jarvis-analytics-upload.service",
                    "share/systemd/user/jarvis-analytics-upload.timer",
                    "share/jarvis-analytics/timer/com.openjarvis.analytics-upload.plist",
                    "share/jarvis-analytics/timer/jarvis-analytics-upload.cron"):
            with self.subTest(rel=rel):
                self.assertTrue(os.path.isfile(os.path.join(prefix, rel)), rel)
        libs = os.listdir(os.path.join(prefix, "lib")) + (
            os.listdir(os.path.join(prefix, "lib64")) if os.path.isdir(os.path.join(prefix, "lib64")) else [])
        self.assertTrue(any(n.startswith("libjarvis_analytics.so") for n in libs), libs)
        binary = os.path.join(prefix, "bin", "jarvis-analytics-upload")
        for rel in ("share/systemd/user/jarvis-analytics-upload.service",
                    "share/jarvis-analytics/timer/com.openjarvis.analytics-upload.plist",
                    "share/jarvis-analytics/timer/jarvis-analytics-upload.cron"):
            with self.subTest(rel=rel):
                text = open(os.path.join(prefix, rel)).read()
                self.assertIn(binary, text)
                self.assertNotIn("@", text.replace("@reboot", ""))  # nothing left unfilled
        timer = open(os.path.join(prefix, "share/systemd/user/jarvis-analytics-upload.timer")).read()
        self.assertIn("RandomizedDelaySec=", timer)
        service = open(os.path.join(prefix, "share/systemd/user/jarvis-analytics-upload.service")).read()
        self.assertIn("Nice=", service)
        self.assertIn("IOSchedulingClass=idle", service)

    def test_manifest_lists_every_file(self):
        # `xargs rm < build/install_manifest.txt` uninstalls: the files written
        # at install time (filled-in timers, .pc files, _paths.py) are listed too.
        # The install script run directly, its manifest list written here:
        # build/install_manifest.txt is shared with installs running beside.
        prefix = os.path.join(self.root, "prefix")
        listing = os.path.join(self.root, "manifest.txt")
        wrapper = os.path.join(self.root, "install.cmake")
        with open(wrapper, "w") as f:
            f.write('include("%s")\nfile(WRITE "%s" "${CMAKE_INSTALL_MANIFEST_FILES}")\n'
                    % (os.path.join(BUILD_DIR, "cmake_install.cmake"), listing))
        p = subprocess.run(["cmake", "-DCMAKE_INSTALL_PREFIX=" + prefix, "-P", wrapper],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        installed = set()
        for dirpath, _, files in os.walk(prefix):
            installed.update(os.path.join(dirpath, f) for f in files)
        with open(listing) as f:
            manifest = set(f.read().split(";"))
        self.assertGreater(len(installed), 20)
        self.assertEqual(installed - manifest, set())

    def test_pkg_config_files_name_every_dependency(self):
        prefix = os.path.join(self.root, "prefix")
        self.install(prefix)
        deps = deps_list("JarvisAnalytics_PKGCONFIG_DEPS")
        for name in ("jarvis-analytics", "jarvis-analytics-static"):
            with self.subTest(pc=name):
                text = open(os.path.join(prefix, "lib", "pkgconfig", name + ".pc")).read()
                self.assertIn("prefix=%s\n" % prefix, text)
                requires = re.search(r"^Requires\.private: (.*)$", text, re.M).group(1)
                self.assertEqual([d.strip() for d in requires.split(",")], deps)
                self.assertIn("-lm", re.search(r"^Libs\.private: (.*)$", text, re.M).group(1).split())
                self.assertEqual(pkg_config(prefix, "--cflags-only-I", name)[0],
                                 "-I" + os.path.join(prefix, "include"))
        # Shared: the library by name, its dependencies only with --static.
        self.assertEqual(pkg_config(prefix, "--libs", "jarvis-analytics"),
                         ["-L" + os.path.join(prefix, "lib"), "-ljarvis_analytics"])
        static = pkg_config(prefix, "--static", "--libs", "jarvis-analytics-static")
        self.assertEqual(static[0], os.path.join(prefix, "lib", "libjarvis_analytics.a"))
        self.assertTrue(os.path.isfile(static[0]))
        want = set()
        for dep in deps:
            want.update(f for f in pkg_config(prefix, "--libs-only-l", dep))
        self.assertLessEqual(want | {"-lm"}, set(static))

    def test_cmake_package_is_derived_from_the_same_list(self):
        prefix = os.path.join(self.root, "prefix")
        self.install(prefix)
        pkgdir = os.path.join(prefix, "lib", "cmake", "JarvisAnalytics")
        for f in ("JarvisAnalyticsConfig.cmake", "JarvisAnalyticsConfigVersion.cmake",
                  "JarvisAnalyticsTargets.cmake", "JarvisAnalyticsDeps.cmake"):
            self.assertTrue(os.path.isfile(os.path.join(pkgdir, f)), f)
        self.assertEqual(open(os.path.join(pkgdir, "JarvisAnalyticsDeps.cmake")).read(),
                         open(os.path.join(SOURCE_DIR, "cmake", "JarvisAnalyticsDeps.cmake")).read())
        targets = open(os.path.join(pkgdir, "JarvisAnalyticsTargets.cmake")).read()
        for t in ("JarvisAnalytics::jarvis_analytics", "JarvisAnalytics::jarvis_analytics_static"):
            self.assertIn("add_library(%s " % t, targets)
        linked = re.findall(r"LINK_ONLY:PkgConfig::JarvisAnalytics_dep_([A-Za-z0-9_]+)>", targets)
        self.assertEqual(linked, [re.sub(r"[^A-Za-z0-9_]", "_", d)
                                  for d in deps_list("JarvisAnalytics_PKGCONFIG_DEPS")])
        version = open(os.path.join(pkgdir, "JarvisAnalyticsConfigVersion.cmake")).read()
        self.assertIn('set(PACKAGE_VERSION "', version)

    def test_python_package_names_the_prefix_library(self):
        prefix = os.path.join(self.root, "prefix")
        self.install(prefix)
        found = glob.glob(os.path.join(prefix, "lib", "python3*", "*-packages", "jarvis_analytics"))
        self.assertEqual(len(found), 1, found)
        paths = open(os.path.join(found[0], "_paths.py")).read()
        self.assertIn('LIBDIR = "%s"' % os.path.join(prefix, "lib"), paths)
        self.assertIn('SONAME = "libjarvis_analytics.so.0"', paths)
        self.assertTrue(os.path.isfile(os.path.join(prefix, "lib", "libjarvis_analytics.so.0")))
        self.assertTrue(os.path.isfile(os.path.join(found[0], "__init__.py")))

    def test_destdir_keeps_the_final_prefix_in_the_files(self):
        dest = os.path.join(self.root, "stage")
        self.install("/opt/ja", destdir=dest)
        service = open(os.path.join(dest, "opt/ja/share/systemd/user/jarvis-analytics-upload.service")).read()
        self.assertIn("ExecStart=/opt/ja/bin/jarvis-analytics-upload", service)
        pc = open(os.path.join(dest, "opt/ja/lib/pkgconfig/jarvis-analytics.pc")).read()
        self.assertIn("prefix=/opt/ja\n", pc)
        paths = glob.glob(os.path.join(dest, "opt/ja/lib/python3*/*-packages/jarvis_analytics/_paths.py"))
        self.assertEqual(len(paths), 1, paths)
        self.assertIn('LIBDIR = "/opt/ja/lib"', open(paths[0]).read())

    def test_cron_line_keeps_errors_visible(self):
        # The uploader's one line on a failure goes to the system log, not
        # to /dev/null (nobody would ever learn the key was wrong).
        prefix = os.path.join(self.root, "prefix")
        self.install(prefix)
        cron = [line for line in open(os.path.join(
            prefix, "share/jarvis-analytics/timer/jarvis-analytics-upload.cron"))
            if line.strip() and not line.startswith("#")]
        self.assertEqual(len(cron), 1, cron)
        self.assertNotIn("/dev/null", cron[0])
        self.assertIn("2>&1 | logger -t jarvis-analytics-upload", cron[0])


if __name__ == "__main__":
    unittest.main()
