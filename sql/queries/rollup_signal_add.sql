-- Record one raw chat signal of open session number ?1 (rollup/signals.c):
-- the next seq of its session, found through the primary key. Sessions
-- are numbered as they begin, so this appends near the end of the table.
INSERT INTO rollup_signal (no, seq, kind, at_ms, tokens_in, tokens_out, latency_ms, name, engine)
VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM rollup_signal WHERE no = ?1), ?2, ?3,
        ?4, ?5, ?6, ?7, ?8)
