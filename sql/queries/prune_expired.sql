-- Age cap: drop events captured before ?1 (ms). Counted as "expired".
DELETE FROM events WHERE ts_ms < ?1
