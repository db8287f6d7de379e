package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A database from before 080 keeps every webhook endpoint and each one's
// delivery log when webhook_endpoints is rebuilt with AUTOINCREMENT, and
// an endpoint deleted after it never gives its id to the next one made:
// an integration's PATCH or DELETE of the old id would change the new.
func TestWebhookEndpointsRebuiltWithAutoincrementKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	execOnOneConn(t, db, append(beforeAutoincrement("webhook_endpoints", "080_webhook_endpoints_autoincrement.sql",
		`CREATE TABLE webhook_endpoints (
			id INTEGER PRIMARY KEY, url TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
			events TEXT NOT NULL DEFAULT '[]', secret TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
			created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, failing_since DATETIME,
			disabled_at DATETIME, disabled_reason TEXT NOT NULL DEFAULT '')`,
	),
		`INSERT INTO webhook_endpoints (id, url, description, events, secret, active, created_at, updated_at,
			failing_since, disabled_at, disabled_reason) VALUES
			(1, 'https://crm.example/in', 'CRM', '["subscriber.created"]', 'whsec_a', 1, '2026-01-01', '2026-01-02', NULL, NULL, ''),
			(2, 'https://old.example/in', '', '["campaign.sent"]', 'whsec_b', 0, '2026-01-03', '2026-01-04',
			 '2026-01-01', '2026-01-04', 'failing for 3 days')`,
		`INSERT INTO webhook_events (id, msg_id, type, body, created_at) VALUES (1, 'msg_1', 'subscriber.created', '{}', '2026-01-02')`,
		`INSERT INTO webhook_attempts (endpoint_id, event_id, state, attempts, next_at, status_code) VALUES
			(1, 1, 'delivered', 1, '2026-01-02', 204), (2, 1, 'failed', 9, '2026-01-04', 500)`,
	))
	db = migrateKeepingRows(t, db, path, "webhook_endpoints", "webhook_endpoints", "webhook_attempts")
	defer db.Close()
	// The newest endpoint goes; the next one made has a new id.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	res, err := db.Write.ExecContext(ctx, `INSERT INTO webhook_endpoints (url, secret, created_at, updated_at)
		VALUES ('https://new.example/in', 'whsec_c', '2026-01-05', '2026-01-05')`)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id != 3 {
		t.Errorf("the endpoint made after deleting endpoint 2 has id %d, want 3", id)
	}
	if got := column(t, db.Read, `SELECT endpoint_id || ' ' || state FROM webhook_attempts ORDER BY endpoint_id`); !cmp.Equal(got, []string{"1 delivered"}) {
		t.Errorf("attempts after deleting endpoint 2 = %q, want endpoint 1's alone (the log goes with its endpoint)", got)
	}
}

// A database from before 081 keeps every feed and its items when feeds
// is rebuilt with AUTOINCREMENT, and a deleted feed's id is not given to
// the next feed added.
func TestFeedsRebuiltWithAutoincrementKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	execOnOneConn(t, db, append(beforeAutoincrement("feeds", "081_feeds_autoincrement.sql",
		`CREATE TABLE feeds (
			id INTEGER PRIMARY KEY, url TEXT NOT NULL, list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
			etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '', last_polled_at DATETIME,
			last_error TEXT NOT NULL DEFAULT '', created_at DATETIME NOT NULL, UNIQUE (url, list_id))`,
		`ALTER TABLE feeds ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))`,
		`ALTER TABLE feeds ADD COLUMN last_status TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE feeds ADD COLUMN items INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE feeds ADD COLUMN fetched_at DATETIME`,
		`ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE feeds ADD COLUMN next_poll_at DATETIME`,
	),
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-01-01')`,
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (1, 'https://example.com/1', 'One', '2026-01-01', '2026-01-01')`,
		`INSERT INTO feeds (id, url, list_id, etag, last_modified, last_polled_at, last_error, created_at, active,
			last_status, items, fetched_at, failures, next_poll_at) VALUES
			(1, 'https://news.example/rss', 1, '"e1"', 'Mon, 05 Jan 2026 09:00:00 GMT', '2026-01-05', '', '2026-01-01', 1,
			 '200 OK', 4, '2026-01-05', 0, NULL),
			(2, 'https://down.example/rss', 1, '', '', '2026-01-05', 'the server answered 503', '2026-01-02', 0,
			 'the server answered 503', 0, NULL, 3, '2026-01-06')`,
		`INSERT INTO feed_items (feed_id, item_id, article_id) VALUES (1, 'https://example.com/1', 1)`,
	))
	db = migrateKeepingRows(t, db, path, "feeds", "feeds", "feed_items")
	defer db.Close()
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO feeds (url, list_id, created_at) VALUES ('https://news.example/rss', 1, '2026-01-07')`); err == nil {
		t.Error("a second feed of the same URL and list was stored: UNIQUE (url, list_id) is lost")
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM feeds WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	res, err := db.Write.ExecContext(ctx, `INSERT INTO feeds (url, list_id, created_at) VALUES ('https://new.example/rss', 1, '2026-01-07')`)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id != 3 {
		t.Errorf("the feed added after deleting feed 2 has id %d, want 3", id)
	}
	// The trigger on articles that reads feeds is back: a deleted
	// article's feed item is remembered, so its feed does not bring it
	// again.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM articles WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT feed_url || ' ' || item_id FROM deleted_feed_items WHERE feed_url != ''`); !cmp.Equal(got, []string{"https://news.example/rss https://example.com/1"}) {
		t.Errorf("deleted feed items after deleting article 1 = %q, want its item of feed 1", got)
	}
	// A list's deletion still takes its feeds with it.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM lists WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT id FROM feeds`); len(got) != 0 {
		t.Errorf("feeds %q outlived their list", got)
	}
}

// migrateKeepingRows closes db, opens path again, which runs the
// migration put back, and checks that rebuilt has AUTOINCREMENT and that
// every row of tables is as it was.
func migrateKeepingRows(t *testing.T, db *sqlite.DB, path, rebuilt string, tables ...string) *sqlite.DB {
	t.Helper()
	before := map[string][]string{}
	for _, table := range tables {
		before[table] = rowsOf(t, db.Read, table)
	}
	db.Close()
	db = open(t, path)
	checkAutoincrement(t, db, rebuilt)
	for table, rows := range before {
		if diff := cmp.Diff(rows, rowsOf(t, db.Read, table)); diff != "" {
			t.Errorf("%s after the migration (-before +after):\n%s", table, diff)
		}
	}
	return db
}
