package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// postBody posts a form and returns the answer with its body.
func (a *adminClient) postBody(path string, form url.Values) (*http.Response, string) {
	a.t.Helper()
	return a.do("POST", path, form)
}

// csrfOf logs in and returns the session's CSRF token.
func (a *adminClient) csrfOf(path string) string {
	a.t.Helper()
	_, body := a.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		a.t.Fatalf("%s has no csrf field:\n%s", path, body)
	}
	return m[1]
}

// TestAdminListCreateEditDelete walks a list through the admin pages: the
// new-list form, its errors, the edit form and the confirmed delete.
func TestAdminListCreateEditDelete(t *testing.T) {
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(_ *Server, d *sqlite.DB) { db = d })
	ctx := context.Background()
	a.login("correct horse battery")
	resp, body := a.get("/admin/lists")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/admin/lists#new"`) {
		t.Fatalf("GET /admin/lists = %d, no new-list form:\n%s", resp.StatusCode, body)
	}
	token := a.csrfOf("/admin/lists")
	form := url.Values{"csrf": {token}, "slug": {"saturday-brief"}, "name": {"Saturday Brief"}, "description": {"The week in one mail."},
		"public": {"on"}, "digest": {"weekly"}, "digest_hour": {"7"}, "digest_weekday": {"saturday"}, "timezone": {"Europe/Paris"},
		"from": {"Harbour Gazette <brief@news.test>"}, "reply_to": {""}, "welcome": {"Welcome aboard."}}

	// Without the CSRF token nothing is made.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Del("csrf")
	if resp := a.post("/admin/lists", bad); resp.StatusCode != http.StatusForbidden {
		t.Errorf("create without csrf = %d, want 403", resp.StatusCode)
	}
	// A bad field re-shows the form with what was typed and why.
	bad.Set("csrf", token)
	bad.Set("timezone", "Paris")
	resp, body = a.postBody("/admin/lists", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "IANA time zone") ||
		!strings.Contains(body, `value="Saturday Brief"`) || !strings.Contains(body, `value="Paris"`) {
		t.Errorf("create with a bad zone = %d, want 422 with the error and the values:\n%s", resp.StatusCode, body)
	}
	if _, err := s.Subscribers.ListBySlug(ctx, "saturday-brief"); err == nil {
		t.Fatal("the refused form made a list")
	}

	resp = a.post("/admin/lists", form)
	checkFlashRedirect(t, "create", resp, "/admin/lists/saturday-brief", "list-created")
	got, err := s.Subscribers.ListBySlug(ctx, "saturday-brief")
	if err != nil {
		t.Fatal(err)
	}
	want := &subscribers.List{Slug: "saturday-brief", Name: "Saturday Brief", Description: "The week in one mail.", Public: true,
		Digest: "weekly", DigestHour: 7, DigestWeekday: "saturday", Timezone: "Europe/Paris", From: "Harbour Gazette <brief@news.test>", Welcome: "Welcome aboard.",
		Tracking: "anonymous"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(subscribers.List{}, "ID", "CreatedAt")); diff != "" {
		t.Errorf("stored list (-want +got):\n%s", diff)
	}
	_, body = a.get("/admin/lists/saturday-brief")
	for _, want := range []string{"List created.", `value="Saturday Brief"`, `<option value="saturday" selected>`, `value="Europe/Paris"`, "Welcome aboard."} {
		if !strings.Contains(html.UnescapeString(body), html.UnescapeString(want)) {
			t.Errorf("edit page lacks %s", want)
		}
	}
	_, body = a.get("/admin/lists")
	if !strings.Contains(body, "weekly on Saturday at 07:00 Europe/Paris") {
		t.Errorf("index does not show the schedule:\n%s", body)
	}
	if strings.Contains(layoutScriptFree(body), "<script") || strings.Contains(body, "onsubmit") {
		t.Error("the lists page has an inline script; the admin CSP would block it")
	}

	// The edit form saves every field, a new slug included; an unchecked
	// box makes the list private.
	edit := url.Values{"csrf": {token}, "slug": {"weekend-brief"}, "name": {"Weekend Brief"}, "description": {""},
		"digest": {"daily"}, "digest_hour": {"6"}, "digest_weekday": {"sunday"}, "timezone": {"America/New_York"},
		"from": {""}, "reply_to": {"desk@news.test"}, "welcome": {""}}
	resp = a.post("/admin/lists/saturday-brief", edit)
	checkFlashRedirect(t, "update", resp, "/admin/lists/weekend-brief", "saved")
	got, err = s.Subscribers.ListBySlug(ctx, "weekend-brief")
	want = &subscribers.List{Slug: "weekend-brief", Name: "Weekend Brief", Digest: "daily", DigestHour: 6, DigestWeekday: "sunday",
		Timezone: "America/New_York", ReplyTo: "desk@news.test", Tracking: "anonymous"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(subscribers.List{}, "ID", "CreatedAt")); err != nil || diff != "" {
		t.Errorf("updated list (-want +got):\n%s %v", diff, err)
	}
	edit.Set("reply_to", "two@news.test, three@news.test")
	resp, body = a.postBody("/admin/lists/weekend-brief", edit)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Write one address") {
		t.Errorf("update with two reply-tos = %d, want 422 with the reason:\n%s", resp.StatusCode, body)
	}
	if resp, _ := a.get("/admin/lists/no-such-list"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("edit of an unknown list = %d, want 404", resp.StatusCode)
	}

	// Deleting takes a ticked box, and waits for a campaign in flight.
	resp, body = a.postBody("/admin/lists/weekend-brief/delete", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Tick the box") {
		t.Errorf("delete without the box = %d, want 422 asking for it:\n%s", resp.StatusCode, body)
	}
	now := time.Now().UTC()
	res, err := db.Write.Exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Big news', 'sending', ?, ?)`, now, now)
	if err != nil {
		t.Fatal(err)
	}
	cid, _ := res.LastInsertId()
	db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, cid, got.ID)
	resp, body = a.postBody("/admin/lists/weekend-brief/delete", url.Values{"csrf": {token}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(html.UnescapeString(body), `The campaign "Big news" is sending to this list`) {
		t.Errorf("delete while sending = %d, want 409 naming the campaign:\n%s", resp.StatusCode, body)
	}
	db.Write.Exec(`UPDATE campaigns SET status = 'sent'`)
	if resp := a.post("/admin/lists/weekend-brief/delete", url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without csrf = %d, want 403", resp.StatusCode)
	}
	resp = a.post("/admin/lists/weekend-brief/delete", url.Values{"csrf": {token}, "confirm": {"yes"}})
	checkFlashRedirect(t, "delete", resp, "/admin/lists", "list-deleted")
	if _, err := s.Subscribers.ListBySlug(ctx, "weekend-brief"); err == nil {
		t.Error("list still there after delete")
	}
	if _, body := a.get("/admin/lists"); !strings.Contains(body, "List deleted.") {
		t.Error("no banner after the delete")
	}
}
