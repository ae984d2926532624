DELETE FROM sent_log
