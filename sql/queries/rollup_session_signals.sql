-- Every signal of one session, oldest first (rollup/rollup.c).
SELECT kind, at_ms, tokens_in, tokens_out, latency_ms, name, engine
FROM rollup_signal WHERE session = ?1 ORDER BY at_ms, id
