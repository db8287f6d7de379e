-- Digest windows. digest_marks holds the mark of a list's own digest (daily
-- or weekly, as the list says); digest_rollup_marks that of the weekly
-- round-up a daily list sends the readers who chose a weekly digest.
-- last_article_id is the highest article id a window took in: ids grow with
-- every insert under SQLite's one writer, so an article saved while a digest
-- is built goes into the next digest, never into both and never into neither.
ALTER TABLE digest_marks ADD COLUMN last_article_id INTEGER NOT NULL DEFAULT 0;

CREATE TABLE digest_rollup_marks (
	list_id         INTEGER PRIMARY KEY REFERENCES lists (id) ON DELETE CASCADE,
	last_digest_at  DATETIME NOT NULL,
	last_article_id INTEGER NOT NULL DEFAULT 0
);

-- The archive pages through sent issues newest first.
CREATE INDEX campaigns_finished ON campaigns (status, id);
