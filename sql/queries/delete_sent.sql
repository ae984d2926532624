-- Uploader: delete one event it sent, by uuid, only while it holds the lease.
DELETE FROM events WHERE uuid = ?1 AND lease_owner = ?2
