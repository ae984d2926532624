-- Queue one redacted, validated event (store.c: ja__store_insert).
INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
