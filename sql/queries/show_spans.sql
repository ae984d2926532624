-- show --pending, the events a rollup made: the spans of 256 ids holding
-- them (events_span, 008_events_made_span.sql) from the settled boundary
-- on (below it everything was sent: 012_sent_in_place.sql), latest event
-- first, whose latest is at or after :since. Not cut to a count: a span's
-- latest event may have been sent, so store/listing.c reads spans until
-- none left can hold an event newer than the newest it has found.
SELECT span, hi FROM events_span
WHERE hi >= :since AND span >= (SELECT settled FROM queue_stats WHERE id = 1) >> 8
ORDER BY hi DESC
