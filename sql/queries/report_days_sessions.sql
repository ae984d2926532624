-- view: the closed chat sessions, queued or sent (one chat_session_ended
-- each), by the UTC day of their timestamp: turns, tokens, latency p50 and
-- p95. A row whose properties are not JSON (a hand edit) is left out.
-- A sent summary still in events (marked: 014_sent_in_place.sql) is
-- counted once, through the `sent` view.
SELECT day, json_extract(p, '$.turn_count'),
       json_extract(p, '$.tokens_in') + json_extract(p, '$.tokens_out'),
       json_extract(p, '$.latency_ms_p50'), json_extract(p, '$.latency_ms_p95')
FROM (SELECT ts_ms / 86400000 AS day, properties AS p FROM events
      WHERE event = 'chat_session_ended'
        AND id >= (SELECT settled FROM queue_stats WHERE id = 1)
        AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
      UNION ALL
      SELECT CAST(strftime('%s', timestamp) AS INTEGER) / 86400, properties FROM sent
      WHERE event = 'chat_session_ended')
WHERE json_valid(p) AND day IS NOT NULL
ORDER BY day
