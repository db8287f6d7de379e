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
		"route":  {"GET /healthz": true, "other": true},
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
			r := httptest.NewRequest("GET", "/metrics", nil)
			// A loopback peer counts as this host only under a loopback
			// name: see metrics_host_test.go.
			r.RemoteAddr, r.Host = tt.peer, "localhost:8080"
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.200q", rec.Code, tt.status, rec.Body)
			}
			body := rec.Body.String()
			if tt.status == 200 {
				if !strings.Contains(body, "bulletin_http_request_duration_seconds") {
					t.Errorf("no metrics in the answer:\n%.300s", body)
				}
				return
			}
			var got errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Error != tt.code || got.Message == "" {
				t.Errorf("body %q, want a JSON error %q", body, tt.code)
			}
			if strings.Contains(body, "bulletin_http") || (tt.token != "" && strings.Contains(body, tt.token)) {
				t.Errorf("the refusal gave something away: %q", body)
			}
		})
	}
}
