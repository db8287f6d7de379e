package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// articlesDeletedFeedItems is the trigger on articles as 081 left it.
const articlesDeletedFeedItems = `CREATE TRIGGER articles_deleted_feed_items BEFORE DELETE ON articles BEGIN
	INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT f.list_id, fi.item_id, f.url,
			CASE WHEN OLD.edited_at IS NULL THEN OLD.url ELSE '' END,
			CASE WHEN OLD.edited_at IS NULL THEN OLD.title ELSE '' END,
			strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00'
		FROM feed_items fi JOIN feeds f ON f.id = fi.feed_id
		WHERE fi.article_id = OLD.id
		ON CONFLICT (list_id, item_id, feed_url) DO UPDATE SET link = excluded.link, title = excluded.title, seen_at = excluded.seen_at;
	INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT al.list_id, OLD.url, '', OLD.url, OLD.title, strftime('%Y-%m-%d %H:%M:%f', 'now') || '999+00:00'
		FROM article_lists al
		WHERE al.article_id = OLD.id
		ON CONFLICT (list_id, item_id, feed_url) DO UPDATE SET link = excluded.link, title = excluded.title, seen_at = excluded.seen_at;
END`

// A database from before 090 keeps every article and every row that
// names one (list links and their numbers, removals, digest holds, feed
// items, campaign links) when articles is rebuilt with AUTOINCREMENT, with
// the same indexes and triggers, and an article deleted after it never
// gives its id to the next one made: a CMS's PATCH or DELETE of the old
// id would change the new.
func TestArticlesRebuiltWithAutoincrementKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	execOnOneConn(t, db, append(beforeAutoincrement("articles", "090_articles_autoincrement.sql",
		`CREATE TABLE articles (
			id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
			body TEXT NOT NULL DEFAULT '', author TEXT NOT NULL DEFAULT '', published_at DATETIME NOT NULL,
			created_at DATETIME NOT NULL)`,
		`CREATE INDEX articles_published ON articles (published_at)`,
		`ALTER TABLE articles ADD COLUMN image_url TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE articles ADD COLUMN image_alt TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE articles ADD COLUMN search_text TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX articles_newest ON articles (published_at DESC, id DESC)`,
		`ALTER TABLE articles ADD COLUMN edited_at TIMESTAMP`,
		`ALTER TABLE articles ADD COLUMN image_width INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE articles ADD COLUMN image_height INTEGER NOT NULL DEFAULT 0`,
		articlesDeletedFeedItems,
	),
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01'), (2, 'club', 'Club', '2026-01-01')`,
		`INSERT INTO articles (id, url, title, summary, body, author, published_at, created_at, image_url, image_alt,
			search_text, edited_at, image_width, image_height) VALUES
			(1, 'https://news.example/ferry', 'Ferry', 'Timetable', '<p>Boats</p>', 'Ann', '2026-01-02', '2026-01-02',
			 'https://img.news.example/ferry.jpg', 'A ferry', 'ferry', NULL, 800, 600),
			(2, 'https://news.example/bridge', 'Bridge', '', '', '', '2026-01-03', '2026-01-03', '', '', 'bridge', '2026-01-04', 0, 0),
			(5, 'https://news.example/storm', 'Storm', '', '', 'Bo', '2026-01-05', '2026-01-05', '', '', 'storm', NULL, 0, 0)`,
		`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1), (2, 1), (5, 1), (5, 2)`,
		`INSERT INTO article_list_removals (article_id, list_id) VALUES (2, 2)`,
		`INSERT INTO digest_holds (list_id, marks, article_id) VALUES (1, 'digest_marks', 5)`,
		`INSERT INTO feeds (id, url, list_id, created_at) VALUES (1, 'https://news.example/rss', 1, '2026-01-01')`,
		`INSERT INTO feed_items (feed_id, item_id, article_id) VALUES (1, 'tag:ferry', 1), (1, 'tag:gone', NULL)`,
		`INSERT INTO campaigns (id, subject, status, created_at, updated_at) VALUES (1, 'Week', 'sent', '2026-01-06', '2026-01-06')`,
		`INSERT INTO campaign_links (campaign_id, idx, url, article_id) VALUES
			(1, 0, 'https://news.example/ferry', 1), (1, 1, 'https://news.example/storm', 5), (1, 2, 'https://elsewhere.example/', NULL)`,
	))
	schema := schemaBesides(t, db.Read, "articles")
	var counter int64
	if err := db.Read.QueryRow(`SELECT value FROM article_link_counter`).Scan(&counter); err != nil {
		t.Fatal(err)
	}
	db = migrateKeepingRows(t, db, path, "articles",
		"articles", "article_lists", "article_list_removals", "digest_holds", "feed_items", "campaign_links", "article_link_counter")
	defer db.Close()
	if diff := cmp.Diff(schema, schemaBesides(t, db.Read, "articles")); diff != "" {
		t.Errorf("indexes, triggers and other tables after the migration (-before +after):\n%s", diff)
	}
	if got := column(t, db.Read, `SELECT cid || ' ' || name || ' ' || type || ' ' || "notnull" || ' ' || IFNULL(dflt_value, '-') || ' ' || pk
			FROM pragma_table_info('articles') ORDER BY cid`); !cmp.Equal(got, []string{
		"0 id INTEGER 0 - 1", "1 url TEXT 1 - 0", "2 title TEXT 1 - 0", "3 summary TEXT 1 '' 0", "4 body TEXT 1 '' 0",
		"5 author TEXT 1 '' 0", "6 published_at DATETIME 1 - 0", "7 created_at DATETIME 1 - 0", "8 image_url TEXT 1 '' 0",
		"9 image_alt TEXT 1 '' 0", "10 search_text TEXT 1 '' 0", "11 edited_at TIMESTAMP 0 - 0",
		"12 image_width INTEGER 1 0 0", "13 image_height INTEGER 1 0 0",
	}) {
		t.Errorf("articles' columns after the migration: %q", got)
	}
	if got := column(t, db.Read, `PRAGMA integrity_check`); !cmp.Equal(got, []string{"ok"}) {
		t.Errorf("integrity check after the migration: %q", got)
	}
	if got := column(t, db.Read, `SELECT "table" || ' ' || IFNULL(rowid, '-') || ' ' || parent FROM pragma_foreign_key_check`); len(got) != 0 {
		t.Errorf("rows naming a missing row after the migration: %q", got)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO articles (url, title, published_at, created_at)
		VALUES ('https://news.example/ferry', 'Again', '2026-01-07', '2026-01-07')`); err == nil {
		t.Error("a second article of the same URL was stored: UNIQUE (url) is lost")
	}

	// The newest article goes; the next one made has a new id, and a new
	// link of it still gets the next number.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM articles WHERE id = 5`); err != nil {
		t.Fatal(err)
	}
	id := insertArticle(t, db.Write, "https://news.example/harbour")
	if id != 6 {
		t.Errorf("the article made after deleting article 5 has id %d, want 6", id)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO article_lists (article_id, list_id) VALUES (?, 1)`, id); err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := db.Read.QueryRow(`SELECT seq FROM article_lists WHERE article_id = ?`, id).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if seq != counter+1 {
		t.Errorf("the new link's number = %d, want %d, the counter's next (trigger article_lists_seq)", seq, counter+1)
	}

	// What named article 5 went with it or lost its id, and its lists
	// remember its URL (trigger articles_deleted_feed_items).
	if got := column(t, db.Read, `SELECT (SELECT COUNT(*) FROM article_lists WHERE article_id = 5) || ' ' ||
			(SELECT COUNT(*) FROM digest_holds) || ' ' ||
			(SELECT COUNT(*) FROM campaign_links WHERE idx = 1 AND article_id IS NULL)`); !cmp.Equal(got, []string{"0 0 1"}) {
		t.Errorf("article 5's links, holds, campaign links left with its id: %q, want 0 0 1", got)
	}
	if got := column(t, db.Read, `SELECT list_id || ' ' || item_id FROM deleted_feed_items WHERE feed_url = '' ORDER BY list_id`); !cmp.Equal(got, []string{
		"1 https://news.example/storm", "2 https://news.example/storm",
	}) {
		t.Errorf("deleted URLs after deleting article 5 = %q, want its URL on lists 1 and 2", got)
	}
	// Article 1 came from a feed: its feed item is remembered, and its
	// removal, link and feed item go or lose its id.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM articles WHERE id IN (1, 2)`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT feed_url || ' ' || item_id || ' ' || link FROM deleted_feed_items WHERE feed_url != ''`); !cmp.Equal(got, []string{
		"https://news.example/rss tag:ferry https://news.example/ferry",
	}) {
		t.Errorf("deleted feed items after deleting article 1 = %q, want its item of feed 1", got)
	}
	if got := column(t, db.Read, `SELECT (SELECT COUNT(*) FROM article_list_removals) || ' ' ||
			(SELECT COUNT(*) FROM feed_items WHERE article_id IS NOT NULL) || ' ' ||
			(SELECT COUNT(*) FROM campaign_links WHERE article_id IS NOT NULL)`); !cmp.Equal(got, []string{"0 0 0"}) {
		t.Errorf("removals, feed items and campaign links still naming a deleted article: %q, want 0 0 0", got)
	}
	if got := insertArticle(t, db.Write, "https://news.example/tide"); got != 7 {
		t.Errorf("the article made after deleting articles 1 and 2 has id %d, want 7", got)
	}
}

// A database made new counts article ids from sqlite_sequence too: the
// first article deleted does not give its id to the second.
func TestNewDatabaseNeverReusesArticleIDs(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	defer db.Close()
	checkAutoincrement(t, db, "articles")
	first := insertArticle(t, db.Write, "https://news.example/one")
	if _, err := db.Write.Exec(`DELETE FROM articles WHERE id = ?`, first); err != nil {
		t.Fatal(err)
	}
	if second := insertArticle(t, db.Write, "https://news.example/two"); second == first {
		t.Errorf("the article made after deleting article %d has its id again", first)
	}
}

func insertArticle(t *testing.T, db *sql.DB, url string) int64 {
	t.Helper()
	res, err := db.Exec(`INSERT INTO articles (url, title, published_at, created_at) VALUES (?, 'T', '2026-02-01', '2026-02-01')`, url)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// schemaBesides is every table, index and trigger of db but table itself,
// as SQLite holds them, so that a rebuild of table can be seen to leave
// them as they were.
func schemaBesides(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	out, err := sqlite.Column[string](db.Query(`SELECT type || ' ' || name || ' ' || tbl_name || ' ' || IFNULL(sql, '')
		FROM sqlite_schema WHERE name != ? ORDER BY type, name`, table))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
