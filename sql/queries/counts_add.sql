-- Uploader, with its connection's triggers off (store/lease.c:
-- ja__store_upload_tune): what the counter triggers of 001/003/010 would
-- have added, once per statement — ?1 to the queue length, ?2 to the sent
-- log's.
UPDATE queue_stats SET events = events + ?1, sent = sent + ?2 WHERE id = 1
