package web

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The check-email page a signup is answered with names the address the
// form sent, so that a reader sees a typo (ann@exmaple.org) and can sign
// up again with the right one. Before, it named no address. The address
// comes from a cookie the signup's answer sets, for that page alone and
// for a few minutes: only the browser that typed it shows it, and the
// page is the same for an address already known.
func TestCheckEmailPageNamesTheAddressTyped(t *testing.T) {
	e := newSubEnv(t, 0)
	signup := func(v url.Values) *httptest.ResponseRecorder {
		t.Helper()
		w := e.form("/subscribe", v)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
			t.Fatalf("signup %v: %d %q:\n%s", v, w.Code, w.Header().Get("Location"), w.Body)
		}
		return w
	}
	page := func(w *httptest.ResponseRecorder) string {
		t.Helper()
		p := e.followSaved(w)
		if p.Code != http.StatusOK {
			t.Fatalf("the check-email page = %d", p.Code)
		}
		return p.Body.String()
	}

	w := signup(url.Values{"email": {" ann@exmaple.org "}, "list": {"daily-news"}})
	var cookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == signupEmailCookie {
			cookie = c
		}
	}
	if cookie == nil || cookie.Path != "/subscribe/check-email" || !cookie.HttpOnly || cookie.MaxAge <= 0 || cookie.MaxAge > 600 ||
		cookie.SameSite != http.SameSiteLaxMode || strings.Contains(cookie.Value, "exmaple") {
		t.Fatalf("the signup's cookie: %+v; want the address encoded, HttpOnly, Lax, for the check-email page and 10 minutes at most", cookie)
	}
	first := page(w)
	for _, want := range []string{
		"<h1>Check your inbox</h1>",
		"Look for a mail to <strong>ann@exmaple.org</strong> from <strong>",
		`Not your address, or a typo in it? <a href="/subscribe">Sign up again</a> with the right one.`,
	} {
		if !strings.Contains(first, want) {
			t.Errorf("the check-email page lacks %q:\n%s", want, first)
		}
	}

	// The same words for an address known already, asked again at once:
	// the page tells nothing of who subscribes.
	e.prefsReader("bob@example.org", "daily", "daily-news")
	known := page(signup(url.Values{"email": {"bob@example.org"}, "list": {"daily-news"}}))
	if want := strings.ReplaceAll(first, "ann@exmaple.org", "bob@example.org"); known != want {
		t.Errorf("the page for a known address differs:\n%s\n---\nwant\n%s", known, want)
	}
	again := page(signup(url.Values{"email": {"ann@exmaple.org"}, "list": {"weekend-culture"}}))
	if again != first {
		t.Errorf("the page for a second signup within 10 minutes differs:\n%s\n---\nwant\n%s", again, first)
	}

	// The suggestion taken for a mistyped domain is the address named.
	w = signup(url.Values{"email": {"zoe@gmial.com"}, "list": {"daily-news"}, useSuggestedField: {"zoe@gmail.com"}})
	if p := page(w); !strings.Contains(p, "Look for a mail to <strong>zoe@gmail.com</strong>") {
		t.Errorf("the page after taking the suggestion:\n%s", p)
	}

	// A domain in another script is named as typed.
	if p := page(signup(url.Values{"email": {"yamada@例え.jp"}, "list": {"daily-news"}})); !strings.Contains(p, "<strong>yamada@例え.jp</strong>") {
		t.Errorf("the page for an address in another script:\n%s", p)
	}

	// Without the cookie, the page names no address, whatever the URL
	// says; what the cookie holds is shown only when it is an address,
	// and escaped.
	plain := e.do("GET", "/subscribe/check-email", "", "").Body.String()
	if !strings.Contains(plain, "Look for a mail from <strong>") || strings.Contains(plain, "Look for a mail to") {
		t.Fatalf("the page without the cookie:\n%s", plain)
	}
	if p := e.do("GET", "/subscribe/check-email?email=mallory%40example.org&Email=x", "", "").Body.String(); p != plain {
		t.Errorf("the URL's parameters change the page:\n%s", p)
	}
	withCookie := func(value string) string {
		return e.do("GET", "/subscribe/check-email", "", "", "Cookie", signupEmailCookie+"="+value).Body.String()
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, bad := range []string{
		enc("<script>alert(1)</script>"),
		enc("Call 555-0100 to claim your prize"),
		enc("ann@example.org <b>now</b>"),
		enc(strings.Repeat("a", 250) + "@example.org"),
		"ann@example.org",
		"%%%",
	} {
		if p := withCookie(bad); p != plain {
			t.Errorf("a cookie of %q changes the page:\n%s", bad, p)
		}
	}
	if p := withCookie(enc("o'neil&co@example.org")); !strings.Contains(p, "<strong>o&#39;neil&amp;co@example.org</strong>") {
		t.Errorf("an address with ' and & is not escaped:\n%s", p)
	}

	// A bot filling the honeypot is answered as anyone: the same page.
	if p := page(signup(url.Values{"email": {"ann@exmaple.org"}, "list": {"daily-news"}, honeypotField: {"http://spam.example"}})); p != first {
		t.Errorf("the honeypot's page differs:\n%s", p)
	}
}
