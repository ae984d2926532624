-- Uploader: give event ?1 back (only while ?2 holds it), to be retried.
UPDATE events SET lease_owner = NULL, lease_until_ms = NULL WHERE uuid = ?1 AND lease_owner = ?2
