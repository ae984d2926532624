-- purge --pending (and the uploader when analytics is off): every event
-- not sent yet. What was sent (inside a sent_mark: 014) stays for the
-- `sent` view; the scan starts at queue_stats.settled.
DELETE FROM events
WHERE id >= (SELECT settled FROM queue_stats WHERE id = 1)
  AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
