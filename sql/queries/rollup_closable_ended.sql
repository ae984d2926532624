-- Up to ?2 sessions ended by ?1 (rollup/rollup.c). An index range scan
-- that stops at the limit: never a UNION, which SQLite materialises in a
-- temp b-tree before applying LIMIT (O(open sessions) per batch made a
-- rollup of 100 000 sessions quadratic: bench_rollup).
SELECT session FROM rollup_session WHERE ended_ms IS NOT NULL AND ended_ms <= ?1 LIMIT ?2
