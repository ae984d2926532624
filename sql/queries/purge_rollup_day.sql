-- purge --pending (and the uploader when analytics is off): raw chat-session
-- data not rolled up yet is pending local data too (store/purge.c).
DELETE FROM rollup_day
