-- Day ?1's aggregates are no longer needed (its summary is queued).
DELETE FROM rollup_day WHERE day = ?1
