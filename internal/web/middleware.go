package web

import (
	"context"
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
		level := slog.LevelInfo
		if isProbe(route) {
			// A health check every few seconds would bury the requests
			// that matter; a failed readiness check logs its own warning.
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Duration("took", d)}
		if !mailedLink(route) {
			attrs = append(attrs, slog.String("remote", clientIP(r)))
		}
		s.Log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// mailedLink reports whether route is a link mailed to one reader (an
// open, a click, a confirmation, their preferences, an unsubscribe, the
// download or erase of their data). Its log line leaves the client's
// address out: its time matches the click or open stored to the
// millisecond, and with the address beside it the log would say where
// each reader read their mail, which Bulletin never keeps.
func mailedLink(route string) bool {
	_, path, found := strings.Cut(route, " ")
	if !found {
		path = route
	}
	for _, prefix := range []string{"/o/", "/r/", "/confirm/", "/preferences/", "/unsubscribe/", "/data/", "/erase/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// isProbe reports whether route is one of the health checks that
// monitors and container runtimes ask again and again.
func isProbe(route string) bool {
	_, path, found := strings.Cut(route, " ")
	if !found {
		path = route
	}
	return path == "/healthz" || path == "/readyz"
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
// whether or not its route would read the body; an API route that takes
// no body answers 422 first, as to any body (checkNoBody).
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

// trustedProxiesKey is the context key of the proxies TrustProxies adds.
type trustedProxiesKey struct{}

// TrustProxies returns next with proxies, the reverse proxies besides this
// host's loopback whose X-Forwarded-For clientIP believes, in each
// request's context. serve wraps the whole server in it: a proxy on the
// Docker host reaches a container from the bridge's gateway, and without
// it every client behind that proxy would be one address to the signup
// rate limit and the login lockout.
func TrustProxies(proxies []netip.Prefix, next http.Handler) http.Handler {
	if len(proxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), trustedProxiesKey{}, proxies)))
	})
}

// clientIP is the address of the client: the peer's, without its port;
// or, when the peer is a trusted proxy (this host's loopback, as a TLS
// front beside Bulletin usually is, or one given to TrustProxies), the
// last address in X-Forwarded-For that is not a trusted proxy's: the one
// the outermost trusted proxy took the request from. Earlier entries, and
// the header from any other peer, could be written by the client itself,
// and the rate limit and the login lockout must not take an address a
// client chose.
func clientIP(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	proxies, _ := r.Context().Value(trustedProxiesKey{}).([]netip.Prefix)
	if !isTrusted(peer, proxies) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		list := strings.Split(hops[i], ",")
		for j := len(list) - 1; j >= 0; j-- {
			addr, ok := forwardedAddr(strings.TrimSpace(list[j]))
			if !ok {
				return peer // not an address: trust nothing before it
			}
			if addr = addr.Unmap(); !trustedAddr(addr, proxies) {
				return addr.String()
			}
		}
	}
	return peer
}

// forwardedAddr reads an X-Forwarded-For entry: an address, or one with
// a port ("198.51.100.7:5678", "[2001:db8::7]:443") or in brackets, as
// some proxies write it.
func forwardedAddr(entry string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(entry); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr(), true
	}
	if strings.HasPrefix(entry, "[") && strings.HasSuffix(entry, "]") {
		a, err := netip.ParseAddr(entry[1 : len(entry)-1])
		return a, err == nil
	}
	return netip.Addr{}, false
}

// isTrusted says whether host, a peer's address, is a proxy whose
// X-Forwarded-For is believed.
func isTrusted(host string, proxies []netip.Prefix) bool {
	addr, err := netip.ParseAddr(host)
	return err == nil && trustedAddr(addr.Unmap(), proxies)
}

// trustedAddr says whether addr is this host's loopback or in one of
// proxies.
func trustedAddr(addr netip.Addr, proxies []netip.Prefix) bool {
	if addr.IsLoopback() {
		return true
	}
	addr = addr.WithZone("")
	for _, p := range proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// isLoopback says whether host is an address of this host's loopback.
func isLoopback(host string) bool {
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}
