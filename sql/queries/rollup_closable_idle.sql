-- Up to ?4 sessions idle at ?1 for more than ?2 ms (strictly), in hash
-- order after ?3 (see rollup_closable_ended.sql).
SELECT session FROM rollup_session WHERE session > ?3 AND last_ms < ?1 - ?2
ORDER BY session LIMIT ?4
