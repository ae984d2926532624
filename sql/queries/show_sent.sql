-- show --sent: most recently sent first (send order: the rowid,
-- 010_sent_log_by_rowid.sql); sent at or after :since (ms), of event :event
-- (NULL: any), :limit rows at most.
SELECT rowid, sent_ms, uuid, timestamp, strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch'),
       event, properties
FROM sent_log
WHERE sent_ms >= :since AND (:event IS NULL OR event = :event)
ORDER BY rowid DESC
LIMIT :limit
