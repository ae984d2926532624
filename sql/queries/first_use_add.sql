-- Remember a first use; changes() = 1 only the first time ever (rollup/signals.c).
INSERT INTO first_use (kind, name, at_ms) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING
