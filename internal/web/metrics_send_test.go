package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// /metrics had no gauge of the mail waiting to go out, nor of a sender
// stopped because it cannot write its results. bulletin_deliveries_queued
// counts the queued deliveries in SQLite on each scrape, 100,000 of them
// in well under 50 ms, and bulletin_send_results_held follows the
// sender's Held.
func TestMetricsReportQueuedDeliveriesAndHeldResults(t *testing.T) {
	s, db := unroutedServer(t, nil)
	s.Registry = prometheus.NewRegistry()
	var held atomic.Int64
	s.Registry.MustRegister(
		QueuedDeliveriesGauge(campaigns.NewStore(db).QueuedDeliveries, s.Log),
		ResultsHeldGauge(func() int { return int(held.Load()) }),
	)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	scrape := func() (string, time.Duration) {
		t.Helper()
		start := time.Now()
		resp, err := http.Get(ts.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/metrics: %d\n%s", resp.StatusCode, b)
		}
		return string(b), time.Since(start)
	}
	for _, want := range []string{
		"# HELP bulletin_deliveries_queued Deliveries not yet sent, of the campaigns and digests sending or paused.\n# TYPE bulletin_deliveries_queued gauge\nbulletin_deliveries_queued 0\n",
		"# TYPE bulletin_send_results_held gauge\nbulletin_send_results_held 0\n",
	} {
		if out, _ := scrape(); !strings.Contains(out, want) {
			t.Errorf("/metrics with nothing queued lacks %q:\n%s", want, out)
		}
	}

	now := time.Now().UTC()
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
			INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
			SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'Reader ' || i, 'confirmed', ?1, ?1 FROM n`,
		`INSERT INTO campaigns (id, subject, body, body_html, status, created_at, updated_at) VALUES (1, 'Tides', 'Hi', 'Hi', 'sent', ?1, ?1), (2, 'Ferries', 'Hi', 'Hi', 'sending', ?1, ?1)`,
		`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at, sent_at, batch) SELECT 1, id, 'sent', ?1, ?1, id / 500 FROM subscribers`,
		`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at, batch) SELECT 2, id, 'queued', ?1, id / 500 FROM subscribers`,
	} {
		if _, err := db.Write.Exec(q, now); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	held.Store(250)
	fastest := time.Hour
	var out string
	for range 5 {
		var took time.Duration
		out, took = scrape()
		fastest = min(fastest, took)
	}
	for _, want := range []string{"\nbulletin_deliveries_queued 100000\n", "\nbulletin_send_results_held 250\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q:\n%s", strings.TrimSpace(want), out)
		}
	}
	t.Logf("a scrape with 100,000 deliveries queued and 100,000 sent: %v at best of 5", fastest)
	if fastest > 50*time.Millisecond {
		t.Errorf("a scrape with 100,000 deliveries queued took %v at best, want under 50 ms", fastest)
	}
}

// A count that fails leaves bulletin_deliveries_queued out of the scrape,
// logged, rather than failing the scrape or saying nothing waits.
func TestQueuedGaugeLeftOutWhenTheCountFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	var log strings.Builder
	reg.MustRegister(QueuedDeliveriesGauge(func(context.Context) (int, error) {
		return 0, errors.New("database is locked")
	}, slog.New(slog.NewTextHandler(&log, nil))))
	families, err := reg.Gather()
	if err != nil || len(families) != 0 {
		t.Errorf("Gather = %d families, %v; want none and no error", len(families), err)
	}
	if !strings.Contains(log.String(), "bulletin_deliveries_queued left out of this scrape") || !strings.Contains(log.String(), "database is locked") {
		t.Errorf("log %q does not say the gauge was left out, and why", log.String())
	}
}
