-- After a rollup: back to SQLite's default page cache (2 MiB), which is
-- what connection.sql leaves every connection with.
PRAGMA cache_size = -2000
