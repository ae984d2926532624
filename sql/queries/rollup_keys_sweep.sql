-- Delete the keys closed sessions left behind (011_rollup_arrival_order.sql)
-- among those after hash ?1 up to ?2, in hash order: a key is live while
-- rollup_session holds its number for its hash. ?2 is a blob for "to the
-- end" (SQLite sorts every blob after every text): a plain range, so the
-- scan stops at ?2 (an `?2 IS NULL OR` would read on to the end of the
-- table in every slice).
DELETE FROM rollup_session_key
WHERE session > ?1 AND session <= ?2
  AND NOT EXISTS (SELECT 1 FROM rollup_session o
                  WHERE o.no = rollup_session_key.no AND o.session = rollup_session_key.session)
