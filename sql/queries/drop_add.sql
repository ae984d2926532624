-- Count ?2 drops for reason ?1 at time ?3.
INSERT INTO drop_counts (reason, count, last_ms) VALUES (?1, ?2, ?3)
ON CONFLICT (reason) DO UPDATE SET count = count + excluded.count, last_ms = excluded.last_ms
