-- Uploader, in a claim: the marks from id ?1 on (those above
-- queue_stats.settled: the few an upload run made out of order), by id,
-- whose events the claim skips as it skips other runs' leases.
SELECT lo, hi FROM sent_mark WHERE lo >= ?1 ORDER BY lo
