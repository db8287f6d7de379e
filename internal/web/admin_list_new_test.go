package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The new-list form sits below every list: it posts to /admin/lists#new,
// the card that holds it and its errors, so a refused form comes back
// scrolled to them. The page says why once, in that card: one alert, not
// a note at the top and another in the card.
func TestAdminNewListErrorsInSight(t *testing.T) {
	s, a := newAdminServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "weekly-brief", Name: "Weekly Brief"}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, body := a.get("/admin/lists")
	if !strings.Contains(body, `<div class="card" id="new">`) || !strings.Contains(body, `action="/admin/lists#new"`) {
		t.Errorf("the new-list form does not post to its own card:\n%s", body)
	}
	csrf := a.csrfOf("/admin/lists")
	tests := []struct {
		name   string
		form   url.Values
		status int
		alert  string
	}{
		{"a bad field", url.Values{"slug": {"Bad Slug"}, "name": {"Weekly Brief"}, "digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"}},
			http.StatusUnprocessableEntity, "Nothing was saved: fix the fields marked below."},
		{"a slug taken", url.Values{"slug": {"weekly-brief"}, "name": {"Weekly Brief"}, "digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"}},
			http.StatusConflict, `A list with the slug "weekly-brief" exists already.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", csrf)
			resp, body := a.postBody("/admin/lists", tt.form)
			alerts := strings.Count(body, `class="error" role="alert"`)
			card := strings.Index(body, `id="new"`)
			at := strings.Index(html.UnescapeString(body), `role="alert">`+tt.alert+`</p>`)
			if resp.StatusCode != tt.status || alerts != 1 || card < 0 || at < card || !strings.Contains(body, `value="Weekly Brief"`) {
				t.Errorf("= %d with %d alerts, want %d with one alert in the form's card saying %q, values kept:\n%s", resp.StatusCode, alerts, tt.status, tt.alert, body)
			}
			// The alert is the one note: the summary of a refused admin
			// form says "Nothing was saved" once, and a conflict not at all.
			once := strings.Count(tt.alert, "Nothing was saved")
			if strings.Count(body, "Nothing was saved") != once || strings.Contains(body, "the form below says why") {
				t.Errorf("a second note about the same refusal:\n%s", body)
			}
		})
	}
}

// A delete without its box ticked says the list was not deleted, not
// that nothing was saved: there was nothing to save.
func TestAdminListDeleteUntickedSaysNotDeleted(t *testing.T) {
	s, a := newAdminServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "weekly-brief", Name: "Weekly Brief"}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/lists")
	resp, body := a.postBody("/admin/lists/weekly-brief/delete", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Count(body, `role="alert"`) != 1 ||
		!strings.Contains(body, `role="alert">The list was not deleted: tick the box below to confirm.</p>`) || !strings.Contains(body, "Tick the box to confirm") {
		t.Errorf("delete without the box = %d, want 422 saying the list was not deleted:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "Nothing was saved") {
		t.Errorf("a refused delete says nothing was saved:\n%s", body)
	}
}
