package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// fillTables makes the disk full for a write to any table of db
// (sqlitetest.Fill), as fillAll does for a subEnv's, and returns the
// tables, for sqlitetest.Free.
func fillTables(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	tables, err := sqlite.Column[string](db.Read.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'`))
	if err != nil {
		t.Fatal(err)
	}
	sqlitetest.Fill(t, db, tables...)
	return tables
}

// With the disk full, an admin form's save answered 500 "Something went
// wrong", as if the page were broken, or came back with the store's
// sentence and 503 but no Retry-After, where the reader's pages and the
// API answer 503 with Retry-After. Every save answers so now, on a page
// saying the disk is full, that nothing was saved and how to send the
// form again, with no database words; nothing changed, and the same form
// saves once space is freed.
func TestFullDiskAdminFormsAnswer503(t *testing.T) {
	ctx := context.Background()
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
		if err != nil {
			t.Fatal(err)
		}
		s.Campaigns = testCampaigns(s, d, queuetest.Embedded(t), out, []byte("0123456789abcdef0123456789abcdef"))
		s.Settings = settings.NewStore(d, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.HookDeps = HookDeps{Hooks: hooks.NewStore(d, hooks.Guard{AllowPrivate: true})}
		s.DigestDeps = DigestDeps{Feeds: articles.NewFeeds(d, s.Articles, false)}
	})
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News", Public: true}); err != nil {
		t.Fatal(err)
	}
	ann, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: "confirmed", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin")
	campaign := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Pier"}, "body": {"Hello"}, "lists": {"news"}})
	if campaign.StatusCode != http.StatusSeeOther {
		t.Fatalf("create a campaign = %d", campaign.StatusCode)
	}
	draft := strings.SplitN(campaign.Header.Get("Location"), "?", 2)[0]
	reader := "/admin/subscribers/" + strconv.FormatInt(ann.ID, 10)
	u := "http://127.0.0.1:9/hook"
	hook, err := s.Hooks.Create(ctx, hooks.Input{URL: &u, Events: &hooks.Types})
	if err != nil {
		t.Fatal(err)
	}
	list := newListForm(csrf, "Harbour", "harbour", false)

	cases := []struct {
		name, path string
		form       url.Values
	}{
		{"new list", "/admin/lists", list},
		{"list's edit", "/admin/lists/news", newListForm(csrf, "News and more", "news", false)},
		{"new subscriber", "/admin/subscribers", url.Values{"csrf": {csrf}, "email": {"bo@example.com"}, "status": {"confirmed"}, "list": {"news"}}},
		{"subscriber's edit", reader, url.Values{"csrf": {csrf}, "email": {"ann@example.com"}, "name": {"Ann Other"}, "status": {"confirmed"},
			"frequency": {"daily"}, "list": {"news"}}},
		{"new campaign", "/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Quay"}, "body": {"Hi"}, "lists": {"news"}}},
		{"campaign's edit", draft + "/edit", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Pier again"}, "body": {"Hello"}, "lists": {"news"}}},
		{"campaign's copy", draft + "/duplicate", url.Values{"csrf": {csrf}}},
		{"new article", "/admin/articles", url.Values{"csrf": {csrf}, "title": {"Ferry times"}, "url": {"https://news.example/ferry"},
			"published_at": {"2026-11-22T06:30"}}},
		{"suppression", "/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"cy@example.com"}, "note": {"asked"}}},
		{"API token", "/admin/tokens", url.Values{"csrf": {csrf}, "name": {"CRM"}}},
		{"invite", "/admin/team/invites", url.Values{"csrf": {csrf}, "email": {"dee@example.com"}}},
		{"password", "/admin/team/password", url.Values{"csrf": {csrf}, "current": {"correct horse battery"},
			"password": {"another long passphrase"}, "password2": {"another long passphrase"}}},
		{"webhook", "/admin/webhooks", url.Values{"csrf": {csrf}, "url": {"http://127.0.0.1:9/in"}, "events": {"subscriber.created"}}},
		{"webhook's disable", "/admin/webhooks/" + strconv.FormatInt(hook.ID, 10) + "/disable", url.Values{"csrf": {csrf}}},
		{"campaign's send", draft + "/send", url.Values{"csrf": {csrf}, "confirm": {"1"}}},
		{"subscriber's erase", reader + "/erase", url.Values{"csrf": {csrf}}},
	}

	tables := fillTables(t, db)
	for _, c := range cases {
		resp, page := a.postBody(c.path, c.form)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" {
			t.Errorf("%s on a full disk: %d, Retry-After %q; want 503 and 60:\n%s", c.name, resp.StatusCode, resp.Header.Get("Retry-After"), textOf(page))
			continue
		}
		for _, want := range []string{"<h1>The disk is full</h1>", "Nothing was saved: the server’s disk is full",
			"send the form again in a minute"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s on a full disk: the page lacks %q:\n%s", c.name, want, textOf(page))
			}
		}
		if low := strings.ToLower(page); strings.Contains(low, "sql") || strings.Contains(low, "database or disk") {
			t.Errorf("%s on a full disk: the page shows the database's words:\n%s", c.name, textOf(page))
		}
	}
	resp, page := a.postSettings(url.Values{"csrf": {csrf}, "name": {"Harbour Gazette"}, "from_address": {"news@harbour.example"}}, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" || !strings.Contains(page, "<h1>The disk is full</h1>") {
		t.Errorf("settings on a full disk: %d, Retry-After %q; want 503, 60 and the page:\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), textOf(page))
	}
	// Signing in stores a session: the login form stays, saying why.
	other := a.another()
	other.login("correct horse battery")
	resp, _ = other.get("/admin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a browser that signed in on a full disk reaches the dashboard: %d", resp.StatusCode)
	}
	_, form := other.get("/admin/login")
	m := csrfField.FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("the login form has no csrf field:\n%s", form)
	}
	resp, page = other.postBody("/admin/login", url.Values{"csrf": {m[1]}, "email": {"editor@example.com"}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" ||
		!strings.Contains(textOf(page), "The server cannot store anything right now (its disk is full)") || !strings.Contains(page, `name="password"`) {
		t.Errorf("login on a full disk: %d, Retry-After %q; want 503, 60 and the form saying why:\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), textOf(page))
	}

	if _, err := s.Subscribers.ListBySlug(ctx, "harbour"); err == nil {
		t.Error("the new list was stored on a full disk")
	}
	if got, err := s.Subscribers.Get(ctx, ann.ID); err != nil || got.Name != "Ann" {
		t.Errorf("Ann after her edit and erase on a full disk: %+v, %v; want her there, her name unchanged", got, err)
	}
	if c, err := s.Campaigns.Get(ctx, mustID(t, draft)); err != nil || c.Status != "draft" || c.Subject != "Pier" {
		t.Errorf("the campaign after its edit and send on a full disk: %+v, %v; want the draft unchanged", c, err)
	}

	sqlitetest.Free(t, db, tables...)
	list.Set("csrf", a.csrfOf("/admin/lists"))
	if resp, body := a.postBody("/admin/lists", list); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the new list once space is freed: %d:\n%s", resp.StatusCode, textOf(body))
	}
}

// mustID is the id at the end of an admin page's path.
func mustID(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(path[strings.LastIndexByte(path, '/')+1:], 10, 64)
	if err != nil {
		t.Fatalf("%s ends in no id", path)
	}
	return id
}
