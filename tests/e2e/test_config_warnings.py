"""End-to-end: misspelt keys and tables of config.toml are shown by `status`
as text and in `status --json` ("warnings"), naming the
file, line and name — never a value. A misspelt `enabled` whose value is not
true, in [analytics] or in a misspelt table, turns analytics off (privacy
wins a typo)."""

import html
import os
import re
import unittest

from jatest import JATestCase

SECRET = "phc_S3cr3tKeyValueThatMustNeverBePrinted0123456"


class ConfigWarnings(JATestCase):

    def write_config(self, text):
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        self.config = os.path.join(self.home, "config.toml")
        with open(self.config, "w") as f:
            f.write(text)

    def test_status_shows_warnings_and_stays_on(self):
        self.write_config('[analytics]\nhots = "https://x.example"\nkye = "%s"\n'
                          '[Analytics]\nkey = "%s"\n' % (SECRET, SECRET))
        want = ["%s:2: [analytics] unknown key 'hots' is ignored (did you mean 'host'?)" % self.config,
                "%s:3: [analytics] unknown key 'kye' is ignored (did you mean 'key'?)" % self.config,
                "%s:4: table [Analytics] is not [analytics]: its settings are not read" % self.config]
        doc = self.status()
        self.assertIs(doc["enabled"], True)
        self.assertEqual(doc["warnings"], want)
        self.assertIs(doc["upload"]["key_set"], False)
        text = self.ja("status", rc=0)
        self.assertEqual([l[len("warning:   "):] for l in text.out.splitlines()
                          if l.startswith("warning:")], want)
        for out in (text.out, self.ja("status", "--json", rc=0).out):
            self.assertNotIn("S3cr3t", out)
        # On: captures are stored.
        self.capture("app_opened", {"version": "0.1.0"})
        self.assertEqual(len(self.pending()), 1)

    def test_no_warnings_is_an_empty_list(self):
        self.assertEqual(self.status()["warnings"], [])
        self.write_config('[analytics]\nenabled = true\n[analysis]\nenabled = false\n')
        doc = self.status()
        self.assertEqual((doc["enabled"], doc["warnings"]), (True, []))
        self.assertNotIn("warning:", self.ja("status", rc=0).out)

    def test_misspelt_enabled_false_pauses(self):
        for text, reason in (("[analytics]\nenable = false\n",
                              ":2: [analytics] 'enable' looks like a misspelt 'enabled'"),
                             ("[Analytics]\nenabled = false\n",
                              ":2: 'enabled' in [Analytics], which is not [analytics]")):
            with self.subTest(config=text):
                self.write_config(text)
                res = self.capture("app_opened", {"version": "0.1.0"}, "--verbose")
                # A typo is a mistake, not the opt-out that deletes: paused.
                self.assertTrue(res.out.startswith("not stored: analytics: paused: "), res)
                doc = self.status()
                self.assertIs(doc["enabled"], False)
                self.assertEqual(doc["mode"], "paused")
                self.assertIn(self.config + reason, doc["off_reason"])
                self.assertEqual(len(doc["warnings"]), 1)
                self.assertNothingCreated()

    def test_near_miss_boolean_pauses_and_names_the_boolean(self):
        # A misspelt value is a mistake like a misspelt key, and the pause
        # says which boolean to write, as the key's warning names the key.
        for value, hint in (("ture", "true"), ("flase", "false"), ("True", "true"),
                            ('"false"', "false, without quotes")):
            with self.subTest(value=value):
                self.write_config("[analytics]\nenabled = %s\n" % value)
                want = ("%s:2: [analytics] 'enabled': expected a boolean (did you mean %s?)"
                        % (self.config, hint))
                doc = self.status()
                self.assertEqual((doc["mode"], doc["off_reason"]), ("paused", want))
                self.assertEqual(self.ja("status", rc=0).out.splitlines()[0],
                                 "analytics: paused: " + want)
                self.capture("app_opened", {"version": "0.1.0"})
                self.assertNothingCreated()

    def test_a_reason_with_parentheses_is_not_wrapped_in_more(self):
        # The reason can hold parentheses itself, so capture --verbose and
        # the page `view` writes say it as status does — "paused: <why>" —
        # never "paused (<why>)", which nested them.
        self.write_config("[analytics]\nenabled = ture\n")
        want = "%s:2: [analytics] 'enabled': expected a boolean (did you mean true?)" % self.config
        self.assertEqual(self.status()["off_reason"], want)
        res = self.capture("app_opened", {"version": "0.1.0"}, "--verbose")
        self.assertEqual(res.out, "not stored: analytics: paused: %s\n" % want)
        page = self.ja("view", "--output", "-", rc=0).out
        summary = re.search(r"<p>(Analytics is .*?)</p>", page).group(1)
        self.assertEqual(html.unescape(re.sub(r"<[^>]*>", "", summary)),
                         "Analytics is paused: %s. No queue has been created yet." % want)
        self.assertNothingCreated()


if __name__ == "__main__":
    unittest.main()
