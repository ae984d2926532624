-- purge --all: drops by day go with the counters.
DELETE FROM drop_day
