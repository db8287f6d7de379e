-- Invites: one-time links by which an admin brings in another. Only the
-- SHA-256 of the link's token is kept; used_at is set when the link makes
-- its admin, so a second click is told the link was used rather than that
-- it never existed. Rows stay after use or expiry for that message.
-- (api_tokens.last_used_at, the other half of this change, exists since 001.)
CREATE TABLE invites (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	email      TEXT NOT NULL COLLATE NOCASE,
	invited_by INTEGER REFERENCES admins (id) ON DELETE SET NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	used_at    DATETIME
);
