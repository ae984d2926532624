-- Keep open session ?1's activity span and end up to date (rollup/signals.c).
-- ?2 = the activity time (NULL for an end), ?3 = the end time (NULL otherwise).
UPDATE rollup_session SET
  first_ms = CASE WHEN ?2 IS NULL THEN first_ms
                  WHEN first_ms IS NULL OR ?2 < first_ms THEN ?2
                  ELSE first_ms END,
  last_ms = CASE WHEN ?2 IS NULL THEN last_ms
                 WHEN last_ms IS NULL OR ?2 > last_ms THEN ?2
                 ELSE last_ms END,
  ended_ms = CASE WHEN ?3 IS NULL THEN ended_ms
                  WHEN ended_ms IS NULL OR ?3 < ended_ms THEN ?3
                  ELSE ended_ms END
WHERE no = ?1
