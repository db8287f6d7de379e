-- Feed status for the admin: a feed can be paused (active = 0: never
-- polled), and each poll records what happened in words (the HTTP status,
-- or why the feed could not be fetched or parsed). items counts every
-- article the feed has brought over its life.
ALTER TABLE feeds ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
ALTER TABLE feeds ADD COLUMN last_status TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN items INTEGER NOT NULL DEFAULT 0;
UPDATE feeds SET last_status = last_error WHERE last_error != '';
