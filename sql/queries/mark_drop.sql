-- Uploader: the mark starting at id ?1 goes (its events went first).
DELETE FROM sent_mark WHERE lo = ?1
