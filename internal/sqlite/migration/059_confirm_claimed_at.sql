-- When a confirmation task claimed a reader's row (confirm_queued = 2),
-- in Unix seconds. The reconciler takes a claim for a dead worker's only
-- when the claim itself is old: it aged claims by confirm_sent_at, when
-- the row was flagged, and a task that ran late (a retry, a busy queue)
-- had its live claim taken and its mail sent a second time.
ALTER TABLE subscribers ADD COLUMN confirm_claimed_at INTEGER;
