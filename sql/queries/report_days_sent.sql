-- view: events sent by the UTC day they were sent, through the `sent`
-- view (reads the sent log, kept 30 days).
SELECT CAST(strftime('%s', sent_at) AS INTEGER) / 86400 AS day, count(*) FROM sent
GROUP BY day ORDER BY day
