-- The id the relay gave a sent message in its 250 reply (Postfix's queue
-- id, the Amazon SES message id, SendGrid's "queued as" id), which the
-- provider's events name the message by: a webhook event carrying it is
-- tied to its delivery even when its address is no longer the reader's.
-- Most relays name none, so the index holds only the rows that have one.
-- A fold (041) deletes the rows and their ids with them: events for a
-- folded delivery fall back to the address.
ALTER TABLE deliveries ADD COLUMN relay_id TEXT;
CREATE INDEX deliveries_relay ON deliveries (relay_id) WHERE relay_id IS NOT NULL;
