-- Run instead of connection.sql on a read-only connection (a reader in a
-- home it cannot write, store/open.c): nothing that would write.
-- Never run SQL functions from schema objects of a foreign file.
PRAGMA trusted_schema = OFF;
