-- show --sent: most recently sent first (send order: the rowid,
-- 010_sent_log_by_rowid.sql), ?1 rows at most.
SELECT uuid, timestamp, strftime('%Y-%m-%dT%H:%M:%SZ', sent_ms / 1000, 'unixepoch'), event,
       properties
FROM sent_log ORDER BY rowid DESC LIMIT ?1
