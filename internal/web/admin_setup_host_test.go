package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
)

// A page whose DNS name was rebound to 127.0.0.1 reaches setup from a
// loopback peer with no proxy header, and reads the form's CSRF cookie
// and field as same-origin. Its Host is its own name, so setup asks it
// for the code and makes no admin without it.
func TestSetupFromALoopbackPeerUnderAForeignHostNeedsTheCode(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: "rebind.attacker.example:8080"}
	resp, body := c.do("GET", "/admin/setup", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="code"`) {
		t.Fatalf("GET /admin/setup under a foreign Host = %d, want the form with the code field:\n%s", resp.StatusCode, body)
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	if resp, body := c.post(&csrf, setupForm("", "")); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "setup code") {
		t.Errorf("POST /admin/setup under a foreign Host without the code = %d, want 403 asking for it:\n%s", resp.StatusCode, body)
	}
	if hasAdmin(t, s) {
		t.Error("setup under a foreign Host made an admin without the code")
	}
}

// The server's own names open setup from a loopback peer without the
// code: localhost and the loopback addresses, with any port, and the host
// of BASE_URL and of the public URL in force, in any case.
func TestSetupFromALoopbackPeerUnderAnOwnHostNeedsNoCode(t *testing.T) {
	s, _, _ := newSetupServer(t)
	s.BaseURL = "https://base.harbour.example"
	h := s.Handler()
	err := s.Settings.Save(context.Background(), &settings.Update{Publication: settings.Publication{
		PublicURL: "https://news.harbour.example:8443", Credit: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:8080", "[::1]:8080", "[::1]",
		"base.harbour.example", "news.harbour.example", "News.Harbour.Example:443"} {
		c := &setupClient{t: t, h: h, peer: loopbackPeer, host: host}
		if resp, body := c.do("GET", "/admin/setup", nil); resp.StatusCode != http.StatusOK || strings.Contains(body, `name="code"`) {
			t.Errorf("GET /admin/setup under Host %q = %d, want 200 without a code field", host, resp.StatusCode)
		}
	}
	for _, host := range []string{"harbour.example", "localhost.attacker.example", "127.0.0.1.attacker.example", "news.harbour.example.attacker.example"} {
		c := &setupClient{t: t, h: h, peer: loopbackPeer, host: host}
		if resp, body := c.do("GET", "/admin/setup", nil); !strings.Contains(body, `name="code"`) {
			t.Errorf("GET /admin/setup under Host %q = %d without a code field, want it asking for the code", host, resp.StatusCode)
		}
	}
	// An HTTP/1.0 request may name no host at all.
	r := httptest.NewRequest("GET", "/admin/setup", nil)
	r.RemoteAddr, r.Host = loopbackPeer, ""
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if !strings.Contains(rec.Body.String(), `name="code"`) {
		t.Errorf("GET /admin/setup without a Host = %d without a code field, want it asking for the code", rec.Code)
	}
}
