-- Record the store clock and the two latest writers (store/write.c).
UPDATE store_clock SET witnessed_ms = ?1, writer1 = ?2, clock1 = ?3, writer2 = ?4, clock2 = ?5
WHERE id = 1
