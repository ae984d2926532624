-- Uploader, first in a claim: leases expired by ?1 are gone (a killed
-- uploader's events are claimable again).
DELETE FROM upload_lease WHERE until_ms <= ?1
