"""End-to-end: the two filters (redaction, catalog) and the store caps.

One test per drop reason. Each shows that the reason's counter
in `status --json` moves by exactly 1 (and no other counter moves), and that
the dropped value — a distinctive marker — appears nowhere in the raw bytes
of analytics_queue.db, -wal and -shm (read as they are, while another
connection keeps the WAL from being checkpointed away, and again after),
nor in what the CLI prints with --verbose and DEBUG logging.
"""

import json
import sqlite3 as pysqlite3
import time
import unittest

from jatest import JATestCase, WalHolder, EXIT_DATAERR, EXIT_PARTIAL, now_ms, sqlite_json

GOOD = {"version": "0.1.0", "platform": "cli"}


class Drops(JATestCase):

    def setUp(self):
        super().setUp()
        # The queue exists before the drop under test (one good event).
        self.capture("app_opened", GOOD)

    def drop_case(self, event, props, reason, markers, stored=None, count=1):
        """Capture @event with @props; expect @reason counted @count times,
        @markers nowhere, and @stored (dict) queued — or nothing queued."""
        before = self.drops()
        rows_before = self.pending()
        with WalHolder(self.db):
            res = self.capture(event, props, "--verbose",
                               env={"OPENJARVIS_LOG_LEVEL": "DEBUG"})
            raw = self.db_bytes()
            self.assertIn("analytics_queue.db-wal", raw, "the WAL should still be there")
            for m in markers:
                for name, data in raw.items():
                    self.assertNotIn(m.encode(), data, "%r found in %s" % (m, name))
        for m in markers:
            for name, data in self.db_bytes().items():
                self.assertNotIn(m.encode(), data, "%r found in %s after checkpoint" % (m, name))
            self.assertNotIn(m, res.out + res.err, "dropped value printed: %r" % (res,))
        after = self.drops()
        self.assertDropDelta(before, after, **{reason: count})
        view = {r["reason"]: r["count"] for r in self.drops_view()}
        self.assertEqual(view.get(reason), after[reason])
        rows = self.pending()
        if stored is None:
            self.assertEqual(rows, rows_before)
            self.assertEqual(res.out, "dropped: %s\n" % reason)
        else:
            self.assertEqual(rows[:-1], rows_before)
            self.assertEqual(len(rows), len(rows_before) + 1)
            self.assertEqual(rows[-1]["event"], event)
            self.assertEqual(json.loads(rows[-1]["properties"]), stored)
            self.assertRegex(res.out, r"^stored %s \S+ \(%d propert(y|ies) dropped, first: .*%s\)\n$"
                             % (event, count, reason))
        return res

    # ---- one test per reason

    def test_unknown_event(self):
        self.drop_case("zz_marker_unknown_event_k5", {"version": "zz-marker-ue-value-k5"},
                       "unknown_event", ["zz_marker_unknown_event_k5", "zz-marker-ue-value-k5"])

    def test_unknown_event_with_pii_counts_only_the_event(self):
        self.drop_case("zz_marker_unknown_event_k6", {"x": "zz-marker-ue-k6@example.com"},
                       "unknown_event", ["zz_marker_unknown_event_k6", "zz-marker-ue-k6"])

    def test_unknown_property(self):
        self.drop_case("app_opened", {"version": "0.1.0", "zz_marker_unknown_prop_k9":
                                      "zz-marker-up-value-k9"},
                       "unknown_property", ["zz_marker_unknown_prop_k9", "zz-marker-up-value-k9"],
                       stored={"version": "0.1.0"})

    def test_invalid_value(self):
        self.drop_case("app_opened", {"version": "0.1.0", "platform": "zz-marker-invalid-k3"},
                       "invalid_value", ["zz-marker-invalid-k3"], stored={"version": "0.1.0"})

    def test_pii(self):
        # key-shaped, so redaction is what drops it (secret_assignment)
        self.drop_case("settings_changed", {"setting_key": "password:zz-marker-pii-q7"},
                       "pii", ["zz-marker-pii-q7"], stored={})

    def test_pii_under_an_unknown_name(self):
        self.drop_case("app_opened", {"platform": "cli", "zz_marker_pii_k1": "zz-marker-pii-q8@example.com"},
                       "pii", ["zz_marker_pii_k1", "zz-marker-pii-q8", "q8@example.com"],
                       stored={"platform": "cli"})

    def test_invalid_value_outside_a_shape(self):
        """A value outside its shape is invalid_value, not pii, though it is
        an email too; it is nowhere in the files or the output."""
        self.drop_case("settings_changed", {"setting_key": "zz marker shape s5@example.com"},
                       "invalid_value", ["zz marker shape", "s5@example.com"], stored={})
        self.drop_case("app_opened", {"version": "zz-marker-shape-s6@example.com", "platform": "cli"},
                       "invalid_value", ["zz-marker-shape-s6", "s6@example.com"],
                       stored={"platform": "cli"})

    def test_composite_array(self):
        self.drop_case("app_opened", {"version": ["zz-marker-composite-a1"], "platform": "cli"},
                       "composite", ["zz-marker-composite-a1"], stored={"platform": "cli"})

    def test_composite_object(self):
        self.drop_case("app_opened", {"version": {"zz-marker-composite-o1": "zz-marker-val-o1"},
                                      "platform": "cli"},
                       "composite", ["zz-marker-composite-o1", "zz-marker-val-o1"],
                       stored={"platform": "cli"})

    def test_too_long(self):
        value = "zz-marker-toolong-t4-" + "x" * 200   # under an unknown name: redaction first
        self.drop_case("app_opened", {"zz_toolong": value, "platform": "cli"}, "too_long",
                       ["zz-marker-toolong-t4"], stored={"platform": "cli"})

    def test_empty(self):
        # An empty value has nothing to mark: its (unknown) name is the
        # marker, and redaction comes before the catalog, so: "empty".
        self.drop_case("app_opened", {"platform": "cli", "zz_marker_empty_k4": ""}, "empty",
                       ["zz_marker_empty_k4"], stored={"platform": "cli"})

    def test_null(self):
        self.drop_case("app_opened", {"platform": "cli", "zz_marker_null_k2": None}, "null",
                       ["zz_marker_null_k2"], stored={"platform": "cli"})

    def test_not_finite(self):
        self.drop_case("app_opened", '{"platform":"cli","zz_marker_nf_k8":1e999}', "not_finite",
                       ["zz_marker_nf_k8"], stored={"platform": "cli"})

    # ---- order and validators

    def test_order_of_the_filters(self):
        """Per property: what the value is (null, composite, not finite);
        then a shape (version, key); then redaction; then unknown_property
        and the other validators."""
        cases = [
            ("app_opened", {"zz_unknown": "me@example.com"}, "pii"),
            ("app_opened", {"zz_unknown": ["x"]}, "composite"),
            ("app_opened", {"zz_unknown": ""}, "empty"),
            ("app_opened", {"version": ""}, "invalid_value"),
            ("app_opened", {"version": "me@example.com"}, "invalid_value"),
            ("app_opened", {"version": "a" * 201}, "invalid_value"),
            ("app_opened", {"version": "10.0.0.5"}, "pii"),
            ("app_opened", {"version": None}, "null"),
            ("settings_changed", {"setting_key": ["ui.theme"]}, "composite"),
            ("settings_changed", {"setting_key": "/home/alice"}, "invalid_value"),
            ("settings_changed", {"setting_key": "password:hunter2"}, "pii"),
            ("feedback_submitted", {"rating": None}, "null"),
            ("setup_completed", {"model_hash": "a" * 201}, "too_long"),
            ("chat_session_ended", '{"latency_ms_p50":-1e999}', "not_finite"),
            ("app_opened", {"platform": {"a": 1}}, "composite"),
            ("app_opened", {"zz_unknown": 5}, "unknown_property"),
            ("app_opened", {"platform": "CLI"}, "invalid_value"),
        ]
        self._table(cases)

    def test_validators(self):
        """The catalog's validators, each side of each edge."""
        ok, bad = None, "invalid_value"
        cases = [
            ("feedback_submitted", {"rating": 0}, ok),
            ("feedback_submitted", {"rating": 5}, ok),
            ("feedback_submitted", {"rating": -1}, bad),
            ("feedback_submitted", {"rating": 1.5}, bad),
            ("feedback_submitted", {"rating": True}, bad),
            ("feedback_submitted", {"rating": "5"}, bad),
            ("feedback_submitted", {"has_comment": True}, ok),
            ("feedback_submitted", {"has_comment": False}, ok),
            ("feedback_submitted", {"has_comment": 1}, bad),
            ("feedback_submitted", {"has_comment": "true"}, bad),
            ("chat_session_ended", {"latency_ms_p50": 0}, ok),
            ("chat_session_ended", {"latency_ms_p50": 12.5}, ok),
            ("chat_session_ended", {"latency_ms_p95": -0.5}, bad),
            ("chat_session_ended", {"latency_ms_p95": False}, bad),
            ("chat_session_ended", {"latency_ms_p95": "12"}, bad),
            ("settings_changed", {"setting_key": "a"}, ok),
            ("settings_changed", {"setting_key": "k" * 64}, ok),
            ("settings_changed", {"setting_key": "k" * 65}, bad),
            ("settings_changed", {"setting_key": "é" * 65}, bad),
            ("settings_changed", {"setting_key": "k" * 200}, bad),   # not too_long: 200 is allowed
            ("settings_changed", {"setting_key": 7}, bad),
            ("setup_completed", {"model_hash": "0123456789abcdef"}, ok),
            ("setup_completed", {"model_hash": "0123456789ABCDEF"}, bad),
            ("setup_completed", {"model_hash": "0123456789abcde"}, bad),
            ("setup_completed", {"model_hash": "0123456789abcdef0"}, bad),
            ("setup_completed", {"model_hash": "0123456789abcdeg"}, bad),
            ("setup_completed", {"engine": "ollama", "preset": "deep-research"}, ok),
            ("setup_completed", {"engine": "Ollama"}, bad),
            ("tool_first_used", {"tool_name": "custom_tool"}, ok),
            ("tool_first_used", {"tool_name": "rm_rf"}, bad),
            ("install_started", {"os": "linux", "arch": "x86_64", "installer_version": "1.2"}, ok),
            ("install_started", {"os": "beos"}, bad),
            # the shapes (docs/design.md, The catalog), each side of each edge
            ("install_started", {"installer_version": "v1.2.3-rc.1+build.5"}, ok),
            ("install_started", {"installer_version": "6.8.0-45-generic"}, ok),
            ("install_started", {"installer_version": "1"}, ok),
            ("install_started", {"installer_version": "v"}, bad),
            ("install_started", {"installer_version": ".1"}, bad),
            ("install_started", {"installer_version": "1.2."}, bad),
            ("install_started", {"installer_version": "1.2 beta"}, bad),
            ("install_started", {"installer_version": "1.2/3"}, bad),
            ("app_opened", {"version": "2024.10.1"}, ok),
            ("app_opened", {"version": "1." + "2" * 62}, ok),
            ("app_opened", {"version": "1." + "2" * 63}, bad),
            ("app_opened", {"version": "V1.2"}, bad),
            ("settings_changed", {"setting_key": "tools/search_web:enabled"}, ok),
            ("settings_changed", {"setting_key": "ENGINE__OLLAMA__HOST"}, ok),
            ("settings_changed", {"setting_key": "2fa.enabled"}, ok),
            ("settings_changed", {"setting_key": "a b"}, bad),
            ("settings_changed", {"setting_key": "x@y"}, bad),
            ("settings_changed", {"setting_key": "ключ"}, bad),
            ("settings_changed", {"setting_key": ""}, bad),
            ("settings_changed", {"setting_key": ".hidden"}, bad),
            ("settings_changed", {"setting_key": "ui."}, bad),
            ("settings_changed", {"setting_key": "http://example.com"}, bad),
            ("settings_changed", {"setting_key": "12:30:45"}, bad),
        ]
        self._table(cases)

    def test_too_long_counts_code_points(self):
        # under an unknown name, where redaction's limit is what decides
        self._table([
            ("settings_changed", {"zz_long": "é" * 200}, "unknown_property"),  # 400 bytes, 200 cps
            ("settings_changed", {"zz_long": "é" * 201}, "too_long"),
            ("settings_changed", {"zz_long": "🚀" * 201}, "too_long"),
        ])

    def _table(self, cases):
        before = self.drops()
        for event, props, reason in cases:
            n_before = len(self.pending())
            res = self.capture(event, props, "--verbose")
            after = self.drops()
            with self.subTest(event=event, props=props):
                if reason is None:
                    self.assertDropDelta(before, after)
                    self.assertTrue(res.out.startswith("stored %s " % event), res)
                    self.assertNotIn("dropped", res.out)
                    rows = self.pending()
                    self.assertEqual(len(rows), n_before + 1)
                    want = props if isinstance(props, dict) else json.loads(props)
                    self.assertEqual(json.loads(rows[-1]["properties"]), want)
                else:
                    self.assertDropDelta(before, after, **{reason: 1})
                    self.assertIn(reason, res.out)
            before = after

    # ---- --strict

    def test_strict_exit_3_on_property_drop_but_event_stored(self):
        marker = "zz-marker-strict-s1@example.com"
        before = self.drops()
        res = self.capture("app_opened", {"version": marker, "platform": "cli"}, "--strict",
                           rc=EXIT_PARTIAL)
        self.assertOneErrorLine(res, EXIT_PARTIAL)
        self.assertIn("stored, but 1 property dropped", res.err)
        self.assertIn("'version' invalid_value", res.err)   # not a version: the shape decides
        self.assertNotIn("zz-marker-strict", res.err + res.out)
        rows = self.pending()
        self.assertEqual(len(rows), 2)
        self.assertEqual(json.loads(rows[-1]["properties"]), {"platform": "cli"})
        self.assertDropDelta(before, self.drops(), invalid_value=1)

    def test_strict_exit_65_on_unknown_event(self):
        before = self.drops()
        res = self.capture("zz_not_an_event", {}, "--strict", rc=EXIT_DATAERR)
        self.assertOneErrorLine(res, EXIT_DATAERR)
        self.assertIn("nothing stored", res.err)
        self.assertNotIn("zz_not_an_event", res.err)
        self.assertEqual(len(self.pending()), 1)
        self.assertDropDelta(before, self.drops(), unknown_event=1)

    def test_without_strict_drops_exit_0(self):
        res = self.capture("zz_not_an_event", {}, rc=0)
        self.assertEqual((res.out, res.err), ("", ""))
        res = self.capture("app_opened", {"version": "x@example.com"}, rc=0)
        self.assertEqual((res.out, res.err), ("", ""))

    def test_strict_clean_event_exit_0(self):
        res = self.capture("app_opened", GOOD, "--strict", rc=0)
        self.assertEqual((res.out, res.err), ("", ""))

    def test_strict_verbose_several_drops(self):
        res = self.capture("app_opened", {"version": "", "platform": "nope", "zz": 1},
                           "--strict", "--verbose", rc=EXIT_PARTIAL)
        self.assertRegex(res.out, r"^stored app_opened \S+ \(3 properties dropped, first: .*\)\n$")
        self.assertOneErrorLine(res, EXIT_PARTIAL)

    # ---- store caps: queue_full, expired

    def _fill(self, n, ts_ms, prefix):
        # age_ms = ts_ms: rows as a capture with a sane clock writes them
        # (003_caps.sql; NULL would mean "aged from the next sane clock").
        sqlite_json(self.db,
                    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%d) "
                    "INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, "
                    "age_ms) "
                    "SELECT '%s-' || i, %d, '2026-01-01T00:00:00.000Z', 'x', 'app_opened', '{}', "
                    "%d FROM c" % (n, prefix, ts_ms, ts_ms))

    def test_queue_full_drops_the_oldest(self):
        self._fill(9999, now_ms(), "fill")     # + the setUp event = 10000
        first = self.pending()[0]["uuid"]
        before = self.drops()
        self.capture("app_opened", {"version": "9.9.9-newest"})
        self.assertDropDelta(before, self.drops(), queue_full=1)
        rows = sqlite_json(self.db, "SELECT count(*) AS n FROM pending")
        self.assertEqual(rows[0]["n"], 10000)
        uuids = {r["uuid"] for r in sqlite_json(self.db, "SELECT uuid FROM pending")}
        self.assertNotIn(first, uuids)
        last = sqlite_json(self.db, "SELECT properties FROM pending")[-1]
        self.assertEqual(json.loads(last["properties"]), {"version": "9.9.9-newest"})

    def test_expired_events_are_dropped_and_counted(self):
        day = 86400 * 1000
        self._fill(2, now_ms() - 31 * day, "old")
        self._fill(1, now_ms() - 29 * day, "recent")
        before = self.drops()
        self.capture("app_opened", {"version": "1.0-now"})
        self.assertDropDelta(before, self.drops(), expired=2)
        uuids = {r["uuid"] for r in sqlite_json(self.db, "SELECT uuid FROM pending")}
        self.assertFalse({"old-1", "old-2"} & uuids)
        self.assertIn("recent-1", uuids)
        self.assertEqual(len(uuids), 3)

    # ---- busy (dropped and counted, never stalled: the host is never hurt)

    def test_busy_store_drops_counts_and_does_not_stall(self):
        """While another process holds the write lock, a capture gives up
        after busy_timeout (250 ms): the event is dropped and the drop is
        counted (at the latest by the next capture that gets in)."""
        lock = pysqlite3.connect(self.db, isolation_level=None, timeout=0)
        try:
            lock.execute("BEGIN IMMEDIATE")
            t0 = time.monotonic()
            res = self.capture("app_opened", {"version": "1.0-busy"}, rc=None)
            elapsed = time.monotonic() - t0
            lock.execute("ROLLBACK")
        finally:
            lock.close()
        self.assertLess(elapsed, 3.0, "capture stalled %.1f s on a busy store" % elapsed)
        if res.rc != 0:   # 75 (EX_TEMPFAIL: "store busy, try again") with one line
            self.assertOneErrorLine(res, 75)
        self.capture("app_opened", {"version": "1.0-after"})
        props = [json.loads(r["properties"]).get("version") for r in self.pending()]
        self.assertNotIn("1.0-busy", props)
        self.assertEqual(self.drops()["busy"], 1,
                         "a capture dropped for a busy store was never counted (%r)" % (res,))


if __name__ == "__main__":
    unittest.main()
