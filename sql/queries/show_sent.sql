-- show --sent: most recently sent first, ?1 rows at most (sent_by_time).
SELECT uuid, timestamp, strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch'), event,
       properties
FROM sent_log ORDER BY sent_ms DESC, uuid LIMIT ?1
