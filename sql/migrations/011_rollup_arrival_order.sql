-- Schema version 11: open sessions and their signals are kept in the
-- order sessions began, not in session-hash order. Applied once inside
-- BEGIN IMMEDIATE by store/open.c.
--
-- Why: keyed by hash, every new session's signals went into a random place
-- of rollup_signal, so the pages a rollup reads and frees front to back
-- lay all over the file. Every commit of a rollup then rewrote the
-- pointer-map page of each region it freed pages in (auto_vacuum: all 25
-- of them in a store of 100 000 sessions, 3 at 10 000), and every
-- checkpoint wrote pages scattered over the whole file: bench_rollup grew
-- 10.9x for 10x the sessions. Numbered in arrival order, signals are
-- appended at the end of the table and a rollup frees them from its
-- front, where they were written.
--
-- * rollup_session: one row per open session, `no` its number (rowid:
--   the next one is max + 1, so a number can come back once its session
--   is closed; `session` tells whose it is). A rollup scans it in `no`
--   order and deletes what it closes from the front.
-- * rollup_session_key: where to find an open session's number from its
--   hash, written when a session begins. Closing a session leaves its key
--   behind (deleting it would touch a random page of this table for every
--   session closed); a key is live only while rollup_session holds the
--   same (no, session), and each rollup deletes the dead ones in hash
--   order after it closed its sessions (rollup_keys_sweep.sql).
-- * rollup_signal: keyed by (no, seq) instead of (session hash, seq).
--
-- Open sessions and their signals are carried over. Signals whose session
-- had no row (only a hand edit makes them) get one, from their own
-- times, so the next rollup closes them instead of keeping them forever.
INSERT INTO rollup_session (session, first_ms, last_ms, ended_ms)
  SELECT session,
         min(at_ms) FILTER (WHERE kind <> 4),
         max(at_ms) FILTER (WHERE kind <> 4),
         min(at_ms) FILTER (WHERE kind = 4)
  FROM rollup_signal
  WHERE session NOT IN (SELECT session FROM rollup_session)
  GROUP BY session;

CREATE TABLE rollup_session_v11 (
  no        INTEGER PRIMARY KEY,
  session   TEXT NOT NULL,                        -- hash_id(session id)
  first_ms  INTEGER,                              -- first activity (NULL: none yet)
  last_ms   INTEGER,                              -- last activity
  ended_ms  INTEGER                               -- earliest explicit end (NULL: none)
);
INSERT INTO rollup_session_v11 (session, first_ms, last_ms, ended_ms)
  SELECT session, first_ms, last_ms, ended_ms FROM rollup_session
  ORDER BY coalesce(first_ms, ended_ms), session;

CREATE TABLE rollup_session_key (
  session  TEXT PRIMARY KEY,                      -- hash_id(session id)
  no       INTEGER NOT NULL                       -- rollup_session.no, while it is open
) WITHOUT ROWID;
INSERT INTO rollup_session_key (session, no) SELECT session, no FROM rollup_session_v11;

CREATE TABLE rollup_signal_v11 (
  no          INTEGER NOT NULL,                   -- rollup_session.no
  seq         INTEGER NOT NULL,                   -- 1, 2 … within the session
  kind        INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),
  at_ms       INTEGER NOT NULL,
  tokens_in   INTEGER,
  tokens_out  INTEGER,
  latency_ms  REAL,
  name        TEXT,
  engine      TEXT,
  PRIMARY KEY (no, seq)
) WITHOUT ROWID;
INSERT INTO rollup_signal_v11 (no, seq, kind, at_ms, tokens_in, tokens_out, latency_ms, name,
                               engine)
  SELECT k.no, s.seq, s.kind, s.at_ms, s.tokens_in, s.tokens_out, s.latency_ms, s.name, s.engine
  FROM rollup_signal s JOIN rollup_session_key k ON k.session = s.session
  ORDER BY k.no, s.seq;

DROP TABLE rollup_signal;
DROP TABLE rollup_session;
ALTER TABLE rollup_session_v11 RENAME TO rollup_session;
ALTER TABLE rollup_signal_v11 RENAME TO rollup_signal;
