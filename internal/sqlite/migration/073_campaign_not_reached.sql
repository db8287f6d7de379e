-- A paused or cancelled campaign is measured against its deliveries and
-- the readers its fan-out had not reached when it stopped. Counting those
-- at each look took 0.6 s at 1,000,000 readers, for each such campaign
-- the admin's campaigns list shows; the pause or cancel now counts them
-- once, into not_reached (NULL until counted; only a paused or cancelled
-- campaign's is read). A cancelled campaign's never change after: they
-- are the readers by its cancel (finished_at).
ALTER TABLE campaigns ADD COLUMN not_reached INTEGER;

-- The campaigns stopped already get the count their page made until now
-- (campaigns.unfannedSQL, its suppression condition that of
-- events.SuppressedSQL): the lists' readers past the fan-out's cursor who
-- were readers by the cancel (by now, for a paused one); none for a
-- digest or a fan-out done. A cancelled campaign whose deliveries were
-- folded away already was marked done by the fold, and its page counted
-- none for it since: it keeps that.
UPDATE campaigns SET not_reached = CASE WHEN kind = 'campaign' AND NOT fanout_done THEN (
	SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM campaign_lists cl
		CROSS JOIN subscriptions x ON x.list_id = cl.list_id AND x.status = 'active' AND x.subscriber_id > campaigns.fanout_after
		WHERE cl.campaign_id = campaigns.id AND (campaigns.status = 'paused' OR campaigns.finished_at IS NULL OR +x.created_at <= campaigns.finished_at))
	AND s.status = 'confirmed' AND (campaigns.status = 'paused' OR campaigns.finished_at IS NULL OR +s.created_at <= campaigns.finished_at)
	AND NOT (s.email_key IN (SELECT target FROM suppressions)
		OR substr(s.email_key, instr(s.email_key, '@') + 1) IN (SELECT target FROM suppressions))) ELSE 0 END
WHERE status IN ('paused', 'cancelled');
