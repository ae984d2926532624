-- Schema version 7: a rollup finds what it may close by scanning open
-- sessions in hash order (sql/queries/rollup_sessions_after.sql) instead
-- of through indexes on last_ms / ended_ms. A rollup visits sessions in
-- hash order (so that rollup_session and rollup_signal are read and
-- deleted front to back), and every session it closed deleted one entry
-- from each of these two indexes at a random place: a batch of 256 closes
-- rewrote up to 256 pages of each, a number that grows with the open
-- sessions, and 100 000 sessions took 20x the time of 10 000 (bench_rollup).
-- Every signal also rewrote its session's entry in rollup_session_by_last.
-- Applied once inside BEGIN IMMEDIATE by store/open.c.
DROP INDEX IF EXISTS rollup_session_by_last;
DROP INDEX IF EXISTS rollup_session_by_end;
