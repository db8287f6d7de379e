-- The feed items whose articles were deleted, by list. feed_items
-- remembers a deleted item only while its feed exists: a feed deleted and
-- added again (as Bulletin tells admins to do when a feed moved for good)
-- brought back every article deleted from it, and the next digest mailed
-- the recent ones. Kept by list, not by feed, as a feed's URL is what
-- changes; the list is what the article was deleted from. A poll of any
-- feed of the list does not store an item it does not know if its id or
-- its link is here.
--
-- item_id is an item id of feed_items (a guid, or a link as articles
-- store URLs) or the URL of a deleted article, which covers an article of
-- the list no feed brought (an editor's) and a feed that knows its items
-- by their links.
CREATE TABLE deleted_feed_items (
	list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	item_id TEXT NOT NULL,
	PRIMARY KEY (list_id, item_id)
) WITHOUT ROWID;

-- Whichever code deletes an article. BEFORE, as the delete's foreign
-- keys then drop its article_lists rows and empty its feed_items rows.
CREATE TRIGGER articles_deleted_feed_items BEFORE DELETE ON articles BEGIN
	INSERT OR IGNORE INTO deleted_feed_items (list_id, item_id)
		SELECT f.list_id, fi.item_id FROM feed_items fi JOIN feeds f ON f.id = fi.feed_id
		WHERE fi.article_id = OLD.id;
	INSERT OR IGNORE INTO deleted_feed_items (list_id, item_id)
		SELECT al.list_id, OLD.url FROM article_lists al WHERE al.article_id = OLD.id;
END;

-- The items deleted since migration 067, which their feeds knew; their
-- articles' URLs are gone with them.
INSERT OR IGNORE INTO deleted_feed_items (list_id, item_id)
	SELECT f.list_id, fi.item_id FROM feed_items fi JOIN feeds f ON f.id = fi.feed_id
	WHERE fi.article_id IS NULL;
