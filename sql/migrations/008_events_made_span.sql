-- Schema version 8: the oldest and newest event timestamp (status) without
-- an index that a rollup writes at random places. Applied once inside
-- BEGIN IMMEDIATE by store/open.c.
--
-- events_by_ts (001) held every event by ts_ms. A capture's ts_ms is its
-- capture time, so captures were appended to it; but the events a rollup
-- makes are back-dated (chat_session_ended: the session's last activity,
-- sessions visited in hash order), so each went to a random place: a batch
-- of 256 rewrote up to 256 pages of it, a number that grows with the queue
-- (WAL frames, bench_rollup: 0.085 a session at 10 000 sessions, 0.52 at
-- 100 000, over half of all pages a rollup wrote). Now:
--
-- * events_by_ts holds only the events a capture made (any event but the
--   four the rollup makes: rollup/emit.c), still appended to;
-- * the events a rollup made are indexed by (id >> 8, ts_ms): a rollup's
--   events get consecutive ids, so a batch writes one or two ranges of at
--   most 256 entries at the end of the index;
-- * events_span keeps, per 256 ids (span = id >> 8), the earliest and
--   latest ts_ms of the rollup-made events in it, kept by the triggers
--   below (a delete of a span's extreme looks the new one up in
--   events_made_by_span); indexed by lo and by hi, it has one row per 256
--   queued rollup events.
--
-- So `status` (sql/queries/report_queue.sql) reads oldest = the lesser of
-- min(ts_ms) of captures and min(lo), newest likewise: exact, four index
-- look-ups. The same four event names are written in report_queue.sql,
-- as ORs of equalities, never IN (…): SQLite builds an IN list of more
-- than two values as a temporary b-tree on every run of the statement,
-- and every insert into events evaluated three of them (callgrind: +38 %
-- of a rollup's instructions, most of it zeroing their pages).
-- ts_ms and event are never updated by the library; the update trigger
-- keeps spans right if someone does it with sqlite3.
DROP INDEX IF EXISTS events_by_ts;
CREATE INDEX events_by_ts ON events (ts_ms)
  WHERE NOT (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
             event = 'tool_first_used' OR event = 'usage_daily_summary');
CREATE INDEX events_made_by_span ON events (id >> 8, ts_ms)
  WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
         event = 'tool_first_used' OR event = 'usage_daily_summary');

CREATE TABLE events_span (
  span  INTEGER PRIMARY KEY,                      -- id >> 8
  lo    INTEGER NOT NULL,                         -- earliest ts_ms of its rollup-made events
  hi    INTEGER NOT NULL                          -- latest
);
CREATE INDEX events_span_by_lo ON events_span (lo);
CREATE INDEX events_span_by_hi ON events_span (hi);
INSERT INTO events_span (span, lo, hi)
  SELECT id >> 8, min(ts_ms), max(ts_ms) FROM events
  WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
         event = 'tool_first_used' OR event = 'usage_daily_summary')
  GROUP BY id >> 8;

CREATE TRIGGER events_span_in AFTER INSERT ON events
WHEN (new.event = 'chat_session_ended' OR new.event = 'first_chat_sent' OR
      new.event = 'tool_first_used' OR new.event = 'usage_daily_summary')
BEGIN
  INSERT INTO events_span (span, lo, hi) VALUES (new.id >> 8, new.ts_ms, new.ts_ms)
  ON CONFLICT (span) DO UPDATE SET lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)
  WHERE excluded.lo < lo OR excluded.hi > hi;
END;

-- Only a delete of its span's earliest or latest changes anything: then the
-- new extreme is the first or last entry of the span in events_made_by_span
-- (the row is already gone), and a span left empty is deleted.
CREATE TRIGGER events_span_out AFTER DELETE ON events
WHEN (old.event = 'chat_session_ended' OR old.event = 'first_chat_sent' OR
      old.event = 'tool_first_used' OR old.event = 'usage_daily_summary')
 AND EXISTS (SELECT 1 FROM events_span
             WHERE span = old.id >> 8 AND (lo = old.ts_ms OR hi = old.ts_ms))
BEGIN
  DELETE FROM events_span WHERE span = old.id >> 8 AND NOT EXISTS
    (SELECT 1 FROM events
     WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
            event = 'tool_first_used' OR event = 'usage_daily_summary')
       AND id >> 8 = old.id >> 8);
  UPDATE events_span SET
    lo = (SELECT min(ts_ms) FROM events
          WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
                 event = 'tool_first_used' OR event = 'usage_daily_summary')
            AND id >> 8 = old.id >> 8),
    hi = (SELECT max(ts_ms) FROM events
          WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
                 event = 'tool_first_used' OR event = 'usage_daily_summary')
            AND id >> 8 = old.id >> 8)
  WHERE span = old.id >> 8;
END;

CREATE TRIGGER events_span_change AFTER UPDATE OF id, ts_ms, event ON events
BEGIN
  DELETE FROM events_span WHERE span IN (old.id >> 8, new.id >> 8);
  INSERT INTO events_span (span, lo, hi)
    SELECT id >> 8, min(ts_ms), max(ts_ms) FROM events
    WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
           event = 'tool_first_used' OR event = 'usage_daily_summary')
      AND id >> 8 IN (old.id >> 8, new.id >> 8)
    GROUP BY id >> 8;
END;
