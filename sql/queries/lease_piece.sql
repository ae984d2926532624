-- Uploader, releasing part of a lease: what is left queued between ids ?1
-- and ?2 (how many, the first and the last id), to keep leased.
SELECT count(*), min(id), max(id) FROM events WHERE id BETWEEN ?1 AND ?2
