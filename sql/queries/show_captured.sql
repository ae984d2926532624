-- show --pending, the events a capture made (every event but the four a
-- rollup makes, rollup/emit.c): newest first by timestamp, then by capture
-- order; at or after :since (ms), of event :event (NULL: any), :limit rows
-- at most. Read in the order of events_by_ts, whose WHERE this repeats
-- (008_events_made_span.sql), so the LIMIT stops the scan.
SELECT id, ts_ms, uuid, timestamp, distinct_id, event, properties
FROM events
WHERE NOT (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
           event = 'tool_first_used' OR event = 'usage_daily_summary')
  AND ts_ms >= :since AND (:event IS NULL OR event = :event)
  -- never what was sent (kept in place inside a sent_mark: 014)
  AND id >= (SELECT settled FROM queue_stats WHERE id = 1)
  AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
ORDER BY ts_ms DESC, id DESC
LIMIT :limit
