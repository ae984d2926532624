-- Schema version 14: what the server took stays where it is. Applied once
-- inside BEGIN IMMEDIATE by store/open.c.
--
-- Why: acknowledging a batch copied each event into sent_log and deleted
-- it from events with its secondary indexes — 26 k of the uploader's
-- 40 k instructions per delivered event (tools/bench/profile_upload.py),
-- row by row, on the uploader's clock. Now an ack writes one sent_mark row
-- per run of ids it acknowledged; the events stay in events, and a later
-- run deletes them by whole marks once their 30 days in the `sent` view
-- are over.
--
-- * sent_mark: every event whose id lies in a mark's [lo, hi] was sent
--   at sent_ms (marks never overlap: a mark only ever covers ids an
--   uploader held under its own lease, and ids are only ever given above
--   the highest one left, which the mark's own hi event keeps in place).
--   An event is pending while no mark holds its id:
--     id > coalesce((SELECT hi FROM sent_mark WHERE lo <= id
--                    ORDER BY lo DESC LIMIT 1), -1)
--   (one index look-up: the nearest mark starting at or before it).
-- * queue_stats.settled: no pending event has an id below it, so scans of
--   what is pending (the claim, the caps, status, show, purge) start there
--   and meet only the few marks an uploader made out of order above it.
--   It never exceeds the highest mark's hi + 1 (store/lease.c), so a new
--   event's id is never below it.
-- * status reads the first and the last pending event by id (O(1) from
--   settled) for "oldest" and "newest". The timestamp indexes of 008
--   (events_by_ts, events_made_by_span, events_span) stay for `show`,
--   which lists pending events newest first by timestamp and skips what
--   was sent.
-- * queue_stats.events counts pending events, queue_stats.sent what the
--   `sent` view holds (sent_log rows and marked events); a delete of an
--   event counts it out of the one it was in.
-- * sent_log keeps the events sent before this version, and those the
--   server took after a purge or the cap had removed them from the queue
--   (logged from the copy the uploader sent).

CREATE TABLE sent_mark (
  lo       INTEGER PRIMARY KEY,            -- first event id of the run
  hi       INTEGER NOT NULL,               -- last (inclusive)
  sent_ms  INTEGER NOT NULL                -- when the server took it
);
CREATE INDEX sent_mark_by_ms ON sent_mark (sent_ms);

ALTER TABLE queue_stats ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER IF EXISTS events_counted_out;
CREATE TRIGGER events_counted_out AFTER DELETE ON events
BEGIN
  UPDATE queue_stats SET
    events = events - (old.id > coalesce((SELECT hi FROM sent_mark WHERE lo <= old.id
                                          ORDER BY lo DESC LIMIT 1), -1)),
    sent = sent - (old.id <= coalesce((SELECT hi FROM sent_mark WHERE lo <= old.id
                                       ORDER BY lo DESC LIMIT 1), -1))
  WHERE id = 1;
END;

DROP VIEW IF EXISTS pending;
CREATE VIEW pending AS
  SELECT uuid, timestamp, distinct_id, event, properties FROM events
  WHERE id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
  ORDER BY id;

DROP VIEW IF EXISTS sent;
CREATE VIEW sent AS
  SELECT uuid, event, properties, timestamp,
         strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch') AS sent_at
  FROM (SELECT uuid, event, properties, timestamp, sent_ms, 0 AS part, rowid AS k FROM sent_log
        UNION ALL
        SELECT e.uuid, e.event, e.properties, e.timestamp, m.sent_ms, 1, e.id
        FROM sent_mark m JOIN events e ON e.id BETWEEN m.lo AND m.hi)
  ORDER BY sent_ms, part, k;
