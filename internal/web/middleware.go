package web

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bulletin_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method", "code"}),
	}
	reg.MustRegister(m.duration)
	return m
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one log line per request and observes its duration.
// The route is the matched pattern, not the path, so tokens in paths never
// reach the logs or the metric labels; requests no pattern matched share
// the route "other", and unknown methods the method "other".
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "other"
		}
		s.metrics.duration.WithLabelValues(route, methodLabel(r.Method), strconv.Itoa(sw.status)).Observe(d.Seconds())
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("took", d), slog.String("remote", clientIP(r)))
	})
}

// limitBody caps every request body at MaxBodyBytes; reading past it fails
// and the decoders answer 413. A body announced over the limit fails at
// its first read, unread: its route answers it, as it answers a chunked
// one found over the limit, after its token or session and in its own
// shape (the signup's CORS headers, the form's HTML page).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.isAdminUpload(r) {
			next.ServeHTTP(w, r) // the upload's route sets its own limit
			return
		}
		if r.ContentLength > MaxBodyBytes {
			r.Body = overLimitBody{r.Body}
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// overLimitBody is a body whose Content-Length is over MaxBodyBytes: it
// reads as a MaxBytesReader past its limit does.
type overLimitBody struct{ io.ReadCloser }

func (overLimitBody) Read([]byte) (int, error) {
	return 0, &http.MaxBytesError{Limit: MaxBodyBytes}
}

// bodyOverLimit reports whether r's Content-Length is over MaxBodyBytes:
// requireToken and requireAdmin answer 413 once they let r through,
// whether or not its route would read the body.
func bodyOverLimit(r *http.Request) bool {
	_, over := r.Body.(overLimitBody)
	return over
}

// recoverPanics turns a panic into a 500 without a stack trace in the
// response; the log gets the value, not the trace.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic serving request", "route", r.Pattern, "panic", v)
				http.Error(w, "Internal error.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the address of the client: the peer's, without its port;
// or, when the peer is this host (a reverse proxy beside Bulletin, as a
// TLS front usually is), the last address in X-Forwarded-For that is not
// this host's: the one the proxy added. Earlier entries, and the header
// from any other peer, could be written by the client itself, and the
// rate limit and the login lockout must not take an address a client
// chose.
func clientIP(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	if !isLoopback(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		list := strings.Split(hops[i], ",")
		for j := len(list) - 1; j >= 0; j-- {
			ip := strings.TrimSpace(list[j])
			if addr, err := netip.ParseAddr(ip); err == nil && !addr.IsLoopback() {
				return addr.Unmap().String()
			} else if err != nil {
				return peer // not an address: trust nothing before it
			}
		}
	}
	return peer
}

// isLoopback says whether host is an address of this host's loopback.
func isLoopback(host string) bool {
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}
