-- purge --sent: the events kept in place inside a sent_mark (014), deleted
-- before their marks (purge_marks.sql) so the delete trigger counts them
-- out of the sent count.
DELETE FROM events
WHERE id <= coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
