-- A digest takes the articles that joined its list since its last one. It
-- went by article id, above the highest id its mark had seen: an article
-- added to a second list after that list's digest (a category feed polled
-- later, an editor's PATCH) was below the mark and never reached the
-- second list, and an article that took a deleted article's freed id was
-- below every mark and reached no one.
--
-- Each link of an article to a list now gets a number from a counter that
-- only grows, as it is made, and marks keep the counter's value. Links
-- made before keep their article's id, which is what the marks were
-- compared with; the counter starts above every id and every mark.
ALTER TABLE article_lists ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE article_lists SET seq = article_id;
CREATE INDEX article_lists_seq ON article_lists (list_id, seq);

CREATE TABLE article_link_counter (
	only  INTEGER PRIMARY KEY CHECK (only = 1),
	value INTEGER NOT NULL
);
INSERT INTO article_link_counter (only, value) SELECT 1, MAX(
	COALESCE((SELECT MAX(id) FROM articles), 0),
	COALESCE((SELECT MAX(last_article_id) FROM digest_marks), 0),
	COALESCE((SELECT MAX(last_article_id) FROM digest_rollup_marks), 0));

-- Every insert gets its number here, whichever code makes the link; one
-- already there (ON CONFLICT DO NOTHING) fires nothing and keeps its own.
CREATE TRIGGER article_lists_seq AFTER INSERT ON article_lists BEGIN
	UPDATE article_link_counter SET value = value + 1 WHERE only = 1;
	UPDATE article_lists SET seq = (SELECT value FROM article_link_counter WHERE only = 1)
		WHERE article_id = NEW.article_id AND list_id = NEW.list_id;
END;
