-- show --pending: newest first, ?1 rows at most.
SELECT uuid, timestamp, distinct_id, event, properties FROM events ORDER BY id DESC LIMIT ?1
