-- Record one raw chat signal (rollup/signals.c): the next seq of its
-- session, found through the primary key.
INSERT INTO rollup_signal (session, seq, kind, at_ms, tokens_in, tokens_out, latency_ms, name,
                           engine)
VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM rollup_signal WHERE session = ?1), ?2, ?3,
        ?4, ?5, ?6, ?7, ?8)
