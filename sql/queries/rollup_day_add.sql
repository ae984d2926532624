-- Count one closed session into its day (rollup/rollup.c).
INSERT INTO rollup_day (day, sessions, total_tokens, total_inferences, total_errors,
                        total_duration_ms)
VALUES (?1, 1, ?2, ?3, ?4, ?5)
ON CONFLICT (day) DO UPDATE SET
  sessions = sessions + 1,
  -- saturating, like rollup/stats.c: tokens are any int64 >= 0
  total_tokens = CASE WHEN total_tokens > 9223372036854775807 - excluded.total_tokens
                      THEN 9223372036854775807
                      ELSE total_tokens + excluded.total_tokens END,
  total_inferences = total_inferences + excluded.total_inferences,
  total_errors = total_errors + excluded.total_errors,
  total_duration_ms = total_duration_ms + excluded.total_duration_ms
