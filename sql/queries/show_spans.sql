-- show --pending, the events a rollup made: the spans of 256 ids holding
-- them (events_span, 008_events_made_span.sql), latest event first, whose
-- latest is at or after :since; at most :limit of them (-1: all). Every
-- span holds an event at its hi, so the :limit newest made events lie in
-- the :limit spans of the latest his (store/listing.c).
SELECT span, hi FROM events_span WHERE hi >= :since ORDER BY hi DESC LIMIT :limit
