-- status: the rollup's open state — open chat sessions (a scan of
-- rollup_session: one row per open session, never the queue), the earliest
-- first and latest last activity among them, days whose closed sessions
-- wait for their usage_daily_summary, and days whose summary was emitted.
SELECT count(*), min(first_ms), max(last_ms),
       (SELECT count(*) FROM rollup_day), (SELECT count(*) FROM rollup_day_done)
FROM rollup_session
