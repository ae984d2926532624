-- Schema version 5: local aggregation (src/rollup/). Raw chat
-- signals are kept here, never uploaded, until a rollup closes their
-- session; what a day's summary needs is kept until it is emitted; first
-- uses are remembered for the life of the install. No raw session id,
-- model or tool name is ever stored: only hash_id() of them.
-- Applied once inside BEGIN IMMEDIATE by store/open.c.

-- One row per signal. kind: 1 inference, 2 tool, 3 error, 4 end.
-- session = hash_id(session id); name = hash_id(model) for an inference
-- (NULL: none given), hash_id(tool) for a tool; engine is an ENGINE value.
-- Clustered by session (WITHOUT ROWID, seq = 1, 2 … within the session):
-- a rollup visits sessions in hash order, so it reads and deletes this
-- table front to back, one contiguous range per session (bench_rollup: a
-- rowid table plus an index had it rewrite pages all over the file, and
-- 100 000 sessions took 20x the time of 10 000).
CREATE TABLE rollup_signal (
  session     TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  kind        INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),
  at_ms       INTEGER NOT NULL,
  tokens_in   INTEGER,
  tokens_out  INTEGER,
  latency_ms  REAL,
  name        TEXT,
  engine      TEXT,
  PRIMARY KEY (session, seq)
) WITHOUT ROWID;

-- One row per open session, kept up to date by every signal, so that a
-- rollup finds what it may close by index instead of scanning signals:
-- first_ms/last_ms = first/last activity (inference, tool, error; NULL
-- while there is none), ended_ms = the earliest explicit end (NULL: none).
CREATE TABLE rollup_session (
  session   TEXT PRIMARY KEY,
  first_ms  INTEGER,
  last_ms   INTEGER,
  ended_ms  INTEGER
) WITHOUT ROWID;
CREATE INDEX rollup_session_by_last ON rollup_session (last_ms);
CREATE INDEX rollup_session_by_end ON rollup_session (ended_ms) WHERE ended_ms IS NOT NULL;

-- Closed sessions (with ≥ 1 inference) by the UTC day of their last
-- activity (day = at_ms / 86400000), until that day's summary is emitted.
CREATE TABLE rollup_day (
  day                INTEGER PRIMARY KEY,
  sessions           INTEGER NOT NULL,
  total_tokens       INTEGER NOT NULL,
  total_inferences   INTEGER NOT NULL,
  total_errors       INTEGER NOT NULL,
  total_duration_ms  INTEGER NOT NULL
);
-- The day's distinct tools (kind 2) and models (kind 1), as hashes.
CREATE TABLE rollup_day_name (
  day   INTEGER NOT NULL,
  kind  INTEGER NOT NULL,
  name  TEXT NOT NULL,
  PRIMARY KEY (day, kind, name)
) WITHOUT ROWID;
-- Days whose summary has been emitted: a session closed late into one of
-- them (a signal replayed far in the past) never emits a second summary.
CREATE TABLE rollup_day_done (
  day  INTEGER PRIMARY KEY
);

-- First uses, once per install: ('chat', '') for first_chat_sent, and
-- ('tool', <TOOL value or custom_tool>) for tool_first_used.
CREATE TABLE first_use (
  kind   TEXT NOT NULL,
  name   TEXT NOT NULL,
  at_ms  INTEGER NOT NULL,
  PRIMARY KEY (kind, name)
) WITHOUT ROWID;
