-- bulletin: foreign keys off
-- A webhook endpoint's id is never given to another. An integration that
-- manages its endpoints through the API holds their ids; with a plain
-- INTEGER PRIMARY KEY, deleting the newest endpoint freed its id for the
-- next one made, and a PATCH or DELETE meant for the deleted endpoint
-- changed the new one. AUTOINCREMENT keeps the highest id ever used, as
-- 060 and 064 made it for subscribers and campaigns.
--
-- Rebuilt as those were, with foreign keys off (dropping the old table
-- would otherwise delete every endpoint's delivery log), the runner
-- checking them again before the commit. The columns are 033's, in its
-- order; nothing has changed them since.
CREATE TABLE webhook_endpoints_new (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO webhook_endpoints_new (id, url, description, events, secret, active, created_at,
		updated_at, failing_since, disabled_at, disabled_reason)
	SELECT id, url, description, events, secret, active, created_at,
		updated_at, failing_since, disabled_at, disabled_reason
	FROM webhook_endpoints ORDER BY id;
DROP TABLE webhook_endpoints;
ALTER TABLE webhook_endpoints_new RENAME TO webhook_endpoints;
-- 033 made no index or trigger on the table. Ids deleted before this
-- migration are not known: the counter starts at the highest id left.
DELETE FROM sqlite_sequence WHERE name IN ('webhook_endpoints', 'webhook_endpoints_new');
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'webhook_endpoints', COALESCE((SELECT MAX(id) FROM webhook_endpoints), 0);
