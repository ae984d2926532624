-- The uploader's connection, once opened (store/lease.c:
-- ja__store_upload_tune), after the rollup and the analytics-off purge,
-- before the drain.
--
-- Temporary b-trees and statement journals in memory: else every batch's
-- ack created, wrote and unlinked a file in /var/tmp (strace: 10 syscalls a
-- batch). They hold at most one batch's pages (≤ 5 MB of rows,
-- JA__UP_MAX_BODY), freed at each statement's end.
PRAGMA temp_store = MEMORY;
-- Commits not fsynced (WAL mode: the WAL is synced at each checkpoint and
-- by the next FULL commit of any other connection). A power cut can only
-- undo the drain's last transactions, and each of them is safe to undo:
-- an undone claim frees its events (claimable again); an undone ack puts
-- sent events back in the queue, so they are sent again with the same
-- uuid, timestamp, distinct_id and event, which PostHog deduplicates on —
-- never an event lost, and the same as an uploader killed between the 2xx
-- and its ack; an undone release or reject leaves a lease that expires, or
-- an event (and its drop count, in the same transaction) that comes back;
-- an undone sent_log prune is redone by the next run. Nothing the uploader
-- writes is an accepted event: captures and rollups keep FULL. (One fsync
-- per batch was ≈ 1 µs of the uploader's CPU per event: bench_upload.py.)
PRAGMA synchronous = NORMAL;
-- A small page cache: a batch touches ≈ 15 pages (the path to the head of
-- the queue, ≈ 10 rows a leaf, and the few rows of its lease and its
-- sent_mark: sent events stay in place), read once in id order, so 128 KiB
-- holds every batch's pages with room to spare (the same instructions per
-- event as 512 KiB, 0.4 MB less peak RSS: bench_upload.py); SQLite's
-- default 2 MiB was half the uploader's private memory.
PRAGMA cache_size = -128;
