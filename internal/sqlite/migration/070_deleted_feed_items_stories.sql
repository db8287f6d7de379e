-- What a deleted feed item was, which feed gave it, and when a poll last
-- saw it (068 kept its id only, for ever).
--
-- link and title are the deleted article's: a guid a feed gives to
-- another story (positions, "1", "2"; one guid for the latest issue)
-- named a deleted item, and every later story the feed gave it was
-- dropped, unmailed. A deleted guid seen with a new link and a new title
-- is a new story, as a live one is. Both are '' when not known: rows
-- kept before this migration, and an article an editor changed (its
-- title is no feed's); the next poll that sees the item fills them in.
--
-- feed_url is the URL of the feed whose item it is ('' for an article's
-- own URL, which is every feed's). A weak guid ("1", anything but a URL,
-- tag: or urn:) names an item of its own feed only: deleting one feed's
-- item "1" hid another feed's item "1" of the list. The URL, not the
-- feed's id, so that the feed deleted and added again at that URL still
-- knows its deleted items.
--
-- seen_at is when a poll last saw the item in a feed (or when it was
-- deleted); a feed that gives a deleted item has a row of its own for it.
-- A row not seen for 30 days is forgotten (articles.Feeds.Poll), unless
-- its feed has not read all its items since it saw it (feeds.fetched_at):
-- a feed answering 304, failing or paused may still carry it. Times are text as
-- Bulletin stores them (UTC, to the microsecond, "+00:00"); SQLite's
-- clock has milliseconds, and '999' puts its time at the end of its
-- millisecond, so that it sorts after a poll that began in it.
DROP TRIGGER articles_deleted_feed_items;

CREATE TABLE deleted_feed_items_070 (
	list_id  INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	item_id  TEXT NOT NULL,
	feed_url TEXT NOT NULL,
	link     TEXT NOT NULL,
	title    TEXT NOT NULL,
	seen_at  DATETIME NOT NULL,
	PRIMARY KEY (list_id, item_id, feed_url)
) WITHOUT ROWID;

-- A row kept before is a feed's where a feed of the list remembers the
-- item deleted (feed_items); other rows (an article's URL, an item of a
-- feed since deleted) stay the whole list's. Their clock starts now.
INSERT INTO deleted_feed_items_070 (list_id, item_id, feed_url, link, title, seen_at)
	SELECT DISTINCT d.list_id, d.item_id, f.url, '', '', strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00'
	FROM deleted_feed_items d JOIN feeds f ON f.list_id = d.list_id
	JOIN feed_items fi ON fi.feed_id = f.id AND fi.item_id = d.item_id
	WHERE fi.article_id IS NULL;
INSERT INTO deleted_feed_items_070 (list_id, item_id, feed_url, link, title, seen_at)
	SELECT d.list_id, d.item_id, '', '', '', strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00'
	FROM deleted_feed_items d
	WHERE NOT EXISTS (SELECT 1 FROM deleted_feed_items_070 n WHERE n.list_id = d.list_id AND n.item_id = d.item_id);

DROP TABLE deleted_feed_items;
ALTER TABLE deleted_feed_items_070 RENAME TO deleted_feed_items;
-- Forgetting reads the oldest first.
CREATE INDEX deleted_feed_items_seen ON deleted_feed_items (seen_at);

-- When the feed's latest poll that read every item began; NULL until one
-- has. A row of the feed seen at or after it may still be in the feed.
ALTER TABLE feeds ADD COLUMN fetched_at DATETIME;

-- As in 068, with what the article was and when. A key deleted again
-- (a guid given to another story, deleted too) remembers the latest.
CREATE TRIGGER articles_deleted_feed_items BEFORE DELETE ON articles BEGIN
	INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT f.list_id, fi.item_id, f.url,
			CASE WHEN OLD.edited_at IS NULL THEN OLD.url ELSE '' END,
			CASE WHEN OLD.edited_at IS NULL THEN OLD.title ELSE '' END,
			strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00'
		FROM feed_items fi JOIN feeds f ON f.id = fi.feed_id
		WHERE fi.article_id = OLD.id
		ON CONFLICT (list_id, item_id, feed_url) DO UPDATE SET link = excluded.link, title = excluded.title, seen_at = excluded.seen_at;
	INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT al.list_id, OLD.url, '', OLD.url, OLD.title, strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00'
		FROM article_lists al
		WHERE al.article_id = OLD.id
		ON CONFLICT (list_id, item_id, feed_url) DO UPDATE SET link = excluded.link, title = excluded.title, seen_at = excluded.seen_at;
END;
