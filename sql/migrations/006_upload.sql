-- Schema version 6: the uploader's state (docs/upload.md). Applied
-- once inside BEGIN IMMEDIATE by store/open.c.

-- One row: what the last upload run learned, so the next timer run backs
-- off too and `status` can say when and how the last attempt went.
CREATE TABLE upload_state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  next_attempt_ms  INTEGER NOT NULL DEFAULT 0,  -- no request before this (backoff)
  last_attempt_ms  INTEGER,                     -- last request made (any answer)
  last_success_ms  INTEGER,                     -- last 2xx
  last_error       TEXT,                        -- class of the last failure
                                                -- (network, server, rate_limited,
                                                -- timeout, rejected, auth,
                                                -- unexpected), NULL after a 2xx
  last_status      INTEGER                      -- its HTTP status (0: no answer)
);
INSERT INTO upload_state (id) VALUES (1);

CREATE VIEW upload AS
  SELECT strftime('%Y-%m-%dT%H:%M:%SZ', nullif(next_attempt_ms, 0) / 1000, 'unixepoch') AS next_attempt_at,
         strftime('%Y-%m-%dT%H:%M:%SZ', last_attempt_ms / 1000, 'unixepoch') AS last_attempt_at,
         strftime('%Y-%m-%dT%H:%M:%SZ', last_success_ms / 1000, 'unixepoch') AS last_success_at,
         last_error, last_status
  FROM upload_state;
