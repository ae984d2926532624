-- status: drop counters by reason.
SELECT reason, count, last_at FROM drops
