-- status: queue size (pending events: a counter, 003_caps.sql and
-- 014_sent_in_place.sql), the events inside a lease not expired at ?1
-- (009_upload_lease.sql: a few ranges of at most a batch each, so a few
-- batches' rows whatever the queue holds) — a lease expiring more than
-- 86 460 000 ms (a day and a minute, JA__LEASE_AHEAD_MAX_MS) after ?1 was
-- saved under a clock far ahead and counts as expired —, the timestamps
-- of the oldest and the newest pending event in capture order (the first
-- and the last from queue_stats.settled on that no sent_mark holds: 014;
-- O(1) — the few marks above settled aside — whatever the queue or the
-- sent view holds), and until when the last live lease runs.
SELECT events,
       (SELECT count(*) FROM upload_lease, events
        WHERE until_ms > ?1 AND until_ms <= ?1 + 86460000
          AND events.id BETWEEN upload_lease.lo AND upload_lease.hi),
       (SELECT ts_ms FROM events
        WHERE id >= settled
          AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
        ORDER BY id LIMIT 1),
       (SELECT ts_ms FROM events
        WHERE id >= settled
          AND id > coalesce((SELECT hi FROM sent_mark WHERE lo <= events.id ORDER BY lo DESC LIMIT 1), -1)
        ORDER BY id DESC LIMIT 1),
       (SELECT max(until_ms) FROM upload_lease WHERE until_ms > ?1 AND until_ms <= ?1 + 86460000)
FROM queue_stats WHERE queue_stats.id = 1
