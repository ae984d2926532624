-- Uploader: after an answer at ?1: a success time ?2 (NULL keeps the old
-- one), no attempt before ?3, error class ?4 (NULL: none) with status ?5.
UPDATE upload_state SET last_attempt_ms = ?1,
                        last_success_ms = coalesce(?2, last_success_ms),
                        next_attempt_ms = ?3, last_error = ?4, last_status = ?5
WHERE id = 1
