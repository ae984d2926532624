-- Give at most ?2 events captured under a wrong clock (age_ms NULL) the
-- first sane clock seen after them, ?1: they are aged from then.
UPDATE events SET age_ms = ?1 WHERE id IN (SELECT id FROM events WHERE age_ms IS NULL LIMIT ?2)
