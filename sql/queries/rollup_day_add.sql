-- Count one closed session into its day (rollup/rollup.c).
INSERT INTO rollup_day (day, sessions, total_tokens, total_inferences, total_errors,
                        total_duration_ms)
VALUES (?1, 1, ?2, ?3, ?4, ?5)
ON CONFLICT (day) DO UPDATE SET
  sessions = sessions + 1,
  total_tokens = total_tokens + excluded.total_tokens,
  total_inferences = total_inferences + excluded.total_inferences,
  total_errors = total_errors + excluded.total_errors,
  total_duration_ms = total_duration_ms + excluded.total_duration_ms
