-- Uploader --dry-run: the next ?2 queued events after id ?1, leased or
-- not, without changing anything.
SELECT id, uuid, timestamp, distinct_id, event, properties FROM events
WHERE id > ?1 ORDER BY id LIMIT ?2
