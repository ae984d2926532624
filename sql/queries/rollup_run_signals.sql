-- Every signal of the open sessions numbered ?1 to ?2, a run of sessions
-- a rollup closes together (rollup/rollup.c), session by session in
-- order: one primary-key range scan instead of a seek per session.
SELECT no, kind, at_ms, tokens_in, tokens_out, latency_ms, name, engine, seq
FROM rollup_signal WHERE no BETWEEN ?1 AND ?2 ORDER BY no, seq
