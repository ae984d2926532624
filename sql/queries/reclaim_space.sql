-- Give the pages freed by deleted events back to the file system
-- (auto_vacuum = INCREMENTAL, set when the queue was created). Run after
-- caps pruned events and after purge; a no-op when nothing is free.
PRAGMA incremental_vacuum
