package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestListTrackingAPI: lists show, take and change tracking and opens;
// a mode that is not one of the three is a 422 naming them.
func TestListTrackingAPI(t *testing.T) {
	e := newSubEnv(t, 0)
	type mode struct {
		Tracking string `json:"tracking"`
		Opens    bool   `json:"opens"`
	}
	read := func(w interface{ Result() *http.Response }, body []byte) mode {
		t.Helper()
		var m mode
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		return m
	}
	w := e.api("POST", "/api/v1/lists", `{"slug":"plain","name":"Plain"}`)
	if diff := cmp.Diff(mode{"anonymous", false}, read(w, w.Body.Bytes())); w.Code != http.StatusCreated || diff != "" {
		t.Errorf("create with defaults = %d (-want +got):\n%s", w.Code, diff)
	}
	w = e.api("POST", "/api/v1/lists", `{"slug":"watched","name":"Watched","tracking":"on","opens":true}`)
	if diff := cmp.Diff(mode{"on", true}, read(w, w.Body.Bytes())); w.Code != http.StatusCreated || diff != "" {
		t.Errorf("create tracked = %d (-want +got):\n%s", w.Code, diff)
	}
	w = e.api("PATCH", "/api/v1/lists/watched", `{"tracking":"off"}`)
	if diff := cmp.Diff(mode{"off", true}, read(w, w.Body.Bytes())); w.Code != http.StatusOK || diff != "" {
		t.Errorf("patch tracking = %d (-want +got):\n%s", w.Code, diff)
	}
	w = e.api("GET", "/api/v1/lists/watched", "")
	if diff := cmp.Diff(mode{"off", true}, read(w, w.Body.Bytes())); w.Code != http.StatusOK || diff != "" {
		t.Errorf("read = %d (-want +got):\n%s", w.Code, diff)
	}
	w = e.api("PATCH", "/api/v1/lists/watched", `{"tracking":"full","opens":false}`)
	var apiErr struct {
		Error  string            `json:"error"`
		Fields map[string]string `json:"fields"`
	}
	json.Unmarshal(w.Body.Bytes(), &apiErr)
	if w.Code != http.StatusUnprocessableEntity || apiErr.Error != "validation" || !strings.Contains(apiErr.Fields["tracking"], "off, anonymous or on") {
		t.Errorf("patch tracking full = %d %s, want 422 naming off, anonymous or on", w.Code, w.Body)
	}
	w = e.api("GET", "/api/v1/lists/watched", "")
	if diff := cmp.Diff(mode{"off", true}, read(w, w.Body.Bytes())); diff != "" {
		t.Errorf("after a refused patch (-want +got):\n%s", diff)
	}
}

// TestAdminListTracking: the list form shows the two settings with what
// they mean, and saves them.
func TestAdminListTracking(t *testing.T) {
	s, a := newAdminServerWith(t, nil)
	ctx := context.Background()
	a.login("correct horse battery")
	token := a.csrfOf("/admin/lists")
	_, body := a.get("/admin/lists")
	for _, want := range []string{`<select id="tracking" name="tracking">`, `<option value="anonymous" selected>`, `name="opens"`} {
		if !strings.Contains(body, want) {
			t.Errorf("new-list form lacks %s", want)
		}
	}
	form := url.Values{"csrf": {token}, "slug": {"watched"}, "name": {"Watched"}, "digest": {"off"}, "digest_hour": {"8"},
		"digest_weekday": {"monday"}, "timezone": {"UTC"}, "tracking": {"on"}, "opens": {"on"}}
	if resp := a.post("/admin/lists", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	l, err := s.Subscribers.ListBySlug(ctx, "watched")
	if err != nil || l.Tracking != "on" || !l.Opens {
		t.Fatalf("created list = %+v, %v; want tracking on, opens", l, err)
	}
	_, body = a.get("/admin/lists/watched")
	text := html.UnescapeString(body)
	for _, want := range []string{`<option value="on" selected>`, `name="opens" value="on" checked`, "counts only", "Apple Mail Privacy Protection"} {
		if !strings.Contains(text, want) {
			t.Errorf("edit page lacks %s", want)
		}
	}
	form.Set("tracking", "off")
	form.Del("opens")
	if resp := a.post("/admin/lists/watched", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update = %d", resp.StatusCode)
	}
	if l, _ = s.Subscribers.ListBySlug(ctx, "watched"); l.Tracking != "off" || l.Opens {
		t.Errorf("updated list: tracking %q, opens %t; want off, false", l.Tracking, l.Opens)
	}
	form.Set("tracking", "everything")
	resp, body := a.postBody("/admin/lists/watched", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Use off, anonymous or on") {
		t.Errorf("update with a bad mode = %d, want 422 with the reason:\n%s", resp.StatusCode, body)
	}
}
