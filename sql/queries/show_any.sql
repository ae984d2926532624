-- show --pending in a queue older than schema 8 that a reader could not
-- migrate (a read-only home: no events_span): every event, sorted here.
SELECT id, ts_ms, uuid, timestamp, distinct_id, event, properties
FROM events
WHERE ts_ms >= :since AND (:event IS NULL OR event = :event)
ORDER BY ts_ms DESC, id DESC
LIMIT :limit
