-- Record one raw chat signal (rollup/signals.c).
INSERT INTO rollup_signal (session, kind, at_ms, tokens_in, tokens_out, latency_ms, name, engine)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
