-- A tool (?2 = 2) or model (?2 = 1) hash used on day ?1.
INSERT INTO rollup_day_name (day, kind, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING
