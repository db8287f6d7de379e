-- A feed's undated items are forgotten too, a year after its reads stopped
-- seeing them (articles.UndatedItemMemory). 071 kept their rows for ever,
-- as only a date tells an item coming back from news (an undated one is
-- dated when saved, and mailed), so a feed that gives no dates kept a row
-- for every item it ever listed. After a year away such an item is news
-- again; its deleted item (deleted_feed_items) goes with its row.
--
-- Forgetting reads a feed's oldest undated rows first, and only those, as
-- it reads the dated ones from feed_items_seen (071). No row changes.
CREATE INDEX feed_items_undated_seen ON feed_items (feed_id, seen_at) WHERE undated = 1;
