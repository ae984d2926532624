-- Count ?2 drops for reason ?1 on the UTC day of ?3 (ms): drops by day
-- (013_inspection.sql), beside drop_add.sql's totals.
INSERT INTO drop_day (day, reason, count) VALUES (?3 / 86400000, ?1, ?2)
ON CONFLICT (day, reason) DO UPDATE SET count = count + excluded.count
