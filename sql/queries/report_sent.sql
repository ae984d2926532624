-- status: how many events the `sent` view holds (queue_stats.sent: sent_log
-- rows and events marked sent, 014) and when the newest was sent (by the
-- sent_by_ms and sent_mark_by_ms indexes), in the `sent` view's format.
SELECT sent,
       strftime('%Y-%m-%dT%H:%M:%SZ',
                nullif(max(coalesce((SELECT max(sent_ms) FROM sent_log), 0),
                           coalesce((SELECT max(sent_ms) FROM sent_mark), 0)), 0) / 1000,
                'unixepoch')
FROM queue_stats WHERE id = 1
