-- Up to ?3 sessions a rollup at ?1 closes: ended by then, or idle for
-- more than ?2 ms (strictly). Both branches are index range scans.
SELECT session FROM rollup_session WHERE ended_ms IS NOT NULL AND ended_ms <= ?1
UNION
SELECT session FROM rollup_session WHERE last_ms < ?1 - ?2
LIMIT ?3
