-- The number of the open session with hash ?1 (rollup/signals.c), or no
-- row: its key is the way in, and only counts while rollup_session still
-- holds that number for that hash (a closed session leaves its key
-- behind, and its number can come back for another session:
-- 011_rollup_arrival_order.sql).
SELECT o.no FROM rollup_session_key k JOIN rollup_session o ON o.no = k.no
WHERE k.session = ?1 AND o.session = ?1
