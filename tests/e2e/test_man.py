"""The man page is rendered from the same tables as --help, so every
command and option must appear in it; and it must format without warnings.
(Its EXIT STATUS codes are checked against docs/cli.md by test_cli_doc.py.)"""

import os
import re
import shutil
import subprocess
import unittest

BUILD = os.environ.get("JA_BUILD_DIR", "../../build")
JA = os.path.join(BUILD, "jarvis-analytics")
MAN = os.path.join(BUILD, "man", "jarvis-analytics.1")


def run(*args):
    return subprocess.run([JA, *args], check=True, capture_output=True, text=True).stdout


class Man(unittest.TestCase):
    def setUp(self):
        with open(MAN, encoding="utf-8") as f:
            self.man = f.read()

    def test_every_command_and_option_documented(self):
        commands = re.findall(r"^  ([a-z-]+) ",
                              run("--help").split("commands:\n", 1)[1].split("\n\n", 1)[0], re.M)
        self.assertGreaterEqual(len(commands), 6)
        for cmd in commands:
            # A group ("session") has one section per sub-command
            # (".SS session inference"), named by its usage lines.
            names = re.findall(r"^usage: jarvis-analytics (%s(?: [a-z]+)?)(?: |$)" % cmd,
                               run(cmd, "--help"), re.M)
            self.assertTrue(names, cmd)
            for name in names:
                section = self.man.split(".SS " + name.replace("-", "\\-") + "\n", 1)
                self.assertEqual(len(section), 2, "no section for %s" % name)
                body = section[1].split(".SS ", 1)[0].split(".SH ", 1)[0]
                for opt in re.findall(r"^  --([a-z-]+)", run(*name.split(), "--help"), re.M):
                    self.assertIn("\\-\\-" + opt.replace("-", "\\-"), body,
                                  "%s --%s" % (name, opt))

    def test_version_and_see_also(self):
        """--version is in the synopsis and OPTIONS; SEE ALSO names the
        uploader's page (and the uploader's names this one)."""
        synopsis = self.man.split(".SH SYNOPSIS", 1)[1].split(".SH ", 1)[0]
        self.assertIn(".B jarvis\\-analytics\n\\-\\-version\n", synopsis)
        options = self.man.split(".SH OPTIONS", 1)[1].split(".SH ", 1)[0]
        self.assertIn(".B \\-\\-version\n", options)
        self.assertIn(".B \\-\\-help\n", options)
        see = self.man.split(".SH SEE ALSO", 1)[1]
        self.assertIn(".BR jarvis\\-analytics\\-upload (1),\n", see)
        self.assertIn(".BR sqlite3 (1)", see)
        with open(os.path.join(BUILD, "man", "jarvis-analytics-upload.1"), encoding="utf-8") as f:
            up = f.read()
        self.assertEqual(up.count(".SH SEE ALSO"), 1)
        self.assertIn(".BR jarvis\\-analytics (1),\n", up.split(".SH SEE ALSO", 1)[1])
        self.assertIn("\\-\\-version", up.split(".SH OPTIONS", 1)[1])

    def test_files_names_every_config_key(self):
        """FILES lists every [analytics] key config.toml may hold, the
        caps included (they are store configuration)."""
        files = self.man.split(".SH FILES", 1)[1]
        for key in ("enabled", "host", "key", "anon_id_path", "flush_interval_seconds",
                    "flush_at_size", "max_events", "max_age_days"):
            self.assertIn(key, files)

    def test_formats_without_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("groff not installed")
        res = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN],
                             capture_output=True, text=True)
        self.assertEqual((res.returncode, res.stderr), (0, ""))


class UploadMan(unittest.TestCase):
    """jarvis-analytics-upload(1), from the uploader's own table."""

    UP = os.path.join(BUILD, "jarvis-analytics-upload")
    PAGE = os.path.join(BUILD, "man", "jarvis-analytics-upload.1")

    def setUp(self):
        with open(self.PAGE, encoding="utf-8") as f:
            self.man = f.read()

    def test_upload_page_documents_options_and_exits(self):
        help_text = subprocess.run([self.UP, "--help"], check=True, capture_output=True,
                                   text=True).stdout
        opts = re.findall(r"^  --([a-z-]+)", help_text, re.M)
        self.assertEqual(sorted(opts), ["batch-size", "deadline", "dry-run", "help", "json",
                                        "max-batches", "max-retries", "now", "verbose",
                                        "version"])
        for opt in opts:
            self.assertIn("\\-\\-" + opt.replace("-", "\\-"), self.man, opt)
        codes = re.findall(r"^\.TP\n\.B (\d+)\n", self.man.split(".SH EXIT STATUS", 1)[1], re.M)
        for code in ("0", "64", "73", "75", "78", "130"):
            self.assertIn(code, codes)

    def test_pages_hold_no_template_placeholders(self):
        # What a reader sees is text, not a template's "{host}" left over.
        for path in (MAN, self.PAGE):
            with open(path, encoding="utf-8") as f:
                self.assertNotRegex(f.read(), r"\{[a-z_]+\}", path)

    def test_upload_page_formats_without_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("groff not installed")
        res = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", self.PAGE],
                             capture_output=True, text=True)
        self.assertEqual((res.returncode, res.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
