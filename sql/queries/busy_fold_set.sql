-- busy.c: in the fold's transaction, ?2 drops of generation ?1 are counted.
INSERT INTO busy_fold (id, generation, counted) VALUES (1, ?1, ?2)
ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, counted = excluded.counted
