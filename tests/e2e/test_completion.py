"""End-to-end: the bash, zsh and fish completions (rendered at build time by
jarvis-analytics-mangen from the program tables and the event catalog)
complete commands, sub-commands, options and catalog values, name every
option --help lists, and are installed where each shell looks for them.
bash completes through its own function with COMP_WORDS/COMP_CWORD, fish
through `complete -C`, zsh through its function with the completion
builtins replaced by recorders."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from jatest import BUILD_DIR, CLI

COMPLETIONS = os.path.join(BUILD_DIR, "completions")
EVENTS = ("app_opened", "chat_session_ended", "usage_daily_summary", "install_started")


def need(tool):
    """The shell @tool; a missing one fails under CI (tools/deps.sh installs
    it) and skips elsewhere, saying so."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            raise AssertionError("%s is not installed (tools/deps.sh installs it)" % tool)
        raise unittest.SkipTest("%s is not installed (tools/deps.sh installs it)" % tool)
    return path


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def help_options(*cmd):
    out = run(CLI, *cmd, "--help").stdout
    return re.findall(r"^  (--[a-z-]+)", out.split("\noptions:\n", 1)[1], re.M)


BASH = r'''
source "$1"; shift
complete_line() {
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
  "$FN"
  printf '%s\n' "${COMPREPLY[@]}"
}
complete_line "$@"
'''


class Bash(unittest.TestCase):

    def complete(self, *words, prog="jarvis-analytics"):
        bash = need("bash")
        fn = "_" + prog.replace("-", "_")
        res = run(bash, "--norc", "--noprofile", "-c", BASH, "bash",
                  os.path.join(COMPLETIONS, "bash", prog), prog, *words,
                  env={"FN": fn, "PATH": os.environ.get("PATH", "")})
        self.assertEqual(res.stderr, "")
        self.assertEqual(res.returncode, 0)
        return res.stdout.split()

    def test_commands(self):
        self.assertEqual(self.complete("st"), ["status"])
        top = self.complete("")
        self.assertIn("capture", top)
        self.assertIn("session", top)
        self.assertNotIn("session inference", top)
        self.assertEqual(self.complete("session", ""), ["inference", "tool", "error", "end"])
        self.assertEqual(self.complete("--ver"), ["--version"])

    def test_event_names(self):
        self.assertEqual(self.complete("capture", "app_"), ["app_opened"])
        self.assertEqual(set(self.complete("capture", "")) & set(EVENTS), set(EVENTS))
        # after the event: no more event names, but its options
        self.assertEqual(self.complete("capture", "app_opened", ""), [])
        self.assertIn("--props", self.complete("capture", "app_opened", "--"))
        self.assertEqual(self.complete("show", "--event", "chat_"), ["chat_session_ended"])
        self.assertEqual(self.complete("show", "--event", "=", "usage"), ["usage_daily_summary"])
        self.assertEqual(self.complete("show", "--event=usage"), ["--event=usage_daily_summary"])

    def test_options_and_enum_values(self):
        self.assertEqual(self.complete("session", "inference", "s1", "--engine", "ll"), ["llama_cpp"])
        self.assertEqual(self.complete("session", "inference", "s1", "--platform", "tauri-w"),
                         ["tauri-windows"])
        self.assertEqual(self.complete("session", "tool", "s1", "--tool", "calc"), ["calculator"])
        # a value is skipped: the next word is an option again
        self.assertEqual(self.complete("show", "--limit", "3", "--sin"), ["--since"])
        self.assertEqual(self.complete("--dry", prog="jarvis-analytics-upload"), ["--dry-run"])

    def test_every_option_of_every_command(self):
        for cmd in (["capture"], ["status"], ["show"], ["purge"], ["reset-id"], ["rollup"],
                    ["catalog"], ["redact"], ["session", "inference"], ["session", "tool"],
                    ["session", "end"]):
            with self.subTest(cmd=cmd):
                words = list(cmd) + (["x"] if cmd[0] in ("session", "capture", "redact") else [])
                self.assertEqual(sorted(self.complete(*words, "--")), sorted(help_options(*cmd)))


class Fish(unittest.TestCase):

    def complete(self, line):
        fish = need("fish")
        script = ("source %s; source %s; complete -C '%s'"
                  % (os.path.join(COMPLETIONS, "fish", "jarvis-analytics.fish"),
                     os.path.join(COMPLETIONS, "fish", "jarvis-analytics-upload.fish"), line))
        res = run(fish, "--no-config", "-c", script)
        self.assertEqual((res.returncode, res.stderr), (0, ""))
        return [l.split("\t")[0] for l in res.stdout.splitlines()]

    def test_fish(self):
        self.assertEqual(self.complete("jarvis-analytics stat"), ["status"])
        self.assertEqual(self.complete("jarvis-analytics capture app_"), ["app_opened"])
        self.assertEqual(sorted(self.complete("jarvis-analytics session ")),
                         ["end", "error", "inference", "tool"])
        self.assertEqual(self.complete("jarvis-analytics show --event feature_"), ["feature_used"])
        self.assertEqual(self.complete("jarvis-analytics session inference s --engine vl"), ["vllm"])
        self.assertEqual(self.complete("jarvis-analytics-upload --max-b"), ["--max-batches"])
        self.assertEqual(sorted(self.complete("jarvis-analytics show --")),
                         sorted(help_options("show")))


ZSH = r'''
fpath=("$1" $fpath)
compadd() { print -r -- "compadd $*"; }
_describe() {
  local -a items names; items=("${(@P)${@[-1]}}"); names=("${(@)items%%:*}")
  print -r -- "describe ${names[*]}"
}
_arguments() { print -r -- "arguments"; local a; for a in "$@"; do print -r -- "  $a"; done; }
autoload -U _jarvis-analytics
shift
words=("$@"); CURRENT=${#words}; PREFIX=${words[-1]}
_jarvis-analytics
'''


class Zsh(unittest.TestCase):

    def complete(self, *words):
        zsh = need("zsh")
        res = run(zsh, "-f", "-c", ZSH, "zsh", os.path.join(COMPLETIONS, "zsh"),
                  "jarvis-analytics", *words)
        self.assertEqual((res.returncode, res.stderr), (0, ""))
        return res.stdout

    def test_files_parse(self):
        zsh = need("zsh")
        for name in ("_jarvis-analytics", "_jarvis-analytics-upload"):
            res = run(zsh, "-n", os.path.join(COMPLETIONS, "zsh", name))
            self.assertEqual((res.returncode, res.stderr), (0, ""), name)

    def test_zsh(self):
        top = self.complete("")
        self.assertRegex(top, r"describe .*\bcapture\b.*\bsession\b")
        self.assertIn("compadd -- --help --version", self.complete("--"))
        self.assertRegex(self.complete("session", ""), r"describe inference tool error end")
        spec = self.complete("capture", "")
        self.assertIn("  1:value:(install_started ", spec)
        self.assertIn("  --props=[properties as a JSON object (default {}); - reads stdin]:JSON: ",
                      spec)
        spec = self.complete("session", "inference", "s", "--engine", "")
        self.assertIn(":NAME:(ollama vllm mlx llama_cpp openai anthropic google unknown)", spec)
        for opt in help_options("session", "inference"):
            self.assertIn("  " + opt, spec)


class Installed(unittest.TestCase):

    def test_installed_where_each_shell_looks(self):
        root = tempfile.mkdtemp(prefix="ja-compl-")
        self.addCleanup(shutil.rmtree, root, True)
        res = run("cmake", "--install", BUILD_DIR, "--prefix", root)
        self.assertEqual(res.returncode, 0, res.stderr)
        for prog in ("jarvis-analytics", "jarvis-analytics-upload"):
            for rel in ("share/bash-completion/completions/" + prog,
                        "share/zsh/site-functions/_" + prog,
                        "share/fish/vendor_completions.d/%s.fish" % prog):
                with self.subTest(rel=rel):
                    path = os.path.join(root, rel)
                    self.assertTrue(os.path.isfile(path), rel)
                    with open(path, encoding="utf-8") as f:
                        self.assertIn("DO NOT EDIT", f.read())


if __name__ == "__main__":
    unittest.main()
