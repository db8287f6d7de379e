-- Feedback from the receiving side: one row per bounce or complaint,
-- whatever brought it (the SMTP reply at send time, a DSN or ARF report
-- mailed back to a VERP address, a provider's webhook). campaign_id and
-- subscriber_id name the delivery when it is known; subscriber_id alone a
-- reader whose delivery is not. dedupe_key makes the same event reported
-- twice (a provider retrying, a DSN after a 5xx at send time) one row.
-- at is when it happened; recorded_at when Bulletin stored it.
CREATE TABLE events (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL CHECK (kind IN ('bounce_hard', 'bounce_soft', 'complaint')),
	source        TEXT NOT NULL CHECK (source IN ('smtp', 'dsn', 'arf', 'ndr', 'imap', 'ses', 'postmark', 'sendgrid', 'mailgun')),
	status        TEXT NOT NULL DEFAULT '',
	diagnostic    TEXT NOT NULL DEFAULT '',
	campaign_id   INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
	subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
	email         TEXT NOT NULL DEFAULT '',
	dedupe_key    TEXT NOT NULL UNIQUE,
	at            DATETIME NOT NULL,
	recorded_at   DATETIME NOT NULL
);
CREATE INDEX events_subscriber ON events (subscriber_id, kind, at) WHERE subscriber_id IS NOT NULL;
CREATE INDEX events_campaign ON events (campaign_id, kind) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_at ON events (at);

-- An erased reader's events stay for the counts, without the address or
-- the diagnostic (which often quotes it).
CREATE TRIGGER events_erase BEFORE DELETE ON subscribers BEGIN
	UPDATE events SET email = '', diagnostic = '' WHERE subscriber_id = OLD.id;
END;

-- Addresses that never get mail again, whatever list they join. target
-- is an address as subscribers.email_key holds it (ASCII lower case, the
-- domain in its xn-- form), or a whole domain (no @).
CREATE TABLE suppressions (
	target     TEXT PRIMARY KEY,
	reason     TEXT NOT NULL CHECK (reason IN ('complaint', 'bounce', 'erased', 'manual')),
	source     TEXT NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL
) WITHOUT ROWID;

-- Mail to a VERP address that was no bounce and no complaint (an
-- out-of-office reply, something unparseable), kept for the admin to look
-- at: the newest 200 only. head is the start of the message.
CREATE TABLE inbound_unparsed (
	id          INTEGER PRIMARY KEY,
	reason      TEXT NOT NULL,
	mail_from   TEXT NOT NULL DEFAULT '',
	rcpt        TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,
	head        TEXT NOT NULL DEFAULT '',
	received_at DATETIME NOT NULL
);
