package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A database from before 055 keeps every subscription when the table is
// rebuilt without rowids, with its index, and deleting a reader still
// takes their subscriptions along.
func TestSubscriptionsRebuiltWithoutRowidKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	// Put the table back as 001 made it, with rows, and forget 055.
	_, err := db.Write.ExecContext(ctx, `
		INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-01-01'), (2, 'b', 'B', '2026-01-01');
		INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES
			(1, 'one@example.com', 'one@example.com', 'confirmed', '2026-01-01', '2026-01-01'),
			(2, 'two@example.com', 'two@example.com', 'pending', '2026-01-01', '2026-01-01');
		DROP TABLE subscriptions;
		CREATE TABLE subscriptions (
			subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
			list_id       INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
			status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'unsubscribed')),
			created_at    DATETIME NOT NULL,
			updated_at    DATETIME NOT NULL,
			PRIMARY KEY (subscriber_id, list_id));
		CREATE INDEX subscriptions_list ON subscriptions (list_id, status, subscriber_id);
		INSERT INTO subscriptions VALUES (2, 1, 'pending', '2026-01-02', '2026-01-03'),
			(1, 2, 'unsubscribed', '2026-01-04', '2026-01-05'), (1, 1, 'active', '2026-01-06', '2026-01-07');
		DELETE FROM migrations WHERE name = 'migration/055_subscriptions_without_rowid.sql';`)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	var ddl string
	if err := db.Read.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = 'subscriptions'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(ddl, "WITHOUT ROWID") {
		t.Errorf("subscriptions after the migration:\n%s", ddl)
	}
	if got := subscriptionRows(t, db.Read); !cmp.Equal(got, []string{
		"1 1 active 2026-01-06 2026-01-07", "1 2 unsubscribed 2026-01-04 2026-01-05", "2 1 pending 2026-01-02 2026-01-03"}) {
		t.Errorf("rows after the migration: %q", got)
	}
	if plan := sqlitetest.Plan(t, db.Read, `SELECT subscriber_id FROM subscriptions WHERE list_id = 1 AND status = 'active'`); !strings.Contains(plan, "COVERING INDEX subscriptions_list") {
		t.Errorf("a list's readers are read:\n%s\nwant through subscriptions_list", plan)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM subscribers WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if got := subscriptionRows(t, db.Read); !cmp.Equal(got, []string{"2 1 pending 2026-01-02 2026-01-03"}) {
		t.Errorf("rows after deleting reader 1: %q", got)
	}
}

func subscriptionRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return column(t, db, `SELECT subscriber_id || ' ' || list_id || ' ' || status || ' ' || created_at || ' ' || updated_at
		FROM subscriptions ORDER BY subscriber_id, list_id`)
}

// column returns the one text column of q's rows.
func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	out, err := sqlite.Column[string](db.Query(q))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A database from before 057 keeps its seven-day count: the deliveries
// already sent, in the format the driver stores times in, are counted in
// sent_hours by the hour of sent_at, and deliveries_sent_at is gone.
func TestSentHoursCountDeliveriesSentBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	at := time.Date(2026, 11, 30, 9, 59, 59, 999999999, time.UTC)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES
			(1, 'one@example.com', 'one@example.com', 'confirmed', ?1, ?1),
			(2, 'two@example.com', 'two@example.com', 'confirmed', ?1, ?1),
			(3, 'three@example.com', 'three@example.com', 'confirmed', ?1, ?1),
			(4, 'four@example.com', 'four@example.com', 'confirmed', ?1, ?1)`, []any{at}},
		{`INSERT INTO campaigns (id, subject, status, created_at, updated_at) VALUES (1, 'Week', 'sent', ?1, ?1)`, []any{at}},
		{`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES
			(1, 1, 'sent', ?1, ?1), (1, 2, 'bounced', ?1, ?1), (1, 3, 'sent', ?2, ?1), (1, 4, 'failed', NULL, ?1)`, []any{at, at.Add(time.Nanosecond)}},
		{`CREATE INDEX deliveries_sent_at ON deliveries (sent_at) WHERE sent_at IS NOT NULL`, nil},
		{`DROP TABLE sent_hours`, nil},
		{`DELETE FROM migrations WHERE name = 'migration/057_sent_hours.sql'`, nil},
	} {
		if _, err := db.Write.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	hour := at.Unix() / 3600
	got := column(t, db.Read, `SELECT hour || ' ' || sent FROM sent_hours ORDER BY hour`)
	if want := []string{fmt.Sprint(hour, " 2"), fmt.Sprint(hour+1, " 1")}; !cmp.Equal(got, want) {
		t.Errorf("sent_hours after the migration: %q, want %q", got, want)
	}
	if idx := column(t, db.Read, `SELECT name FROM sqlite_schema WHERE name = 'deliveries_sent_at'`); len(idx) != 0 {
		t.Errorf("deliveries_sent_at is still there")
	}
}
