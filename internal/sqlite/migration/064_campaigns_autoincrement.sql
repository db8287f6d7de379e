-- bulletin: foreign keys off
-- A campaign's id is never given to another. A draft's test sends carry
-- its id in their VERP return path and their links, and an integration
-- may hold it; with a plain INTEGER PRIMARY KEY, deleting the newest
-- draft freed its id for the next campaign, which then took the bounces
-- and the links meant for the deleted one. AUTOINCREMENT keeps the
-- highest id ever used.
--
-- The table is rebuilt as 060 rebuilt subscribers: with foreign keys off
-- (dropping the old table would otherwise delete every campaign's lists,
-- deliveries, links, clicks and opens, and detach its events), the runner
-- checks them again before the commit. The columns are those 001, 027,
-- 029 and 041 left, in their order, with their defaults and checks.
CREATE TABLE campaigns_new (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	kind           TEXT NOT NULL DEFAULT 'campaign' CHECK (kind IN ('campaign', 'digest')),
	subject        TEXT NOT NULL,
	body           TEXT NOT NULL DEFAULT '',
	body_html      TEXT NOT NULL DEFAULT '',
	body_text      TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL DEFAULT 'draft'
	               CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
	send_at        DATETIME,
	window_start   DATETIME,
	window_end     DATETIME,
	fanout_after   INTEGER NOT NULL DEFAULT 0,
	fanout_done    INTEGER NOT NULL DEFAULT 0,
	total          INTEGER NOT NULL DEFAULT 0,
	created_at     DATETIME NOT NULL,
	updated_at     DATETIME NOT NULL,
	started_at     DATETIME,
	finished_at    DATETIME,
	preheader      TEXT NOT NULL DEFAULT '',
	tracking       TEXT NOT NULL DEFAULT 'off'
	               CHECK (tracking IN ('off', 'anonymous', 'on')),
	opens          INTEGER NOT NULL DEFAULT 0 CHECK (opens IN (0, 1)),
	folded_sent    INTEGER NOT NULL DEFAULT 0,
	folded_failed  INTEGER NOT NULL DEFAULT 0,
	folded_bounced INTEGER NOT NULL DEFAULT 0,
	folded_skipped INTEGER NOT NULL DEFAULT 0,
	folded_at      DATETIME
);
INSERT INTO campaigns_new (id, kind, subject, body, body_html, body_text, status, send_at,
		window_start, window_end, fanout_after, fanout_done, total, created_at, updated_at,
		started_at, finished_at, preheader, tracking, opens, folded_sent, folded_failed,
		folded_bounced, folded_skipped, folded_at)
	SELECT id, kind, subject, body, body_html, body_text, status, send_at,
		window_start, window_end, fanout_after, fanout_done, total, created_at, updated_at,
		started_at, finished_at, preheader, tracking, opens, folded_sent, folded_failed,
		folded_bounced, folded_skipped, folded_at
	FROM campaigns ORDER BY id;
DROP TABLE campaigns;
ALTER TABLE campaigns_new RENAME TO campaigns;
-- The indexes of 001 and 005; no trigger was ever made on campaigns.
CREATE INDEX campaigns_status ON campaigns (status);
CREATE INDEX campaigns_finished ON campaigns (status, id);
-- Ids deleted before this migration are not known. Only a draft or a
-- scheduled campaign is ever deleted, and what names a campaign in the
-- database goes with it (lists, deliveries, links, clicks and opens
-- cascade; events set it to NULL) or never named one that had not
-- started (webhook events: campaign.*, digest.sent, link.clicked). So
-- the counter starts at the highest id left, and an id deleted before
-- the upgrade above it may be given out once more; none after it is.
DELETE FROM sqlite_sequence WHERE name IN ('campaigns', 'campaigns_new');
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'campaigns', COALESCE((SELECT MAX(id) FROM campaigns), 0);
