-- The last of the next ?2 session keys after hash ?1 (rollup/rollup.c: one
-- sweep transaction's slice), or no row when fewer are left.
SELECT session FROM rollup_session_key WHERE session > ?1 ORDER BY session LIMIT 1 OFFSET ?2 - 1
