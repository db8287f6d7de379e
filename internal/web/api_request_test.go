package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// errorFields returns the fields of a JSON error answer.
func errorFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not a JSON error: %s", body)
	}
	return e.Fields
}

// A report's query parameter out of range is a 422 that names it and
// says what to send, as every other 422 does.
func TestReportParametersAreNamedWhenWrong(t *testing.T) {
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Hello","body":"Hi","lists":["news"]}`)
	days := map[string]string{"days": "use a whole number from 1 to 366"}
	format := map[string]string{"format": "use json or csv"}
	for _, tc := range []struct {
		path string
		want map[string]string
	}{
		{"/api/v1/lists/news/report?days=0", days},
		{"/api/v1/lists/news/report?days=367", days},
		{"/api/v1/lists/news/report?days=abc", days},
		{"/api/v1/lists/news/report?format=xml", format},
		{campaign + "/report?format=xml", format},
		{"/api/v1/campaigns/999/report?format=xml", format},
	} {
		code, body := getDocumented(t, a, token, tc.path)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("GET %s = %d %s, want 422", tc.path, code, body)
			continue
		}
		if diff := cmp.Diff(tc.want, errorFields(t, body)); diff != "" {
			t.Errorf("GET %s: fields (-want +got):\n%s", tc.path, diff)
		}
	}
}

// An {id} that cannot be an id is a 422 naming it on every API route
// that takes one, as the document declares: an integer of 1 or more.
func TestMalformedPathIDIs422(t *testing.T) {
	_, a, token := fullServer(t)
	routes := []struct{ method, path, body string }{
		{"GET", "/api/v1/subscribers/ID", ""},
		{"PATCH", "/api/v1/subscribers/ID", `{"name":"Ada"}`},
		{"DELETE", "/api/v1/subscribers/ID", ""},
		{"GET", "/api/v1/subscribers/ID/export", ""},
		{"PATCH", "/api/v1/articles/ID", `{"title":"T"}`},
		{"DELETE", "/api/v1/articles/ID", ""},
		{"GET", "/api/v1/feeds/ID", ""},
		{"PATCH", "/api/v1/feeds/ID", `{"active":false}`},
		{"DELETE", "/api/v1/feeds/ID", ""},
		{"GET", "/api/v1/campaigns/ID", ""},
		{"PATCH", "/api/v1/campaigns/ID", `{"subject":"S"}`},
		{"DELETE", "/api/v1/campaigns/ID", ""},
		{"POST", "/api/v1/campaigns/ID/duplicate", ""},
		{"POST", "/api/v1/campaigns/ID/test", `{"to":["editor@example.com"]}`},
		{"POST", "/api/v1/campaigns/ID/send", ""},
		{"POST", "/api/v1/campaigns/ID/pause", ""},
		{"POST", "/api/v1/campaigns/ID/resume", ""},
		{"POST", "/api/v1/campaigns/ID/cancel", ""},
		{"GET", "/api/v1/campaigns/ID/report", ""},
		{"GET", "/api/v1/webhooks/ID", ""},
		{"PATCH", "/api/v1/webhooks/ID", `{"active":false}`},
		{"DELETE", "/api/v1/webhooks/ID", ""},
		{"GET", "/api/v1/webhooks/ID/deliveries", ""},
		{"POST", "/api/v1/webhooks/ID/test", ""},
	}
	want := map[string]string{"id": "use a whole number of 1 or more"}
	for _, r := range routes {
		for _, id := range []string{"abc", "0", "-1", "1.0"} {
			path := strings.Replace(r.path, "ID", id, 1)
			code, body := callDocumented(t, a, token, r.method, path, r.body)
			if code != http.StatusUnprocessableEntity {
				t.Errorf("%s %s = %d %s, want 422", r.method, path, code, body)
				continue
			}
			if diff := cmp.Diff(want, errorFields(t, body)); diff != "" {
				t.Errorf("%s %s: fields (-want +got):\n%s", r.method, path, diff)
			}
		}
	}
}

// A filter naming a list that does not exist is a 422, not an empty page
// that reads as a list with no one on it; so is a filter given twice,
// of which only one would count.
func TestFiltersNamingNothingAre422(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, tc := range []struct {
		path string
		want map[string]string
	}{
		{"/api/v1/subscribers?list=nope", map[string]string{"list": `there is no list "nope"`}},
		{"/api/v1/articles?list=nope&limit=5", map[string]string{"list": `there is no list "nope"`}},
		{"/api/v1/subscribers?status=confirmed&status=pending", map[string]string{"status": "give status once"}},
		{"/api/v1/articles?list=daily-news&list=weekend-culture", map[string]string{"list": "give list once"}},
		{"/api/v1/subscribers?limit=1&limit=2", map[string]string{"limit": "give limit once"}},
	} {
		w := e.api("GET", tc.path, "")
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("GET %s = %d %s, want 422", tc.path, w.Code, w.Body)
			continue
		}
		if diff := cmp.Diff(tc.want, errorFields(t, w.Body.Bytes())); diff != "" {
			t.Errorf("GET %s: fields (-want +got):\n%s", tc.path, diff)
		}
	}
}

// A person's export is theirs: no cache along the way may keep it, as
// none keeps the CSV reports.
func TestSubscriberExportIsNotStored(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.api("POST", "/api/v1/subscribers", `{"email":"ada@example.org","lists":["daily-news"]}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	w = e.api("GET", "/api/v1/subscribers/"+jsonID(t, w.Body.Bytes())+"/export", "")
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("export = %d, Cache-Control %q, want 200 and no-store", w.Code, w.Header().Get("Cache-Control"))
	}
}
