-- Size cap: drop the ?1 oldest pending events (capture order). Counted as
-- "queue_full". The caller bounds ?1 per transaction. Events already sent
-- (inside a sent_mark, kept in place for the `sent` view: 014) are not
-- queued and never pruned here: the scan starts at queue_stats.settled.
DELETE FROM events WHERE id IN
  (SELECT id FROM events
   WHERE id >= (SELECT settled FROM queue_stats WHERE id = 1)
     AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
   ORDER BY id LIMIT ?1)
