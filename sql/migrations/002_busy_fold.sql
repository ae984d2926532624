-- Schema version 2: exactly-once busy-drop bookkeeping (store/busy.c).
-- A busy drop is noted in "<db>-busy" (a header naming the file's
-- generation, then one byte per drop) because the database was locked; a
-- later write transaction folds it into drop_counts and records here, in the
-- same transaction, how many drops of which generation it has counted. So a
-- crash anywhere never counts a drop twice, and the file is never truncated.
CREATE TABLE busy_fold (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  TEXT    NOT NULL,                   -- the -busy file counted last
  counted     INTEGER NOT NULL                    -- its drops already in drop_counts
);
