package web

import (
	"net/http"
	"strings"
	"testing"
)

// Setup sent again once it is done (a double click, Back and the button
// again, or a setup that lost a race) says that setup is done and leads to
// the login page, or goes on to the dashboard for the browser logged in as
// the form's admin; the setup page opened again goes where setup led. All
// of them were a plain-text "404 page not found". A stranger learns only
// that setup is done, which the login page tells anyone.
func TestSetupSentAgainOnceDoneSaysSoAndLeadsToLogin(t *testing.T) {
	_, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	csrf := c.csrf()
	// A double click: the second form goes with the first's cookies, before
	// the browser has the session the first answer set.
	twin := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost, cookies: map[string]*http.Cookie{}}
	for k, v := range c.cookies {
		twin.cookies[k] = v
	}
	if resp, body := c.do("POST", "/admin/setup", setupForm(csrf, "")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup = %d:\n%s", resp.StatusCode, body)
	}

	const heading, note = "<h1>Bulletin is set up already</h1>", "Setup was done before this form arrived, so it changed nothing."
	stranger := &setupClient{t: t, h: h, peer: remotePeer}
	for _, b := range []struct {
		name string
		c    *setupClient
	}{{"the second of a double click", twin}, {"a stranger's", stranger}} {
		resp, body := b.c.do("POST", "/admin/setup", setupForm(csrf, ""))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, heading) || !strings.Contains(body, note) ||
			!strings.Contains(body, `<a href="/admin/login">Log in</a>`) {
			t.Errorf("%s form once set up = %d, want 409 saying setup is done, with a link to log in:\n%s", b.name, resp.StatusCode, body)
		}
		if strings.Contains(body, "ann@example.com") || strings.Contains(body, "Nothing was saved") {
			t.Errorf("%s form once set up: the page names the admin, or says only that nothing was saved:\n%s", b.name, body)
		}
	}

	// The browser logged in by setup: its form sent again goes on to the
	// dashboard, as the first answer did; the page opened again, too.
	for _, m := range []string{"POST", "GET"} {
		resp, body := c.do(m, "/admin/setup", setupForm(csrf, ""))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
			t.Errorf("%s /admin/setup by the browser that did setup = %d to %q, want 303 to /admin:\n%s", m, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	if resp, body := stranger.do("GET", "/admin/setup", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/login" {
		t.Errorf("GET /admin/setup once set up, not logged in = %d to %q, want 303 to /admin/login:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}
