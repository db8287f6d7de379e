package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

var (
	errMetricsForbidden = bulletin.Errorf(bulletin.EFORBIDDEN,
		"Without a token, /metrics answers only this host, asked as localhost or at a loopback address; set BULLETIN_METRICS_TOKEN and send it as 'Authorization: Bearer TOKEN' to scrape from elsewhere or under another name.")
	errMetricsToken = bulletin.Errorf(bulletin.EUNAUTHORIZED, "Send the metrics token as 'Authorization: Bearer TOKEN'.")
)

// GuardMetrics lets a request reach metrics only when it comes straight
// from this host's loopback, addressed to localhost or a loopback address,
// or carries token as a bearer token. Without a token, others get 403;
// with one, a missing or wrong token gets 401.
//
// The TCP peer decides, never X-Forwarded-For. A request from loopback
// that carries a forwarding header came through a reverse proxy on this
// host, so it is treated as coming from outside: otherwise a local proxy
// would open /metrics to everyone behind it.
//
// The Host must be a loopback name too, as for first-run setup: a page
// whose DNS name its attacker rebinds to 127.0.0.1 makes the browser of
// anyone reading it send requests from loopback, under the page's own
// name, and read the answers as same-origin. Unlike setup, the guard does
// not take the public URL's host: a reverse proxy on this host that passes
// the Host on and adds no forwarding header would open /metrics under that
// name to everyone.
func GuardMetrics(metrics http.Handler, token string, log *slog.Logger) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if directFromLoopback(r) && IsLoopbackHost(r.Host) {
			metrics.ServeHTTP(w, r)
			return
		}
		if token == "" {
			writeError(w, r, log, errMetricsForbidden)
			return
		}
		sent, ok := bearerToken(r)
		got := sha256.Sum256([]byte(sent))
		// Comparing hashes keeps the time independent of the token's length.
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulletin-metrics"`)
			writeError(w, r, log, errMetricsToken)
			return
		}
		metrics.ServeHTTP(w, r)
	})
}

// directFromLoopback says whether the TCP peer is this host and no proxy
// forwarded the request.
func directFromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || !isLoopback(host) {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host"} {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	return true
}

// methodLabel is the request method as a metric label: one of the methods
// Bulletin answers, or "other". A client can send any token as a method,
// and each new label value would be a new time series kept for good.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// queuedWithin bounds the count of queued deliveries of one scrape: a
// database busy with a long write must not hold the scrape past its own
// timeout (Prometheus's default is 10 s).
const queuedWithin = 3 * time.Second

// A queuedGauge reports bulletin_deliveries_queued, counted on each scrape.
type queuedGauge struct {
	count func(context.Context) (int, error)
	log   *slog.Logger
	desc  *prometheus.Desc
}

// QueuedDeliveriesGauge returns the gauge of the deliveries not yet sent,
// counted by count (campaigns.Store.QueuedDeliveries) on each scrape. A
// count that fails leaves the gauge out of that scrape, with a warning
// logged, rather than failing the whole scrape or reporting 0 (nothing
// waiting) when that is not known.
func QueuedDeliveriesGauge(count func(context.Context) (int, error), log *slog.Logger) prometheus.Collector {
	return &queuedGauge{count: count, log: log, desc: prometheus.NewDesc("bulletin_deliveries_queued",
		"Deliveries not yet sent, of the campaigns and digests sending or paused.", nil, nil)}
}

// Describe implements prometheus.Collector.
func (g *queuedGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

// Collect implements prometheus.Collector.
func (g *queuedGauge) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queuedWithin)
	defer cancel()
	n, err := g.count(ctx)
	if err != nil {
		if g.log != nil {
			g.log.Warn("metrics: bulletin_deliveries_queued left out of this scrape", "err", err)
		}
		return
	}
	ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(n))
}

// ResultsHeldGauge returns the gauge of the results of messages sent that
// a sender holds in memory because they cannot be written (held, the
// sender's Held): while any is held it sends no more mail, and a stop
// would send their messages again unless the journal keeps them.
func ResultsHeldGauge(held func() int) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "bulletin_send_results_held",
		Help: "Results of messages sent that this process holds in memory, as they cannot be written; it sends no more mail until they are.",
	}, func() float64 { return float64(held()) })
}
