/*
 * store/listing.h — the events `show` lists: queued ones newest first by
 * timestamp, or the sent log most recently sent first, filtered by event
 * name and time, as typed rows (store/listing.c) that the CLI renders as
 * text or JSON.
 */
#ifndef JA_STORE_LISTING_H
#define JA_STORE_LISTING_H

#include "boot.h"
#include "store/store.h"

/* What to list. */
typedef struct ja__list_query {
  int sent;                /* 0: queued events; 1: the sent log */
  int64_t limit;           /* at most this many rows (>= 1) */
  const char *event;       /* only this event name (NULL: any) */
  int64_t since_ms;        /* only rows at or after this time, ms UTC (0: any):
                              the event's timestamp when queued, the time it
                              was sent for the sent log */
} ja__list_query;

/* One listed event, as stored. */
typedef struct ja__list_row {
  int64_t id;              /* capture order (queued) or send order (sent) */
  int64_t ts_ms;           /* the event's time (queued) or when sent (sent) */
  char *uuid;              /* UUID v7 */
  char *timestamp;         /* the event's time, ISO-8601 with ms, as sent */
  char *distinct_id;       /* the anon_id at capture (queued; NULL when sent) */
  char *sent_at;           /* when it was sent, ISO-8601 (sent; NULL when queued) */
  char *event;             /* the event name */
  char *properties;        /* the stored JSON object, as stored */
} ja__list_row;

/* The rows, in listing order. */
typedef struct ja__list {
  ja__list_row *rows;
  size_t n;
} ja__list;

/* Read what @p q asks for from the open database @p d into @p out, in one
 * read snapshot. Queued events come newest first by timestamp (then
 * newest id first); the work is bounded by the limit and the size of the
 * rollup's id spans, not the queue (without an event filter). */
ja_status ja__store_list(ja__db *d, const ja__list_query *q, ja__list *out);
void ja__list_free(ja__list *l);

#endif
