-- Uploader, after a 2xx, when a run's id range holds more than the run
-- (a subset of a batch was acked): log the events whose uuids are in the
-- JSON array ?1, with ids ?2..?3 (inside the acker's lease), as sent at
-- ?4, in one statement, at the end of sent_log (010_sent_log_by_rowid.sql).
INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms)
SELECT uuid, event, properties, timestamp, ?4 FROM events
WHERE uuid IN (SELECT value FROM json_each(?1)) AND id BETWEEN ?2 AND ?3 ORDER BY id
