-- Uploader: delete the events whose uuids are in the JSON array ?1, only
-- those ?2 still holds, in one statement (after ack_log.sql, same
-- transaction; also a rejected event's drop).
DELETE FROM events WHERE uuid IN (SELECT value FROM json_each(?1)) AND lease_owner = ?2
