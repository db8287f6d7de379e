-- Delivery batches and claims. A delivery belongs to the fan-out page that
-- created it (batch), so a lost mail:send task can be rebuilt under the same
-- task ID; claimed_until is set while the primary's own sender holds it, so
-- two runs of one task never send the same delivery.

ALTER TABLE deliveries ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN claimed_until DATETIME;
CREATE INDEX deliveries_queued_batch ON deliveries (campaign_id, batch) WHERE status = 'queued';
