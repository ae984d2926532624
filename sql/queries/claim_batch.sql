-- Uploader: lease up to ?4 events that nobody holds (or whose lease expired
-- before ?2) to owner ?1 until ?3. Oldest first.
UPDATE events SET lease_owner = ?1, lease_until_ms = ?3, attempts = attempts + 1
WHERE id IN (SELECT id FROM events
             WHERE lease_until_ms IS NULL OR lease_until_ms <= ?2
             ORDER BY id LIMIT ?4)
