-- The connection's temp_store: 0 default (files, as compiled), 1 file, 2 memory.
PRAGMA temp_store
