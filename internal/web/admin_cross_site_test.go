package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A form posted to the admin area from another origin is refused before
// any handler, as a browser marks it (Sec-Fetch-Site) or, without that,
// by its Origin: a sibling subdomain ("same-site") could otherwise plant
// the login form's cookie and value and sign the editor in to an account
// of its choosing. The same form from the admin's own page, or from no
// browser at all, goes through.
func TestAdminFormsFromAnotherSiteAreRefused(t *testing.T) {
	_, a := newAdminServer(t)
	token := a.loginFormToken()
	form := url.Values{"csrf": {token}, "email": {"editor@example.com"}, "password": {"correct horse battery"}, "next": {"/admin/lists"}}
	post := func(hdr ...string) (*http.Response, string) {
		req, err := http.NewRequest("POST", a.base+"/admin/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return a.send(req)
	}
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "same-site"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "http://news.example.com"},
	} {
		resp, body := post(hdr...)
		if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, sessionCookie) != nil {
			t.Errorf("a login posted with %s: %s = %d, want 403 and no session", hdr[0], hdr[1], resp.StatusCode)
		}
		for _, want := range []string{"<h1>Sent from another site</h1>", "this form was sent from a page of another site", "Nothing was saved."} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal of a login posted with %s: %s lacks %q:\n%s", hdr[0], hdr[1], want, body)
			}
		}
		if strings.Contains(body, "Back button") {
			t.Errorf("the refusal of a form from another site tells the editor to send it again from its page:\n%s", body)
		}
	}
	resp, _ := post("Sec-Fetch-Site", "same-origin", "Origin", a.base)
	if resp.StatusCode != http.StatusSeeOther || cookieNamed(resp, sessionCookie) == nil {
		t.Fatalf("the login from the admin's own page = %d, want 303 with a session", resp.StatusCode)
	}
	if resp, _ := a.get("/admin/lists"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /admin/lists after the login = %d", resp.StatusCode)
	}
}

// The public forms are meant to be posted from the publisher's pages and
// mail programs: the signup from another site and a one-click
// unsubscribe are not refused.
func TestPublicFormsFromAnotherSiteAreTaken(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("POST", "/subscribe", "application/x-www-form-urlencoded", url.Values{"email": {"reader@example.org"}, "list": {"daily-news"}}.Encode(),
		"Sec-Fetch-Site", "cross-site", "Origin", "https://publisher.example")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
		t.Errorf("a signup posted from the publisher's page = %d to %q, want 303 to /subscribe/check-email:\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	sub, _ := e.prefsReader("one@example.org", "daily", "daily-news")
	w = e.do("POST", "/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, sub.ID, 0), "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click",
		"Sec-Fetch-Site", "cross-site", "Origin", "https://mail.example")
	if w.Code != http.StatusOK || e.status(sub.ID) != subscribers.StatusUnsubscribed {
		t.Errorf("a one-click unsubscribe from a mail program's page = %d, want 200 and the reader unsubscribed (%s)", w.Code, e.status(sub.ID))
	}
}
