-- Up to ?3 days whose summary is due at ?1: the day has ended at least
-- ?2 ms ago, so every session active in it has been closed first.
SELECT d.day, d.sessions, d.total_tokens, d.total_inferences, d.total_errors,
       d.total_duration_ms,
       (SELECT count(*) FROM rollup_day_name n WHERE n.day = d.day AND n.kind = 2),
       (SELECT count(*) FROM rollup_day_name n WHERE n.day = d.day AND n.kind = 1)
FROM rollup_day d WHERE (d.day + 1) * 86400000 + ?2 <= ?1 ORDER BY d.day LIMIT ?3
