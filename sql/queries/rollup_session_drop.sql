-- A closed session is no longer open.
DELETE FROM rollup_session WHERE session = ?1
