-- bulletin: foreign keys off
-- An article's id is never given to another, as 060, 064, 080, 081 and 087
-- made it for subscribers, campaigns, webhook endpoints, feeds and lists.
-- A CMS holds the ids the API gave it (GET, PATCH and DELETE
-- /api/v1/articles/{id}): with a plain INTEGER PRIMARY KEY, deleting the
-- newest article freed its id for the next one made, and the CMS's stale
-- PATCH or DELETE then changed or deleted that other article.
--
-- Rebuilt with foreign keys off (dropping the old table would otherwise
-- delete every article's list links, removals and digest holds and
-- detach its feed items and campaign links), the runner checking them
-- again before the commit. The columns are those 001, 025, 049 and 065
-- left, in their order, with their types and defaults; its indexes are
-- its UNIQUE (url) and those of 001 and 025. The one trigger on it (068,
-- as 070 and 081 left it) goes with the old table and comes back
-- unchanged; no view and no trigger on another table names it, so the
-- rename finds nothing to refuse.
DROP TRIGGER articles_deleted_feed_items;
CREATE TABLE articles_new (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	url          TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	author       TEXT NOT NULL DEFAULT '',
	published_at DATETIME NOT NULL,
	created_at   DATETIME NOT NULL,
	image_url    TEXT NOT NULL DEFAULT '',
	image_alt    TEXT NOT NULL DEFAULT '',
	search_text  TEXT NOT NULL DEFAULT '',
	edited_at    TIMESTAMP,
	image_width  INTEGER NOT NULL DEFAULT 0,
	image_height INTEGER NOT NULL DEFAULT 0
);
INSERT INTO articles_new (id, url, title, summary, body, author, published_at, created_at,
		image_url, image_alt, search_text, edited_at, image_width, image_height)
	SELECT id, url, title, summary, body, author, published_at, created_at,
		image_url, image_alt, search_text, edited_at, image_width, image_height
	FROM articles ORDER BY id;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
CREATE INDEX articles_published ON articles (published_at);
CREATE INDEX articles_newest ON articles (published_at DESC, id DESC);
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
-- Ids deleted before this migration are not known: every table that
-- names an article drops its row or blanks the id with it (and the runner
-- refuses a row naming a missing article), and the digest marks count
-- article links since 061, not articles. The counter starts at the
-- highest id left.
DELETE FROM sqlite_sequence WHERE name IN ('articles', 'articles_new');
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'articles', COALESCE((SELECT MAX(id) FROM articles), 0);
