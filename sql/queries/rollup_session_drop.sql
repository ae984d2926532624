-- A closed session is no longer open. Its key stays until the run's sweep
-- (rollup_keys_sweep.sql): it no longer matches, so a later signal of the
-- same session id begins a new session.
DELETE FROM rollup_session WHERE no = ?1
