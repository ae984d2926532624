-- Uploader: lease events ?1..?2 to ?3 until ?4.
INSERT INTO upload_lease (lo, hi, owner, until_ms) VALUES (?1, ?2, ?3, ?4)
