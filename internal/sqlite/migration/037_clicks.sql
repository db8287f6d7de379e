-- Clicks on tracked links and opens of tracked messages (SPEC §7).
--
-- delivery_id names the reader's delivery only when the campaign's
-- tracking is 'on'; in 'anonymous' mode it stays NULL. clicker (opener
-- for opens) is a pseudonym that counts unique readers in both modes: the
-- first 8 bytes, as a signed integer, of an HMAC-SHA256 of the campaign
-- and the delivery under a key derived from the installation's secret. It
-- differs per campaign, so it links nothing across campaigns, and the
-- database alone cannot turn it back into a reader. It is NULL for a click
-- on a link without a reader part (the web archive, a test send).
--
-- Erasing a reader deletes their deliveries, which sets delivery_id to
-- NULL here: the counts stay, the link to the person goes.
--
-- machine is 1 for what a program did rather than a person, with reason:
-- 'head' (a HEAD request), 'scanner' (a security scanner or link
-- previewer by its user agent), 'burst' (one delivery following many
-- links of the message within seconds); for opens 'apple-proxy',
-- 'google-proxy', 'yahoo-proxy' (a mail provider's image proxy fetching
-- the pixel), 'head' or 'scanner'.
CREATE TABLE clicks (
	id          INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	link_idx    INTEGER NOT NULL,
	delivery_id INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
	clicker     INTEGER,
	at          DATETIME NOT NULL,
	machine     INTEGER NOT NULL DEFAULT 0 CHECK (machine IN (0, 1)),
	reason      TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'head', 'scanner', 'burst'))
);
-- A campaign's clicks over time (the report's series).
CREATE INDEX clicks_campaign_at ON clicks (campaign_id, at);
-- Clicks and unique clickers per link.
CREATE INDEX clicks_campaign_link ON clicks (campaign_id, link_idx, clicker);
-- One reader's clicks in a campaign: unique clickers, and the burst flag
-- set afterwards on clicks already stored.
CREATE INDEX clicks_clicker ON clicks (campaign_id, clicker, at) WHERE clicker IS NOT NULL;
-- Erasing a reader finds their clicks without a scan.
CREATE INDEX clicks_delivery ON clicks (delivery_id) WHERE delivery_id IS NOT NULL;

CREATE TABLE opens (
	id          INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	delivery_id INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
	opener      INTEGER,
	at          DATETIME NOT NULL,
	machine     INTEGER NOT NULL DEFAULT 0 CHECK (machine IN (0, 1)),
	reason      TEXT NOT NULL DEFAULT ''
	            CHECK (reason IN ('', 'head', 'scanner', 'apple-proxy', 'google-proxy', 'yahoo-proxy'))
);
CREATE INDEX opens_campaign_at ON opens (campaign_id, at);
CREATE INDEX opens_opener ON opens (campaign_id, opener) WHERE opener IS NOT NULL;
CREATE INDEX opens_delivery ON opens (delivery_id) WHERE delivery_id IS NOT NULL;
