-- The first event id at or after ?1.
SELECT min(id) FROM events WHERE id >= ?1
