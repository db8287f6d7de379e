package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestClientIPBehindTrustedProxy checks clientIP's decision when serve
// trusts a proxy besides loopback, as the shipped docker-compose.yml does
// with its network's gateway: a TLS proxy on the Docker host reaches the
// container from there, and each client behind it must stay its own
// address to the signup limit and the login lockout, while any other peer
// still cannot name itself.
func TestClientIPBehindTrustedProxy(t *testing.T) {
	gateway := []netip.Prefix{netip.MustParsePrefix("172.31.80.1/32")}
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00:1::/64"), gateway[0]}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"gateway trusted: the client the proxy names", gateway, "172.31.80.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"gateway trusted: a client's own entry is passed over", gateway, "172.31.80.1:40000", []string{"192.0.2.66, 198.51.100.1"}, "198.51.100.1"},
		{"gateway trusted, no header: the gateway itself", gateway, "172.31.80.1:40000", nil, "172.31.80.1"},
		{"gateway not trusted: its header is ignored", nil, "172.31.80.1:40000", []string{"198.51.100.1"}, "172.31.80.1"},
		{"another container on the network is not trusted", gateway, "172.31.80.5:40000", []string{"198.51.100.1"}, "172.31.80.5"},
		{"a direct client cannot name itself", proxies, "203.0.113.7:5123", []string{"198.51.100.1"}, "203.0.113.7"},
		{"loopback stays trusted", gateway, "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"trusted hops skipped from the right", proxies, "10.9.9.9:40000", []string{"192.0.2.66, 198.51.100.1, 10.1.2.3, 127.0.0.1"}, "198.51.100.1"},
		{"a trusted hop behind a local proxy is skipped too", proxies, "127.0.0.1:40000", []string{"198.51.100.1, 10.1.2.3"}, "198.51.100.1"},
		{"trusted hops across headers", proxies, "10.9.9.9:40000", []string{"198.51.100.1", "10.1.2.3"}, "198.51.100.1"},
		{"an untrusted hop ends the walk", proxies, "10.9.9.9:40000", []string{"198.51.100.1, 192.0.2.66, 10.1.2.3"}, "192.0.2.66"},
		{"mapped peer and hop", gateway, "[::ffff:172.31.80.1]:40000", []string{"::ffff:172.31.80.1, ::ffff:198.51.100.1"}, "198.51.100.1"},
		{"IPv6 proxy range", proxies, "[fd00:1::5]:40000", []string{"2001:db8::7, fd00:1::9"}, "2001:db8::7"},
		{"IPv6 outside the range", proxies, "[fd00:2::5]:40000", []string{"2001:db8::7"}, "fd00:2::5"},
		{"garbage after trusted hops trusts nothing", proxies, "10.9.9.9:40000", []string{"192.0.2.66, unknown, 10.1.2.3"}, "10.9.9.9"},
		{"every hop trusted: the peer", proxies, "10.9.9.9:40000", []string{"10.1.2.3, 127.0.0.1"}, "10.9.9.9"},
		// Some proxies write the client's port, or IPv6 in brackets: it
		// is still the client, not the proxy for every client.
		{"a hop with its port", gateway, "172.31.80.1:40000", []string{"198.51.100.1:5678"}, "198.51.100.1"},
		{"an IPv6 hop with its port", gateway, "172.31.80.1:40000", []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"an IPv6 hop in brackets", gateway, "172.31.80.1:40000", []string{"[2001:db8::7]"}, "2001:db8::7"},
		{"a trusted hop with its port is skipped", proxies, "10.9.9.9:40000", []string{"198.51.100.1, 10.1.2.3:80"}, "198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			h := TrustProxies(tt.trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = clientIP(r) }))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRequestLogBehindTrustedProxy checks the server's log through the
// whole handler serve builds: a request through the trusted gateway is
// logged with its client's address, not the gateway's, and the health
// probes a container runtime sends every few seconds are logged at DEBUG
// only, while other requests stay at INFO.
func TestRequestLogBehindTrustedProxy(t *testing.T) {
	s, _ := unroutedServer(t, nil)
	var logs bytes.Buffer
	s.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := TrustProxies([]netip.Prefix{netip.MustParsePrefix("172.31.80.1/32")}, s.Handler())
	get := func(path string) int {
		r := httptest.NewRequest("GET", path, nil)
		r.RemoteAddr = "172.31.80.1:40000"
		r.Header.Set("X-Forwarded-For", "192.0.2.66, 198.51.100.7")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code := get(path); code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, code)
		}
	}
	if strings.Contains(logs.String(), "healthz") || strings.Contains(logs.String(), "readyz") {
		t.Errorf("a probe was logged at INFO:\n%s", logs.String())
	}
	get("/api/v1/lists")
	line := logs.String()
	if !strings.Contains(line, "level=INFO msg=request method=GET") {
		t.Fatalf("the API request was not logged at INFO:\n%s", line)
	}
	if !strings.Contains(line, "remote=198.51.100.7") {
		t.Errorf("the request was logged without its client's address 198.51.100.7:\n%s", line)
	}

	logs.Reset()
	s.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	get("/healthz")
	if line := logs.String(); !strings.Contains(line, "level=DEBUG") || !strings.Contains(line, "/healthz") {
		t.Errorf("a probe was not logged at DEBUG:\n%s", line)
	}
}
