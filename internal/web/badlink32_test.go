package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// badLinkCase is a page of a link that does not work, with the words it
// has whether or not signups are open and those it has only when they
// are closed.
type badLinkCase struct {
	path           string
	always, closed string
}

// staticBadLinks are broken reader links of every kind, cut short too,
// whose pages need no reader.
var staticBadLinks = []badLinkCase{
	{"/confirm/not-a-token", "Copy the whole link from the newest confirmation mail", "If it has expired, ask Bulletin for a new one."},
	{"/confirm", "Copy the whole link from the newest confirmation mail", "If it has expired, ask Bulletin for a new one."},
	{"/unsubscribe/not-a-token", "use the unsubscribe link in a newer mail from Bulletin", ""},
	{"/unsubscribe/abc/def", "use the unsubscribe link in a newer mail from Bulletin", ""},
	{"/preferences/not-a-token", "use the link in the footer of a newer mail from Bulletin", ""},
	{"/preferences", "use the link in the footer of a newer mail from Bulletin", ""},
}

// checkBadLinkPages GETs each page and checks that it is a 400 that links
// the signup form when open, and otherwise neither links nor mentions
// it, saying instead what it says when closed.
func checkBadLinkPages(t *testing.T, e *subEnv, when string, open bool, pages []badLinkCase) {
	t.Helper()
	if w := e.do("GET", "/subscribe", "", ""); (w.Code == http.StatusOK) != open {
		t.Fatalf("%s: GET /subscribe = %d, want the form %v", when, w.Code, open)
	}
	for _, p := range pages {
		w := e.do("GET", p.path, "", "")
		body := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(body, p.always) {
			t.Errorf("%s: GET %s = %d, want 400 with %q:\n%s", when, p.path, w.Code, p.always, body)
		}
		if got := strings.Contains(body, `href="/subscribe"`); got != open {
			t.Errorf("%s: GET %s links the signup form %v, want %v:\n%s", when, p.path, got, open, body)
		}
		if !open && strings.Contains(strings.ToLower(body), "sign up again") {
			t.Errorf("%s: GET %s tells the reader to sign up again, which /subscribe refuses:\n%s", when, p.path, body)
		}
		if got := strings.Contains(body, p.closed); p.closed != "" && got == open {
			t.Errorf("%s: GET %s says %q: %v, want %v:\n%s", when, p.path, p.closed, got, !open, body)
		}
	}
}

// setPublic makes the lists slugs public or private.
func setPublic(t *testing.T, e *subEnv, public bool, slugs ...string) {
	t.Helper()
	for _, slug := range slugs {
		if _, err := e.store.UpdateList(context.Background(), slug, &subscribers.ListPatch{Public: &public}); err != nil {
			t.Fatal(err)
		}
	}
}

// A broken confirm, unsubscribe or preferences link's page offers the
// signup form (to get fresh links, or to confirm again) only while a
// public list takes signups: with only private lists /subscribe answers
// "Not open yet", and the pages send no one there. That holds for the
// confirmation link of a reader unsubscribed since too. Once a list is
// public again, the pages offer the form again.
func TestBadLink32PagesOfferSignupOnlyWhenOpen(t *testing.T) {
	e := newSubEnv(t, 0)
	if w := e.form("/subscribe", url.Values{"email": {"gone@example.com"}, "list": {"daily-news"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("signup: %d", w.Code)
	}
	e.runConfirmations()
	id := e.lastID()
	confirm := "/confirm/" + e.confirmToken(id)
	e.mustConfirm(id)
	if w := e.form("/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, id, 0), url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK {
		t.Fatalf("unsubscribe: %d", w.Code)
	}
	pages := append([]badLinkCase{{confirm, "You unsubscribed after this mail",
		"Bulletin takes no signups on this site at the moment: ask them to add you again."}}, staticBadLinks...)

	checkBadLinkPages(t, e, "public lists", true, pages)
	setPublic(t, e, false, "daily-news", "weekend-culture")
	checkBadLinkPages(t, e, "only a private list", false, pages)
	setPublic(t, e, true, "weekend-culture")
	checkBadLinkPages(t, e, "a public list again", true, pages)
}

// On a fresh install, with no list at all, the broken-link pages do not
// offer the signup form either.
func TestBadLink32PagesOnAFreshInstall(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, slug := range []string{"daily-news", "weekend-culture", "editors-desk"} {
		if err := e.store.DeleteList(context.Background(), slug); err != nil {
			t.Fatal(err)
		}
	}
	checkBadLinkPages(t, e, "no list", false, staticBadLinks)
}

// The home page of a fresh install says its archive holds no issue yet,
// beside the link, so a reader does not find out on an empty page; an
// issue sent only to a private list is not in the archive and does not
// count. Once an issue is in the archive the link reads as before.
func TestBadLink32HomeSaysTheArchiveIsEmpty(t *testing.T) {
	e := newSubEnv(t, 0)
	withArchive(e)
	const link, none = `<a href="/archive">Read past issues in the archive</a>`, "(none yet: nothing has been sent)"
	home := func(when string, empty bool) {
		t.Helper()
		w := e.do("GET", "/", "", "")
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, link) || strings.Contains(body, link+" "+none) != empty {
			t.Errorf("%s: GET / = %d, want %q, said empty: %v:\n%s", when, w.Code, link, empty, body)
		}
		if empty && strings.Contains(e.do("GET", "/archive", "", "").Body.String(), `href="/archive/`) {
			t.Errorf("%s: the home page says the archive is empty, but it lists an issue", when)
		}
		// The 404 page offers the archive as a way on only when it holds
		// something to read.
		if w := e.do("GET", "/no-such-page", "", ""); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), link) == empty {
			t.Errorf("%s: GET /no-such-page = %d, want 404 with the archive link only when it lists an issue:\n%s", when, w.Code, w.Body.String())
		}
	}
	home("a fresh archive", true)
	sentIssue(t, e, "For the editors", "editors-desk")
	home("an issue to a private list", true)
	sentIssue(t, e, "The quay reopens", "daily-news")
	home("an issue to a public list", false)
}
