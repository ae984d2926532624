-- The uploader's connection, once opened (store/lease.c:
-- ja__store_upload_tune). Temporary b-trees and statement journals in
-- memory: else every batch's ack created, wrote and unlinked a file in
-- /var/tmp (strace: 10 syscalls a batch). They hold at most one batch's
-- pages (≤ 5 MB of rows, JA__UP_MAX_BODY), freed at each statement's end.
PRAGMA temp_store = MEMORY;
