-- Welcome mails: one row per (reader, list) whose subscription was confirmed
-- while the list had a welcome mail, written in the confirmation's own
-- transaction. The primary key makes a second click (or a second request)
-- add nothing; sent_at is set once the mail is accepted, so a lost task is
-- rebuilt from the rows still unsent and a sent one never goes again.
CREATE TABLE welcomes (
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	list_id       INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	queued_at     DATETIME NOT NULL,
	sent_at       DATETIME,
	PRIMARY KEY (subscriber_id, list_id)
) WITHOUT ROWID;

CREATE INDEX welcomes_unsent ON welcomes (queued_at) WHERE sent_at IS NULL;
