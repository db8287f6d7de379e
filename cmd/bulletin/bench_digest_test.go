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
// the POST), serve's peak RSS, and the CPU serve and the SMTP server (this
// process) used until then. It fails unless every reader got exactly one
// copy. BULLETIN_BENCH_N sets a smaller list;
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
	for b.Loop() {
		smtp := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithBatchedReplies())
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
		serveCPU0, sinkCPU0 := cpuSeconds(serve.Process.Pid), cpuSeconds(os.Getpid())
		start := time.Now()
		var d struct {
			ID         int64 `json:"id"`
			Recipients int   `json:"recipients"`
		}
		if code := c.api(addr, "POST", "/api/v1/digests/run", map[string]string{"list": "news"}, &d); code/100 != 2 || d.Recipients != n {
			b.Fatalf("digest run: %d, %+v, want %d recipients", code, d, n)
		}
		built := time.Since(start)
		for deadline := time.Now().Add(10 * time.Minute); smtp.Total() < n; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d accepted after 10 minutes", smtp.Total(), n)
			}
		}
		sent := time.Since(start)
		serveCPU := cpuSeconds(serve.Process.Pid) - serveCPU0
		sinkCPU := cpuSeconds(os.Getpid()) - sinkCPU0 // this process runs the SMTP server
		rss := peakRSS(serve.Process.Pid)
		c.waitSent(addr, d.ID, 2*time.Minute)
		done := time.Since(start)
		if got, readers := smtp.Total(), smtp.Recipients(); got != n || readers != n {
			b.Errorf("%d messages accepted for %d different readers, want one for each of %d", got, readers, n)
		}
		stopServe(b, serve)
		load, _ := os.ReadFile("/proc/loadavg")
		b.ReportMetric(built.Seconds(), "build_s")
		b.ReportMetric(sent.Seconds(), "sent_s")
		b.ReportMetric(done.Seconds(), "status_sent_s")
		b.ReportMetric(rss/1024, "serve_peak_rss_MB")
		b.ReportMetric(serveCPU/float64(n)*1e6, "serve_cpu_us/msg")
		b.ReportMetric(sinkCPU/float64(n)*1e6, "smtp_cpu_us/msg")
		b.Logf("n=%d imported in %s; digest built in %s, all accepted in %s (%.0f/s, %d bytes a message), sent as the API says in %s, serve peak RSS %.1f MB; CPU until all accepted: serve %.1f s, SMTP server %.1f s; loadavg %s",
			n, imported, built, sent, float64(n)/sent.Seconds(), smtp.Bytes()/int64(smtp.Total()), done, rss/1024, serveCPU, sinkCPU, strings.TrimSpace(string(load)))
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
