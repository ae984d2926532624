-- status: drop counters by reason, with the time of the last one (ms).
SELECT reason, count, last_ms FROM drop_counts
