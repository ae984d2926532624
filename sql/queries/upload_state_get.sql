-- The uploader's state (006_upload.sql), one row.
SELECT next_attempt_ms, last_attempt_ms, last_success_ms, last_error, last_status
FROM upload_state WHERE id = 1
