-- When a poll last saw each feed item, and whether the feed dates it.
-- feed_items kept a row for every item a feed ever listed, for as long as
-- the feed existed: a feed polled for years held every item of those
-- years, though it lists only its latest. A row a feed has not listed for
-- 30 days (articles.FeedItemMemory) is forgotten now, as deleted items are
-- (migration 070), unless its feed has not read all its items since it
-- saw it (feeds.fetched_at): a feed answering 304, failing or paused may
-- still carry it.
--
-- seen_at is when the latest poll that saw the item began, as 070's
-- seen_at (text, UTC, to the microsecond). Every row has one: the column
-- is added, not rebuilt NOT NULL, as the articles trigger of 070 reads
-- the table.
--
-- undated is 1 for an item the feed gives no date. Such a row is never
-- forgotten, nor its deleted item (deleted_feed_items of its feed): an
-- item that comes back after its row is gone is told from news only by
-- its date (one dated 30 days back is not stored), and an undated one is
-- dated when saved, so it would be mailed again.
ALTER TABLE feed_items ADD COLUMN seen_at DATETIME;
ALTER TABLE feed_items ADD COLUMN undated INTEGER NOT NULL DEFAULT 0 CHECK (undated IN (0, 1));

-- The rows kept before: their clock starts now, as 070's did, so each is
-- kept until its feed's next read that has not seen it, and 30 days more;
-- '999' puts the time at the end of SQLite's millisecond, after a poll
-- that began in it. Whether their items are dated is not known: the next
-- poll that sees each says; a row no poll sees again goes with the dated.
UPDATE feed_items SET seen_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00';

-- Forgetting reads a feed's oldest dated rows first, and only those.
CREATE INDEX feed_items_seen ON feed_items (feed_id, seen_at) WHERE undated = 0;
