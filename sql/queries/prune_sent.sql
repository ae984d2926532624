-- Uploader: forget up to ?2 sent_log rows sent before ?1 (kept 30 days),
-- oldest first, by the sent_by_ms index; bounded per transaction.
DELETE FROM sent_log WHERE rowid IN
  (SELECT rowid FROM sent_log WHERE sent_ms < ?1 ORDER BY sent_ms LIMIT ?2)
