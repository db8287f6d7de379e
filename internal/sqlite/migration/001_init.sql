-- Bulletin's first schema. Times are stored as DATETIME text written by the
-- driver from UTC time.Time values, so they sort as text.

CREATE TABLE lists (
	id          INTEGER PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	public      INTEGER NOT NULL DEFAULT 1,
	digest      TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('daily', 'weekly', 'off')),
	digest_hour INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
	created_at  DATETIME NOT NULL
);

-- email keeps the case the reader typed; email_key is the lower-cased form
-- that makes addresses unique regardless of case.
CREATE TABLE subscribers (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL,
	email_key       TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'pending'
	                CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bounced')),
	attributes      TEXT NOT NULL DEFAULT '{}',
	frequency       TEXT NOT NULL DEFAULT 'daily' CHECK (frequency IN ('daily', 'weekly')),
	bounce_count    INTEGER NOT NULL DEFAULT 0,
	confirm_sent_at DATETIME,
	confirm_queued  INTEGER NOT NULL DEFAULT 0,
	created_at      DATETIME NOT NULL,
	updated_at      DATETIME NOT NULL,
	confirmed_at    DATETIME,
	unsubscribed_at DATETIME
);
CREATE INDEX subscribers_status ON subscribers (status, id);
CREATE INDEX subscribers_confirm_queued ON subscribers (confirm_queued) WHERE confirm_queued = 1;

CREATE TABLE subscriptions (
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	list_id       INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	status        TEXT NOT NULL DEFAULT 'pending'
	              CHECK (status IN ('pending', 'active', 'unsubscribed')),
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL,
	PRIMARY KEY (subscriber_id, list_id)
);
CREATE INDEX subscriptions_list ON subscriptions (list_id, status, subscriber_id);

-- An erased person leaves only a keyed hash of the address, so an import
-- cannot bring them back silently.
CREATE TABLE erasures (
	email_hash TEXT PRIMARY KEY,
	erased_at  DATETIME NOT NULL
);

CREATE TABLE articles (
	id           INTEGER PRIMARY KEY,
	url          TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	author       TEXT NOT NULL DEFAULT '',
	published_at DATETIME NOT NULL,
	created_at   DATETIME NOT NULL
);
CREATE INDEX articles_published ON articles (published_at);

CREATE TABLE article_lists (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	list_id    INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	PRIMARY KEY (article_id, list_id)
);
CREATE INDEX article_lists_list ON article_lists (list_id, article_id);

CREATE TABLE feeds (
	id             INTEGER PRIMARY KEY,
	url            TEXT NOT NULL,
	list_id        INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	etag           TEXT NOT NULL DEFAULT '',
	last_modified  TEXT NOT NULL DEFAULT '',
	last_polled_at DATETIME,
	last_error     TEXT NOT NULL DEFAULT '',
	created_at     DATETIME NOT NULL,
	UNIQUE (url, list_id)
);

CREATE TABLE campaigns (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL DEFAULT 'campaign' CHECK (kind IN ('campaign', 'digest')),
	subject      TEXT NOT NULL,
	body         TEXT NOT NULL DEFAULT '',
	body_html    TEXT NOT NULL DEFAULT '',
	body_text    TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT 'draft'
	             CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
	send_at      DATETIME,
	window_start DATETIME,
	window_end   DATETIME,
	fanout_after INTEGER NOT NULL DEFAULT 0,
	fanout_done  INTEGER NOT NULL DEFAULT 0,
	total        INTEGER NOT NULL DEFAULT 0,
	created_at   DATETIME NOT NULL,
	updated_at   DATETIME NOT NULL,
	started_at   DATETIME,
	finished_at  DATETIME
);
CREATE INDEX campaigns_status ON campaigns (status);

CREATE TABLE campaign_lists (
	campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	list_id     INTEGER NOT NULL REFERENCES lists (id),
	PRIMARY KEY (campaign_id, list_id)
);

CREATE TABLE deliveries (
	id            INTEGER PRIMARY KEY,
	campaign_id   INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	status        TEXT NOT NULL DEFAULT 'queued'
	              CHECK (status IN ('queued', 'sent', 'failed', 'bounced', 'skipped')),
	attempts      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	sent_at       DATETIME,
	updated_at    DATETIME NOT NULL,
	UNIQUE (campaign_id, subscriber_id)
);
CREATE INDEX deliveries_campaign_status ON deliveries (campaign_id, status, id);

CREATE TABLE digest_marks (
	list_id        INTEGER PRIMARY KEY REFERENCES lists (id) ON DELETE CASCADE,
	last_digest_at DATETIME NOT NULL
);

CREATE TABLE admins (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	password_hash TEXT NOT NULL,
	created_at    DATETIME NOT NULL
);

-- Sessions and API tokens are stored as SHA-256 hashes of the secret the
-- client holds.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	admin_id   INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL
);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   DATETIME NOT NULL,
	last_used_at DATETIME
);

CREATE TABLE login_failures (
	addr         TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL DEFAULT 0,
	locked_until DATETIME
);
