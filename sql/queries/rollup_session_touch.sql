-- Keep the open session's activity span and end up to date (rollup/signals.c).
-- ?2 = the activity time (NULL for an end), ?3 = the end time (NULL otherwise).
INSERT INTO rollup_session (session, first_ms, last_ms, ended_ms) VALUES (?1, ?2, ?2, ?3)
ON CONFLICT (session) DO UPDATE SET
  first_ms = CASE WHEN excluded.first_ms IS NULL THEN first_ms
                  WHEN first_ms IS NULL OR excluded.first_ms < first_ms THEN excluded.first_ms
                  ELSE first_ms END,
  last_ms = CASE WHEN excluded.last_ms IS NULL THEN last_ms
                 WHEN last_ms IS NULL OR excluded.last_ms > last_ms THEN excluded.last_ms
                 ELSE last_ms END,
  ended_ms = CASE WHEN excluded.ended_ms IS NULL THEN ended_ms
                  WHEN ended_ms IS NULL OR excluded.ended_ms < ended_ms THEN excluded.ended_ms
                  ELSE ended_ms END
