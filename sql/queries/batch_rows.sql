-- Uploader, when batch_count.sql says some events of a run are gone (a
-- purge, the cap, a hand edit since the claim) or sent (by another upload
-- run, after this one's lease was lost: marked in place): the (id, uuid)
-- still queued and not sent between ids ?1 and ?2, to tell which.
SELECT id, uuid FROM events
WHERE id BETWEEN ?1 AND ?2
  AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
ORDER BY id
