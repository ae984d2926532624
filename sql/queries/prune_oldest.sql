-- Size cap: drop the ?1 oldest events (capture order). Counted as
-- "queue_full". The caller bounds ?1 per transaction.
DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?1)
