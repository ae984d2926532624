-- Uploader, after a 2xx: log the events whose uuids are in the JSON array
-- ?1 (held by ?2) as sent at ?3, the whole batch in one statement (one
-- statement per event cost ≈ 3x: bench_upload.py). Plain INSERT OR IGNORE,
-- never OR REPLACE (003_caps.sql: the sent counter).
INSERT OR IGNORE INTO sent_log (uuid, event, properties, timestamp, sent_ms)
SELECT uuid, event, properties, timestamp, ?3 FROM events
WHERE uuid IN (SELECT value FROM json_each(?1)) AND lease_owner = ?2
