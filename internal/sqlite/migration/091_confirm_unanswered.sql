-- How many confirmation (or already-subscribed) mails signups have sent
-- the address since its reader last answered one: by confirming, or by
-- unsubscribing. Each one unanswered doubles the wait before a signup may
-- mail the address again (subscribers.confirmWait), so that no one can
-- have a stranger's address mailed every ten minutes for ever.
ALTER TABLE subscribers ADD COLUMN confirm_unanswered INTEGER NOT NULL DEFAULT 0;
