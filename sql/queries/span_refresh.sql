-- Uploader, with its connection's triggers off (store/lease.c), after
-- deleting events with ids ?1..?2: what events_span_out
-- (008_events_made_span.sql) would have done, once per statement — the
-- spans of those ids are recomputed from the rollup-made events still
-- queued in them (events_made_by_span; the four names are the ones
-- written there), a span left with none goes.
DELETE FROM events_span WHERE span BETWEEN ?1 >> 8 AND ?2 >> 8;
