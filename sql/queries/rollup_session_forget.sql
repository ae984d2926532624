-- A closed session's signals are no longer needed by any rollup.
DELETE FROM rollup_signal WHERE no = ?1
