-- Queue length, maintained by triggers (see 001_init.sql).
SELECT events FROM queue_stats WHERE id = 1
