-- view: drops by UTC day and reason (013_inspection.sql), oldest first.
SELECT day, reason, count FROM drop_day ORDER BY day, reason
