-- Uploader --dry-run: the next ?2 pending events after id ?1, leased or
-- not, without changing anything (events already sent, inside a
-- sent_mark: 014, are skipped).
SELECT id, uuid, timestamp, distinct_id, event, properties FROM events
WHERE id > ?1 AND id >= (SELECT settled FROM queue_stats WHERE id = 1)
  AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
ORDER BY id LIMIT ?2
