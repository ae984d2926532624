-- Where to find session ?1 from its hash: number ?2 (rollup/signals.c),
-- over a key its earlier, closed life left behind.
INSERT INTO rollup_session_key (session, no) VALUES (?1, ?2)
ON CONFLICT (session) DO UPDATE SET no = excluded.no
