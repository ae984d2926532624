-- Up to ?3 open sessions numbered after ?2 (a cursor through one rollup
-- run: sessions in the order they began, so that their signals, stored in
-- that order, are read and deleted front to back), each with 1 when it may
-- be closed at ?1: ended by ?1, or idle for more than ?4 ms (strictly). A
-- primary-key range scan that stops at the limit: one rollup reads every
-- open session once, and closing one touches no secondary index
-- (007_rollup_perf.sql, 011_rollup_arrival_order.sql). Never a UNION,
-- which SQLite materialises in a temp b-tree before applying LIMIT.
SELECT no,
       (ended_ms IS NOT NULL AND ended_ms <= ?1) OR (last_ms IS NOT NULL AND last_ms < ?1 - ?4)
FROM rollup_session WHERE no > ?2 ORDER BY no LIMIT ?3
