-- A store_events row (store/open.c: written into a new queue before it is
-- linked into place, so the record and the fresh store appear together).
INSERT INTO store_events (at_ms, kind, detail) VALUES (?1, ?2, ?3);
