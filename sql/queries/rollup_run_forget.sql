-- The signals of a run of closed sessions (numbers ?1 to ?2) are no longer
-- needed by any rollup. Every number in the run is a session being
-- closed: a run is cut wherever an open session stays open between them.
DELETE FROM rollup_signal WHERE no BETWEEN ?1 AND ?2
