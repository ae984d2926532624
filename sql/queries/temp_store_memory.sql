-- A rollup's connection, for the run (rollup/rollup.c): statement journals
-- and temporary b-trees in memory. Every INSERT into events (it has
-- triggers) keeps a statement journal of the pages it changes; once one
-- statement of a transaction changed more than 64 KiB (a split in a
-- larger store, with its pointer-map pages), SQLite moved that journal to a
-- file in /var/tmp and every later statement of the transaction wrote its
-- pages there: 609 MB of pwrite for a rollup of 100 000 sessions, none for
-- 10 000 (strace, bench_rollup). A rollup's statements each touch a few
-- pages, and the journal is emptied after each, so memory stays small.
PRAGMA temp_store = MEMORY
