"""End-to-end: `--json` on every command of `jarvis-analytics`. The list of
commands comes from `--help` (and `session --help`), so a command added
without a --json case here fails this test."""

import re
import unittest

from jatest import JATestCase

AT = ["--at", "2026-03-01T10:00:00Z"]
# command → (arguments before --json, the keys its document has)
CASES = {
    "capture": (["app_opened", "--props", '{"version":"0.1.0"}'],
                {"result", "uuid", "reason", "dropped_properties", "first_dropped_property",
                 "hint", "off_reason"}),
    "status": ([], {"version", "enabled", "queue", "sent", "drops", "upload", "rollup"}),
    "show": ([], None),
    "reset-id": ([], {"anon_id", "enabled"}),
    "purge": (["--sent"], {"purged", "what"}),
    "session inference": (["s1", "--tokens-in", "3", "--tokens-out", "4", "--latency-ms", "5"] + AT,
                          {"recorded"}),
    "session tool": (["s1", "--tool", "shell"] + AT, {"recorded"}),
    "session error": (["s1"] + AT, {"recorded"}),
    "session end": (["s1"] + AT, {"recorded"}),
    "rollup": (["--now", "2026-03-01T11:00:00Z"], {"queued", "enabled", "sessions_closed",
                                                  "closed_in_parts", "sessions_in_parts"}),
    "view": ([], {"version", "queue", "drops", "rollup", "history"}),
    "catalog": ([], {"events", "enums"}),
    "on": ([], {"mode", "reason", "config", "changed"}),
    "off": ([], {"mode", "reason", "config", "changed"}),
    "local": ([], {"mode", "reason", "config", "changed"}),
    "redact": (["0.4.2"], None),
}


class Json(JATestCase):

    def commands(self):
        overview = self.ja("--help", rc=0).out
        names = re.findall(r"^  ([a-z-]+) ", overview.split("commands:\n", 1)[1].split("\n\n")[0],
                           re.M)
        out = []
        for name in names:
            sub = re.findall(r"^usage: jarvis-analytics (%s [a-z]+) " % name,
                             self.ja(name, "--help", rc=0).out, re.M)
            out += sub or [name]
        return out

    def test_every_command_prints_json(self):
        commands = self.commands()
        self.assertIn("session end", commands)
        for cmd in commands:
            with self.subTest(cmd=cmd):
                self.assertIn(cmd, CASES, "no --json case for '%s'" % cmd)
                args, keys = CASES[cmd]
                res = self.ja(*cmd.split(), *args, "--json", rc=0)
                self.assertEqual(res.err, "")
                doc = res.json()
                if keys is None:
                    self.assertIsInstance(doc, list)
                    self.assertTrue(doc)
                else:
                    self.assertEqual(keys - set(doc), set(), doc)
        # what the documents say, checked against the store
        st = self.status()
        self.assertEqual(st["rollup"]["open_sessions"], 0)   # s1 ended and rolled up
        # app_opened, first_chat_sent, tool_first_used, chat_session_ended
        self.assertEqual(st["queue"]["pending"], 4)

    def test_documents_say_what_happened(self):
        doc = self.ja("capture", "app_opened", "--props", '{"platform":"nope"}', "--json",
                      rc=0).json()
        self.assertEqual((doc["result"], doc["reason"], doc["dropped_properties"],
                          doc["first_dropped_property"]),
                         ("stored", "invalid_value", 1, "platform"))
        self.assertEqual(self.ja("show", "--json", rc=0).json()[0]["uuid"], doc["uuid"])
        doc = self.ja("capture", "zz_unknown", "--json", rc=0).json()
        self.assertEqual((doc["result"], doc["uuid"], doc["reason"]),
                         ("dropped", None, "unknown_event"))
        self.assertEqual(self.ja("purge", "--json", rc=0).json(), {"purged": 1, "what": "pending"})
        off = {"DO_NOT_TRACK": "1"}
        doc = self.ja("capture", "app_opened", "--json", env=off, rc=0).json()
        self.assertEqual((doc["result"], doc["off_reason"]), ("off", "DO_NOT_TRACK is set"))
        self.assertEqual(self.ja("session", "end", "s", "--json", env=off, rc=0).json(),
                         {"recorded": False})
        self.assertEqual(self.ja("rollup", "--json", env=off, rc=0).json(),
                         {"queued": 0, "enabled": False, "sessions_closed": 0,
                          "closed_in_parts": 0, "sessions_in_parts": []})
        self.assertEqual(self.ja("reset-id", "--json", env=off, rc=0).json(),
                         {"anon_id": None, "enabled": False})
        doc = self.ja("reset-id", "--json", rc=0).json()
        self.assertEqual(doc["anon_id"], self.read_anon_id())


if __name__ == "__main__":
    unittest.main()
