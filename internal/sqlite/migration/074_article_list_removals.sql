-- The lists an editor took an article off (the admin's article form, or
-- PATCH /api/v1/articles/{id} with lists). Nothing remembered it: the
-- article's feed put it back on its list at its next full read, as a new
-- link, which the list's next digest took as news and mailed; so did
-- another feed of the list, and the seeds. A feed (or the seeds) adds an
-- article to no list it has a row here for; an editor or the API putting
-- it back on the list removes the row. Kept by list, not by feed: the
-- editor took the article off the list, whichever feed gives it; a feed of
-- another list still adds it to that one.
CREATE TABLE article_list_removals (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	list_id    INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	PRIMARY KEY (article_id, list_id)
) WITHOUT ROWID;

-- Taken off before this migration, and not yet put back by a poll (a feed
-- answering 304, paused or failing): an article a feed of a list brought
-- (feed_items) that is not on that list. Only an editor's change takes an
-- article off a list; a deleted article, list or feed takes its
-- feed_items rows with it.
INSERT OR IGNORE INTO article_list_removals (article_id, list_id)
	SELECT fi.article_id, f.list_id FROM feed_items fi
	JOIN feeds f ON f.id = fi.feed_id
	JOIN articles a ON a.id = fi.article_id
	WHERE a.edited_at IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM article_lists al WHERE al.article_id = fi.article_id AND al.list_id = f.list_id);
