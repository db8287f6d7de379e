-- A campaign's lists keep the order the editor or the API gave them:
-- a reader on several of them gets the mail of the first they are on
-- (its From, Reply-To, footer and List-Id), and the API and the admin
-- pages name them in that order. Until now they were read in the order
-- of the lists' ids, whatever order they were given in; the campaigns
-- stored so far keep that order, so that nothing scheduled, paused or
-- sending changes which list's mail a reader gets (the fan-out numbers
-- its batches by a list's place among the campaign's lists).
ALTER TABLE campaign_lists ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE campaign_lists SET position = (SELECT COUNT(*) FROM campaign_lists o
	WHERE o.campaign_id = campaign_lists.campaign_id AND o.list_id < campaign_lists.list_id);
