-- Click and open tracking (SPEC §7).
--
-- A list's tracking is 'off' (links go straight to their URLs),
-- 'anonymous' (links go through BASE/r/, and clicks are counted without
-- naming the reader) or 'on' (each click names its delivery). opens adds
-- a 1×1 pixel to each message's HTML part.
ALTER TABLE lists ADD COLUMN tracking TEXT NOT NULL DEFAULT 'anonymous'
	CHECK (tracking IN ('off', 'anonymous', 'on'));
ALTER TABLE lists ADD COLUMN opens INTEGER NOT NULL DEFAULT 0 CHECK (opens IN (0, 1));

-- A campaign's mode as it was resolved when it was last rendered for
-- sending: the strictest of its lists' (off < anonymous < on), opens only
-- when every list has them on. The redirect and the pixel read it. A
-- campaign never rendered for sending has no tracked link: 'off'.
ALTER TABLE campaigns ADD COLUMN tracking TEXT NOT NULL DEFAULT 'off'
	CHECK (tracking IN ('off', 'anonymous', 'on'));
ALTER TABLE campaigns ADD COLUMN opens INTEGER NOT NULL DEFAULT 0 CHECK (opens IN (0, 1));

-- The URL each tracked link of a campaign goes to, by the link's index:
-- the position of each distinct URL in the message, the HTML part first,
-- the text part sharing its indexes. article_id names the article a
-- digest's link goes to, for clicks per article.
CREATE TABLE campaign_links (
	campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	idx         INTEGER NOT NULL,
	url         TEXT NOT NULL,
	article_id  INTEGER REFERENCES articles (id) ON DELETE SET NULL,
	PRIMARY KEY (campaign_id, idx)
);
-- Clicks per article across digests.
CREATE INDEX campaign_links_article ON campaign_links (article_id) WHERE article_id IS NOT NULL;
