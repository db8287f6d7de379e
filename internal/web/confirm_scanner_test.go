package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// Browser user agents of people following the link, and of programs the
// click tracker (tracking.ClassifyClick) takes for a scanner or a script.
const (
	personUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	phoneUA  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)

// pendingReader adds a reader on daily-news who signed up and was mailed
// a confirmation link, and returns its id and the link's path.
func pendingReader(t *testing.T, e *subEnv, email string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: email, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.QueueConfirm(ctx, sub.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.status(sub.ID); got != subscribers.StatusPending {
		t.Fatalf("new reader is %s, want pending", got)
	}
	return sub.ID, "/confirm/" + e.confirmToken(sub.ID)
}

// A HEAD on the confirmation link (curl -I, a link checker) answers and
// confirms no one.
func TestConfirmHeadDoesNotConfirm(t *testing.T) {
	e := newSubEnv(t, 0)
	id, link := pendingReader(t, e, "head@example.org")
	for _, ua := range []string{personUA, "curl/8.5.0", ""} {
		w := e.do("HEAD", link, "", "", "User-Agent", ua)
		if w.Code != http.StatusOK {
			t.Errorf("HEAD as %q = %d, want 200", ua, w.Code)
		}
		if got := e.status(id); got != subscribers.StatusPending {
			t.Fatalf("after a HEAD as %q the reader is %s, want still pending", ua, got)
		}
	}
	// A person's GET still confirms at once.
	w := e.do("GET", link, "", "", "User-Agent", personUA)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "You're subscribed") {
		t.Fatalf("browser GET = %d\n%s", w.Code, w.Body)
	}
	if got := e.status(id); got != subscribers.StatusConfirmed {
		t.Fatalf("after a browser GET the reader is %s, want confirmed", got)
	}
}

// A GET from a mail gateway's scanner, a link previewer or Office gets
// a page whose button POSTs to the same link, and confirms no one; the
// POST confirms, as often as it comes, as a person's GET does.
func TestConfirmScannerGetAsksForAClick(t *testing.T) {
	e := newSubEnv(t, 0)
	id, link := pendingReader(t, e, "scanned@example.org")
	for _, ua := range []string{
		"Mozilla/5.0 (compatible; Mimecast URL Protect)",
		"Microsoft Office Existence Discovery",
		"Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
	} {
		w := e.do("GET", link, "", "", "User-Agent", ua)
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, `<form method="post">`) ||
			!strings.Contains(body, `<button type="submit">Confirm my subscription</button>`) || strings.Contains(body, "You're subscribed") {
			t.Fatalf("GET as %q = %d, want the page with the button:\n%s", ua, w.Code, body)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET as %q: CSP %q, want the public pages' policy", ua, csp)
		}
		if got := e.status(id); got != subscribers.StatusPending {
			t.Fatalf("after a GET as %q the reader is %s, want still pending", ua, got)
		}
	}
	// The button: a POST to the same URL, no field, no cookie.
	for range 2 {
		w := e.do("POST", link, "application/x-www-form-urlencoded", "", "User-Agent", phoneUA)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "You're subscribed") || !strings.Contains(w.Body.String(), "Daily News") {
			t.Fatalf("POST = %d\n%s", w.Code, w.Body)
		}
		if got := e.status(id); got != subscribers.StatusConfirmed {
			t.Fatalf("after the POST the reader is %s, want confirmed", got)
		}
	}
	// A bad token is refused on POST as on a person's GET.
	for _, m := range []string{"POST", "GET"} {
		if w := e.do(m, link+"x", "", "", "User-Agent", personUA); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "This link does not work") {
			t.Errorf("%s with an altered token = %d, want 400 with the bad-link page", m, w.Code)
		}
	}
}

// A person's GET confirms at once, and again (idempotent), with no
// button to press; so does a script's, as the contract's GET says: no
// gateway announces itself as curl, and a person may use it.
func TestConfirmBrowserGetConfirmsAtOnce(t *testing.T) {
	e := newSubEnv(t, 0)
	for i, ua := range []string{phoneUA, "curl/8.5.0", "python-requests/2.31.0", "Go-http-client/1.1", ""} {
		id, link := pendingReader(t, e, fmt.Sprintf("person%d@example.org", i))
		for range 2 {
			w := e.do("GET", link, "", "", "User-Agent", ua)
			if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, "You're subscribed") || strings.Contains(body, "Confirm my subscription") {
				t.Fatalf("GET as %q = %d\n%s", ua, w.Code, body)
			}
			if got := e.status(id); got != subscribers.StatusConfirmed {
				t.Fatalf("after a GET as %q the reader is %s, want confirmed", ua, got)
			}
		}
	}
}
