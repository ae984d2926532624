-- Schema version 10: sent_log is written in send order at the end of its
-- table and of one small index, instead of into a uuid key and an index
-- written at its front (bench_upload.py, callgrind: logging an event cost
-- ≈ 19 k instructions, the sent_by_time index (sent_ms DESC, uuid) 7 k of
-- them and the uuid key 3 k). Applied once inside BEGIN IMMEDIATE by
-- store/open.c.
--
-- * its rowid is the send order (the uploader logs each batch in id
--   order at the end of the table): show --sent lists by it, newest
--   first, and the `sent` view in it; a wall clock set back does not
--   reorder what was sent. The rowid is not a declared column, so the
--   table keeps its five columns for anyone reading or writing it by hand
--   (VACUUM may renumber rowids, never reorder them).
-- * sent_by_ms (sent_ms ascending) is what the 30-day prune (prune_sent.sql)
--   and status's newest sent_ms read; a sane clock appends to its end.
-- * uuid is no key: a uuid the server was sent twice (an ack undone by a
--   power cut, the batch sent again) is logged twice, as it happened.
-- * sent_counted_in / sent_counted_out keep queue_stats.sent for anyone
--   editing with sqlite3; the uploader's connection runs with triggers off
--   and counts per statement instead (store/lease.c: ja__store_upload_tune).
-- Existing rows keep their order (sent_ms, then uuid, as the view had it).
DROP VIEW IF EXISTS sent;
CREATE TABLE sent_log_v10 (
  uuid        TEXT    NOT NULL,
  event       TEXT    NOT NULL,
  properties  TEXT    NOT NULL,
  timestamp   TEXT    NOT NULL,                   -- capture time as sent
  sent_ms     INTEGER NOT NULL                    -- when the server accepted it
);
INSERT INTO sent_log_v10 (uuid, event, properties, timestamp, sent_ms)
  SELECT uuid, event, properties, timestamp, sent_ms FROM sent_log ORDER BY sent_ms, uuid;
DROP TABLE sent_log;                              -- its index and triggers with it
ALTER TABLE sent_log_v10 RENAME TO sent_log;
CREATE INDEX sent_by_ms ON sent_log (sent_ms);
UPDATE queue_stats SET sent = (SELECT count(*) FROM sent_log) WHERE id = 1;

CREATE TRIGGER sent_counted_in AFTER INSERT ON sent_log
BEGIN
  UPDATE queue_stats SET sent = sent + 1 WHERE id = 1;
END;
CREATE TRIGGER sent_counted_out AFTER DELETE ON sent_log
BEGIN
  UPDATE queue_stats SET sent = sent - 1 WHERE id = 1;
END;

CREATE VIEW sent AS
  SELECT uuid, event, properties, timestamp,
         strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch') AS sent_at
  FROM sent_log ORDER BY rowid;
