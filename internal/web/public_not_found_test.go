package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// send makes one request through the real server of a, with the client's
// cookies, and returns the answer and its body.
func send(t *testing.T, a *adminClient, method, path string, hdr http.Header, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// A reader link cut short before its token, or with more path after it,
// as a mail program leaves it, gets the very page of a damaged token, with
// its 400: it says what to do instead, in the publication's layout.
func TestCutReaderLinksGetTheBadLinkPage(t *testing.T) {
	_, a, _ := fullServer(t)
	for _, c := range []struct {
		base, heading string
		cut           []string
	}{
		{"/unsubscribe", "This unsubscribe link does not work", []string{"/unsubscribe/", "/unsubscribe", "/unsubscribe/abc/def"}},
		{"/preferences", "This preferences link does not work", []string{"/preferences/", "/preferences", "/preferences/abc/"}},
		{"/confirm", "This link does not work", []string{"/confirm/", "/confirm", "/confirm/abc/def"}},
	} {
		for _, method := range []string{"GET", "POST"} {
			// One-click unsubscribe posts this body (RFC 8058).
			form := url.Values{"List-Unsubscribe": {"One-Click"}}
			damagedResp, damaged := send(t, a, method, c.base+"/not-a-token", nil, form)
			if damagedResp.StatusCode != http.StatusBadRequest || !strings.Contains(damaged, "<h1>"+c.heading+"</h1>") {
				t.Fatalf("%s %s/not-a-token = %d, want 400 %q:\n%s", method, c.base, damagedResp.StatusCode, c.heading, damaged)
			}
			for _, path := range c.cut {
				resp, body := send(t, a, method, path, nil, form)
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s %s = %d, want 400 as a damaged token", method, path, resp.StatusCode)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("%s %s: Content-Type %q, want text/html", method, path, ct)
				}
				if body != damaged {
					t.Errorf("%s %s is not the page of a damaged token:\n%s", method, path, body)
				}
				if csp := resp.Header.Get("Content-Security-Policy"); csp != pageCSP {
					t.Errorf("%s %s: Content-Security-Policy %q, want the public pages'", method, path, csp)
				}
			}
		}
	}
}

// TestUnknownPathsAnswerInTheirAreasShape: an address nothing serves is a
// 404 page in the public layout, with the publication's name and a way
// on, on the public site; the admin layout's "Not found" in the admin
// area; the JSON error under /api/. A method a path does not take is a
// 405 naming the ones it does, in the area's shape: a public page, or the
// JSON error of a provider's webhook endpoint.
func TestUnknownPathsAnswerInTheirAreasShape(t *testing.T) {
	s, a, token := fullServer(t)
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	tests := []struct {
		method, path string
		hdr          http.Header
		status       int
		ctype        string
		want         []string
		allow        string
	}{
		{"GET", "/subscribe/typo", nil, 404, "text/html", publicNotFound, ""},
		{"GET", "/no/such/page", nil, 404, "text/html", publicNotFound, ""},
		{"POST", "/no/such/page", nil, 404, "text/html", publicNotFound, ""},
		{"GET", "/webhooks/nobody", nil, 404, "text/html", publicNotFound, ""},
		{"PUT", "/subscribe", nil, 405, "text/html", []string{"<h1>Not done at this address</h1>"}, "GET, HEAD, POST"},
		{"DELETE", "/unsubscribe/abc", nil, 405, "text/html", []string{"<h1>Not done at this address</h1>"}, "GET, HEAD, POST"},
		{"GET", "/webhooks/postmark", nil, 405, "application/json", []string{`"error":"method_not_allowed"`}, "POST"},
		{"GET", "/admin/no/such/page", nil, 404, "text/html", []string{"<h1>Not found</h1>", `href="/admin/subscribers"`}, ""},
		{"GET", "/api/v1/nothing", nil, 401, "application/json", []string{`"error":"unauthorized"`}, ""},
		{"GET", "/api/v1/nothing", bearer, 404, "application/json", []string{`"error":"not_found"`}, ""},
		{"GET", "/api/nothing", bearer, 404, "application/json", []string{`"error":"not_found"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := send(t, a, tt.method, tt.path, tt.hdr, nil)
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) {
				t.Fatalf("= %d %s, want %d %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.ctype, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "404 page not found") {
				t.Errorf("net/http's bare 404:\n%s", body)
			}
			if allow := resp.Header.Get("Allow"); allow != tt.allow {
				t.Errorf("Allow = %q, want %q", allow, tt.allow)
			}
			if strings.HasPrefix(tt.ctype, "application/json") {
				var e errorBody
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Message == "" {
					t.Errorf("not the JSON error shape: %q", body)
				}
			}
		})
	}

	// The page is counted under no route of its own: paths made up by
	// clients must not become metric labels.
	families, err := s.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && (strings.Contains(l.GetValue(), "typo") || l.GetValue() == "/") {
					t.Errorf("route label %q", l.GetValue())
				}
			}
		}
	}
}

// publicNotFound is what the public 404 page must show: its heading, the
// publication's name and the way on. Its archive link, shown only once the
// archive lists an issue, is TestBadLink32HomeSaysTheArchiveIsEmpty's.
var publicNotFound = []string{
	"<h1>Page not found</h1>",
	"<title>Page not found · Bulletin</title>",
	`<a href="/subscribe">Sign up for Bulletin</a>`,
}

// The 404 page offers only the ways this server serves: no archive link
// when the archive is off.
func TestPublicNotFoundOffersOnlyWhatIsServed(t *testing.T) {
	e := newSubEnv(t, 0) // no Archiver: /archive is not served
	w := e.do("GET", "/archive", "", "")
	body := w.Body.String()
	if w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /archive = %d %s:\n%s", w.Code, w.Header().Get("Content-Type"), body)
	}
	if !strings.Contains(body, "<h1>Page not found</h1>") || !strings.Contains(body, `href="/subscribe"`) {
		t.Errorf("not the public 404 page with the signup link:\n%s", body)
	}
	if strings.Contains(body, `href="/archive"`) {
		t.Errorf("links to an archive that is not served:\n%s", body)
	}
	if w := e.do("HEAD", "/nothing", "", ""); w.Code != http.StatusNotFound {
		t.Errorf("HEAD /nothing = %d, want 404", w.Code)
	}
}

// The public pages' footer credits the software as a web page would,
// "Powered by Bulletin"; mail keeps its own "Sent with Bulletin".
func TestPublicPagesSayPoweredByBulletin(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, path := range []string{"/subscribe", "/subscribe/check-email", "/confirm/not-a-token", "/unsubscribe/", "/nothing"} {
		w := e.do("GET", path, "", "")
		body := w.Body.String()
		if !strings.Contains(body, `<footer class="muted small">Powered by Bulletin</footer>`) {
			t.Errorf("GET %s (%d): no \"Powered by Bulletin\" footer:\n%s", path, w.Code, body)
		}
		if strings.Contains(body, "Sent with Bulletin") {
			t.Errorf("GET %s says \"Sent with Bulletin\", which is for mail", path)
		}
	}
	if w := e.form("/subscribe", url.Values{"email": {"ann@example.org"}, "list": {"daily-news"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("signup = %d", w.Code)
	}
	e.runConfirmations()
	mails := e.sent.all()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the confirmation", len(mails))
	}
	raw := strings.ReplaceAll(mails[0].Raw, "=\r\n", "")
	if !strings.Contains(raw, "Sent with Bulletin") || strings.Contains(raw, "Powered by Bulletin") {
		t.Errorf("the confirmation mail's credit changed:\n%s", raw)
	}
}

// The archive's and the signup page's addresses written with a slash at
// their end lead to the pages, the query kept (a list chosen in the
// signup link); anything longer is still not found.
func TestSlashEndedPagesRedirect(t *testing.T) {
	_, a, _ := fullServer(t)
	for path, want := range map[string]string{"/archive/": "/archive", "/subscribe/": "/subscribe", "/subscribe/?list=news": "/subscribe?list=news"} {
		resp, body := send(t, a, "GET", path, nil, nil)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("GET %s = %d to %q, want 301 to %q:\n%s", path, resp.StatusCode, resp.Header.Get("Location"), want, body)
		}
	}
	if resp, _ := send(t, a, "GET", "/archive/x/", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /archive/x/ = %d, want 404", resp.StatusCode)
	}
}
