-- Queue one redacted, validated event (store/write.c: ja__store_add).
-- ?7 = age_ms: when the age cap starts counting it (NULL: not yet known).
INSERT INTO events (uuid, ts_ms, timestamp, distinct_id, event, properties, age_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
