package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A database from before 072 keeps every event, column by column (each
// new row's ignored is 0), the table's unique key, indexes and foreign
// keys, and the trigger on subscribers that blanks an erased reader's
// events, when events is rebuilt to take unsubscribes.
func TestEventsRebuiltForUnsubscribesKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	execOnOneConn(t, db, append(eventsBefore072, eventRows...))
	before := schemaOf(t, db.Read)
	rows := rowsOf(t, db.Read, "events")
	db.Close()

	db = open(t, path)
	defer db.Close()
	// The schema differs in the events table only: its kind CHECK and
	// the ignored column.
	after := schemaOf(t, db.Read)
	var table string
	for i, s := range after {
		if strings.HasPrefix(s, "tableevents:") {
			table = s
			after[i] = ""
		}
	}
	for i, s := range before {
		if strings.HasPrefix(s, "tableevents:") {
			before[i] = ""
		}
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("schema after the migration, the events table left out (-before +after):\n%s", diff)
	}
	if !strings.Contains(table, "kindIN('bounce_hard','bounce_soft','complaint','unsubscribe')") || !strings.Contains(table, "ignoredINTEGERNOTNULLDEFAULT0") {
		t.Errorf("events after the migration: %s", table)
	}
	for i := range rows {
		rows[i] += "|0"
	}
	if diff := cmp.Diff(rows, rowsOf(t, db.Read, "events")); diff != "" {
		t.Errorf("events after the migration (-before +after):\n%s", diff)
	}

	ins := `INSERT INTO events (kind, source, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at, ignored)
		VALUES (?, 'mailgun', 1, 1, 'one@example.com', ?, '2026-01-08', '2026-01-08', ?)`
	if _, err := db.Write.ExecContext(ctx, ins, "unsubscribe", "u1", 1); err != nil {
		t.Errorf("an unsubscribe: %v", err)
	}
	for _, bad := range []struct {
		kind, key string
		ignored   int
	}{{"opened", "u2", 0}, {"unsubscribe", "k1", 0}, {"unsubscribe", "u3", 2}} {
		if _, err := db.Write.ExecContext(ctx, ins, bad.kind, bad.key, bad.ignored); err == nil {
			t.Errorf("an event of kind %s, key %s, ignored %d was taken", bad.kind, bad.key, bad.ignored)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO events (kind, source, subscriber_id, dedupe_key, at, recorded_at)
		VALUES ('unsubscribe', 'sendgrid', 99, 'u4', '2026-01-08', '2026-01-08')`); err == nil {
		t.Errorf("an event of a reader who does not exist was taken")
	}

	// Erasing reader 1 blanks their events and detaches them; deleting
	// campaign 1 detaches its events.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM subscribers WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM campaigns WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT dedupe_key || ' ' || kind || ' ' || IFNULL(campaign_id, '-') || ' ' || IFNULL(subscriber_id, '-') || ' ' ||
			email || ' ' || diagnostic FROM events ORDER BY id`); !cmp.Equal(got, []string{
		"k1 bounce_hard - -  ",
		"k2 bounce_soft 2 2 two@example.com mailbox full",
		"k3 complaint - - three@example.net ",
		"u1 unsubscribe - -  ",
	}) {
		t.Errorf("events after erasing reader 1 and deleting campaign 1: %q", got)
	}
	var fk int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys on the write connection after the migration: %d, %v", fk, err)
	}
}

// eventsBefore072 puts events back as 031 made it, with its indexes and
// the trigger 060 made again, and forgets 072.
var eventsBefore072 = []string{
	`DROP TRIGGER events_erase`,
	`DROP TABLE events`,
	`CREATE TABLE events (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL CHECK (kind IN ('bounce_hard', 'bounce_soft', 'complaint')),
	source        TEXT NOT NULL CHECK (source IN ('smtp', 'dsn', 'arf', 'ndr', 'imap', 'ses', 'postmark', 'sendgrid', 'mailgun')),
	status        TEXT NOT NULL DEFAULT '',
	diagnostic    TEXT NOT NULL DEFAULT '',
	campaign_id   INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
	subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
	email         TEXT NOT NULL DEFAULT '',
	dedupe_key    TEXT NOT NULL UNIQUE,
	at            DATETIME NOT NULL,
	recorded_at   DATETIME NOT NULL
)`,
	`CREATE INDEX events_subscriber ON events (subscriber_id, kind, at) WHERE subscriber_id IS NOT NULL`,
	`CREATE INDEX events_campaign ON events (campaign_id, kind) WHERE campaign_id IS NOT NULL`,
	`CREATE INDEX events_at ON events (at)`,
	`CREATE TRIGGER events_erase BEFORE DELETE ON subscribers BEGIN
	UPDATE events SET email = '', diagnostic = '' WHERE subscriber_id = OLD.id;
END`,
	`DELETE FROM migrations WHERE name = 'migration/072_unsubscribe_events.sql'`,
}

// eventRows are two readers and two campaigns with a bounce of each
// kind, every column set, and a complaint about an address no reader has.
var eventRows = []string{
	`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES
		(1, 'one@example.com', 'one@example.com', 'confirmed', '2026-01-01', '2026-01-01'),
		(2, 'two@example.com', 'two@example.com', 'confirmed', '2026-01-01', '2026-01-01')`,
	`INSERT INTO campaigns (id, subject, status, created_at, updated_at) VALUES
		(1, 'Week', 'sent', '2026-01-05', '2026-01-05'), (2, 'Daily', 'sent', '2026-01-06', '2026-01-06')`,
	`INSERT INTO events (id, kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at) VALUES
		(3, 'bounce_hard', 'smtp', '5.1.1', '550 5.1.1 <one@example.com> unknown', 1, 1, 'one@example.com', 'k1', '2026-01-05 09:00:00+00:00', '2026-01-05 09:00:01+00:00'),
		(7, 'bounce_soft', 'dsn', '4.2.2', 'mailbox full', 2, 2, 'two@example.com', 'k2', '2026-01-06', '2026-01-06'),
		(9, 'complaint', 'ses', '', '', NULL, NULL, 'three@example.net', 'k3', '2026-01-07', '2026-01-07')`,
}

// BenchmarkMigration072 times 072 on a database of 1,000,000 events
// about 100,000 readers and 200 campaigns:
//
//	BULLETIN_BENCH_1M=1 go test ./internal/sqlite -run '^$' -bench Migration072 -benchtime 1x
func BenchmarkMigration072(b *testing.B) {
	if os.Getenv("BULLETIN_BENCH_1M") == "" {
		b.Skip("set BULLETIN_BENCH_1M=1 to migrate 1,000,000 events")
	}
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "bulletin.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		fill := append(append([]string(nil), eventsBefore072...),
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
			INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at)
			SELECT i, 'reader' || i || '@example.com', 'reader' || i || '@example.com', 'confirmed', '2026-01-01', '2026-01-01' FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
			INSERT INTO campaigns (id, subject, status, created_at, updated_at) SELECT i, 'Issue ' || i, 'sent', '2026-01-01', '2026-01-01' FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
			INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at)
			SELECT CASE i % 10 WHEN 0 THEN 'bounce_hard' WHEN 1 THEN 'complaint' ELSE 'bounce_soft' END, 'dsn', '4.2.2',
				'452 4.2.2 Mailbox full: the user has exceeded their quota', i % 200 + 1, i % 100000 + 1,
				'reader' || (i % 100000 + 1) || '@example.com', 'd:' || (i % 200 + 1) || ':' || i || ':bounce',
				datetime('2026-01-01', '+' || (i / 100) || ' minutes') || '+00:00', datetime('2026-01-01', '+' || (i / 100) || ' minutes') || '+00:00' FROM n`)
		execOnOneConnB(b, db, fill)
		db.Close()
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-before")
		}
		b.StartTimer()
		start := time.Now()
		db, err = sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(time.Since(start).Seconds(), "s-open")
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE ignored = 0`).Scan(&n); err != nil || n != 1000000 {
			b.Fatalf("%d events after the migration, %v", n, err)
		}
		db.Close()
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-after")
		}
		b.StartTimer()
	}
}

// execOnOneConnB is execOnOneConn for a benchmark.
func execOnOneConnB(b *testing.B, db *sqlite.DB, qs []string) {
	b.Helper()
	ctx := context.Background()
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for _, q := range qs {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}
