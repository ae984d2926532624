-- The store clock (003_caps.sql) and the newest age in the queue (by index).
SELECT witnessed_ms, writer1, clock1, writer2, clock2,
       (SELECT max(age_ms) FROM events)
FROM store_clock WHERE id = 1
