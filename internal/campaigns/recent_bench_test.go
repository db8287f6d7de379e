//go:build unix

package campaigns_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/benchtools"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// BenchmarkRecentDrafts times the admin's campaigns list (Recent, as
// /admin/campaigns reads it) with five drafts to three lists: news, which
// every reader is on, sport (every tenth) and tech (every third), the
// drafts to news, news again (scheduled), sport, sport and tech, and all
// three. Each draft shows its audience, so the list's cost is its counts.
// 60,000 readers by default; 1,000,000 with BULLETIN_BENCH_1M=1. cpu-ms/op
// is the process's CPU time, which the machine's other work changes less
// than the wall time:
//
//	BULLETIN_BENCH_1M=1 go test ./internal/campaigns -run '^$' -bench RecentDrafts -benchtime 3x -count 3
func BenchmarkRecentDrafts(b *testing.B) {
	readers := 60_000
	if os.Getenv("BULLETIN_BENCH_1M") != "" {
		readers = 1_000_000
	}
	e := newEnv(b)
	seedAudience(b, e, readers)
	later := time.Now().Add(240 * time.Hour)
	for i, lists := range [][]string{{"news"}, {"news"}, {"sport"}, {"sport", "tech"}, {"news", "sport", "tech"}} {
		c := &campaigns.Campaign{Subject: "Hello", Body: "Hi {{ .Name }}", Lists: lists}
		if i == 1 {
			c.SendAt = &later
		}
		if err := e.svc.Schedule(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	var items []campaigns.Entry
	cpu := benchtools.CPUTime(b)
	for b.Loop() {
		var err error
		if items, err = e.svc.Recent(ctx, "", 200); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((benchtools.CPUTime(b)-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	if len(items) != 5 {
		b.Fatalf("%d campaigns listed, want 5", len(items))
	}
	for _, it := range items { // each as its own page counts it
		if n, err := e.svc.Audience(ctx, it.ID); err != nil || n != it.Audience || n == 0 {
			b.Fatalf("campaign %d to %v: the list shows %d, its page %d (%v)", it.ID, it.Lists, it.Audience, n, err)
		}
	}
}

// seedAudience adds n confirmed readers, all on list news, every tenth on
// sport and every third on tech, and n/20 readers who count for no
// campaign: pending, unsubscribed or bounced, on all three lists. Every
// seventh sport subscription is unsubscribed, and 1,000 confirmed readers'
// addresses are suppressed, so the counts check both as they would on a
// real list.
func seedAudience(b *testing.B, e *env, n int) {
	b.Helper()
	now := time.Now().UTC()
	news, sport, tech := e.addList(b, "news"), e.addList(b, "sport"), e.addList(b, "tech")
	e.exec(b, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'Reader ' || i,
			CASE WHEN i <= ? THEN 'confirmed' ELSE (CASE i % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'unsubscribed' ELSE 'bounced' END) END,
			?, ? FROM n`, n+n/20, n, now, now)
	e.exec(b, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, 'active', ?, ? FROM subscribers`, news, now, now)
	e.exec(b, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, CASE WHEN id % 70 = 0 THEN 'unsubscribed' ELSE 'active' END, ?, ? FROM subscribers WHERE id % 10 = 0 OR id > ?`, sport, now, now, n)
	e.exec(b, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, 'active', ?, ? FROM subscribers WHERE id % 3 = 0 OR id > ?`, tech, now, now, n)
	e.exec(b, `INSERT INTO suppressions (target, reason, source, created_at)
		SELECT email_key, 'manual', 'bench', ? FROM subscribers WHERE id % (? / 1000) = 1 AND id <= ?`, now, n, n)
	if got := e.count(b, `SELECT COUNT(*) FROM subscribers WHERE status = 'confirmed'`); got != n {
		b.Fatalf("seeded %d confirmed readers, want %d", got, n)
	}
}

// count runs q, a COUNT, on the read pool.
func (e *env) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
