-- Schema version 1: the queue, drop counters, the sent log, and the views
-- users read with `sqlite3 ~/.openjarvis/analytics_queue.db`.
-- Applied once inside BEGIN IMMEDIATE by store.c; user_version becomes 1.

-- One row per accepted event, in capture order (id). uuid, timestamp and
-- distinct_id are fixed at capture and resent byte-identical: PostHog
-- deduplicates on them. The lease columns let an uploader claim a batch
-- (owner + expiry) in a short transaction and delete exactly what it sent.
CREATE TABLE events (
  id              INTEGER PRIMARY KEY,            -- capture order
  uuid            TEXT    NOT NULL UNIQUE,        -- UUID v7
  ts_ms           INTEGER NOT NULL,               -- capture time, ms since epoch UTC
  timestamp       TEXT    NOT NULL,               -- same instant, ISO-8601 as sent
  distinct_id     TEXT    NOT NULL,               -- anon_id at capture time
  event           TEXT    NOT NULL,               -- catalog event name
  properties      TEXT    NOT NULL,               -- redacted JSON object (cJSON output)
  lease_owner     TEXT,                           -- uploader holding it, or NULL
  lease_until_ms  INTEGER,                        -- lease expiry; reclaimable after
  attempts        INTEGER NOT NULL DEFAULT 0      -- upload attempts so far
);
CREATE INDEX events_by_ts ON events (ts_ms);

-- The queue length, kept by triggers so the cap check is O(1) per capture.
CREATE TABLE queue_stats (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  events INTEGER NOT NULL
);
INSERT INTO queue_stats (id, events) VALUES (1, 0);
CREATE TRIGGER events_counted_in AFTER INSERT ON events
BEGIN
  UPDATE queue_stats SET events = events + 1 WHERE id = 1;
END;
CREATE TRIGGER events_counted_out AFTER DELETE ON events
BEGIN
  UPDATE queue_stats SET events = events - 1 WHERE id = 1;
END;

-- Everything dropped, counted by reason. Never the dropped value.
CREATE TABLE drop_counts (
  reason   TEXT    PRIMARY KEY,                   -- "pii", "unknown_event", …
  count    INTEGER NOT NULL,
  last_ms  INTEGER NOT NULL                       -- most recent drop
) WITHOUT ROWID;

-- What left the machine (kept 30 days), written by the uploader.
CREATE TABLE sent_log (
  uuid        TEXT    PRIMARY KEY,
  event       TEXT    NOT NULL,
  properties  TEXT    NOT NULL,
  timestamp   TEXT    NOT NULL,                   -- capture time as sent
  sent_ms     INTEGER NOT NULL                    -- when the server accepted it
);

CREATE VIEW pending AS
  SELECT uuid, timestamp, distinct_id, event, properties
  FROM events ORDER BY id;

CREATE VIEW drops AS
  SELECT reason, count,
         strftime('%Y-%m-%dT%H:%M:%SZ', last_ms / 1000, 'unixepoch') AS last_at
  FROM drop_counts ORDER BY reason;

CREATE VIEW sent AS
  SELECT uuid, event, properties, timestamp,
         strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch') AS sent_at
  FROM sent_log ORDER BY sent_ms, uuid;
