-- Up to ?3 sessions idle at ?1 for more than ?2 ms (strictly), by index.
SELECT session FROM rollup_session WHERE last_ms < ?1 - ?2 LIMIT ?3
