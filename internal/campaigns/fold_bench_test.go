package campaigns_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/subscribers"
)

// foldBenchDigests is how many daily digests the fold benchmark's
// database holds, each to every reader.
const foldBenchDigests = 30

// foldBenchReaders is the readers of the fold benchmark: 100,000, or
// BULLETIN_BENCH_READERS for a quick run.
func foldBenchReaders(b *testing.B) int {
	if v := os.Getenv("BULLETIN_BENCH_READERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("BULLETIN_BENCH_READERS %q: use a whole number of at least 100", v)
		}
		return n
	}
	return 100_000
}

// buildDigests fills e's database, in a few bulk statements, with a
// daily list of readers confirmed readers and days daily digests to all
// of them, finished from 120 days ago on (all past a 90-day retention):
// 1 in 100 deliveries bounced, 1 in 250 failed, 1 in 500 skipped, the
// rest sent. It returns the deliveries made.
func buildDigests(b *testing.B, e *env, readers, days int) int {
	b.Helper()
	l := e.addList(b, "daily")
	e.exec(b, `UPDATE lists SET digest = 'daily' WHERE id = ?`, l)
	now := time.Now().UTC()
	e.exec(b, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at, confirmed_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'Reader ' || i, 'confirmed', ?, ?, ? FROM n`,
		readers, now, now, now)
	e.exec(b, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, 'active', ?, ? FROM subscribers`, l, now, now)
	for d := range days {
		at := now.Add(-time.Duration(120-d) * 24 * time.Hour)
		id := execDB(b, e.db, `INSERT INTO campaigns (kind, subject, body_html, body_text, status, window_start, window_end,
			fanout_done, total, created_at, updated_at, started_at, finished_at)
			VALUES ('digest', ?, '<p>digest</p>', 'digest', 'sent', ?, ?, 1, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("Daily digest %d", d), at.Add(-24*time.Hour), at, readers, at, at, at, at)
		e.exec(b, `INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, id, l)
		e.exec(b, `INSERT INTO deliveries (campaign_id, subscriber_id, status, attempts, sent_at, updated_at, batch)
			SELECT ?, id, CASE WHEN id % 500 = 0 THEN 'skipped' WHEN id % 250 = 0 THEN 'failed' WHEN id % 100 = 0 THEN 'bounced' ELSE 'sent' END,
			1, CASE WHEN id % 250 = 0 THEN NULL ELSE ? END, ?, id / 1000 FROM subscribers ORDER BY id`, id, at, at)
	}
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// signupLoad runs signups through the real path (subscribers.Signups,
// the group-commit batcher) from 16 callers until stop closes, and
// returns how many succeeded and the slowest 1 % latency.
func signupLoad(b *testing.B, signups *subscribers.Signups, prefix string, stop <-chan struct{}) (int, time.Duration) {
	var ok atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; ; i++ {
				select {
				case <-stop:
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
					return
				default:
				}
				t := time.Now()
				err := signups.Signup(context.Background(), &subscribers.Signup{
					Email: fmt.Sprintf("%s-%d-%d@example.org", prefix, w, i), Lists: []string{"daily"}})
				if err != nil {
					b.Errorf("signup: %v", err)
					continue
				}
				mine = append(mine, time.Since(t))
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	var p99 time.Duration
	if len(lat) > 0 {
		p99 = lat[len(lat)*99/100]
	}
	return int(ok.Load()), p99
}

// signupsFor runs the signup load for d and returns the signups, signups
// a second and the p99 latency.
func signupsFor(b *testing.B, signups *subscribers.Signups, prefix string, d time.Duration) (int, float64, time.Duration) {
	stop := make(chan struct{})
	time.AfterFunc(d, func() { close(stop) })
	start := time.Now()
	n, p99 := signupLoad(b, signups, prefix, stop)
	return n, float64(n) / time.Since(start).Seconds(), p99
}

func fileMB(b *testing.B, path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return float64(st.Size()) / 1e6
}

// BenchmarkFold folds 30 daily digests to 100,000 readers (3,000,000
// deliveries, all past a 90-day retention) with the default batch and
// pause, then gives the space back, while signups go on; it reports the
// file's size before (after 5 s of signups with no fold) and after, also
// less what the signups made during the fold added (at the size per
// signup measured before), the fold's time and rows a second, and signups
// a second (and their p99 latency) with no fold running and while it
// runs. Run it with:
//
//	go test ./internal/campaigns -run '^$' -bench Fold -benchtime 1x -timeout 60m
//
// and BULLETIN_BENCH_READERS=10000 for a quick run.
func BenchmarkFold(b *testing.B) {
	readers := foldBenchReaders(b)
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		ctx := context.Background()
		rows := buildDigests(b, e, readers, foldBenchDigests)
		if err := e.db.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		before := fileMB(b, e.db.Path)
		pages0, _ := e.db.PageStats(ctx)
		signups := subscribers.NewSignups(subscribers.NewStore(e.db), e.q, nil)
		idleN, idle, idleP99 := signupsFor(b, signups, "idle", 5*time.Second)
		signups.Flush()
		if err := e.db.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		// What a signup adds to the file, to tell the fold's savings
		// from the growth of the signups made while it runs.
		pages1, _ := e.db.PageStats(ctx)
		perSignup := float64(pages1.Bytes()-pages0.Bytes()) / float64(idleN)
		before += float64(pages1.Bytes()-pages0.Bytes()) / 1e6

		f := &campaigns.Folder{Store: e.svc.Store, Retention: 90 * 24 * time.Hour}
		stop := make(chan struct{})
		var during float64
		var duringN int
		var duringP99 time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			n, p99 := signupLoad(b, signups, "fold", stop)
			duringN, during, duringP99 = n, float64(n)/time.Since(start).Seconds(), p99
		}()
		b.StartTimer()
		start := time.Now()
		res, err := f.Run(ctx)
		took := time.Since(start)
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != int64(rows) {
			b.Fatalf("folded %d rows of %d", res.Rows, rows)
		}
		signups.Flush()
		if err := e.db.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		after := fileMB(b, e.db.Path)
		// Idle again after, so that a machine busier or quieter meanwhile
		// shows as a difference between the two idle figures.
		_, idleAfter, _ := signupsFor(b, signups, "after", 5*time.Second)
		signups.Close()
		b.ReportMetric(float64(rows), "deliveries")
		b.ReportMetric(before, "MB_before")
		b.ReportMetric(after, "MB_after")
		b.ReportMetric(after-float64(duringN)*perSignup/1e6, "MB_after_less_signups")
		b.ReportMetric(float64(duringN), "signups_while_folding")
		b.ReportMetric(took.Seconds(), "fold_s")
		b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
		b.ReportMetric(idle, "signups/s_idle")
		b.ReportMetric(idleAfter, "signups/s_idle_after")
		b.ReportMetric(during, "signups/s_folding")
		b.ReportMetric(float64(idleP99.Microseconds())/1000, "signup_p99_ms_idle")
		b.ReportMetric(float64(duringP99.Microseconds())/1000, "signup_p99_ms_folding")
		b.StartTimer()
	}
}
