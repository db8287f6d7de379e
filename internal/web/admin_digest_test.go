package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// newDigestAdmin is a logged-in admin on a server with a real campaigns
// service: the daily list news, which has sent one digest (one reader,
// delivered), and the weekly list weekend, Saturday 07:00 Europe/Paris,
// with one reader and an article not yet in a digest.
func newDigestAdmin(t *testing.T) (*campaigns.Service, *adminClient) {
	t.Helper()
	svc, a, _ := newDigestAdminDB(t)
	return svc, a
}

// newDigestAdminDB is newDigestAdmin with its database.
func newDigestAdminDB(t *testing.T) (*campaigns.Service, *adminClient, *sqlite.DB) {
	t.Helper()
	var svc *campaigns.Service
	var base *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		base = db
		q := queuetest.Embedded(t)
		svc = &campaigns.Service{Store: campaigns.NewStore(db), Queue: q.Client, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
			Templates: s.Templates, BaseURL: "https://news.example", From: "Harbour Gazette <news@news.example>"}
		s.Campaigns = svc
		s.DigestDeps = DigestDeps{Digests: svc}
		execAt(t, db, time.Now(),
			`INSERT INTO lists (id, slug, name, public, digest, digest_hour, created_at) VALUES (1, 'news', 'News', 1, 'daily', 8, ?)`,
			`INSERT INTO lists (id, slug, name, public, digest, digest_hour, digest_weekday, timezone, created_at) VALUES (2, 'weekend', 'Weekend', 1, 'weekly', 7, 'saturday', 'Europe/Paris', ?)`,
			`INSERT INTO lists (id, slug, name, public, digest, created_at) VALUES (3, 'desk', 'Desk', 0, 'off', ?)`,
			`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (1, 'a@x.example', 'a@x.example', 'Ada', 'confirmed', ?, ?)`,
			`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (1, 1, 'active', ?, ?), (1, 2, 'active', ?, ?)`,
			`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (1, 'https://news.example/bridge', 'Bridge reopens', ?, ?), (2, 'https://news.example/market', 'Market day', ?, ?)`,
			`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1), (2, 2)`,
		)
		d, err := svc.RunDigest(context.Background(), "news")
		if err != nil || d.ID == 0 {
			t.Fatalf("RunDigest(news) = %+v, %v", d, err)
		}
		if _, err := db.Write.Exec(`UPDATE deliveries SET status = 'sent' WHERE campaign_id = ?`, d.ID); err != nil {
			t.Fatal(err)
		}
	})
	a.login("correct horse battery")
	return svc, a, base
}

// TestAdminDigestsPage checks each scheduled list's next run in its own
// zone and the past digests with their stats.
func TestAdminDigestsPage(t *testing.T) {
	_, a := newDigestAdmin(t)
	resp, body := a.get("/admin/digests")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/digests = %d:\n%s", resp.StatusCode, body)
	}
	next := campaigns.NextDigest(time.Now(), "weekly", 7, "saturday", "Europe/Paris")
	for _, want := range []string{
		`<a href="/admin/digests" class="on" aria-current="page">Digests</a>`,
		`Weekend`,
		`Weekly, Saturday 07:00 Europe/Paris`,
		next.Format("Monday 2 January 2006, 15:04 MST"),
		`Daily 08:00 UTC`,
		`href="/admin/digests/weekend/run"`,
		`href="/admin/digests/news/run"`,
		`<td data-label="List">News</td>`,                      // the past digest's list, by its name
		`<td class="num" data-label="Sent / total">1 / 1</td>`, // sent / total of the past digest
	} {
		if !strings.Contains(body, want) {
			t.Errorf("digests page lacks %s:\n%s", want, body)
		}
	}
	if shown := next.Format("Monday 15:04 MST"); shown != "Saturday 07:00 CET" && shown != "Saturday 07:00 CEST" {
		t.Errorf("next run of weekend = %s, want Saturday 07:00 Paris time", shown)
	}
	if strings.Contains(body, `/admin/digests/desk/run`) {
		t.Errorf("digests page offers to run desk, whose digest is off:\n%s", body)
	}
	if !regexp.MustCompile(`(?s)<a href="/admin/campaigns/\d+">[^<]+</a></td><td data-label="List">News</td>`).MatchString(body) {
		t.Errorf("digests page does not link the past digest of news:\n%s", body)
	}
}

// TestAdminDigestSendNow runs a list's digest from its button, refuses
// the form without its CSRF token, and says when there was nothing new.
func TestAdminDigestSendNow(t *testing.T) {
	svc, a := newDigestAdmin(t)
	ctx := context.Background()
	count := func() int {
		t.Helper()
		got, err := svc.Recent(ctx, "digest", 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if resp := a.post("/admin/digests/weekend/run", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("run without csrf = %d, want 403", resp.StatusCode)
	}
	if n := count(); n != 1 {
		t.Fatalf("after the refused run, %d digests, want 1", n)
	}
	token := a.csrfOf("/admin/digests")
	resp := a.post("/admin/digests/weekend/run", url.Values{"csrf": {token}, "confirm": {"1"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/admin/campaigns/\d+$`).MatchString(loc) {
		t.Fatalf("run = %d to %q, want 303 to the digest", resp.StatusCode, loc)
	}
	checkFlashRedirect(t, "run", resp, loc, "digest-sent")
	if n := count(); n != 2 {
		t.Errorf("after the run, %d digests, want 2", n)
	}
	if _, body := a.get(loc); !strings.Contains(body, flashes["digest-sent"]) {
		t.Errorf("the digest's page lacks the flash:\n%s", body)
	}
	resp = a.post("/admin/digests/weekend/run", url.Values{"csrf": {token}})
	checkFlashRedirect(t, "second run", resp, "/admin/digests", "digest-nothing-new")
	resp, body := a.postBody("/admin/digests/nope/run", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "<title>Not found") || !strings.Contains(body, `href="/admin/digests"`) {
		t.Errorf("run of an unknown list = %d, want the 404 page:\n%s", resp.StatusCode, body)
	}
}

// failingDigests is a DigestRunner whose every run fails inside.
type failingDigests struct{}

func (failingDigests) RunDigest(context.Context, string) (*campaigns.Digest, error) {
	return nil, errors.New("database is locked: secret detail at digest.go:42")
}

func (failingDigests) PreviewDigest(context.Context, string) (*campaigns.DigestPreview, error) {
	return nil, errors.New("database is locked: secret detail at digest_preview.go:42")
}

// TestAdminErrorPages checks the 404 and 500 pages: in the admin layout,
// with their status, a link back, and no error text.
func TestAdminErrorPages(t *testing.T) {
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.DigestDeps = DigestDeps{Digests: failingDigests{}}
		execAt(t, db, time.Now(), `INSERT INTO lists (id, slug, name, public, digest, digest_hour, created_at) VALUES (1, 'news', 'News', 1, 'daily', 8, ?)`)
	})
	a.login("correct horse battery")

	resp, body := a.get("/admin/nope")
	for _, want := range []string{"<title>Not found · ", `<a href="/admin/lists">Lists</a>`, `<a href="/admin">`, "Log out"} {
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, want) {
			t.Errorf("GET /admin/nope = %d, lacks %s:\n%s", resp.StatusCode, want, body)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("404 Content-Type = %q", ct)
	}

	// Pages that find no such object answer the same page.
	for _, path := range []string{"/admin/subscribers/999999", "/admin/subscribers/abc"} {
		resp, body := a.get(path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "<title>Not found · ") || !strings.Contains(body, `<a href="/admin/subscribers" class="on" aria-current="page">`) {
			t.Errorf("GET %s = %d, want the 404 page:\n%s", path, resp.StatusCode, body)
		}
	}

	token := a.csrfOf("/admin/lists")
	resp, body = a.postBody("/admin/digests/news/run", url.Values{"csrf": {token}})
	for _, want := range []string{"<title>Something went wrong · ", `<a href="/admin/lists">Lists</a>`, `<a href="/admin">`} {
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, want) {
			t.Errorf("failing run = %d, lacks %s:\n%s", resp.StatusCode, want, body)
		}
	}
	for _, leak := range []string{"secret detail", "database is locked", "digest.go", "goroutine"} {
		if strings.Contains(body, leak) {
			t.Errorf("500 page shows %q:\n%s", leak, body)
		}
	}

	// Logged out, an unknown admin path leads to the login, as any does.
	a.c.Jar = nil
	resp, _ = a.get("/admin/nope")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Errorf("logged out GET /admin/nope = %d to %q, want 303 to the login", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestAdminDigestSendNowAsksFirst checks that "Send now" leads to a page
// that names the list and its latest digest and sends nothing, and that
// its form sends the digest.
func TestAdminDigestSendNowAsksFirst(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	state := func() string {
		t.Helper()
		var campaigns, deliveries, marks int
		var queued int
		if err := db.Read.QueryRow(`SELECT (SELECT COUNT(*) FROM campaigns), (SELECT COUNT(*) FROM deliveries),
			(SELECT COUNT(*) FROM digest_marks), (SELECT COUNT(*) FROM deliveries WHERE status = 'queued')`).
			Scan(&campaigns, &deliveries, &marks, &queued); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d campaigns, %d deliveries (%d queued), %d marks", campaigns, deliveries, queued, marks)
	}

	_, index := a.get("/admin/digests")
	if strings.Contains(index, "onsubmit") || strings.Contains(index, `action="/admin/digests/weekend/run"`) {
		t.Errorf("the digests page sends from its own button:\n%s", index)
	}
	before := state()
	resp, body := a.get("/admin/digests/weekend/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the send page = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<title>Send the digest of Weekend · `,
		`<h1>Send the digest of Weekend now?</h1>`,
		`Weekly, Saturday 07:00 Europe/Paris`,
		`None yet: the first digest takes the articles of the past 7 days.`,
		`<form method="post" action="/admin/digests/weekend/run">`,
		`<a href="/admin/digests">Not now</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("send page lacks %s:\n%s", want, body)
		}
	}
	if after := state(); after != before {
		t.Errorf("showing the send page changed the database: %s, was %s", after, before)
	}

	// A list with a digest names it, with what it reached; with a new
	// article, the page offers to send it.
	if _, err := db.Write.Exec(`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (3, 'https://news.example/ferry', 'Ferry timetable', ?, ?)`, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`INSERT INTO article_lists (article_id, list_id) VALUES (3, 1)`); err != nil {
		t.Fatal(err)
	}
	_, body = a.get("/admin/digests/news/run")
	if !regexp.MustCompile(`<th>Latest digest</th><td><a href="/admin/campaigns/\d+">[^<]+</a><br><span class="muted">[^<]+ · sent to 1 of 1</span>`).MatchString(body) {
		t.Errorf("the send page of news does not show its latest digest:\n%s", body)
	}

	// The page's form sends: its action and token, as a browser posts them.
	action := regexp.MustCompile(`<form method="post" action="(/admin/digests/news/run)">`).FindStringSubmatch(body)
	token := csrfField.FindStringSubmatch(body)
	if action == nil || token == nil {
		t.Fatalf("the send page of news has no form to send:\n%s", body)
	}
	before = state()
	confirm := regexp.MustCompile(`<input type="hidden" name="confirm" value="(\d+)">`).FindStringSubmatch(body)
	if confirm == nil {
		t.Fatalf("the send page of news has no count to confirm:\n%s", body)
	}
	resp = a.post(action[1], url.Values{"csrf": {token[1]}, "confirm": {confirm[1]}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/admin/campaigns/\d+$`).MatchString(loc) {
		t.Fatalf("send from the page = %d to %q, want 303 to the digest", resp.StatusCode, loc)
	} else {
		checkFlashRedirect(t, "send from the page", resp, loc, "digest-sent")
	}
	if after := state(); after == before {
		t.Errorf("the send page's form sent nothing: %s", after)
	}

	if resp, _ := a.get("/admin/digests/nope/run"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("send page of an unknown list = %d, want 404", resp.StatusCode)
	}
}
