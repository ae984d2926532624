-- Uploader, after span_refresh.sql: the spans of ids ?1..?2 again, from
-- the rollup-made events still queued (events_made_by_span).
INSERT INTO events_span (span, lo, hi)
  SELECT id >> 8, min(ts_ms), max(ts_ms) FROM events
  WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
         event = 'tool_first_used' OR event = 'usage_daily_summary')
    AND id >> 8 BETWEEN ?1 >> 8 AND ?2 >> 8
  GROUP BY id >> 8
