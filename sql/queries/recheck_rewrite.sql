-- Uploader, in the transaction that settles a claimed batch's send-time
-- filtering (store/presend.c): the properties of event ?2 (uuid ?3) become
-- ?1, what the filters of this build leave of them — a hand edit or an
-- older build's weaker rules no longer on disk either.
UPDATE events SET properties = ?1 WHERE id = ?2 AND uuid = ?3
