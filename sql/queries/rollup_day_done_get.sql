-- 1 if day ?1's summary was already emitted.
SELECT count(*) FROM rollup_day_done WHERE day = ?1
