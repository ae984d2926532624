-- status: queue size, leased events, oldest and newest capture time.
SELECT count(*), count(lease_owner), min(timestamp), max(timestamp) FROM events
