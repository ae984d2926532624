-- Schema version 4: what the store did to itself that its user should know
-- about. Today one kind: "corrupt_moved" — the queue file was not a usable
-- database, so it was moved aside (detail names the file it now is, and why)
-- and this store started fresh (store/open.c). `status` shows these rows.
-- Applied once inside BEGIN IMMEDIATE by store/open.c; user_version becomes 4.
CREATE TABLE store_events (
  id      INTEGER PRIMARY KEY,
  at_ms   INTEGER NOT NULL,                         -- when, ms since epoch UTC
  kind    TEXT    NOT NULL,                         -- "corrupt_moved"
  detail  TEXT    NOT NULL                          -- for people: what and why
);

CREATE VIEW store_log AS
  SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at_ms / 1000, 'unixepoch') AS at, kind, detail
  FROM store_events ORDER BY id;
