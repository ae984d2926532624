-- status: what the sent log holds.
SELECT count(*), max(sent_at) FROM sent
