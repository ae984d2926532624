-- Day ?1's tool and model sets are no longer needed.
DELETE FROM rollup_day_name WHERE day = ?1
