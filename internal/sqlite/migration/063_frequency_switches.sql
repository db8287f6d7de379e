-- A daily list mails its daily readers a daily digest and its weekly
-- readers a weekly round-up, each from its own mark. A reader who changed
-- frequency went at once from one window to the other, and the two do not
-- meet: weekly to daily lost what came between the last round-up and the
-- last daily digest, daily to weekly got the week's dailies again in the
-- round-up.
--
-- stream is the window a reader is still in on that list when it is not
-- the one their frequency names (NULL: the one it names). A change of
-- frequency leaves the reader where they are; the list's next digest of
-- the new frequency takes them over, with a digest of their old window
-- up to that moment (campaigns' buildDigestTx), so the windows meet.
ALTER TABLE subscriptions ADD COLUMN stream TEXT CHECK (stream IN ('daily', 'weekly'));
-- Few readers are between windows at a time; digests find them here.
CREATE INDEX subscriptions_stream ON subscriptions (list_id, stream, subscriber_id) WHERE stream IS NOT NULL;

-- Every change of frequency, whichever code writes it (preferences, the
-- admin, the API, an import), is noted here with the frequency it left,
-- and the next digest build turns the notes into streams. The trigger
-- cannot set the streams itself: a trigger that names subscriptions makes
-- SQLite refuse the RENAME of a rebuild of that table (as in 055) while
-- the old one is gone.
CREATE TABLE frequency_switches (
	id            INTEGER PRIMARY KEY,
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	frequency     TEXT NOT NULL
);
CREATE INDEX frequency_switches_subscriber ON frequency_switches (subscriber_id, id);
CREATE TRIGGER subscribers_frequency_switch AFTER UPDATE OF frequency ON subscribers
	WHEN OLD.frequency <> NEW.frequency BEGIN
	INSERT INTO frequency_switches (subscriber_id, frequency) VALUES (NEW.id, OLD.frequency);
END;
