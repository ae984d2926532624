-- Run once on a brand-new (empty) queue file, before connection.sql
-- (store.c: ja__store_open). auto_vacuum only takes effect when set on an
-- empty database outside a transaction and before WAL mode is switched on;
-- on an existing file it would need the write lock, so it is never re-run.
-- It lets `PRAGMA incremental_vacuum` give space back after the queue drains.
PRAGMA auto_vacuum = INCREMENTAL;
