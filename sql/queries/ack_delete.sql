-- Uploader: delete the events whose uuids are in the JSON array ?1 and
-- ids ?2..?3 (inside the deleter's lease), in one statement (after
-- ack_log.sql, same transaction; also a rejected event's drop).
DELETE FROM events WHERE uuid IN (SELECT value FROM json_each(?1)) AND id BETWEEN ?2 AND ?3
