-- The most recent things the store did to itself (api/report.c: status),
-- newest first. Absent before schema version 4 (a read-only old queue).
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at_ms / 1000, 'unixepoch'), kind, detail
FROM store_events ORDER BY id DESC LIMIT 5;
