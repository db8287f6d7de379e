-- last_slot is the slot (the list's hour on its day, or on its weekday, in
-- its zone) of the window's last scheduled digest, or NULL before its
-- first. The schedule follows it, not last_digest_at: a digest run by
-- hand moves last_digest_at, where the next digest starts, and not this,
-- so the day's (or week's) scheduled digest still goes out, with the
-- articles added since the run by hand. A mark from before had no such
-- difference: its last digest, by hand or not, stays the slot's.
ALTER TABLE digest_marks ADD COLUMN last_slot DATETIME;
ALTER TABLE digest_rollup_marks ADD COLUMN last_slot DATETIME;
UPDATE digest_marks SET last_slot = last_digest_at;
UPDATE digest_rollup_marks SET last_slot = last_digest_at;
