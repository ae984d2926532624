-- show --sent: most recently sent first — the events kept in place inside
-- a sent_mark (014_sent_in_place.sql) and the sent log's rows, merged by
-- send time (sent_mark_by_ms, sent_by_ms: no sort, the LIMIT stops both
-- scans; events sent together come in capture order); sent at or after
-- :since (ms), of event :event (NULL: any), :limit rows at most.
SELECT e.id, m.sent_ms, e.uuid, e.timestamp,
       strftime('%Y-%m-%dT%H:%M:%SZ', m.sent_ms / 1000, 'unixepoch'), e.event, e.properties
FROM sent_mark m JOIN events e ON e.id BETWEEN m.lo AND m.hi
WHERE m.sent_ms >= :since AND (:event IS NULL OR e.event = :event)
UNION ALL
SELECT rowid, sent_ms, uuid, timestamp, strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch'),
       event, properties
FROM sent_log
WHERE sent_ms >= :since AND (:event IS NULL OR event = :event)
ORDER BY 2 DESC
LIMIT :limit
