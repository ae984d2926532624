-- Uploader: lease the events whose ids are in the JSON array ?1 (just read
-- by claim_scan.sql in this same write transaction, so still free) to
-- owner ?2 until ?3.
UPDATE events SET lease_owner = ?2, lease_until_ms = ?3, attempts = attempts + 1
WHERE id IN (SELECT value FROM json_each(?1))
