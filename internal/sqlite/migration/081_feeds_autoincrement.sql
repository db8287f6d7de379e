-- bulletin: foreign keys off
-- A feed's id is never given to another, as 080 made it for webhook
-- endpoints: an integration that adds and removes feeds through the API
-- holds their ids, and deleting the newest feed freed its id for the
-- next one added, which a stale PATCH or DELETE would then change.
--
-- Rebuilt with foreign keys off (dropping the old table would otherwise
-- delete every feed's items), the runner checking them again before the
-- commit. The columns are those 001, 019, 070 and 078 left, in their
-- order, with their defaults and checks; no index or trigger was made
-- on the table besides its UNIQUE (url, list_id). The trigger of 070 on
-- articles reads feeds: SQLite refuses the rename while a trigger names
-- a table that is not there, so it goes first and comes back, unchanged.
DROP TRIGGER articles_deleted_feed_items;
CREATE TABLE feeds_new (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	url            TEXT NOT NULL,
	list_id        INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	etag           TEXT NOT NULL DEFAULT '',
	last_modified  TEXT NOT NULL DEFAULT '',
	last_polled_at DATETIME,
	last_error     TEXT NOT NULL DEFAULT '',
	created_at     DATETIME NOT NULL,
	active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	last_status    TEXT NOT NULL DEFAULT '',
	items          INTEGER NOT NULL DEFAULT 0,
	fetched_at     DATETIME,
	failures       INTEGER NOT NULL DEFAULT 0,
	next_poll_at   DATETIME,
	UNIQUE (url, list_id)
);
INSERT INTO feeds_new (id, url, list_id, etag, last_modified, last_polled_at, last_error, created_at,
		active, last_status, items, fetched_at, failures, next_poll_at)
	SELECT id, url, list_id, etag, last_modified, last_polled_at, last_error, created_at,
		active, last_status, items, fetched_at, failures, next_poll_at
	FROM feeds ORDER BY id;
DROP TABLE feeds;
ALTER TABLE feeds_new RENAME TO feeds;
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
-- Ids deleted before this migration are not known: the counter starts at
-- the highest id left.
DELETE FROM sqlite_sequence WHERE name IN ('feeds', 'feeds_new');
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'feeds', COALESCE((SELECT MAX(id) FROM feeds), 0);
