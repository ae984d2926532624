-- Uploader, after ack_log_range.sql: delete the events with ids ?1..?2,
-- returning each (id, uuid) deleted: store/lease.c checks every one is an
-- event of the acked run, else it rolls the run back and acks it by uuid
-- (ack_log.sql, ack_delete.sql).
DELETE FROM events WHERE id BETWEEN ?1 AND ?2 RETURNING id, uuid
