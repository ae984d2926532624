-- Uploader: give back the events whose uuids are in the JSON array ?1
-- (only those ?2 still holds), to be retried, in one statement.
UPDATE events SET lease_owner = NULL, lease_until_ms = NULL
WHERE uuid IN (SELECT value FROM json_each(?1)) AND lease_owner = ?2
