-- Articles get an optional image, shown in digests: an https URL that
-- Bulletin never fetches, and its alt text.
ALTER TABLE articles ADD COLUMN image_url TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN image_alt TEXT NOT NULL DEFAULT '';

-- search_text is what the admin's article search looks in: the title,
-- summary, URL and author, lower-cased by Go (SQLite's lower() folds only
-- ASCII letters, which is all this first fill can do; every save refills it).
ALTER TABLE articles ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE articles SET search_text = lower(title || char(10) || summary || char(10) || url || char(10) || author);

-- The admin lists articles newest first.
CREATE INDEX articles_newest ON articles (published_at DESC, id DESC);

-- A digest window takes the articles after its mark; one among them
-- published in the future is held here, by list and mark table
-- (digest_marks or digest_rollup_marks), and comes in the first digest of
-- that window after its time.
CREATE TABLE digest_holds (
	list_id    INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
	marks      TEXT NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	PRIMARY KEY (list_id, marks, article_id)
);
