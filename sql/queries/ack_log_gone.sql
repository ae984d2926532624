-- Uploader, after a 2xx: log an event the server took but the queue no
-- longer holds (a purge, the cap or a hand edit removed it while it was
-- in flight), from the copy the uploader sent: the sent log says what
-- left the machine, whatever happened to the queue meanwhile.
INSERT INTO sent_log (uuid, event, properties, timestamp, sent_ms) VALUES (?1, ?2, ?3, ?4, ?5)
