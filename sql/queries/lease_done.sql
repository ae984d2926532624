-- Uploader, after an ack or a drop: ?2's lease starting at id ?1 goes
-- once no queued event is left in its range.
DELETE FROM upload_lease WHERE lo = ?1 AND owner = ?2
  AND NOT EXISTS (SELECT 1 FROM events WHERE events.id BETWEEN upload_lease.lo AND upload_lease.hi)
