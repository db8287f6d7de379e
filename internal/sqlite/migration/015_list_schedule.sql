-- Each list's own schedule and sender. A weekly digest (or a daily list's
-- weekly round-up) goes out on digest_weekday at digest_hour in the IANA
-- time zone timezone, so 08:00 stays 08:00 local across DST changes; the
-- defaults keep what lists did before: Mondays, hours in UTC.
-- from_address and reply_to override the publication's when not empty;
-- welcome is the Markdown of a mail to each reader who joins, or empty.
ALTER TABLE lists ADD COLUMN digest_weekday TEXT NOT NULL DEFAULT 'monday'
	CHECK (digest_weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'));
ALTER TABLE lists ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE lists ADD COLUMN from_address TEXT NOT NULL DEFAULT '';
ALTER TABLE lists ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE lists ADD COLUMN welcome TEXT NOT NULL DEFAULT '';
