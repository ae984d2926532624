-- After caps pruned events: give back at most 256 free pages (1 MiB at
-- 4 KiB pages), so a write transaction stays short however much a
-- purge or the uploader freed before it; the rest goes in later steps.
PRAGMA incremental_vacuum(256)
