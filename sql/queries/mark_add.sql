-- Uploader, after a 2xx: the events with ids ?1..?2 — a run of what this
-- ack delivered, all its lease held in that range — were sent at ?3
-- (014_sent_in_place.sql). One row per run, whatever its length.
INSERT INTO sent_mark (lo, hi, sent_ms) VALUES (?1, ?2, ?3)
