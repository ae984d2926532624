-- Forget drops by day older than 90 days before the day of ?1 (ms).
DELETE FROM drop_day WHERE day < ?1 / 86400000 - 90
