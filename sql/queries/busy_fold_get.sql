-- busy.c: which -busy file generation has been counted, and how far.
SELECT generation, counted FROM busy_fold WHERE id = 1
