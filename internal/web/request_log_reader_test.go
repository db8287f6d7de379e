package web

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// TestRequestLogLeavesReadersAddressesOut: the request line of an open
// or a click is logged without the client's address. Its time matches
// the open or click stored to the millisecond, so with the address the
// log would say where each reader read their mail. Other requests keep it.
func TestRequestLogLeavesReadersAddressesOut(t *testing.T) {
	db := sqlitetest.Open(t)
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	rec := tracking.NewRecorder(db, trackSecret, tracking.RecorderOptions{Log: log})
	t.Cleanup(func() { rec.Close() })
	s := &Server{Log: log, BaseURL: "http://news.test",
		SubscriberDeps: SubscriberDeps{Pages: tmpl},
		TrackDeps:      TrackDeps{Tokens: tracking.NewSigner(trackSecret), Links: tracking.NewLinks(db), Recorder: rec}}
	h := TrustProxies([]netip.Prefix{netip.MustParsePrefix("172.31.80.1/32")}, s.Handler())
	get := func(path string) string {
		logs.Reset()
		r := httptest.NewRequest("GET", path, nil)
		r.RemoteAddr = "172.31.80.1:40000"
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		h.ServeHTTP(httptest.NewRecorder(), r)
		return logs.String()
	}
	for _, path := range []string{"/o/abc.gif", "/r/abc"} {
		line := get(path)
		if !strings.Contains(line, "msg=request") || !strings.Contains(line, "{token}") {
			t.Errorf("GET %s was not logged with its route:\n%s", path, line)
		}
		if strings.Contains(line, "remote=") || strings.Contains(line, "198.51.100.7") {
			t.Errorf("GET %s was logged with the reader's address:\n%s", path, line)
		}
	}
	if line := get("/healthz/nothing"); !strings.Contains(line, "remote=198.51.100.7") {
		t.Errorf("a request of no reader's link was logged without its address:\n%s", line)
	}

	for route, mailed := range map[string]bool{
		"GET /o/{token}": true, "GET /r/{token}": true, "GET /confirm/{token}": true, "POST /confirm/{token}": true,
		"GET /preferences/{token}": true, "POST /preferences/{token}/erase": true, "GET /preferences/{token}/data": true,
		"GET /data/{token}": true, "GET /erase/{token}": true, "POST /erase/{token}": true,
		"POST /unsubscribe/{token}": true, "GET /unsubscribe/{token}": true,
		"GET /admin/invite/{token}": false, "POST /api/v1/subscribers": false, "POST /subscribe": false, "other": false,
	} {
		if got := mailedLink(route); got != mailed {
			t.Errorf("mailedLink(%q) = %v, want %v", route, got, mailed)
		}
	}
}
