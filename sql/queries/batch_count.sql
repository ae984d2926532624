-- Uploader, before each request (and after each wait): how many events
-- ids ?1..?2 still hold, and the uuid of the one with id ?2. When that is
-- the batch's count and the last event is the batch's own, every event of
-- the run is still queued: ids are only ever given above the highest one
-- left, so nothing new can sit below an event that is still there.
SELECT count(*), (SELECT uuid FROM events WHERE id = ?2) FROM events WHERE id BETWEEN ?1 AND ?2
