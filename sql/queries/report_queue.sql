-- status: queue size (counter kept by triggers, see 003_caps.sql), the
-- events inside a lease not expired at ?1 (009_upload_lease.sql: a few
-- ranges of at most a batch each, so a few batches' rows whatever the
-- queue holds), oldest and newest capture time (ms, by the ts_ms index;
-- one min() or max() per subquery, or SQLite scans the table).
SELECT events,
       (SELECT count(*) FROM upload_lease, events
        WHERE until_ms > ?1 AND events.id BETWEEN upload_lease.lo AND upload_lease.hi),
       (SELECT min(ts_ms) FROM events), (SELECT max(ts_ms) FROM events)
FROM queue_stats WHERE id = 1
