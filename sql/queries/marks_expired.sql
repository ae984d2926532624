-- Uploader: the oldest marks sent before ?1 (the 30 days of the `sent`
-- view are over), at most ?2, by sent_mark_by_ms.
SELECT lo, hi FROM sent_mark WHERE sent_ms < ?1 ORDER BY sent_ms LIMIT ?2
