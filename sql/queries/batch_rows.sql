-- Uploader, when batch_count.sql says some events of a run are gone (a
-- purge, the cap, a hand edit since the claim): the (id, uuid) still
-- queued between ids ?1 and ?2, to tell which.
SELECT id, uuid FROM events WHERE id BETWEEN ?1 AND ?2 ORDER BY id
