-- Publication settings, edited at /admin/settings: one row (id 1), made on
-- the first save. An empty text column means "use the default": the
-- environment's (BULLETIN_BASE_URL for public_url, BULLETIN_FROM for the
-- From) or the built-in one. logo is the file name of the current logo in
-- DATA/media ("logo-<sha256 prefix>.png"), empty for none; files of older
-- logos stay, as mail already sent shows them.
CREATE TABLE settings (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	name           TEXT NOT NULL DEFAULT '',
	public_url     TEXT NOT NULL DEFAULT '',
	website_url    TEXT NOT NULL DEFAULT '',
	logo           TEXT NOT NULL DEFAULT '',
	accent         TEXT NOT NULL DEFAULT '',
	postal_address TEXT NOT NULL DEFAULT '',
	from_name      TEXT NOT NULL DEFAULT '',
	from_address   TEXT NOT NULL DEFAULT '',
	reply_to       TEXT NOT NULL DEFAULT '',
	credit         INTEGER NOT NULL DEFAULT 1,
	updated_at     DATETIME NOT NULL
);
