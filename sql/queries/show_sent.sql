-- show --sent: most recently sent first, ?1 rows at most.
SELECT uuid, timestamp, sent_at, event, properties FROM sent ORDER BY sent_at DESC, uuid LIMIT ?1
