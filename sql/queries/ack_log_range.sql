-- Uploader, after a 2xx: log the events with ids ?1..?2 as sent at ?3 —
-- a run of the batch inside one of its leases, so exactly its events
-- (ack_delete_range.sql then proves it, in the same savepoint) — at the
-- end of sent_log, in id order (010_sent_log_by_rowid.sql).
INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms)
SELECT uuid, event, properties, timestamp, ?3 FROM events WHERE id BETWEEN ?1 AND ?2 ORDER BY id
