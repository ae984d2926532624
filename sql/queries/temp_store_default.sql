-- After a rollup: the connection's temp_store back to the compiled default
-- (only when temp_store_memory.sql changed it from that).
PRAGMA temp_store = DEFAULT
