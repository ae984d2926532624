"""The documentation stands alone: a clone holds the README, docs/ and the
code, nothing else, so

- no tracked file (outside tests/data, other people's text) sends its
  reader somewhere a clone does not have: a design text outside the
  repository (`../shared`, `DESIGN.md`, "DESIGN §N", a bare "§N") or an
  issue tracker ("issue 17", "#17"). A comment says the reason itself. RFC
  sections ("RFC 9110 §5.6.7") are fine: anyone can read those;
- every relative link of every Markdown file leads to a file that exists,
  and a link to a heading (`docs/cli.md#exit-status`) to a heading that
  exists;
- docs/guarantees.md names tests and files that exist.

Standard library only; reads the tracked files (git ls-files), or every
file of the source tree outside build folders when it is not a checkout.
"""

import os
import re
import subprocess
import unittest
from urllib.parse import unquote

SOURCE = os.path.abspath(os.environ.get("JA_SOURCE_DIR", "../.."))

# Where a reader of a clone could not follow. Built from pieces so that this
# file does not match itself.
OUTSIDE = [
    (re.compile(r"\.\./" + "shared"), "points at ../shared"),
    (re.compile("DESIGN" + r"(\.md|\s*§)"), "points at the design text"),
    (re.compile(r"\b[Ii]ssues?[ -]?#?\d"), "names an issue by number"),
    (re.compile(r"(?:^|[\s(\[,])#\d+\b"), "names an issue by number"),
]
SECTION = re.compile("§" + r"\s*\d")
RFC_BEFORE = re.compile(r"\bRFC\s*\d+\s*$")

# Test data is other people's text (corpora of values to redact), not ours.
EXEMPT_DIRS = ("tests/data/",)


def tracked_files():
    try:
        out = subprocess.run(["git", "-C", SOURCE, "ls-files", "-z"], check=True,
                             capture_output=True).stdout
        return [p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for root, dirs, files in os.walk(SOURCE):
            dirs[:] = [d for d in dirs if d != ".git" and not d.startswith("build")]
            for name in files:
                found.append(os.path.relpath(os.path.join(root, name), SOURCE))
        return found


def read_text(rel):
    try:
        with open(os.path.join(SOURCE, rel), encoding="utf-8") as f:
            return f.read()
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return None  # binary, or deleted in the work tree


def outside_references(text):
    """[(line number, what, line)] for every reference a clone cannot follow."""
    found = []
    for no, line in enumerate(text.split("\n"), 1):
        for pattern, what in OUTSIDE:
            if pattern.search(line):
                found.append((no, what, line.strip()))
        for m in SECTION.finditer(line):
            if not RFC_BEFORE.search(line[:m.start()]):
                found.append((no, "names a section of a text outside", line.strip()))
    return found


# ------------------------------------------------------------ Markdown links

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`+[^`]*`+")
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")


def prose_lines(text):
    """The lines of a Markdown text outside fenced code blocks, with inline
    code spans blanked (a link written inside code is an example)."""
    fenced = False
    for no, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield no, CODE_SPAN.sub("", line)


def links(text):
    """[(line number, target)] of the relative links of a Markdown text."""
    out = []
    for no, line in prose_lines(text):
        for target in LINK.findall(line) + REF_DEF.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # https:, mailto: …
            out.append((no, target))
    return out


def slug(heading):
    """The anchor GitHub gives a heading: lower case, code marks and
    punctuation removed, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(text):
    seen = {}
    out = set()
    for _, line in prose_lines(text.replace("`", "")):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else "%s-%d" % (base, n))
    for m in re.finditer(r"<a\s+(?:name|id)=\"([^\"]+)\"", text):
        out.add(m.group(1))
    return out


def broken_links(rel, text):
    """[(line number, target, why)] for the links of file @p rel that lead nowhere."""
    bad = []
    here = os.path.dirname(rel)
    for no, target in links(text):
        path, _, frag = target.partition("#")
        path = unquote(path)
        if not path:  # a heading of this page
            if unquote(frag) not in anchors(text):
                bad.append((no, target, "no such heading"))
            continue
        dest = os.path.normpath(os.path.join(here, path))
        full = os.path.join(SOURCE, dest)
        if dest.startswith(".."):
            bad.append((no, target, "leaves the repository"))
        elif not os.path.exists(full):
            bad.append((no, target, "no such file"))
        elif frag and dest.endswith(".md"):
            with open(full, encoding="utf-8") as f:
                if unquote(frag) not in anchors(f.read()):
                    bad.append((no, target, "no such heading"))
    return bad


def ctest_names():
    """The names of the tests ctest knows in the build folder."""
    build = os.environ.get("JA_BUILD_DIR", "../../build")
    out = subprocess.run(["ctest", "--test-dir", build, "-N"], check=True,
                         capture_output=True, text=True).stdout
    return set(re.findall(r"^\s*Test\s+#\d+: (\S+)$", out, re.M))


class Docs(unittest.TestCase):

    def test_nothing_points_outside_the_repository(self):
        me = os.path.relpath(os.path.abspath(__file__), SOURCE)
        found = []
        files = tracked_files()
        self.assertIn("README.md", files)
        for rel in files:
            if rel == me or rel.startswith(EXEMPT_DIRS):
                continue
            text = read_text(rel)
            if text is None:
                continue
            for no, what, line in outside_references(text):
                found.append("%s:%d: %s: %s" % (rel, no, what, line[:120]))
        self.assertEqual(found, [], "say the reason itself:\n" + "\n".join(found))

    def test_every_relative_link_leads_somewhere(self):
        pages = [p for p in tracked_files() if p.endswith(".md")]
        self.assertIn("README.md", pages)
        self.assertTrue(any(p.startswith("docs/") for p in pages))
        bad = []
        for rel in pages:
            text = read_text(rel)
            if text is None:
                continue
            for no, target, why in broken_links(rel, text):
                bad.append("%s:%d: (%s) %s" % (rel, no, target, why))
        self.assertEqual(bad, [], "\n".join(bad))

    def test_guarantees_name_tests_that_exist(self):
        """docs/guarantees.md names the tests that hold each promise, as
        ctest knows them (`busy/one_deadline_for_handle_and_store`), and the
        files it names (`tests/test_normalize.c`): each must exist."""
        with open(os.path.join(SOURCE, "docs", "guarantees.md"), encoding="utf-8") as f:
            page = f.read()
        known = ctest_names()
        self.assertIn("e2e/readme/test_cli_section_matches_help", known)
        named = re.findall(r"`([^`\s]+)`", page)
        tests = [n for n in named if re.fullmatch(r"(e2e/)?[a-z0-9_]+/[a-z0-9_]+", n)]
        self.assertGreater(len(tests), 50)
        self.assertEqual(sorted(set(n for n in tests if n not in known)), [],
                         "docs/guarantees.md names tests ctest does not know")
        files = [n for n in named if n.startswith("tests/")]
        self.assertEqual([n for n in files if not os.path.exists(os.path.join(SOURCE, n))], [])

    def test_the_checks_themselves(self):
        """The two checks catch what they are for, and let the rest be."""
        caught = ["see " + "../" + "shared/x", "DESIGN" + " §4", "(DESIGN" + ".md)",
                  "issue " + "17", "Issue-" + "11 rows", "fixes #" + "17", "(§" + "5.1)"]
        passed = ["RFC 9110 §5.6.7", "RFC 8259 §2–7", "&#64;", "#include", "color: #1f77b4",
                  "an issue with the disk", "#define X 1"]
        for t in caught:
            self.assertTrue(outside_references(t), t)
        for t in passed:
            self.assertEqual(outside_references(t), [], t)
        page = ("# Top\n\n## Exit status\n\nSee [a](#exit-status), [b](#nope),\n"
                "[c](README.md), [d](no/such.md), [e](https://example.com/x),\n"
                "`[f](in/code.md)`\n\n```\n[g](in/a/block.md)\n```\n")
        self.assertEqual([(t, why) for _, t, why in broken_links("page.md", page)],
                         [("#nope", "no such heading"), ("no/such.md", "no such file")])
        self.assertEqual(slug("`jarvis-analytics capture`"), "jarvis-analytics-capture")
        self.assertEqual(slug("What is dropped, and why"), "what-is-dropped-and-why")


if __name__ == "__main__":
    unittest.main()
