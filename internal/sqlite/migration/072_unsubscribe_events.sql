-- A reader who unsubscribes through the provider (its unsubscribe link,
-- or a message it dropped because the address is on its list of those
-- who did) is an event too: kind 'unsubscribe', kept so that an editor
-- sees why a reader left and through whom, and keyed by dedupe_key so
-- that a provider's retry of it changes nothing. It is no bounce and no
-- complaint: every count of events names the kinds it counts.
--
-- ignored is 1 for an unsubscribe that changed nothing because the
-- reader joined again after it (a retry or a late report arriving after
-- a new confirmation): kept all the same, since the provider will drop
-- every later mail to the address until it is taken off its list there.
--
-- SQLite cannot change a CHECK, so the table is rebuilt, with its ids,
-- as 055 rebuilt subscriptions: no table refers to events, so foreign
-- keys stay on (and every row's campaign and reader are checked on the
-- way in, as they were when written). The trigger on subscribers that
-- names events goes first and comes back after the rename, and the
-- indexes of 031 are made again.
CREATE TABLE events_072 (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL CHECK (kind IN ('bounce_hard', 'bounce_soft', 'complaint', 'unsubscribe')),
	source        TEXT NOT NULL CHECK (source IN ('smtp', 'dsn', 'arf', 'ndr', 'imap', 'ses', 'postmark', 'sendgrid', 'mailgun')),
	status        TEXT NOT NULL DEFAULT '',
	diagnostic    TEXT NOT NULL DEFAULT '',
	campaign_id   INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
	subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
	email         TEXT NOT NULL DEFAULT '',
	dedupe_key    TEXT NOT NULL UNIQUE,
	at            DATETIME NOT NULL,
	recorded_at   DATETIME NOT NULL,
	ignored       INTEGER NOT NULL DEFAULT 0 CHECK (ignored IN (0, 1))
);
INSERT INTO events_072 (id, kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at)
	SELECT id, kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at
	FROM events ORDER BY id;
DROP TRIGGER events_erase;
DROP TABLE events;
ALTER TABLE events_072 RENAME TO events;
CREATE INDEX events_subscriber ON events (subscriber_id, kind, at) WHERE subscriber_id IS NOT NULL;
CREATE INDEX events_campaign ON events (campaign_id, kind) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_at ON events (at);
-- An erased reader's events stay for the counts, without the address or
-- the diagnostic (which often quotes it).
CREATE TRIGGER events_erase BEFORE DELETE ON subscribers BEGIN
	UPDATE events SET email = '', diagnostic = '' WHERE subscriber_id = OLD.id;
END;
