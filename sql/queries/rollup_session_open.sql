-- A session begins (rollup/signals.c): the next number, at the end of the
-- table. ?2 = the activity time (NULL for an end), ?3 = the end time (NULL
-- otherwise).
INSERT INTO rollup_session (session, first_ms, last_ms, ended_ms) VALUES (?1, ?2, ?2, ?3)
