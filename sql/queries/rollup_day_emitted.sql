-- Day ?1's summary is queued: remember it, keep nothing else of it.
INSERT INTO rollup_day_done (day) VALUES (?1) ON CONFLICT DO NOTHING
