-- A closed session's signals are no longer needed by any rollup.
DELETE FROM rollup_signal WHERE session = ?1
