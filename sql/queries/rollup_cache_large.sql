-- For the length of one rollup: a page cache of up to 64 MiB (allocated
-- only as pages are read). A rollup reads every closed session's signals
-- by index, in an order unrelated to where they lie; with SQLite's default
-- 2 MiB cache, 100 000 sessions of 10 turns took 24x the time of 10 000
-- (pages read again and again from the OS); with this it is linear
-- (bench_rollup, README: benchmarks).
PRAGMA cache_size = -65536
