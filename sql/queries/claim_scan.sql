-- Uploader, inside the claim's BEGIN IMMEDIATE: the queued events after id
-- ?1, oldest first, at most ?2. store/lease.c skips the ids of live
-- leases (restarting after each one's hi), cuts to the byte budget and
-- leases what it took as id ranges (lease_add.sql): no event row is
-- written by a claim.
SELECT id, uuid, timestamp, distinct_id, event, properties FROM events
WHERE id > ?1 ORDER BY id LIMIT ?2
