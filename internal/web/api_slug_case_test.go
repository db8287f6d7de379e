package web

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// /api/v1/lists/{slug} reads its slug in any case (subscribers.SlugKey),
// as the subscriber, signup and filter endpoints do: DAILY-NEWS is
// daily-news, read, changed and deleted. It matched the slug as stored
// only, a 404 for a slug the other endpoints took. A slug that names no
// list is still a 404, quoted as typed.
func TestListAPIReadsTheSlugInAnyCase(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.api("GET", "/api/v1/lists/DAILY-NEWS", "")
	if l := decodeList(t, w.Body.Bytes()); w.Code != http.StatusOK || l.Slug != "daily-news" {
		t.Errorf("GET DAILY-NEWS = %d %s, want 200 with daily-news", w.Code, w.Body)
	}
	w = e.api("PATCH", "/api/v1/lists/Daily-News", `{"name":"Daily Harbour News"}`)
	if l := decodeList(t, w.Body.Bytes()); w.Code != http.StatusOK || l.Slug != "daily-news" || l.Name != "Daily Harbour News" {
		t.Errorf("PATCH Daily-News = %d %s, want 200 with daily-news renamed", w.Code, w.Body)
	}
	if w := e.api("DELETE", "/api/v1/lists/Weekend-Culture", ""); w.Code != http.StatusNoContent {
		t.Errorf("DELETE Weekend-Culture = %d %s, want 204", w.Code, w.Body)
	}
	if w := e.api("GET", "/api/v1/lists/weekend-culture", ""); w.Code != http.StatusNotFound {
		t.Errorf("GET weekend-culture after its delete = %d %s, want 404", w.Code, w.Body)
	}
	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		body := ""
		if method == "PATCH" {
			body = `{"name":"Nope"}`
		}
		w := e.api(method, "/api/v1/lists/NOPE", body)
		var got errorBody
		json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != http.StatusNotFound || got.Message != `There is no list "NOPE".` {
			t.Errorf("%s NOPE = %d %s, want 404 quoting NOPE", method, w.Code, w.Body)
		}
	}
}

// A campaign's lists are read in any case too, created or changed, each
// list once however often it is named, and the campaign keeps the list:
// it reads back with the list's own slug. "Daily-News" was refused with
// `there is no list "Daily-News"`. A slug that names no list is still
// refused, quoted as typed.
func TestCampaignAPIReadsListsInAnyCase(t *testing.T) {
	_, a, _, token := campaignServer(t)
	code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Tides","body":"High water at noon.","lists":["NEWS"," News ","news"]}`)
	if code != http.StatusCreated || !cmp.Equal(c["lists"], []any{"news"}) {
		t.Fatalf("create with NEWS = %d %v, want 201 with lists [news]", code, c)
	}
	_, api := createCampaign(t, a, token, `{"subject":"Bridges","body":"The bridge opens.","lists":["news"]}`)
	code, c = apiCall(t, a.base, token, "PATCH", api, `{"lists":["News"]}`)
	if code != http.StatusOK || !cmp.Equal(c["lists"], []any{"news"}) {
		t.Errorf("PATCH lists News = %d %v, want 200 with lists [news]", code, c)
	}
	code, c = apiCall(t, a.base, token, "PATCH", api, `{"lists":["News","Nope"]}`)
	if want := map[string]any{"lists": `there is no list "Nope"`}; code != http.StatusUnprocessableEntity || !cmp.Equal(c["fields"], any(want)) {
		t.Errorf("PATCH lists News, Nope = %d %v, want 422 naming Nope", code, c)
	}
}
