package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMetricLabelsStayBounded sends made-up methods and paths: each would
// be a new time series if it became a label value.
func TestMetricLabelsStayBounded(t *testing.T) {
	s, h := foundationServer(t, nil)
	for i := range 300 {
		for _, req := range []*http.Request{
			httptest.NewRequest(fmt.Sprintf("MADEUP%d", i), "/healthz", nil),
			httptest.NewRequest("GET", fmt.Sprintf("/no/such/page/%d", i), nil),
			httptest.NewRequest(fmt.Sprintf("X%d", i), fmt.Sprintf("/nowhere/%d", i), nil),
		} {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("post", "/healthz", nil))

	families, err := s.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]map[string]bool{"route": {}, "method": {}}
	for _, f := range families {
		if f.GetName() != "bulletin_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != nil {
					labels[l.GetName()][l.GetValue()] = true
				}
			}
		}
	}
	want := map[string]map[string]bool{
		"route":  {"GET /healthz": true, "/healthz": true, "other": true},
		"method": {"GET": true, "other": true},
	}
	if diff := cmp.Diff(want, labels); diff != "" {
		t.Errorf("label values (-want +got):\n%s", diff)
	}
}

// TestMetricsOpenToLoopbackOrToken checks who may read /metrics: the TCP
// peer decides, never a header a client or a proxy wrote.
func TestMetricsOpenToLoopbackOrToken(t *testing.T) {
	const token = "m3trics-t0ken-0123456789abcdef"
	tests := []struct {
		name, token, peer, auth string
		xff                     string
		status                  int
		code                    string
	}{
		{"loopback v4", "", "127.0.0.1:5000", "", "", 200, ""},
		{"loopback v6", "", "[::1]:5000", "", "", 200, ""},
		{"loopback v4 with a token set", token, "127.0.0.1:5000", "", "", 200, ""},
		{"remote, no token configured", "", "203.0.113.9:5000", "", "", 403, "forbidden"},
		{"remote, no token configured, one sent", "", "203.0.113.9:5000", "Bearer " + token, "", 403, "forbidden"},
		{"remote claims loopback", "", "203.0.113.9:5000", "", "127.0.0.1", 403, "forbidden"},
		{"through a local proxy", "", "127.0.0.1:5000", "", "203.0.113.9", 403, "forbidden"},
		{"through a local proxy that says loopback", "", "127.0.0.1:5000", "", "127.0.0.1", 403, "forbidden"},
		{"private network peer", "", "10.0.0.5:5000", "", "", 403, "forbidden"},
		{"remote, no header", token, "203.0.113.9:5000", "", "", 401, "unauthorized"},
		{"remote, wrong token", token, "203.0.113.9:5000", "Bearer nope", "", 401, "unauthorized"},
		{"remote, token as a prefix", token, "203.0.113.9:5000", "Bearer " + token[:10], "", 401, "unauthorized"},
		{"remote, not bearer", token, "203.0.113.9:5000", "Basic " + token, "", 401, "unauthorized"},
		{"remote, right token", token, "203.0.113.9:5000", "Bearer " + token, "", 200, ""},
		{"remote, right token, scheme in lower case", token, "203.0.113.9:5000", "bearer " + token, "", 200, ""},
		{"proxied, right token", token, "127.0.0.1:5000", "Bearer " + token, "203.0.113.9", 200, ""},
		{"proxied, wrong token", token, "127.0.0.1:5000", "Bearer nope", "203.0.113.9", 401, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := unroutedServer(t, nil)
			s.MetricsToken = tt.token
			h := s.Handler()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
			// A loopback peer counts as this host only under a loopback
			// name: see metrics_host_test.go.
			checkMetrics(t, h, metricsAsk{peer: tt.peer, host: "localhost:8080", auth: tt.auth, xff: tt.xff}, tt.status, tt.code, tt.token)
		})
	}
}

// metricsAsk is a request for /metrics: its TCP peer, Host, Authorization
// and X-Forwarded-For.
type metricsAsk struct{ peer, host, auth, xff string }

// checkMetrics asks h for /metrics as ask says and checks the answer:
// metrics with status 200, else a JSON error of code that gives neither
// metrics nor secret away.
func checkMetrics(t *testing.T, h http.Handler, ask metricsAsk, status int, code, secret string) {
	t.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.RemoteAddr, r.Host = ask.peer, ask.host
	if ask.auth != "" {
		r.Header.Set("Authorization", ask.auth)
	}
	if ask.xff != "" {
		r.Header.Set("X-Forwarded-For", ask.xff)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %.200q", rec.Code, status, rec.Body)
	}
	body := rec.Body.String()
	if status == 200 {
		if !strings.Contains(body, "bulletin_http_request_duration_seconds") {
			t.Errorf("no metrics in the answer:\n%.300s", body)
		}
		return
	}
	var got errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Error != code || got.Message == "" {
		t.Errorf("body %q, want a JSON error %q", body, code)
	}
	if strings.Contains(body, "bulletin_http") || (secret != "" && strings.Contains(body, secret)) {
		t.Errorf("the refusal gave something away: %q", body)
	}
}
