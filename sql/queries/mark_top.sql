-- The highest id any mark holds (its event is in place: no new event can
-- get an id at or below it).
SELECT hi FROM sent_mark ORDER BY lo DESC LIMIT 1
