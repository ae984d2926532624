-- status: queue size (counter kept by triggers, see 003_caps.sql), the
-- events inside a lease not expired at ?1 (009_upload_lease.sql: a few
-- ranges of at most a batch each, so a few batches' rows whatever the
-- queue holds) — a lease expiring more than 86 460 000 ms (a day and a
-- minute, JA__LEASE_AHEAD_MAX_MS) after ?1 was saved under a clock far
-- ahead and counts as expired —, and until when the last of them runs,
-- oldest and newest event timestamp (ms): the lesser (the
-- greater) of the captured events' by the partial index events_by_ts and
-- the rollup-made events' by events_span (008_events_made_span.sql: the
-- four event names here are the ones written there). One min() or max()
-- per subquery, or SQLite scans the table; min()/max() of two values
-- ignores neither NULL, hence the coalesce.
SELECT events,
       (SELECT count(*) FROM upload_lease, events
        WHERE until_ms > ?1 AND until_ms <= ?1 + 86460000
          AND events.id BETWEEN upload_lease.lo AND upload_lease.hi),
       coalesce(min(c.lo, s.lo), c.lo, s.lo), coalesce(max(c.hi, s.hi), c.hi, s.hi),
       (SELECT max(until_ms) FROM upload_lease WHERE until_ms > ?1 AND until_ms <= ?1 + 86460000)
FROM queue_stats,
     (SELECT (SELECT min(ts_ms) FROM events
              WHERE NOT (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
                         event = 'tool_first_used' OR event = 'usage_daily_summary')) AS lo,
             (SELECT max(ts_ms) FROM events
              WHERE NOT (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
                         event = 'tool_first_used' OR event = 'usage_daily_summary')) AS hi) AS c,
     (SELECT (SELECT min(lo) FROM events_span) AS lo, (SELECT max(hi) FROM events_span) AS hi) AS s
WHERE queue_stats.id = 1
