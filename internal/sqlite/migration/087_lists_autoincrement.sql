-- bulletin: foreign keys off
-- A list's id is never given to another, as 060, 064, 080 and 081 made it
-- for subscribers, campaigns, webhook endpoints and feeds. The unsubscribe
-- link of a list's mail names its list by id (a token that cannot be
-- altered): with a plain INTEGER PRIMARY KEY, deleting the newest list
-- freed its id for the next one made, and the link in mail sent before
-- would then leave that other list, which the reader may never have been
-- sent a word of. The API's clients hold list ids as well.
--
-- Rebuilt with foreign keys off (dropping the old table would otherwise
-- delete every subscription, campaign list, article link, feed and
-- welcome), the runner checking them again before the commit. The
-- columns are those 001 and the migrations after it left, in their order,
-- with their defaults and checks; the table has no index but its UNIQUE
-- (slug), and no trigger or view names it.
CREATE TABLE lists_new (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	slug           TEXT NOT NULL UNIQUE,
	name           TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	public         INTEGER NOT NULL DEFAULT 1,
	digest         TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('daily', 'weekly', 'off')),
	digest_hour    INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
	created_at     DATETIME NOT NULL,
	digest_weekday TEXT NOT NULL DEFAULT 'monday'
		CHECK (digest_weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')),
	timezone       TEXT NOT NULL DEFAULT 'UTC',
	from_address   TEXT NOT NULL DEFAULT '',
	reply_to       TEXT NOT NULL DEFAULT '',
	welcome        TEXT NOT NULL DEFAULT '',
	tracking       TEXT NOT NULL DEFAULT 'anonymous' CHECK (tracking IN ('off', 'anonymous', 'on')),
	opens          INTEGER NOT NULL DEFAULT 0 CHECK (opens IN (0, 1))
);
INSERT INTO lists_new (id, slug, name, description, public, digest, digest_hour, created_at,
		digest_weekday, timezone, from_address, reply_to, welcome, tracking, opens)
	SELECT id, slug, name, description, public, digest, digest_hour, created_at,
		digest_weekday, timezone, from_address, reply_to, welcome, tracking, opens
	FROM lists ORDER BY id;
DROP TABLE lists;
ALTER TABLE lists_new RENAME TO lists;
-- Ids deleted before this migration are not known: the counter starts at
-- the highest id left.
DELETE FROM sqlite_sequence WHERE name IN ('lists', 'lists_new');
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'lists', COALESCE((SELECT MAX(id) FROM lists), 0);
