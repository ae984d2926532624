-- Uploader: the leases (all of them, or ?1's when ?1 is not NULL), by id
-- range. A handful of rows: one or two per uploader running.
SELECT lo, hi, until_ms FROM upload_lease WHERE ?1 IS NULL OR owner = ?1 ORDER BY lo
