-- The first signals (seq up to ?2) of open session ?1, one part of a
-- session too large to roll up in one transaction (rollup/rollup.c):
-- closed and reported, then forgotten; the session stays open with the
-- rest, and the next transaction closes the next part.
DELETE FROM rollup_signal WHERE no = ?1 AND seq <= ?2
