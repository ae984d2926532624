-- Schema version 9: the uploader leases a batch as a range of event ids,
-- one row here per range, instead of writing lease_owner/lease_until_ms
-- into every event it claims (store/lease.c). Rewriting each claimed row
-- was a third of the uploader's CPU per event (bench_upload.py). Applied
-- once inside BEGIN IMMEDIATE by store/open.c. Independent of 008.
--
-- An event is leased while a lease whose [lo, hi] holds its id has not
-- expired (until_ms, the same lease length as before). Live leases never
-- overlap: a claim deletes the expired ones first and skips the ids of the
-- live ones; a lease goes when its last event is sent, dropped or given
-- back. status counts the events inside the live ranges (at most a few
-- batches, whatever the queue holds).
CREATE TABLE upload_lease (
  lo        INTEGER PRIMARY KEY,   -- first event id of the range
  hi        INTEGER NOT NULL,      -- last event id of the range (inclusive)
  owner     TEXT    NOT NULL,      -- the uploader run holding it
  until_ms  INTEGER NOT NULL       -- expiry; reclaimable after
);

-- Leases taken by an uploader of an earlier version stay leases: one
-- one-event range each, with their expiry (none: already expired). Their
-- columns stay as they are, so that uploader, if it still runs, deletes
-- what it sent by lease_owner as before.
INSERT INTO upload_lease (lo, hi, owner, until_ms)
  SELECT id, id, lease_owner, coalesce(lease_until_ms, 0) FROM events
  WHERE lease_owner IS NOT NULL;

-- The per-row lease counters go: status counts from upload_lease (the
-- queue_stats.leased column is no longer read, and no longer kept).
DROP TRIGGER IF EXISTS events_leased_in;
DROP TRIGGER IF EXISTS events_leased_change;
DROP TRIGGER IF EXISTS events_leased_out;
UPDATE queue_stats SET leased = 0 WHERE id = 1;

-- An uploader of an earlier version still running against this file
-- would lease by the old columns, which no one reads now: its claim fails
-- (it stops with an error) instead of sending what another run holds.
-- Giving its rows back (lease_owner = NULL) still works.
CREATE TRIGGER events_lease_columns_retired BEFORE UPDATE OF lease_owner ON events
WHEN new.lease_owner IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'events are leased in upload_lease since schema version 9');
END;
