-- Uploader, in an ack: ?1 pending events were marked sent — they leave
-- the queue length and join the sent count (no row was deleted, so no
-- trigger counts them, whatever the connection's trigger setting).
UPDATE queue_stats SET events = events - ?1, sent = sent + ?1 WHERE id = 1
