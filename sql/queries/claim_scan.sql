-- Uploader, inside the claim's BEGIN IMMEDIATE: the oldest events nobody
-- holds (or whose lease expired by ?1), at most ?2; store/lease.c cuts
-- them to the byte budget and leases them with claim_ids.sql. (One
-- UPDATE … RETURNING with window sums cost ≈ 1.5x this pair: a sort,
-- a copy of every text to measure it, the rows kept twice.)
SELECT id, uuid, timestamp, distinct_id, event, properties FROM events
WHERE lease_until_ms IS NULL OR lease_until_ms <= ?1
ORDER BY id LIMIT ?2
