-- A run of closed sessions (numbers ?1 to ?2) is no longer open. Their
-- keys stay until the run's sweep (rollup_keys_sweep.sql): they no longer
-- match, so a later signal of the same session id begins a new session.
DELETE FROM rollup_session WHERE no BETWEEN ?1 AND ?2
