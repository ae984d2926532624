-- Uploader: ?2 gives up its lease starting at id ?1.
DELETE FROM upload_lease WHERE lo = ?1 AND owner = ?2
