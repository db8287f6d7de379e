-- Login failures get the time of the last one, so rows of addresses that
-- stopped guessing can be deleted and the table stays small. Rows from
-- before this have none and go at the next sweep unless still locked.
ALTER TABLE login_failures ADD COLUMN last_failure_at DATETIME;

CREATE INDEX login_failures_last ON login_failures (last_failure_at);
