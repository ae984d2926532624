-- status: how many rows the sent log holds (a counter kept by triggers,
-- 003_caps.sql, or by the uploader per statement) and when the newest was
-- sent (sent_by_ms index, 010_sent_log_by_rowid.sql), in the `sent` view's
-- format.
SELECT sent, strftime('%Y-%m-%dT%H:%M:%SZ', (SELECT max(sent_ms) FROM sent_log) / 1000, 'unixepoch')
FROM queue_stats WHERE id = 1
