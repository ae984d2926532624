-- Age cap: drop at most ?2 pending events whose age_ms is before ?1 (the
-- store clock minus max_age_days), oldest first. Counted as "expired".
-- NULL age_ms (not yet witnessed) never matches. Events already sent
-- (below queue_stats.settled, or inside a sent_mark: 014) are not queued
-- and never expired here; the index yields them only until they leave
-- the `sent` view — as many as the queue held 30 days ago.
DELETE FROM events WHERE id IN
  (SELECT id FROM events
   WHERE age_ms < ?1 AND id >= (SELECT settled FROM queue_stats WHERE id = 1)
     AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
   ORDER BY age_ms LIMIT ?2)
