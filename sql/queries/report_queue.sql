-- status: queue size and leased events (counters kept by triggers, see
-- 003_caps.sql), oldest and newest capture time (ms, by the ts_ms index;
-- one min() or max() per subquery, or SQLite scans the table).
SELECT events, leased, (SELECT min(ts_ms) FROM events), (SELECT max(ts_ms) FROM events)
FROM queue_stats WHERE id = 1
