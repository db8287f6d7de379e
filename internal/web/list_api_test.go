package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// apiList is a list as the API shows it.
type apiList struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	Public        bool   `json:"public"`
	Digest        string `json:"digest"`
	DigestHour    int    `json:"digest_hour"`
	DigestWeekday string `json:"digest_weekday"`
	Timezone      string `json:"timezone"`
	From          string `json:"from"`
	ReplyTo       string `json:"reply_to"`
	Welcome       string `json:"welcome"`
}

func decodeList(t *testing.T, body []byte) apiList {
	t.Helper()
	var l apiList
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return l
}

var ignoreListID = cmpopts.IgnoreFields(apiList{}, "ID")

func TestListAPICreateReadUpdate(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.api("POST", "/api/v1/lists", `{"slug":"saturday-brief","name":"Saturday Brief","description":"The week in one mail.",
		"public":false,"digest":"weekly","digest_hour":7,"digest_weekday":"saturday","timezone":"Europe/Paris",
		"from":"Harbour Gazette <brief@news.test>","reply_to":"desk@news.test","welcome":"Hello **reader**."}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("create = %d %s", w.Code, w.Body)
	}
	want := apiList{Slug: "saturday-brief", Name: "Saturday Brief", Description: "The week in one mail.", Digest: "weekly",
		DigestHour: 7, DigestWeekday: "saturday", Timezone: "Europe/Paris", From: "Harbour Gazette <brief@news.test>",
		ReplyTo: "desk@news.test", Welcome: "Hello **reader**."}
	created := decodeList(t, w.Body.Bytes())
	if diff := cmp.Diff(want, created, ignoreListID); diff != "" || created.ID == 0 {
		t.Errorf("created (-want +got):\n%s id %d", diff, created.ID)
	}
	w = e.api("GET", "/api/v1/lists/saturday-brief", "")
	if diff := cmp.Diff(want, decodeList(t, w.Body.Bytes()), ignoreListID); w.Code != 200 || diff != "" {
		t.Errorf("read = %d (-want +got):\n%s", w.Code, diff)
	}

	// Left out, the fields take the defaults of a list made before they
	// existed: public, 08:00, Mondays, UTC.
	w = e.api("POST", "/api/v1/lists", `{"slug":"plain","name":"Plain"}`)
	wantPlain := apiList{Slug: "plain", Name: "Plain", Public: true, Digest: "off", DigestHour: 8, DigestWeekday: "monday", Timezone: "UTC"}
	if diff := cmp.Diff(wantPlain, decodeList(t, w.Body.Bytes()), ignoreListID); w.Code != http.StatusCreated || diff != "" {
		t.Errorf("create with defaults = %d (-want +got):\n%s", w.Code, diff)
	}

	// PATCH changes only what it names.
	w = e.api("PATCH", "/api/v1/lists/plain", `{"digest":"daily","digest_hour":6,"timezone":"America/New_York","description":"Mornings."}`)
	wantPlain.Digest, wantPlain.DigestHour, wantPlain.Timezone, wantPlain.Description = "daily", 6, "America/New_York", "Mornings."
	if diff := cmp.Diff(wantPlain, decodeList(t, w.Body.Bytes()), ignoreListID); w.Code != 200 || diff != "" {
		t.Errorf("patch = %d (-want +got):\n%s", w.Code, diff)
	}
	w = e.api("PATCH", "/api/v1/lists/plain", `{"public":false,"from":"","welcome":""}`)
	wantPlain.Public = false
	if diff := cmp.Diff(wantPlain, decodeList(t, w.Body.Bytes()), ignoreListID); w.Code != 200 || diff != "" {
		t.Errorf("patch public = %d (-want +got):\n%s", w.Code, diff)
	}
	// A new slug moves the list; a taken one is a conflict.
	if w := e.api("PATCH", "/api/v1/lists/plain", `{"slug":"daily-news"}`); w.Code != http.StatusConflict {
		t.Errorf("patch to a taken slug = %d %s, want 409", w.Code, w.Body)
	}
	if w := e.api("PATCH", "/api/v1/lists/plain", `{"slug":"mornings"}`); w.Code != 200 || decodeList(t, w.Body.Bytes()).Slug != "mornings" {
		t.Errorf("rename = %d %s", w.Code, w.Body)
	}
	if w := e.api("GET", "/api/v1/lists/plain", ""); w.Code != http.StatusNotFound {
		t.Errorf("old slug after rename = %d, want 404", w.Code)
	}

	w = e.api("GET", "/api/v1/lists", "")
	var page struct {
		Items []apiList `json:"items"`
		Next  any       `json:"next"`
	}
	json.Unmarshal(w.Body.Bytes(), &page)
	var slugs []string
	for _, l := range page.Items {
		slugs = append(slugs, l.Slug+"@"+l.Timezone)
	}
	wantSlugs := []string{"daily-news@UTC", "weekend-culture@UTC", "editors-desk@UTC", "saturday-brief@Europe/Paris", "mornings@America/New_York"}
	if diff := cmp.Diff(wantSlugs, slugs); w.Code != 200 || diff != "" || page.Next != nil {
		t.Errorf("collection = %d next %v (-want +got):\n%s", w.Code, page.Next, diff)
	}
}

func TestListAPIValidation(t *testing.T) {
	e := newSubEnv(t, 0)
	tests := []struct {
		name, method, path, body string
		fields                   []string
	}{
		{"bad schedule", "POST", "/api/v1/lists", `{"slug":"x","name":"X","digest":"hourly","digest_hour":24,"digest_weekday":"funday","timezone":"Mars/Olympus"}`,
			[]string{"digest", "digest_hour", "digest_weekday", "timezone"}},
		{"the machine's zone is no zone", "POST", "/api/v1/lists", `{"slug":"x","name":"X","timezone":"Local"}`, []string{"timezone"}},
		{"bad senders", "POST", "/api/v1/lists", `{"slug":"x","name":"X","from":"not an address","reply_to":"desk@news.test\r\nBcc: all@news.test"}`,
			[]string{"from", "reply_to"}},
		{"two senders", "POST", "/api/v1/lists", `{"slug":"x","name":"X","from":"a@news.test, b@news.test"}`, []string{"from"}},
		{"bad slug and name", "POST", "/api/v1/lists", `{"slug":"Not A Slug","name":""}`, []string{"name", "slug"}},
		{"patch", "PATCH", "/api/v1/lists/daily-news", `{"name":"","timezone":"europe/nowhere"}`, []string{"name", "timezone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.api(tt.method, tt.path, tt.body)
			var got struct {
				Error  string            `json:"error"`
				Fields map[string]string `json:"fields"`
			}
			json.Unmarshal(w.Body.Bytes(), &got)
			var fields []string
			for f, why := range got.Fields {
				if why == "" {
					t.Errorf("field %s has no reason", f)
				}
				fields = append(fields, f)
			}
			if diff := cmp.Diff(tt.fields, fields, cmpopts.SortSlices(func(a, b string) bool { return a < b })); w.Code != http.StatusUnprocessableEntity || got.Error != "validation" || diff != "" {
				t.Errorf("%s = %d %s; fields (-want +got):\n%s", tt.name, w.Code, w.Body, diff)
			}
		})
	}
	// The refused patch changed nothing.
	w := e.api("GET", "/api/v1/lists/daily-news", "")
	if l := decodeList(t, w.Body.Bytes()); l.Name != "Daily News" || l.Timezone != "UTC" {
		t.Errorf("after a refused patch: %+v", l)
	}
}

func TestListAPINotFound(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, r := range []struct{ method, body string }{{"GET", ""}, {"PATCH", `{"name":"X"}`}, {"DELETE", ""}} {
		if w := e.api(r.method, "/api/v1/lists/no-such-list", r.body); w.Code != http.StatusNotFound {
			t.Errorf("%s of an unknown list = %d %s, want 404", r.method, w.Code, w.Body)
		}
	}
}

// TestListAPIDelete checks that a list a campaign is sending to (or is
// paused or scheduled on) cannot be deleted, and that a list whose
// campaigns are done can, leaving those campaigns in place.
func TestListAPIDelete(t *testing.T) {
	e := newSubEnv(t, 0)
	now := time.Now().UTC()
	var listID int64
	e.db.Read.QueryRow(`SELECT id FROM lists WHERE slug = 'daily-news'`).Scan(&listID)
	res, err := e.db.Write.Exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hello', 'sending', ?, ?)`, now, now)
	if err != nil {
		t.Fatal(err)
	}
	campaign, _ := res.LastInsertId()
	draft, _ := e.db.Write.Exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Draft', 'draft', ?, ?)`, now, now)
	draftID, _ := draft.LastInsertId()
	for _, c := range []int64{campaign, draftID} {
		if _, err := e.db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, c, listID); err != nil {
			t.Fatal(err)
		}
	}
	for _, status := range []string{"sending", "paused", "scheduled"} {
		e.db.Write.Exec(`UPDATE campaigns SET status = ? WHERE id = ?`, status, campaign)
		w := e.api("DELETE", "/api/v1/lists/daily-news", "")
		if w.Code != http.StatusConflict {
			t.Errorf("delete while a campaign is %s = %d %s, want 409", status, w.Code, w.Body)
		}
	}
	if w := e.api("GET", "/api/v1/lists/daily-news", ""); w.Code != 200 {
		t.Fatalf("list gone after a refused delete: %d", w.Code)
	}
	e.db.Write.Exec(`UPDATE campaigns SET status = 'sent' WHERE id = ?`, campaign)
	if w := e.api("DELETE", "/api/v1/lists/daily-news", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete = %d %s, want 204", w.Code, w.Body)
	}
	if w := e.api("GET", "/api/v1/lists/daily-news", ""); w.Code != http.StatusNotFound {
		t.Errorf("read after delete = %d, want 404", w.Code)
	}
	var campaigns int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns`).Scan(&campaigns)
	if campaigns != 2 {
		t.Errorf("%d campaigns after the delete, want both kept", campaigns)
	}
	// The signup form no longer offers it.
	if w := e.do("GET", "/subscribe", "", ""); w.Code != 200 || strings.Contains(w.Body.String(), "Daily News") {
		t.Errorf("signup form after delete = %d, still offers the list", w.Code)
	}
}
