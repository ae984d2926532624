-- Age cap: drop at most ?2 events whose age_ms is before ?1 (the store
-- clock minus max_age_days), oldest first. Counted as "expired". NULL
-- age_ms (not yet witnessed) never matches.
DELETE FROM events WHERE id IN (SELECT id FROM events WHERE age_ms < ?1 ORDER BY age_ms LIMIT ?2)
