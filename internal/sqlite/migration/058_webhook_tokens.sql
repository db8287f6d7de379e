-- Mailgun signs a webhook's timestamp and token, not its event: whoever
-- saw one signed request could send its signature again, within the five
-- minutes its timestamp is fresh, with any event. Mailgun asks receivers
-- to refuse a token seen before; webhooks.Tokens keeps them here, with
-- the body first seen with each, until their timestamp goes stale.
CREATE TABLE webhook_tokens (
	token      BLOB PRIMARY KEY, -- SHA-256 of the provider and its token
	body       BLOB NOT NULL,    -- SHA-256 of the request body first taken with it
	expires_at INTEGER NOT NULL  -- Unix seconds; past it the timestamp is refused anyway
) WITHOUT ROWID;

CREATE INDEX webhook_tokens_expires ON webhook_tokens (expires_at);
