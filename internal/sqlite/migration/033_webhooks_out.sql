-- Outgoing webhooks (SPEC §7). An endpoint is a URL that wants some event
-- types, signed with its own secret ("whsec_" + base64). failing_since is
-- when its current run of failures began (NULL while it answers 2xx); an
-- endpoint failing for 3 days is switched off: active = 0, disabled_at and
-- disabled_reason set, and the admin shows a notice until it is enabled
-- again.
CREATE TABLE webhook_endpoints (
	id              INTEGER PRIMARY KEY,
	url             TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	events          TEXT NOT NULL DEFAULT '[]',
	secret          TEXT NOT NULL,
	active          INTEGER NOT NULL DEFAULT 1,
	created_at      DATETIME NOT NULL,
	updated_at      DATETIME NOT NULL,
	failing_since   DATETIME,
	disabled_at     DATETIME,
	disabled_reason TEXT NOT NULL DEFAULT ''
);

-- The outbox: one row per event, written in the same transaction as the
-- change it reports, so a crash loses none and a rollback invents none.
-- msg_id is the webhook-id header, the same on every retry; body is the
-- exact JSON posted and signed.
CREATE TABLE webhook_events (
	id         INTEGER PRIMARY KEY,
	msg_id     TEXT NOT NULL UNIQUE,
	type       TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at DATETIME NOT NULL
);
CREATE INDEX webhook_events_created ON webhook_events (created_at);
-- subscriber.erased events carry the address of someone who asked to be
-- forgotten: they go as soon as no attempt of theirs is pending.
CREATE INDEX webhook_events_erased ON webhook_events (id) WHERE type = 'subscriber.erased';

-- One row per event and endpoint that wants it: its delivery state and
-- the last attempt (the endpoint's delivery log). A pending row is due at
-- next_at; the dispatcher claims a batch by moving next_at past a lease
-- and setting claim, so a batch task lost with Redis comes due again and
-- is sent anew, and a late answer to a superseded claim is ignored.
CREATE TABLE webhook_attempts (
	endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
	event_id     INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
	state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      DATETIME NOT NULL,
	claim        INTEGER NOT NULL DEFAULT 0,
	status_code  INTEGER NOT NULL DEFAULT 0,
	latency_ms   INTEGER NOT NULL DEFAULT 0,
	error        TEXT NOT NULL DEFAULT '',
	last_at      DATETIME,
	delivered_at DATETIME,
	PRIMARY KEY (endpoint_id, event_id)
) WITHOUT ROWID;
CREATE INDEX webhook_attempts_due ON webhook_attempts (next_at, endpoint_id) WHERE state = 'pending';
CREATE INDEX webhook_attempts_event ON webhook_attempts (event_id);
