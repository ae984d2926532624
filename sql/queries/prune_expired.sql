-- Age cap: drop at most ?2 pending events whose age_ms is before ?1 (the
-- store clock minus max_age_days) and at or after ?3 (the cutoff of this
-- connection's last complete prune: store/write.c), oldest first. Counted
-- as "expired". NULL age_ms (not yet witnessed) never matches. Events
-- already sent (below queue_stats.settled, or inside a sent_mark: 014)
-- are not queued and never expired here; the index still holds them
-- until their mark retires, and ?3 keeps each prune from stepping over
-- those an earlier one already stepped over.
DELETE FROM events WHERE id IN
  (SELECT id FROM events
   WHERE age_ms < ?1 AND age_ms >= ?3 AND id >= (SELECT settled FROM queue_stats WHERE id = 1)
     AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
   ORDER BY age_ms LIMIT ?2)
