package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// BenchmarkWebhooksOut sends BULLETIN_BENCH_N (default 100,000)
// subscriber.created webhooks from a real `bulletin serve` (embedded
// Redis) to a receiver on loopback in the test process, which verifies
// every signature on its own and counts distinct webhook-ids and posts.
// The events come the way real ones do: `bulletin import --confirmed` of
// N new readers, run beside serve, emits one per reader in its
// transactions. events/s is N over the time from the first distinct event
// received to the last; the import's own time is reported beside it, and
// drain_events/s, the rate of the events that arrived after the import
// ended (serve alone, with no writer beside it).
//
// Then a second import of N more readers, and serve killed with SIGKILL
// once a third of them have arrived and started again: at the end the
// receiver must hold exactly 2N distinct ids, one per reader imported
// (none lost), every event in the outbox among them, and every repeated
// post must carry the body first seen under its id (kill_dups counts
// them). Run it with:
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench WebhooksOut -benchtime 1x
func BenchmarkWebhooksOut(b *testing.B) {
	n := benchN(100_000)
	for b.Loop() {
		recv := newHookReceiver(b)
		c := newCluster(b, 0, 0, "BULLETIN_ALLOW_PRIVATE_FEEDS=1")
		serve, addr := c.start("serve1", "serve")
		recv.setSecret(b, c.createEndpoint(addr, recv.URL+"/hooks", "subscriber.created"))
		live := c.readersCSV("live", n)
		killed := c.readersCSV("killed", n)

		// Phase 1: the speed.
		took := c.importCSV(live)
		atImported, imported := recv.distinct(), time.Now()
		recv.waitFor(b, 5*time.Minute, fmt.Sprintf("%d events", n), func() bool { return len(recv.seen) >= n })
		recv.mu.Lock()
		span := recv.last.Sub(recv.first)
		recv.mu.Unlock()
		rate := float64(n) / span.Seconds()
		recv.mu.Lock()
		drain := float64(n-atImported) / recv.last.Sub(imported).Seconds()
		recv.mu.Unlock()
		_, posts1, dups1 := recv.counts()
		conns1 := recv.conns.Load()

		// Phase 2: kill -9 mid-stream.
		imp := c.command("import", killed, "--list", "news", "--confirmed")
		if err := imp.Start(); err != nil {
			b.Fatal(err)
		}
		recv.waitFor(b, 5*time.Minute, "a third of the second import", func() bool { return len(recv.seen) >= n+n/3 })
		atKill := recv.distinct()
		sigkill(b, serve)
		serve, _ = c.start("serve2", "serve")
		if err := imp.Wait(); err != nil {
			b.Fatalf("second import: %v", err)
		}
		recv.waitFor(b, 5*time.Minute, fmt.Sprintf("%d events", 2*n), func() bool { return len(recv.seen) >= 2*n })
		time.Sleep(2 * time.Second) // a late repeat would show now
		distinct, posts, dups := recv.counts()
		recv.badRequests(b)
		emitted := c.countEvents()
		if distinct != 2*n || emitted != 2*n {
			b.Errorf("%d distinct ids received, %d events in the outbox, want %d of both", distinct, emitted, 2*n)
		}
		c.checkOneEventPerReader(recv, []string{"live", "killed"}, n)
		b.ReportMetric(rate, "events/s")
		b.ReportMetric(took.Seconds(), "import_s")
		b.ReportMetric(drain, "drain_events/s")
		b.ReportMetric(float64(dups), "kill_dups")
		b.Logf("n=%d: %d events in %s from first to last received: %.0f events/s (import of %d readers took %s; %d posts, %d repeats, over %d connections)",
			n, n, span.Round(time.Millisecond), rate, n, took.Round(time.Millisecond), posts1, dups1, conns1)
		b.Logf("%d events had arrived when the import ended; the other %d followed at %.0f events/s", atImported, n-atImported, drain)
		b.Logf("kill -9 at %d of %d distinct: after the restart %d distinct ids of %d events emitted, %d posts, %d repeats (each with the body first seen under its id)",
			atKill, 2*n, distinct, emitted, posts, dups)
		serve.Process.Kill()
		serve.Wait()
	}
}

// createEndpoint creates a webhook endpoint for url and events through
// the API and returns its secret.
func (c *cluster) createEndpoint(addr, url string, events ...string) string {
	c.t.Helper()
	var ep struct {
		Secret string `json:"secret"`
	}
	if code := c.api(addr, "POST", "/api/v1/webhooks", map[string]any{"url": url, "events": events}, &ep); code != http.StatusCreated || ep.Secret == "" {
		c.t.Fatalf("create webhook endpoint: %d", code)
	}
	return ep.Secret
}

// readersCSV writes a CSV of n readers named prefix-N@example.com and
// returns its path.
func (c *cluster) readersCSV(prefix string, n int) string {
	c.t.Helper()
	path := filepath.Join(c.data, prefix+".csv")
	f, err := os.Create(path)
	if err != nil {
		c.t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "email,name")
	for i := range n {
		fmt.Fprintf(w, "%s-%06d@example.com,Reader %d\n", prefix, i, i)
	}
	if err := w.Flush(); err != nil {
		c.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// importCSV runs `bulletin import --confirmed` of path into "news" and
// returns how long it took.
func (c *cluster) importCSV(path string) time.Duration {
	c.t.Helper()
	start := time.Now()
	if out, err := c.command("import", path, "--list", "news", "--confirmed").CombinedOutput(); err != nil {
		c.t.Fatalf("import: %v\n%s", err, out)
	}
	return time.Since(start)
}

// countEvents returns the events in the outbox.
func (c *cluster) countEvents() int {
	c.t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Read.QueryRow(`SELECT count(*) FROM webhook_events`).Scan(&n); err != nil {
		c.t.Fatal(err)
	}
	return n
}

// checkOneEventPerReader checks that the receiver got exactly one
// subscriber.created per reader of each prefix, n each.
func (c *cluster) checkOneEventPerReader(recv *hookReceiver, prefixes []string, n int) {
	c.t.Helper()
	want := map[string]bool{}
	for _, p := range prefixes {
		for i := range n {
			want[fmt.Sprintf("%s-%06d@example.com", p, i)] = true
		}
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	got := map[string]int{}
	for id, rec := range recv.seen {
		var ev struct {
			Type string `json:"type"`
			Data struct {
				Email string `json:"email"`
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.body, &ev); err != nil || ev.Type != "subscriber.created" {
			c.t.Errorf("%s: %q: %v", id, rec.body, err)
			continue
		}
		got[ev.Data.Email]++
	}
	missing, twice, unknown := 0, 0, 0
	for e := range want {
		switch got[e] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	for e := range got {
		if !want[e] {
			unknown++
		}
	}
	if missing+twice+unknown > 0 {
		c.t.Errorf("readers without an event %d, with two under different ids %d, events of unknown readers %d", missing, twice, unknown)
	}
}

// sigkill kills cmd with SIGKILL and reaps it (kill9, for benchmarks too).
func sigkill(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}
