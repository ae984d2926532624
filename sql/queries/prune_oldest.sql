-- Size cap: drop the ?1 oldest events. Counted as "queue_full".
DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?1)
