-- The mark starting at or before id ?1 (the only one that can hold it:
-- marks never overlap).
SELECT lo, hi FROM sent_mark WHERE lo <= ?1 ORDER BY lo DESC LIMIT 1
