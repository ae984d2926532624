-- view: queued events by the UTC day of their timestamp (reads the queue).
-- What was sent stays in events, marked (014_sent_in_place.sql): counted
-- by report_days_sent.sql, never here — the scan starts at the settled
-- boundary and skips the events a sent_mark holds.
SELECT ts_ms / 86400000 AS day, count(*) FROM events
WHERE id >= (SELECT settled FROM queue_stats WHERE id = 1)
  AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
GROUP BY day ORDER BY day
