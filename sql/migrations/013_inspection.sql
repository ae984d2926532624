-- Schema version 13: what people read with sqlite3 about the rollup, and
-- drops by day. Applied once inside BEGIN IMMEDIATE by store/open.c.
--
-- The rollup's tables keep times as ms since the epoch and sessions by
-- number; these views show them as UTC ISO-8601 times (the format of the
-- `sent` and `drops` views), newest first where it matters. They read
-- only rollup_* tables and first_use, never the queue.

-- Open chat sessions: signals recorded, not rolled up yet. A session closes
-- at the first rollup after its end, or once idle for more than 300 s.
CREATE VIEW rollup_open AS
  SELECT s.session AS session,                                   -- hash_id(session id)
         strftime('%Y-%m-%dT%H:%M:%SZ', s.first_ms / 1000, 'unixepoch') AS first_at,
         strftime('%Y-%m-%dT%H:%M:%SZ', s.last_ms / 1000, 'unixepoch') AS last_at,
         strftime('%Y-%m-%dT%H:%M:%SZ', s.ended_ms / 1000, 'unixepoch') AS ended_at,
         (SELECT count(*) FROM rollup_signal g WHERE g.no = s.no AND g.kind = 1) AS turns,
         (SELECT count(*) FROM rollup_signal g WHERE g.no = s.no) AS signals
  FROM rollup_session s
  ORDER BY s.no;

-- Days of closed sessions: 'waiting' for their usage_daily_summary (with
-- what it will say so far), or 'done' (emitted: a session closed late into
-- such a day never emits a second summary). Newest day first.
CREATE VIEW rollup_days AS
  SELECT date(day * 86400, 'unixepoch') AS day, 'waiting' AS state, sessions, total_tokens,
         total_inferences, total_errors, total_duration_ms
  FROM rollup_day
  UNION ALL
  SELECT date(day * 86400, 'unixepoch'), 'done', NULL, NULL, NULL, NULL, NULL
  FROM rollup_day_done
  ORDER BY day DESC;

-- First uses, remembered for the life of the install: ('chat', '') made
-- first_chat_sent, ('tool', NAME) made tool_first_used.
CREATE VIEW first_uses AS
  SELECT kind, name, strftime('%Y-%m-%dT%H:%M:%SZ', at_ms / 1000, 'unixepoch') AS at
  FROM first_use
  ORDER BY at_ms;

-- Drops by UTC day and reason (drop_counts keeps only totals and the last
-- time): added to in the same transaction as drop_counts
-- (store/write.c: ja__store_count_drops), kept 90 days, cleared by
-- `purge --all` with the counters. Counting starts with this version.
CREATE TABLE drop_day (
  day     INTEGER NOT NULL,                       -- days since 1970-01-01 UTC
  reason  TEXT    NOT NULL,                       -- as in drop_counts
  count   INTEGER NOT NULL,
  PRIMARY KEY (day, reason)
) WITHOUT ROWID;

CREATE VIEW drops_by_day AS
  SELECT date(day * 86400, 'unixepoch') AS day, reason, count
  FROM drop_day
  ORDER BY drop_day.day DESC, reason;
