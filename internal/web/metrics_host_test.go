package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A page whose DNS name its attacker rebinds to 127.0.0.1 makes a
// reader's browser ask /metrics from a loopback peer, without a proxy
// header, under the page's own name. Only a loopback name as the Host
// makes a loopback peer this host; any other is from elsewhere, and needs
// the token. Both callers are checked: serve's routes and the guard alone,
// as the worker mounts it.
func TestMetricsFromALoopbackPeerNeedALoopbackHost(t *testing.T) {
	const token = "m3trics-t0ken-0123456789abcdef"
	tests := []struct {
		name, token, peer, host, auth, xff string
		status                             int
		code                               string
	}{
		{"127.0.0.1 with a port", "", "127.0.0.1:5000", "127.0.0.1:8080", "", "", 200, ""},
		{"localhost with a port", "", "127.0.0.1:5000", "localhost:8080", "", "", 200, ""},
		{"::1 with a port", "", "[::1]:5000", "[::1]:8080", "", "", 200, ""},
		{"localhost in another case, no port", "", "127.0.0.1:5000", "LocalHost", "", "", 200, ""},
		{"another loopback address", "", "127.0.0.1:5000", "127.0.0.2", "", "", 200, ""},
		{"loopback name with a token set", token, "127.0.0.1:5000", "localhost:8080", "", "", 200, ""},
		{"rebound name", "", "127.0.0.1:5000", "evil.example", "", "", 403, "forbidden"},
		{"rebound name with a port", "", "127.0.0.1:5000", "evil.example:8080", "", "", 403, "forbidden"},
		{"rebound name over ::1", "", "[::1]:5000", "evil.example", "", "", 403, "forbidden"},
		{"rebound name that starts like localhost", "", "127.0.0.1:5000", "localhost.evil.example", "", "", 403, "forbidden"},
		{"rebound name that starts like 127.0.0.1", "", "127.0.0.1:5000", "127.0.0.1.evil.example", "", "", 403, "forbidden"},
		{"no Host", "", "127.0.0.1:5000", "", "", "", 403, "forbidden"},
		{"rebound name, token set, none sent", token, "127.0.0.1:5000", "evil.example", "", "", 401, "unauthorized"},
		{"rebound name, wrong token", token, "127.0.0.1:5000", "evil.example", "Bearer nope", "", 401, "unauthorized"},
		{"rebound name, right token", token, "127.0.0.1:5000", "evil.example", "Bearer " + token, "", 200, ""},
		{"loopback name through a local proxy", "", "127.0.0.1:5000", "localhost:8080", "", "203.0.113.9", 403, "forbidden"},
	}
	callers := map[string]func(t *testing.T, token string) http.Handler{
		"serve": func(t *testing.T, token string) http.Handler {
			s, _ := unroutedServer(t, nil)
			s.MetricsToken = token
			return s.Handler()
		},
		"worker": func(t *testing.T, token string) http.Handler {
			metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "bulletin_http_request_duration_seconds 0\n")
			})
			return GuardMetrics(metrics, token, slog.New(slog.NewTextHandler(io.Discard, nil)))
		},
	}
	for caller, newHandler := range callers {
		for _, tt := range tests {
			t.Run(caller+"/"+tt.name, func(t *testing.T) {
				h := newHandler(t, tt.token)
				// serve's registry has no request metric until a request is counted.
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
				checkMetrics(t, h, metricsAsk{peer: tt.peer, host: tt.host, auth: tt.auth, xff: tt.xff}, tt.status, tt.code, tt.token)
			})
		}
	}
}

// The same over a real connection to a test server on 127.0.0.1: the
// browser of a rebinding attack connects to loopback, and only the Host
// it sends tells the two apart.
func TestMetricsOverLoopbackTCPNeedALoopbackHost(t *testing.T) {
	s, _ := unroutedServer(t, nil)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	get := func(host string) int {
		t.Helper()
		req, err := http.NewRequest("GET", ts.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host // "" sends the URL's, 127.0.0.1:port
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(""); code != http.StatusOK {
		t.Errorf("GET %s/metrics = %d, want 200", ts.URL, code)
	}
	if code := get("localhost"); code != http.StatusOK {
		t.Errorf("GET /metrics under Host localhost = %d, want 200", code)
	}
	if code := get("evil.example"); code != http.StatusForbidden {
		t.Errorf("GET /metrics under Host evil.example = %d, want 403", code)
	}
}
