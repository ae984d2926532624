-- Every signal of open session number ?1 (rollup/rollup.c), one
-- primary-key range.
SELECT kind, at_ms, tokens_in, tokens_out, latency_ms, name, engine
FROM rollup_signal WHERE no = ?1
