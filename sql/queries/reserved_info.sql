-- Uploader, when a claim found nothing free: how many queued events other
-- runs' leases hold (not expired at ?1, not beyond ?2: a lease saved
-- under a clock far ahead counts as expired), and until when.
SELECT count(e.id), max(l.until_ms) FROM upload_lease l JOIN events e ON e.id BETWEEN l.lo AND l.hi
WHERE l.until_ms > ?1 AND l.until_ms <= ?2 AND l.owner <> ?3
