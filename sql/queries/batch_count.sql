-- Uploader, before each request (and after each wait), and the ack: how
-- many events ids ?1..?2 still hold, the uuid of the one with id ?2, and
-- whether a sent_mark holds any id of the range (sent events stay in
-- place: 014_sent_in_place.sql; marks never overlap, so the nearest mark
-- starting at or before ?2 is the only one that can reach back into it).
-- When that is the batch's count, the last event is the batch's own and no
-- mark holds any, every event of the run is still queued: ids are only
-- ever given above the highest one left, so nothing new can sit below an
-- event that is still there.
SELECT count(*), (SELECT uuid FROM events WHERE id = ?2),
       coalesce((SELECT hi FROM sent_mark WHERE lo <= ?2 ORDER BY lo DESC LIMIT 1), -1) >= ?1
FROM events WHERE id BETWEEN ?1 AND ?2
