-- Uploader: the events of the mark ?1..?2 go, as one range (the mark is
-- deleted after them, in the same transaction: mark_drop.sql).
DELETE FROM events WHERE id BETWEEN ?1 AND ?2
