-- view: the open chat sessions, the latest activity (or end) first, at
-- most ?1: hash, first / last activity, end, signals and turns recorded.
SELECT s.session, s.first_ms, s.last_ms, s.ended_ms,
       (SELECT count(*) FROM rollup_signal g WHERE g.no = s.no),
       (SELECT count(*) FROM rollup_signal g WHERE g.no = s.no AND g.kind = 1)
FROM rollup_session s
ORDER BY max(coalesce(s.last_ms, 0), coalesce(s.ended_ms, 0)) DESC, s.no DESC
LIMIT ?1
