package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSignupJSON is the signup throughput figure of
// docs/benchmarks.md: 8 clients on loopback post JSON signups of new
// addresses, with the rate limit off and the embedded Redis; each request
// stores a pending subscriber (group commit) and its confirmation is
// enqueued. Run it with a fixed count, e.g.
//
//	go test ./internal/web -run '^$' -bench SignupJSON -benchtime 40000x
func BenchmarkSignupJSON(b *testing.B) {
	e := newSubEnv(b, 0)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	const clients = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				body := fmt.Sprintf(`{"email":"bench%d@example.com","name":"Bench %d","lists":["daily-news"]}`, n, n)
				t0 := time.Now()
				resp, err := client.Post(ts.URL+"/api/v1/subscriptions", "application/json", strings.NewReader(body))
				if err != nil || resp.StatusCode != http.StatusAccepted {
					failed.Add(1)
				}
				if resp != nil {
					// Read to the end: a body closed unread costs the
					// connection, and every signup would dial a new one.
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	e.signups.Flush()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d signups failed", f)
	}
	var rows int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE confirm_queued = 1`).Scan(&rows)
	if rows != b.N {
		b.Fatalf("%d rows flagged, want %d", rows, b.N)
	}
	b.ReportMetric(float64(b.N)/took.Seconds(), "signups/s")
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
	b.ReportMetric(ms(all[len(all)-1]), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
