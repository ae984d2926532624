-- show --pending: the events a rollup made in span :span (ids :span * 256
-- ...), newest first by timestamp, then by id; at or after :since, of event
-- :event (NULL: any). In the order of events_made_by_span.
SELECT id, ts_ms, uuid, timestamp, distinct_id, event, properties
FROM events
WHERE (event = 'chat_session_ended' OR event = 'first_chat_sent' OR
       event = 'tool_first_used' OR event = 'usage_daily_summary')
  AND id >> 8 = :span AND ts_ms >= :since AND (:event IS NULL OR event = :event)
  -- never what was sent (kept in place inside a sent_mark: 014)
  AND id >= (SELECT settled FROM queue_stats WHERE id = 1)
  AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
ORDER BY ts_ms DESC, id DESC
