-- Uploader, first in a claim: leases expired by ?1 are gone (a killed
-- uploader's events are claimable again), and so are leases that expire
-- after ?2 — later than any run can hold a lease, so saved under a clock
-- far ahead: they would keep their events from leaving until that date.
DELETE FROM upload_lease WHERE until_ms <= ?1 OR until_ms > ?2
