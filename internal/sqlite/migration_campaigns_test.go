package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Deleting the newest draft does not free its id: its test sends named
// it, in their return path and links, and the next campaign must not take
// what comes back for them.
func TestCampaignIdsAreNotReused(t *testing.T) {
	db := sqlitetest.Open(t)
	create := func(subject string) int64 {
		t.Helper()
		return newCampaign(t, db.Write, subject)
	}
	for _, s := range []string{"One", "Two", "Three"} {
		create(s)
	}
	if _, err := db.Write.Exec(`DELETE FROM campaigns WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	if id := create("Four"); id != 4 {
		t.Errorf("the campaign after deleting the newest (3) has id %d, want 4", id)
	}
}

// A database from before 064 keeps every campaign, column by column, the
// rows that refer to them, the table's indexes and the rest of the schema
// when campaigns is rebuilt with AUTOINCREMENT; deleting a campaign still
// takes its rows along and detaches its events.
func TestCampaignsRebuiltWithAutoincrementKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	execOnOneConn(t, db, append(campaignsBefore064, campaignRows...))
	schema := schemaOf(t, db.Read)
	tables := []string{"campaigns", "campaign_lists", "deliveries", "campaign_links", "events", "clicks", "opens"}
	rows := map[string][]string{}
	for _, table := range tables {
		rows[table] = rowsOf(t, db.Read, table)
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	checkAutoincrement(t, db, "campaigns")
	// Every column, check, default, index and foreign key as it was:
	// the schema differs in AUTOINCREMENT and layout only.
	if diff := cmp.Diff(schema, schemaOf(t, db.Read)); diff != "" {
		t.Errorf("schema after the migration (-before +after):\n%s", diff)
	}
	for _, table := range tables {
		if diff := cmp.Diff(rows[table], rowsOf(t, db.Read, table)); diff != "" {
			t.Errorf("%s after the migration (-before +after):\n%s", table, diff)
		}
	}
	if got := column(t, db.Read, `SELECT d.id || ' ' || c.subject FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id ORDER BY d.id`); !cmp.Equal(got, []string{"1 Week", "2 Week", "3 Daily", "4 Later"}) {
		t.Errorf("deliveries and their campaigns after the migration: %q", got)
	}
	if got := column(t, db.Read, `SELECT name FROM sqlite_schema WHERE tbl_name = 'campaigns' AND type = 'index' ORDER BY name`); !cmp.Equal(got, []string{"campaigns_finished", "campaigns_status"}) {
		t.Errorf("indexes on campaigns after the migration: %q", got)
	}
	var fk int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys on the write connection after the migration: %d, %v", fk, err)
	}

	// Deleting the newest campaign takes its lists, deliveries, links,
	// clicks and opens along, keeps its events without it, and leaves
	// its id to no one.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM campaigns WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT (SELECT COUNT(*) FROM campaign_lists) || ' ' || (SELECT COUNT(*) FROM deliveries) || ' ' ||
			(SELECT COUNT(*) FROM campaign_links) || ' ' || (SELECT COUNT(*) FROM clicks) || ' ' || (SELECT COUNT(*) FROM opens) || ' ' ||
			(SELECT COUNT(*) FROM events WHERE campaign_id IS NULL)`); !cmp.Equal(got, []string{"2 3 1 1 1 1"}) {
		t.Errorf("campaign lists, deliveries, links, clicks, opens, detached events after deleting campaign 3: %q, want 2 3 1 1 1 1", got)
	}
	if id := newCampaign(t, db.Write, "Next"); id != 4 {
		t.Errorf("the campaign after deleting the newest (3) has id %d, want 4", id)
	}
	// A list named by a campaign still cannot go while it does.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM lists WHERE id = 1`); err == nil {
		t.Errorf("deleting a list campaign 1 names succeeded")
	}
}

// campaignsBefore064 puts campaigns back as 001, 005, 027, 029 and 041
// left it, with foreign keys off as the migration itself has them, and
// forgets 064.
var campaignsBefore064 = beforeAutoincrement("campaigns", "064_campaigns_autoincrement.sql",
	`CREATE TABLE campaigns (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL DEFAULT 'campaign' CHECK (kind IN ('campaign', 'digest')),
	subject      TEXT NOT NULL,
	body         TEXT NOT NULL DEFAULT '',
	body_html    TEXT NOT NULL DEFAULT '',
	body_text    TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT 'draft'
	             CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
	send_at      DATETIME,
	window_start DATETIME,
	window_end   DATETIME,
	fanout_after INTEGER NOT NULL DEFAULT 0,
	fanout_done  INTEGER NOT NULL DEFAULT 0,
	total        INTEGER NOT NULL DEFAULT 0,
	created_at   DATETIME NOT NULL,
	updated_at   DATETIME NOT NULL,
	started_at   DATETIME,
	finished_at  DATETIME
)`,
	`CREATE INDEX campaigns_status ON campaigns (status)`,
	`CREATE INDEX campaigns_finished ON campaigns (status, id)`,
	`ALTER TABLE campaigns ADD COLUMN preheader TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE campaigns ADD COLUMN tracking TEXT NOT NULL DEFAULT 'off'
	CHECK (tracking IN ('off', 'anonymous', 'on'))`,
	`ALTER TABLE campaigns ADD COLUMN opens INTEGER NOT NULL DEFAULT 0 CHECK (opens IN (0, 1))`,
	`ALTER TABLE campaigns ADD COLUMN folded_sent INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE campaigns ADD COLUMN folded_failed INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE campaigns ADD COLUMN folded_bounced INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE campaigns ADD COLUMN folded_skipped INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE campaigns ADD COLUMN folded_at DATETIME`,
)

// campaignRows are a sent campaign with every column set, a digest, and
// a scheduled campaign, the newest, with rows in every table that names
// a campaign.
var campaignRows = []string{
	`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-01-01'), (2, 'b', 'B', '2026-01-01')`,
	`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES
		(1, 'one@example.com', 'one@example.com', 'confirmed', '2026-01-01', '2026-01-01'),
		(2, 'two@example.com', 'two@example.com', 'confirmed', '2026-01-01', '2026-01-01')`,
	`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (1, 'https://example.com/1', 'One', '2026-01-01', '2026-01-01')`,
	`INSERT INTO campaigns (id, kind, subject, body, body_html, body_text, status, send_at, window_start, window_end,
		fanout_after, fanout_done, total, created_at, updated_at, started_at, finished_at, preheader, tracking, opens,
		folded_sent, folded_failed, folded_bounced, folded_skipped, folded_at) VALUES
		(1, 'campaign', 'Week', '# Hi', '<h1>Hi</h1>', 'Hi', 'sent', '2026-01-05 09:00:00+00:00', NULL, NULL,
		 2, 1, 2, '2026-01-04', '2026-01-05', '2026-01-05 09:00:01+00:00', '2026-01-05 09:01:00+00:00', 'This week', 'on', 1,
		 7, 1, 2, 3, '2026-03-01')`,
	`INSERT INTO campaigns (id, kind, subject, status, window_start, window_end, created_at, updated_at) VALUES
		(2, 'digest', 'Daily', 'sending', '2026-01-05', '2026-01-06', '2026-01-06', '2026-01-06')`,
	`INSERT INTO campaigns (id, subject, status, send_at, created_at, updated_at) VALUES
		(3, 'Later', 'scheduled', '2026-02-01', '2026-01-07', '2026-01-07')`,
	`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (1, 1), (2, 2), (3, 1)`,
	`INSERT INTO deliveries (id, campaign_id, subscriber_id, status, batch, sent_at, updated_at, relay_id) VALUES
		(1, 1, 1, 'sent', 0, '2026-01-05', '2026-01-05', 'q1'), (2, 1, 2, 'bounced', 0, NULL, '2026-01-05', NULL),
		(3, 2, 1, 'queued', 1, NULL, '2026-01-06', NULL), (4, 3, 2, 'queued', 0, NULL, '2026-01-07', NULL)`,
	`INSERT INTO campaign_links (campaign_id, idx, url, article_id) VALUES (1, 0, 'https://example.com/x', NULL), (3, 0, 'https://example.com/1', 1)`,
	`INSERT INTO clicks (campaign_id, link_idx, delivery_id, clicker, at) VALUES (1, 0, 1, 42, '2026-01-05'), (3, 0, NULL, NULL, '2026-01-07')`,
	`INSERT INTO opens (campaign_id, delivery_id, opener, at) VALUES (1, 1, 42, '2026-01-05'), (3, NULL, NULL, '2026-01-07')`,
	`INSERT INTO events (kind, source, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at) VALUES
		('bounce_hard', 'smtp', 1, 2, 'two@example.com', 'k1', '2026-01-05', '2026-01-05'),
		('bounce_soft', 'dsn', 3, 2, 'two@example.com', 'k2', '2026-01-07', '2026-01-07')`,
}

// newCampaign inserts a draft as the campaigns package does, leaving the
// id to SQLite.
func newCampaign(t *testing.T, db *sql.DB, subject string) int64 {
	t.Helper()
	now := sqlite.Now()
	res, err := db.Exec(`INSERT INTO campaigns (subject, body, created_at, updated_at) VALUES (?, '', ?, ?)`, subject, now, now)
	if err != nil {
		t.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// schemaOf returns every table, index and trigger as its statement, with
// the layout, the quotes a rename adds and AUTOINCREMENT left out.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out := column(t, db, `SELECT type || ' ' || name || ': ' || sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name`)
	for i, s := range out {
		s = strings.Join(strings.Fields(s), "")
		s = strings.ReplaceAll(s, `"`, "")
		out[i] = strings.ReplaceAll(s, "AUTOINCREMENT", "")
	}
	return out
}

// rowsOf returns every row of table as the quoted values of all its
// columns, in order.
func rowsOf(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	cols := column(t, db, `SELECT 'quote(' || name || ')' FROM pragma_table_info('`+table+`') ORDER BY cid`)
	return column(t, db, `SELECT `+strings.Join(cols, ` || '|' || `)+` AS r FROM `+table+` ORDER BY r`)
}

// checkAutoincrement fails t unless table's key is AUTOINCREMENT, so that
// no id it gave out is given again.
func checkAutoincrement(t *testing.T, db *sqlite.DB, table string) {
	t.Helper()
	var ddl string
	if err := db.Read.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = ?`, table).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "AUTOINCREMENT") {
		t.Errorf("%s after the migration:\n%s", table, ddl)
	}
}

// beforeAutoincrement is the statements that put table back as it was
// before migration rebuilt it with AUTOINCREMENT: dropped and made again
// by create (its CREATE TABLE, indexes and later columns) with foreign
// keys off, as the migration itself has them, its counter gone and the
// migration forgotten.
func beforeAutoincrement(table, migration string, create ...string) []string {
	qs := append([]string{`PRAGMA foreign_keys = OFF`, `DROP TABLE ` + table}, create...)
	return append(qs, `DELETE FROM sqlite_sequence WHERE name = '`+table+`'`,
		`DELETE FROM migrations WHERE name = 'migration/`+migration+`'`, `PRAGMA foreign_keys = ON`)
}

// execOnOneConn runs qs in order on one connection of db's writer, so
// that a PRAGMA among them holds for those after it.
func execOnOneConn(t *testing.T, db *sqlite.DB, qs []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range qs {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
