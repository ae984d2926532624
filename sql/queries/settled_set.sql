-- Uploader: queue_stats.settled becomes ?1 (store/sent.c: ja__store_settle).
UPDATE queue_stats SET settled = ?1 WHERE id = 1
