-- purge --pending (and the uploader when analytics is off): raw chat-session
-- data not rolled up yet is pending local data too (store/purge.c). The
-- keys go first and are not counted: there is one per open session (and
-- one per session closed since the last sweep), so counting them would
-- count sessions twice; the count purge reports is the last statement's.
DELETE FROM rollup_session_key;
DELETE FROM rollup_session
