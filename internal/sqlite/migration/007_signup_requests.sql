-- Signup requests. A signup for an address already stored changes nothing
-- about that reader: what it asks for (lists to join, a name for a reader
-- who has none, attributes to add) waits here until the link mailed to the
-- address is followed. One request per reader; a later signup, mailed
-- anew, replaces it. lists is a JSON array of list ids.
CREATE TABLE signup_requests (
	subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,
	name          TEXT NOT NULL DEFAULT '',
	lists         TEXT NOT NULL DEFAULT '[]',
	attributes    TEXT NOT NULL DEFAULT '{}',
	requested_at  DATETIME NOT NULL
);

-- An address's key is now the address with ASCII letters lower-cased,
-- which is what SQLite's lower() does. Keys made before by full Unicode
-- case folding are brought in line, so an address with U+212A KELVIN SIGN
-- stored earlier no longer holds the key of the plain k address. The
-- update cannot collide: two addresses equal under ASCII folding were
-- equal under the folding before.
UPDATE subscribers SET email_key = lower(email) WHERE email_key != lower(email);
