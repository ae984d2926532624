-- Schema version 3: the age cap under wrong clocks (store/write.c:
-- ja__store_witness), and counters that keep `status` O(1) in the queue size.
-- Applied once inside BEGIN IMMEDIATE by store/open.c.

-- When the age cap starts counting an event: its capture time when the
-- capturing clock was sane (not before 2025, not behind the store clock),
-- else NULL until the next transaction with a sane clock sets it. NULL
-- rows are never expired (the size cap still counts them). Existing rows
-- keep being aged by their capture time.
ALTER TABLE events ADD COLUMN age_ms INTEGER;
UPDATE events SET age_ms = ts_ms;
CREATE INDEX events_by_age ON events (age_ms);

-- The store's clock, the one the age cap compares with (never one
-- process's wall clock alone): witnessed_ms only moves forward, to a time
-- two witnesses agree has passed — two different writer processes' clocks
-- (the earlier of the two), or one handle's earlier witnessed_ms plus the
-- CLOCK_MONOTONIC time elapsed since. 0 = not known yet. writer1/clock1 is
-- the most recent writer process (a random id per process) and its latest
-- sane clock, writer2/clock2 the one before it.
CREATE TABLE store_clock (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  witnessed_ms  INTEGER NOT NULL,
  writer1       INTEGER,
  clock1        INTEGER,
  writer2       INTEGER,
  clock2        INTEGER
);
INSERT INTO store_clock (id, witnessed_ms) VALUES (1, 0);

-- Leased events and the sent log, counted like the queue length, so that
-- status reads three counters instead of scanning (1 M rows: 253 ms).
-- Write sent_log with plain INSERT (or OR IGNORE), never OR REPLACE: the
-- row REPLACE deletes fires no delete trigger, and the count would drift.
ALTER TABLE queue_stats ADD COLUMN leased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE queue_stats ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
UPDATE queue_stats SET
  leased = (SELECT count(*) FROM events WHERE lease_owner IS NOT NULL),
  sent = (SELECT count(*) FROM sent_log)
WHERE id = 1;

CREATE TRIGGER events_leased_in AFTER INSERT ON events
WHEN new.lease_owner IS NOT NULL
BEGIN
  UPDATE queue_stats SET leased = leased + 1 WHERE id = 1;
END;
CREATE TRIGGER events_leased_change AFTER UPDATE OF lease_owner ON events
WHEN (old.lease_owner IS NULL) <> (new.lease_owner IS NULL)
BEGIN
  UPDATE queue_stats SET leased = leased + (CASE WHEN new.lease_owner IS NULL THEN -1 ELSE 1 END)
  WHERE id = 1;
END;
CREATE TRIGGER events_leased_out AFTER DELETE ON events
WHEN old.lease_owner IS NOT NULL
BEGIN
  UPDATE queue_stats SET leased = leased - 1 WHERE id = 1;
END;

CREATE TRIGGER sent_counted_in AFTER INSERT ON sent_log
BEGIN
  UPDATE queue_stats SET sent = sent + 1 WHERE id = 1;
END;
CREATE TRIGGER sent_counted_out AFTER DELETE ON sent_log
BEGIN
  UPDATE queue_stats SET sent = sent - 1 WHERE id = 1;
END;

-- show --sent (newest first) and the newest sent_ms in status, by index.
CREATE INDEX sent_by_time ON sent_log (sent_ms DESC, uuid);
