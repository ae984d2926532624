-- view: queued events by the UTC day of their timestamp (reads the queue).
SELECT ts_ms / 86400000 AS day, count(*) FROM events GROUP BY day ORDER BY day
