-- The store clock (003_caps.sql), and three probes by index that let a
-- transaction skip the age cap's statements when they have nothing to do
-- (store/write.c): the newest age in the queue, the oldest, and whether
-- any event waits for a sane clock to be aged (age_ms NULL sorts first).
SELECT witnessed_ms, writer1, clock1, writer2, clock2,
       (SELECT max(age_ms) FROM events),
       (SELECT min(age_ms) FROM events),
       EXISTS (SELECT 1 FROM events WHERE age_ms IS NULL)
FROM store_clock WHERE id = 1
