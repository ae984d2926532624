-- Uploader: queue_stats.settled — no pending event has an id below it
-- (014_sent_in_place.sql).
SELECT settled FROM queue_stats WHERE id = 1
