-- purge --sent, after purge_sent_marked.sql: the marks go, and
-- queue_stats.settled goes back to 0 (no mark is left to bound it).
DELETE FROM sent_mark;
UPDATE queue_stats SET settled = 0 WHERE id = 1;
