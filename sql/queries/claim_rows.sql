-- Uploader: lease to owner ?1 until ?3 the oldest events nobody holds (or
-- whose lease expired by ?2): at most ?4 of them, and no more than fit in
-- ?5 bytes of request body counting ?6 bytes of framing per event (the
-- first always fits, so an oversized event is still tried and dropped by
-- its 413, never stuck). Rows and their sizes in one statement, returned.
UPDATE events SET lease_owner = ?1, lease_until_ms = ?3, attempts = attempts + 1
WHERE id IN (
  SELECT id FROM (
    SELECT id,
           sum(length(CAST(properties AS BLOB)) + length(CAST(uuid AS BLOB))
               + length(CAST(timestamp AS BLOB)) + length(CAST(distinct_id AS BLOB))
               + length(CAST(event AS BLOB)) + ?6)
             OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS upto,
           row_number() OVER (ORDER BY id) AS k
    FROM (SELECT id, uuid, timestamp, distinct_id, event, properties FROM events
          WHERE lease_until_ms IS NULL OR lease_until_ms <= ?2
          ORDER BY id LIMIT ?4))
  WHERE upto <= ?5 OR k = 1)
RETURNING id, uuid, timestamp, distinct_id, event, properties
