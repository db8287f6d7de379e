-- bulletin: foreign keys off
-- A reader's id is never given to another. Unsubscribe and preferences
-- links name the id and never expire; with a plain INTEGER PRIMARY KEY,
-- erasing the newest reader freed their id for the next signup, and the
-- erased person's old links then opened and changed the new reader's
-- preferences. AUTOINCREMENT keeps the highest id ever used.
--
-- The table is rebuilt as SQLite's own procedure for a changed table does
-- it: with foreign keys off (dropping the old table would otherwise
-- delete every reader's subscriptions and deliveries on the way), the
-- runner checks them again before the commit.
CREATE TABLE subscribers_new (
	id                 INTEGER PRIMARY KEY AUTOINCREMENT,
	email              TEXT NOT NULL,
	email_key          TEXT NOT NULL UNIQUE,
	name               TEXT NOT NULL DEFAULT '',
	status             TEXT NOT NULL DEFAULT 'pending'
	                   CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bounced')),
	attributes         TEXT NOT NULL DEFAULT '{}',
	frequency          TEXT NOT NULL DEFAULT 'daily' CHECK (frequency IN ('daily', 'weekly')),
	bounce_count       INTEGER NOT NULL DEFAULT 0,
	confirm_sent_at    DATETIME,
	confirm_queued     INTEGER NOT NULL DEFAULT 0,
	created_at         DATETIME NOT NULL,
	updated_at         DATETIME NOT NULL,
	confirmed_at       DATETIME,
	unsubscribed_at    DATETIME,
	last_mailed_at     DATETIME,
	email_changed_at   DATETIME,
	confirm_claimed_at INTEGER
);
INSERT INTO subscribers_new (id, email, email_key, name, status, attributes, frequency, bounce_count,
		confirm_sent_at, confirm_queued, created_at, updated_at, confirmed_at, unsubscribed_at,
		last_mailed_at, email_changed_at, confirm_claimed_at)
	SELECT id, email, email_key, name, status, attributes, frequency, bounce_count,
		confirm_sent_at, confirm_queued, created_at, updated_at, confirmed_at, unsubscribed_at,
		last_mailed_at, email_changed_at, confirm_claimed_at
	FROM subscribers ORDER BY id;
DROP TABLE subscribers;
ALTER TABLE subscribers_new RENAME TO subscribers;
CREATE INDEX subscribers_status ON subscribers (status, id);
CREATE TRIGGER events_erase BEFORE DELETE ON subscribers BEGIN
	UPDATE events SET email = '', diagnostic = '' WHERE subscriber_id = OLD.id;
END;
-- Ids erased before this migration are not known; the newest may be above
-- the highest left. Every id above it was a reader since erased, and each
-- erasure left a row in erasures (one per address, so a person erased
-- twice counts once, the only case this can miss). Starting past the
-- highest id by that many leaves every erased id behind.
DELETE FROM sqlite_sequence WHERE name IN ('subscribers', 'subscribers_new');
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'subscribers', COALESCE((SELECT MAX(id) FROM subscribers), 0) + (SELECT COUNT(*) FROM erasures);
