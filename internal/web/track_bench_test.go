package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/tracking"
)

const (
	// benchTrackClients is how many keep-alive clients click at once.
	benchTrackClients = 8
	// benchTrackReaders and benchTrackLinks shape the campaign clicked:
	// click i is reader i mod readers on link i mod links, so a reader
	// clicks a few links over the run, as people do, not a burst.
	benchTrackReaders = 20000
	benchTrackLinks   = 12
	// benchTrackRounds is how many turns each server takes.
	benchTrackRounds = 4
)

// BenchmarkRedirects is the redirect figure of docs/benchmarks.md:
// benchTrackClients keep-alive clients on loopback request b.N tracked
// links of a real campaign (tracking 'on', links in SQLite) from the real
// handler, whose clicks are recorded in batches, and, in the same run,
// from a bare net/http server that only answers 302. It reports both
// rates, their ratio and the real server's p99, and checks after a Flush
// that every click is stored.
//
//	go test ./internal/web -run '^$' -bench Redirects -benchtime 40000x
func BenchmarkRedirects(b *testing.B) {
	e := newTrackEnv(b)
	links := make([]string, benchTrackLinks)
	for i := range links {
		links[i] = fmt.Sprintf("https://example.org/2026/11/30/story-%d?utm_source=newsletter", i)
	}
	id, ds := e.campaign(b, tracking.On, false, links, benchTrackReaders)
	paths := make([]string, b.N)
	for i := range paths {
		paths[i] = e.link(id, i%benchTrackLinks, ds[i%len(ds)])
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", links[0])
		w.WriteHeader(http.StatusFound)
	}))
	defer bare.Close()
	real := httptest.NewServer(e.h)
	defer real.Close()

	// The two servers take turns, a quarter of the clicks at a time, so
	// that a change in the machine's load falls on both.
	b.ResetTimer()
	var bareTook, realTook time.Duration
	var bareLat, realLat []time.Duration
	for q := range benchTrackRounds {
		part := paths[q*len(paths)/benchTrackRounds : (q+1)*len(paths)/benchTrackRounds]
		took, lat := clickAll(b, bare.URL, part)
		bareTook, bareLat = bareTook+took, append(bareLat, lat...)
		took, lat = clickAll(b, real.URL, part)
		realTook, realLat = realTook+took, append(realLat, lat...)
	}
	b.StopTimer()
	slices.Sort(bareLat)
	slices.Sort(realLat)

	e.rec.Flush()
	if n := e.count(b, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND delivery_id IS NOT NULL`, id); n != b.N {
		b.Fatalf("%d clicks stored, want %d", n, b.N)
	}
	bareRate := float64(b.N) / bareTook.Seconds()
	realRate := float64(b.N) / realTook.Seconds()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(bareRate, "bare-req/s")
	b.ReportMetric(realRate, "req/s")
	b.ReportMetric(realRate/bareRate, "ratio")
	b.ReportMetric(ms(bareLat[len(bareLat)*99/100]), "bare-p99-ms")
	b.ReportMetric(ms(realLat[len(realLat)*99/100]), "p99-ms")
}

// clickAll requests every path from benchTrackClients keep-alive clients
// that do not follow the redirect, and returns how long it took and the
// latencies; any answer but 302 fails the benchmark.
func clickAll(b *testing.B, base string, paths []string) (time.Duration, []time.Duration) {
	b.Helper()
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: benchTrackClients, MaxConnsPerHost: benchTrackClients},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	lat := make([][]time.Duration, benchTrackClients)
	errs := make(chan error, benchTrackClients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range benchTrackClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < len(paths); i += benchTrackClients {
				t0 := time.Now()
				resp, err := client.Get(base + paths[i])
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode != http.StatusFound {
					errs <- fmt.Errorf("GET %s: %d", paths[i], resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return took, slices.Concat(lat...)
}
