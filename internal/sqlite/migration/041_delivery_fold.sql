-- Delivery retention (BULLETIN_DELIVERY_RETENTION). Once a finished
-- campaign's per-reader rows are older than the retention, the folder
-- (campaigns.Store.Fold) adds them to these totals and deletes them, in
-- the same transaction, batch by batch: a campaign's stats are its
-- deliveries by status plus its folded_* totals, whatever point a fold
-- stopped at. folded_at is set once no row but queued ones is left.
ALTER TABLE campaigns ADD COLUMN folded_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN folded_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN folded_bounced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN folded_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN folded_at DATETIME;

-- The newest sent_at of a reader's folded deliveries: their last-mailed
-- time is the later of this and their remaining deliveries' sent_at.
ALTER TABLE subscribers ADD COLUMN last_mailed_at DATETIME;
