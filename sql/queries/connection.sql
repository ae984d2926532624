-- Run on every connection before migrations (store.c: open_connection).
-- WAL: readers (sqlite3 CLI, status) never block writers, and writers
-- serialise with BEGIN IMMEDIATE. Persistent in the file once set.
PRAGMA journal_mode = WAL;
-- FULL: every commit is fsynced; "nothing accepted is lost" includes power cuts.
PRAGMA synchronous = FULL;
-- Never run SQL functions from schema objects of a foreign file.
PRAGMA trusted_schema = OFF;
