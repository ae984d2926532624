-- Up to ?3 sessions ended by ?1, in hash order after ?2 (a cursor through
-- one rollup run), so that their signals (clustered by session) are read and
-- deleted front to back. A PRIMARY KEY range scan that
-- stops at the limit; never a UNION, which SQLite materialises in a temp
-- b-tree before applying LIMIT (O(open sessions) per batch made a rollup
-- of 100 000 sessions quadratic: bench_rollup).
SELECT session FROM rollup_session
WHERE session > ?2 AND ended_ms IS NOT NULL AND ended_ms <= ?1
ORDER BY session LIMIT ?3
