package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// BenchmarkDigestMillion measures a daily digest to 1,000,000 confirmed
// readers, imported with `bulletin import`, through a real `bulletin
// serve` (embedded Redis) that sends to a local SMTP server that accepts
// and discards: the time from POST /api/v1/digests/run until the server
// has accepted every copy, the time the build itself took (the answer to
// the POST), and serve's peak RSS. BULLETIN_BENCH_N sets a smaller list;
// BULLETIN_BENCH_BIN runs another build of bulletin (an A/B run);
// BULLETIN_BENCH_CPUPROFILE=dir has serve write a CPU profile of the run
// into dir (digest.pprof).
// It takes a few minutes and runs only when asked:
//
//	BULLETIN_INTEGRATION=1 BULLETIN_BENCH_1M=1 go test ./cmd/bulletin -run '^$' -bench DigestMillion -benchtime 1x -timeout 30m
func BenchmarkDigestMillion(b *testing.B) {
	if os.Getenv("BULLETIN_BENCH_1M") == "" {
		b.Skip("set BULLETIN_BENCH_1M=1 to send a digest to 1,000,000 readers")
	}
	n := benchN(1_000_000)
	smtp := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithBatchedReplies())
	for b.Loop() {
		c := newCluster(b, 0, 0, "BULLETIN_SMTP_URL="+smtp.URL())
		if bin := os.Getenv("BULLETIN_BENCH_BIN"); bin != "" {
			c.bin = bin // another build, for an A/B run
		}
		imported := c.importCSV(c.readersCSV("digest", n))
		c.seedDigestArticles(5)
		if dir := os.Getenv("BULLETIN_BENCH_CPUPROFILE"); dir != "" {
			c.env = append(c.env, "BULLETIN_CPUPROFILE="+filepath.Join(dir, "digest.pprof"))
		}
		serve, addr := c.start("serve", "serve")
		before := smtp.Total()
		start := time.Now()
		var d struct {
			ID         int64 `json:"id"`
			Recipients int   `json:"recipients"`
		}
		if code := c.api(addr, "POST", "/api/v1/digests/run", map[string]string{"list": "news"}, &d); code/100 != 2 || d.Recipients != n {
			b.Fatalf("digest run: %d, %+v, want %d recipients", code, d, n)
		}
		built := time.Since(start)
		for deadline := time.Now().Add(10 * time.Minute); smtp.Total() < before+n; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d accepted after 10 minutes", smtp.Total()-before, n)
			}
		}
		sent := time.Since(start)
		rss := peakRSS(serve.Process.Pid)
		c.waitSent(addr, d.ID, 2*time.Minute)
		done := time.Since(start)
		if got := smtp.Total() - before; got != n {
			b.Errorf("%d messages accepted for %d readers", got, n)
		}
		stopServe(b, serve)
		load, _ := os.ReadFile("/proc/loadavg")
		b.ReportMetric(built.Seconds(), "build_s")
		b.ReportMetric(sent.Seconds(), "sent_s")
		b.ReportMetric(done.Seconds(), "status_sent_s")
		b.ReportMetric(rss/1024, "serve_peak_rss_MB")
		b.Logf("n=%d imported in %s; digest built in %s, all accepted in %s (%.0f/s, %d bytes a message), sent as the API says in %s, serve peak RSS %.1f MB; loadavg %s",
			n, imported, built, sent, float64(n)/sent.Seconds(), smtp.Bytes()/int64(smtp.Total()), done, rss/1024, strings.TrimSpace(string(load)))
	}
}

// seedDigestArticles makes "news" a daily-digest list and adds k articles
// to it, published an hour ago.
func (c *cluster) seedDigestArticles(k int) {
	c.t.Helper()
	c.writeDB(func(tx *sql.Tx) error {
		now := time.Now().UTC()
		if _, err := tx.Exec(`UPDATE lists SET digest = 'daily' WHERE slug = 'news'`); err != nil {
			return err
		}
		for i := range k {
			res, err := tx.Exec(`INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				fmt.Sprintf("https://news.example/harbour-%d", i), fmt.Sprintf("Harbour story %d", i),
				strings.Repeat("The harbour master reports a busy week. ", 10), "Maren Holt", now.Add(-time.Hour), now)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			if _, err := tx.Exec(`INSERT INTO article_lists (article_id, list_id) VALUES (?, 1)`, id); err != nil {
				return err
			}
		}
		return nil
	})
}
