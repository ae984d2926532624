-- Uploader, after a 2xx: log event ?1 (held by ?2) as sent at ?3. Plain
-- INSERT OR IGNORE, never OR REPLACE (003_caps.sql: the sent counter).
INSERT OR IGNORE INTO sent_log (uuid, event, properties, timestamp, sent_ms)
SELECT uuid, event, properties, timestamp, ?3 FROM events WHERE uuid = ?1 AND lease_owner = ?2
