-- A feed's deleted items, oldest first. After a poll read all a feed's
-- items, a search for deleted items to forget walked every list's rows
-- past their month (deleted_feed_items_seen), the read feed's and every
-- other feed's kept ones alike: with 15,000 rows kept (a feed that dates
-- nothing keeps its deleted items for a year) each full read of any feed
-- used some 24 ms of CPU more. Only the read feed's rows can have become
-- forgettable by its read, so the search after it reads them alone (and
-- its list's of no feed, feed_url ''), from here
-- (articles.forgettableFeedDeleted); a day's search still walks them all,
-- for the rows of feeds deleted since and those that aged.
CREATE INDEX deleted_feed_items_feed ON deleted_feed_items (list_id, feed_url, seen_at);

-- A feed that keeps failing was polled every 15 minutes for ever. failures
-- counts its polls that failed in a row (0 once one works); next_poll_at
-- is when it is polled next while it fails, NULL for a feed that works
-- (polled every 15 minutes, as before): each failure in a row doubles the
-- wait, up to a day (articles.MaxPollBackoff). A feed failing now has
-- failed at least once; its next poll is due as it was.
ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN next_poll_at DATETIME;
UPDATE feeds SET failures = 1 WHERE last_error != '';

-- items counted only the articles a feed created; it counts those it put
-- on its list now, stored before or not (a feed added to a second list
-- showed no items, though it had put them all there). Which poll put an
-- article on a list was never recorded, and a feed forgets an item a
-- month after it stops listing it (071), so the count is made up from
-- what is known, and never lowered: the articles of the feed's list it has
-- seen in a poll since 071 (a second on from 071's record, as 071 dated
-- every row then: 067's copy of every article of the list, an editor's
-- included, which no poll may have seen), less those an older feed of the
-- list also has, which that feed most likely put there. An article an
-- editor put on the list before the feed listed it still counts.
UPDATE feeds SET items = MAX(items, (
	SELECT COUNT(DISTINCT fi.article_id) FROM feed_items fi
	JOIN article_lists al ON al.article_id = fi.article_id AND al.list_id = feeds.list_id
	WHERE fi.feed_id = feeds.id
	AND julianday(fi.seen_at) > julianday((SELECT applied_at FROM migrations WHERE name = 'migration/071_feed_items_seen.sql'), '+1 second')
	AND NOT EXISTS (SELECT 1 FROM feed_items o JOIN feeds g ON g.id = o.feed_id
		WHERE o.article_id = fi.article_id AND g.list_id = feeds.list_id AND g.id < feeds.id)));
