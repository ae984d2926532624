-- show --pending, the events a rollup made: the spans of 256 ids holding
-- them (events_span, 008_events_made_span.sql) from the settled boundary
-- on (below it everything was sent: 014_sent_in_place.sql), latest event
-- first, whose latest is at or after :since; at most :limit of them (-1:
-- all) plus the spans that may hold sent events too — the boundary's own
-- and those of the marks above it — since a span's latest event counts
-- only while it is pending. Every other span holds a pending event at its
-- hi, so the :limit newest pending made events lie in those spans
-- (store/listing.c).
SELECT span, hi FROM events_span
WHERE hi >= :since AND span >= (SELECT settled FROM queue_stats WHERE id = 1) >> 8
ORDER BY hi DESC
LIMIT CASE WHEN :limit < 0 THEN -1
           ELSE :limit + 1 + (SELECT coalesce(sum((hi >> 8) - (lo >> 8) + 1), 0) FROM sent_mark
                              WHERE lo >= (SELECT settled FROM queue_stats WHERE id = 1))
      END
