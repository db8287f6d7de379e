-- What each feed has brought, item by item. An item was known only by its
-- link: when a publisher changed an item's link (a fixed slug, a moved
-- site, tracking parameters), the next poll stored it as a new article and
-- the next digest mailed it again; and an article an admin deleted came
-- back at the next poll, since nothing remembered it, and was mailed.
--
-- item_id is what the feed calls the item: its RSS guid, Atom id or JSON
-- Feed id, or its link (as articles store URLs) when it has none.
-- article_id is the article the item is; NULL once that article is
-- deleted, whichever code deletes it, and then the item is never stored
-- again. A table of its own, not columns of articles: one article may be
-- an item of several feeds (a site's main feed and a category feed, for
-- two lists), and a deleted item must be remembered after its article is
-- gone. A feed's memory goes with the feed (and with its list).
CREATE TABLE feed_items (
	feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	item_id    TEXT NOT NULL,
	article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
	PRIMARY KEY (feed_id, item_id)
) WITHOUT ROWID;
-- Deleting an article finds its rows here.
CREATE INDEX feed_items_article ON feed_items (article_id);

-- Which feed brought an article stored before was never recorded: each
-- feed takes every article of its list, by its URL, as the link was all
-- an item was known by. An item with a guid is then found by its link
-- once, and known by its guid from then on; so nothing stored already is
-- stored, or mailed, again, and one deleted from now on stays deleted.
INSERT INTO feed_items (feed_id, item_id, article_id)
	SELECT f.id, a.url, a.id FROM feeds f
	JOIN article_lists al ON al.list_id = f.list_id
	JOIN articles a ON a.id = al.article_id;
